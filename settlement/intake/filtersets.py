"""The filters of the intake batch list (config.lists)."""

from __future__ import annotations

import django_filters

from config.lists import ListFilters
from settlement.intake.choices import ImportSource, ImportStatus


class BatchFilters(ListFilters):
    status = django_filters.ChoiceFilter(
        label="状态", choices=ImportStatus.choices, empty_label="全部状态"
    )
    source = django_filters.ChoiceFilter(
        label="来源", choices=ImportSource.choices, empty_label="全部来源"
    )
