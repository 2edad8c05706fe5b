"""The columns of the expert's review list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django.template.loader import render_to_string
from django_tables2 import A

from config.lists import DateTimeColumn, ListTable

NO_VOTE = "待表决"


class AssignmentTable(ListTable):
    """我的评审任务: open reviews first; sortable by number, status, time limit and drawing time."""

    number = tables.Column(
        "编号",
        accessor="item__number",
        linkify=("disputes:item_detail", [A("item__pk")]),
        order_by=("item__id",),
        orderable=True,
    )
    kind = tables.Column("类型", accessor="item__kind", orderable=True)
    institution = tables.Column("申请机构", accessor="item__institution__name")
    status = tables.Column("状态", accessor="item__status", orderable=True)
    due_on = tables.Column("办理时限", accessor="item__due_on", orderable=True)
    vote = tables.Column("我的表决", empty_values=())  # no vote yet is 待表决, in the export too
    drawn_at = DateTimeColumn("抽取时间", format="Y-m-d H:i", orderable=True)

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "review-list"}
        empty_text = "暂无评审任务。"

    def render_status(self, record) -> str:
        item = record.item
        context = {"status": item.status, "label": item.get_status_display()}
        return render_to_string("disputes/_status.html", context)

    def value_status(self, record) -> str:
        return record.item.get_status_display()

    def render_due_on(self, record) -> str:
        context = {"due": record.item.due_on, "overdue": record.item.is_overdue}
        return render_to_string("disputes/_due.html", context)

    def value_due_on(self, record):
        return record.item.due_on

    def render_vote(self, record) -> str:
        return record.get_vote_display() or NO_VOTE

    def value_vote(self, record) -> str:
        return self.render_vote(record)
