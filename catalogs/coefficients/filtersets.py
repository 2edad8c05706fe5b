"""The filters of the coefficient table list (config.lists); field names are the query parameters."""

from __future__ import annotations

import django_filters

from catalogs.choices import CoefficientStatus
from config.lists import IntegerFilter, ListFilters


class CoefficientTableFilters(ListFilters):
    """医疗机构系数表: year; status (bureau only — a hospital reads the tables in force)."""

    year = IntegerFilter(label="年度", min_value=2000, max_value=2100)
    status = django_filters.ChoiceFilter(
        label="状态", choices=CoefficientStatus.choices, empty_label="全部状态"
    )

    def filters_for(self, user) -> None:
        if not user.is_bureau:
            del self.filters["status"]
