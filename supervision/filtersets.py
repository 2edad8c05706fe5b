"""The filters of supervision's list pages (config.lists); field names are the pages' query parameters."""

from __future__ import annotations

import django_filters

from accounts.regions import region_current
from catalogs.models import Institution
from config.lists import IntegerFilter, ListFilters
from supervision import selectors
from supervision.choices import FindingStatus, Rule


class FindingFilters(ListFilters):
    """监管发现: rule, institution (of the current region), status, year, month."""

    rule = django_filters.ChoiceFilter(label="规则", choices=Rule.choices, empty_label="全部规则")
    institution = django_filters.ModelChoiceFilter(
        label="机构", queryset=Institution.objects.none(), empty_label="全部机构"
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=FindingStatus.choices, empty_label="全部状态"
    )
    year = IntegerFilter(label="年度", min_value=2000, max_value=2100)
    month = IntegerFilter(label="月份", min_value=1, max_value=12)

    def filters_for(self, user) -> None:
        institutions = selectors.region_institutions(user, region_current(self.request))
        self.filters["institution"].queryset = institutions
