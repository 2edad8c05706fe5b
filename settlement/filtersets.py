"""The filters of settlement's list pages (config.lists); field names are the pages' query parameters."""

from __future__ import annotations

import django_filters

from catalogs.choices import Scheme
from config.lists import IntegerFilter, ListFilters
from settlement import selectors


class CaseFilters(ListFilters):
    """结算清单: institution code (bureau only), year, month, scheme, settlement id or diagnosis prefix."""

    institution = django_filters.CharFilter(label="机构编号")
    year = IntegerFilter(label="年度", min_value=2000, max_value=2100)
    month = IntegerFilter(label="月份", min_value=1, max_value=12)
    insutype = django_filters.ChoiceFilter(
        label="险种", choices=Scheme.choices, empty_label="全部险种"
    )
    q = django_filters.CharFilter(label="结算ID或诊断编码前缀")

    def filters_for(self, user) -> None:
        if user.is_hospital:
            del self.filters["institution"]

    def filter_queryset(self, queryset):
        # One selector filters the page, the API and the case detail alike (ids resolved first).
        chosen = {name: value for name, value in self.form.cleaned_data.items() if value}
        return selectors.case_list_filter(queryset, **chosen)
