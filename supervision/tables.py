"""The columns of supervision's list pages (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.html import format_html
from django_tables2 import A

from config.lists import ListTable, MoneyColumn, NumberColumn


class FindingTable(ListTable):
    """监管发现: newest month first; sortable by period, score, cases, status and amount."""

    period = tables.Column(
        "期间",
        accessor="year",
        order_by=("year", "month"),
        linkify=("supervision:finding_detail", [A("pk")]),
        attrs={"td": {"class": "text-nowrap"}},
        orderable=True,
    )
    rule = tables.Column("规则", orderable=True)
    institution = tables.Column("机构", order_by=("institution__code",), orderable=True)
    severity = tables.Column("严重程度")
    score = NumberColumn("评分", orderable=True)
    description = tables.Column("说明", attrs={"td": {"class": "small"}})
    evidence_count = NumberColumn("病例数", orderable=True)
    status = tables.Column("状态", orderable=True)
    amount = MoneyColumn("扣减金额（元）", orderable=True)
    charge = tables.Column("计入", accessor="charge_label", attrs={"td": {"class": "small"}})

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "class": "table table-sm table-striped align-top"}
        attrs["data-testid"] = "finding-list"
        row_attrs = {"data-testid": "finding"}
        empty_text = "没有符合条件的监管发现。"

    def render_period(self, record) -> str:
        return f"{record.year}年{record.month}月"

    def value_period(self, record) -> str:
        return self.render_period(record)

    def render_institution(self, value) -> str:
        return format_html('{}<br><small class="text-muted">{}</small>', value.name, value.code)

    def value_institution(self, value) -> str:
        return f"{value.name}（{value.code}）"

    def render_evidence_count(self, value) -> str:
        return f"{value:,}"

    def value_evidence_count(self, value) -> int:
        return value

    def render_status(self, record) -> str:
        context = {"status": record.status, "label": record.get_status_display()}
        return render_to_string("supervision/_status.html", context)

    def value_status(self, record) -> str:
        return record.get_status_display()

    def render_charge(self, value) -> str:
        return value or "未指定"
