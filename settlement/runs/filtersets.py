"""The filters of the run list (config.lists); field names are the page's query parameters."""

from __future__ import annotations

import django_filters

from catalogs.choices import Scheme
from config.lists import IntegerFilter, ListFilters
from settlement.runs.choices import RunStatus, RunType


class RunFilters(ListFilters):
    """结算运行: year, scheme, category, run type, status."""

    year = IntegerFilter(label="年度", min_value=2000, max_value=2100)
    scheme = django_filters.ChoiceFilter(
        label="险种", choices=Scheme.choices, empty_label="全部险种"
    )
    category = django_filters.CharFilter(label="细分类别", method="filter_category")
    run_type = django_filters.ChoiceFilter(
        label="运行类型", choices=RunType.choices, empty_label="全部类型"
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=RunStatus.choices, empty_label="全部状态"
    )

    def filter_category(self, queryset, name: str, value: str):
        return queryset.filter(category=value.strip().upper())
