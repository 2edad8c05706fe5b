"""The columns of the budget list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.html import format_html
from django_tables2 import A

from config.lists import DateTimeColumn, ListTable

ADJUSTED = "年中调整"


class BudgetTable(ListTable):
    """总额预算: by year, region, scheme and version; sortable by year, scheme, version, status."""

    year = tables.Column("年度", orderable=True)
    region = tables.Column("统筹区", accessor="region__name")
    scheme = tables.Column("险种", orderable=True)
    version = tables.Column("版本", linkify=("budgets:budget_detail", [A("pk")]), orderable=True)
    status = tables.Column("状态", orderable=True)
    created_by = tables.Column("编制人")
    submitted_by = tables.Column("提交人")
    approved_by = tables.Column("审批人")
    approved_at = DateTimeColumn("审批时间", format="Y-m-d H:i")

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "budget-list"}
        empty_text = "暂无预算。"

    def render_year(self, value) -> str:
        return str(value)

    def render_version(self, record) -> str:
        badge = format_html(' <span class="badge text-bg-info">{}</span>', ADJUSTED)
        return format_html("第{}版{}", record.version, badge if record.based_on_id else "")

    def value_version(self, record) -> int:
        return record.version

    def render_status(self, record) -> str:
        context = {
            "status": record.status,
            "label": record.get_status_display(),
            "testid": "budget-status",
        }
        return render_to_string("workflow/_status.html", context)

    def value_status(self, record) -> str:
        return record.get_status_display()
