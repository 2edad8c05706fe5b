"""The filters of the job list (config.lists)."""

from __future__ import annotations

import django_filters

from config.lists import ListFilters
from jobs.choices import JobStatus


class JobFilters(ListFilters):
    status = django_filters.ChoiceFilter(
        label="状态", choices=JobStatus.choices, empty_label="全部状态"
    )
