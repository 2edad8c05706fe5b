"""The columns of the institution list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django_tables2 import A

from config.lists import ListTable


class InstitutionTable(ListTable):
    """定点医疗机构: by code; sortable by code, name, region, level and type."""

    code = tables.Column(
        "机构编号", linkify=("catalogs:institution_detail", [A("code")]), orderable=True
    )
    name = tables.Column("名称", orderable=True)
    region = tables.Column("统筹区", accessor="region__name", orderable=True)
    level = tables.Column("等级", orderable=True)
    type = tables.Column("类别", orderable=True)
    is_grassroots = tables.BooleanColumn(verbose_name="基层", yesno="是,否")
    consortium_lead = tables.Column("医共体牵头机构", accessor="consortium_lead__name")

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "institution-list"}
        empty_text = "没有符合条件的机构。"

    def value_is_grassroots(self, value) -> str:
        return "是" if value else "否"
