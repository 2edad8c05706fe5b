"""The columns of the coefficient table list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django_tables2 import A

from config.lists import ListTable
from workflow.tables import SeriesStatusColumn, SeriesVersionColumn

REVISED = "调整"


class CoefficientTableTable(ListTable):
    """医疗机构系数表: newest first; sortable by year, version, status and dates."""

    year = tables.Column("年度", orderable=True)
    region = tables.Column("统筹区", accessor="region__name")
    version = SeriesVersionColumn(
        "版本", badge=REVISED, linkify=("catalogs:coefficient_detail", [A("pk")])
    )
    status = SeriesStatusColumn()
    combination = tables.Column("组合方式")
    effective_from = tables.DateColumn(verbose_name="生效日期", format="Y-m-d", orderable=True)
    effective_to = tables.DateColumn(verbose_name="失效日期", format="Y-m-d", orderable=True)
    submitted_by = tables.Column("提交人")
    approved_by = tables.Column("审批人")

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "coefficient-list"}
        empty_text = "暂无机构系数表。"

    def render_year(self, value) -> str:
        return str(value)
