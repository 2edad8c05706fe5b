"""The columns of the catalog version list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django_tables2 import A

from config.lists import DateTimeColumn, ListTable
from workflow.tables import SeriesStatusColumn, SeriesVersionColumn

COPIED = "复制"


class VersionTable(ListTable):
    """病种目录版本: newest first; sortable by year, kind, version, status and publication time."""

    year = tables.Column("年度", orderable=True)
    region = tables.Column("统筹区", accessor="region__name")
    kind = tables.Column("类别", orderable=True)
    version = SeriesVersionColumn(
        "版本", badge=COPIED, linkify=("catalogs:version_detail", [A("pk")])
    )
    name = tables.Column("名称", orderable=True)
    status = SeriesStatusColumn()
    effective_from = tables.DateColumn(verbose_name="生效日期", format="Y-m-d", orderable=True)
    submitted_by = tables.Column("提交人")
    approved_by = tables.Column("发布人")
    approved_at = DateTimeColumn("发布时间", format="Y-m-d H:i", orderable=True)

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "version-list"}
        empty_text = "暂无目录版本。"

    def render_year(self, value) -> str:
        return str(value)
