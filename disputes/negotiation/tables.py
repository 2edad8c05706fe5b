"""The columns of the negotiation meeting list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django_tables2 import A

from config.lists import ListTable, NumberColumn


class MeetingTable(ListTable):
    """协商会议: newest first; sortable by year, date and status."""

    title = tables.Column("会议名称", linkify=("disputes:meeting_detail", [A("pk")]))
    region = tables.Column("统筹区", accessor="region__name")
    year = tables.Column("年度", orderable=True)
    held_on = tables.DateColumn(verbose_name="会议日期", format="Y-m-d", orderable=True)
    status = tables.Column("状态", orderable=True)
    participant_count = NumberColumn("参会人员")
    agenda_count = NumberColumn("议题")

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "meeting-list"}
        empty_text = "暂无协商会议。"
