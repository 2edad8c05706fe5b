"""The filters of the notice list (config.lists)."""

from __future__ import annotations

import django_filters

from config.lists import ListFilters
from notices.choices import NoticeKind


class NoticeFilters(ListFilters):
    kind = django_filters.ChoiceFilter(
        label="类别", choices=NoticeKind.choices, empty_label="全部类别"
    )
    title = django_filters.CharFilter(label="标题", lookup_expr="icontains")
