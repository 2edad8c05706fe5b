"""The columns of the run list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django_tables2 import A

from config.lists import DateTimeColumn, ListTable, MoneyColumn, NumberColumn


class RunTable(ListTable):
    """结算运行: newest first; sortable by number, period, type, status, cases, amount and time."""

    id = tables.Column("编号", linkify=("settlement:run_detail", [A("pk")]), orderable=True)
    region = tables.Column("统筹区", accessor="region__name")
    period = tables.Column(
        "期间", accessor="period_label", order_by=("year", "number"), orderable=True
    )
    scheme = tables.Column("险种 / 类别", order_by=("scheme", "category"), orderable=True)
    run_type = tables.Column("运行类型", orderable=True)
    status = tables.Column("状态", orderable=True)
    case_count = NumberColumn("病例数", orderable=True)
    point_value = NumberColumn("点值", default="—")
    total = MoneyColumn("结算总额（元）", default="—", orderable=True)
    started_by = tables.Column("发起人")
    created_at = DateTimeColumn("发起时间", format="Y-m-d H:i", orderable=True)

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "run-list"}
        empty_text = "暂无结算运行。"

    def render_id(self, value) -> str:
        return f"#{value}"

    def value_id(self, value) -> int:
        return value

    def render_scheme(self, record) -> str:
        return f"{record.get_scheme_display()} / {record.category}"

    def render_status(self, record) -> str:
        return render_to_string("settlement/runs/_status.html", {"run": record})

    def value_status(self, record) -> str:
        return record.get_status_display()

    def render_case_count(self, value) -> str:
        return f"{value:,}"

    def value_case_count(self, value) -> int:
        return value

    def render_point_value(self, value) -> str:
        return floatformat(value, "6g")

    def value_point_value(self, value):
        return value
