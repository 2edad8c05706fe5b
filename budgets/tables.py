"""The columns of the budget list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django_tables2 import A

from config.lists import DateTimeColumn, ListTable
from workflow.tables import SeriesStatusColumn, SeriesVersionColumn

ADJUSTED = "年中调整"


class BudgetTable(ListTable):
    """总额预算: by year, region, scheme and version; sortable by year, scheme, version, status."""

    year = tables.Column("年度", orderable=True)
    region = tables.Column("统筹区", accessor="region__name")
    scheme = tables.Column("险种", orderable=True)
    version = SeriesVersionColumn(
        "版本", badge=ADJUSTED, linkify=("budgets:budget_detail", [A("pk")])
    )
    status = SeriesStatusColumn(testid="budget-status")
    created_by = tables.Column("编制人")
    submitted_by = tables.Column("提交人")
    approved_by = tables.Column("审批人")
    approved_at = DateTimeColumn("审批时间", format="Y-m-d H:i")

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "budget-list"}
        empty_text = "暂无预算。"

    def render_year(self, value) -> str:
        return str(value)
