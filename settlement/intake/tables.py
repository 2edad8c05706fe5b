"""The columns of the intake batch list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django_tables2 import A

from config.lists import DateTimeColumn, ListTable, NumberColumn


class BatchTable(ListTable):
    """导入批次: newest first; sortable by batch, time, status and error count."""

    id = tables.Column("批次", linkify=("settlement:batch_detail", [A("pk")]), orderable=True)
    created_at = DateTimeColumn("上传时间", format="Y-m-d H:i", orderable=True)
    institution = tables.Column("机构", accessor="institution__name", default="统筹区")
    uploaded_by = tables.Column("上传人")
    file_name = tables.Column("文件")
    source = tables.Column("来源")
    status = tables.Column("状态", orderable=True)
    rows_in = NumberColumn("数据行")
    rows_written = NumberColumn("新增")
    rows_replaced = NumberColumn("更正")
    error_count = NumberColumn("错误", orderable=True)
    warning_count = NumberColumn("警告")
    duration = NumberColumn("耗时")

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "batch-list"}
        empty_text = "还没有导入批次。"

    def render_id(self, value) -> str:
        return f"#{value}"

    def value_id(self, value) -> int:
        return value

    def render_duration(self, value) -> str:
        return f"{value.total_seconds():.1f} 秒"

    def value_duration(self, value) -> str:
        return f"{value.total_seconds():.1f}"
