"""The filters of the institution list (config.lists); field names are the page's query parameters."""

from __future__ import annotations

import django_filters

from catalogs.choices import InstitutionLevel, InstitutionType
from catalogs.register import selectors
from config.lists import ListFilters


class InstitutionFilters(ListFilters):
    """定点医疗机构: code or name, level, type."""

    q = django_filters.CharFilter(label="机构编号或名称")
    level = django_filters.ChoiceFilter(
        label="等级", choices=InstitutionLevel.choices, empty_label="全部等级"
    )
    type = django_filters.ChoiceFilter(
        label="类别", choices=InstitutionType.choices, empty_label="全部类别"
    )

    def filter_queryset(self, queryset):
        # The page and the API filter through one selector.
        chosen = {name: value.strip() for name, value in self.form.cleaned_data.items() if value}
        return selectors.institution_list_filter(queryset, **chosen)
