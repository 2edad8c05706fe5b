"""The columns of the job list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django_tables2 import A

from config.lists import DateTimeColumn, ListTable, NumberColumn


class JobTable(ListTable):
    """后台任务: newest first; sortable by number, status and times."""

    id = tables.Column("#", linkify=("jobs:job_detail", [A("pk")]), orderable=True)
    kind = tables.Column("任务", accessor="get_kind_display")
    status = tables.Column("状态", orderable=True)
    progress = NumberColumn("进度")
    created_by = tables.Column("发起人", default="系统")
    created_at = DateTimeColumn("创建时间", orderable=True)
    finished_at = DateTimeColumn("结束时间", orderable=True)

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "job-list"}
        empty_text = "暂无任务。"

    def render_progress(self, value) -> str:
        return f"{value}%"

    def value_progress(self, value) -> int:
        return value
