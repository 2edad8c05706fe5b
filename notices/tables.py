"""The columns of the notice list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django_tables2 import A

from config.lists import DateTimeColumn, ListTable, NumberColumn

UNREAD = "未读"
READ = "已读"


class NoticeTable(ListTable):
    """通知公告: newest first. The bureau sees status and readers, a hospital whether it has read it."""

    title = tables.Column("标题", linkify=("notices:notice_detail", [A("pk")]), orderable=True)
    kind = tables.Column("类别", orderable=True)
    region = tables.Column("统筹区", accessor="region__name")
    published_at = DateTimeColumn("发布时间", format="Y-m-d H:i", default="—", orderable=True)
    status = tables.Column("状态", orderable=True)
    readers = NumberColumn("已读人数", orderable=True)
    is_read = tables.Column("阅读", attrs={"td": {"data-testid": "notice-read-state"}})

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "notice-list"}
        empty_text = "暂无通知公告。"

    def render_is_read(self, value) -> str:
        return READ if value else format_html('<span class="badge bg-danger">{}</span>', UNREAD)

    def value_is_read(self, value) -> str:
        return READ if value else UNREAD


def unread_bold(record) -> str:
    return "" if record.is_read else "fw-bold"


# What each side sees (ListPage.table_kwargs).
FOR_BUREAU = {"exclude": ("is_read",)}
FOR_HOSPITAL = {"exclude": ("status", "readers"), "row_attrs": {"class": unread_bold}}
