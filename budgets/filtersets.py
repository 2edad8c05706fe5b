"""The filters of the budget list (config.lists); field names are the page's query parameters."""

from __future__ import annotations

import django_filters

from budgets import selectors
from catalogs.choices import Scheme
from config.lists import ListFilters


def _years() -> list[tuple[int, str]]:
    return [(year, f"{year}年") for year in selectors.budget_years()]


class BudgetFilters(ListFilters):
    """总额预算: year (of the budgets on record), scheme."""

    year = django_filters.ChoiceFilter(label="年度", choices=_years, empty_label="全部年度")
    scheme = django_filters.ChoiceFilter(
        label="险种", choices=Scheme.choices, empty_label="全部险种"
    )
