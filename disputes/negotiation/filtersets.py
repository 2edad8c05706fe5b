"""The filters of the negotiation meeting list (config.lists)."""

from __future__ import annotations

import django_filters

from config.lists import IntegerFilter, ListFilters
from disputes.choices import MeetingStatus


class MeetingFilters(ListFilters):
    year = IntegerFilter(label="年度", min_value=2000, max_value=2100)
    status = django_filters.ChoiceFilter(
        label="状态", choices=MeetingStatus.choices, empty_label="全部状态"
    )
