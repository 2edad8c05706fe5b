"""The columns of the DRG rule set list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django_tables2 import A

from config.lists import ListTable
from workflow.tables import SeriesStatusColumn, SeriesVersionColumn


class DrgRuleSetTable(ListTable):
    """DRG分组规则: newest first; sortable by year, version, name and status."""

    year = tables.Column("年度", orderable=True)
    region = tables.Column("统筹区", accessor="region__name")
    version = SeriesVersionColumn("版本", linkify=("catalogs:drg_rules_detail", [A("pk")]))
    name = tables.Column("名称", orderable=True)
    status = SeriesStatusColumn()
    source = tables.Column("来源")
    submitted_by = tables.Column("提交人")
    approved_by = tables.Column("发布人")

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "drg-rules-list"}
        empty_text = "暂无DRG分组规则。"

    def render_year(self, value) -> str:
        return str(value)
