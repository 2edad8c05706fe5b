"""The filters of the expert's review list (config.lists); field names are the query parameters."""

from __future__ import annotations

import django_filters

from config.lists import ListFilters
from disputes.choices import ItemKind, ItemStatus


class AssignmentFilters(ListFilters):
    """我的评审任务: the item's kind and status."""

    kind = django_filters.ChoiceFilter(
        label="类型", field_name="item__kind", choices=ItemKind.choices, empty_label="全部类型"
    )
    status = django_filters.ChoiceFilter(
        label="状态",
        field_name="item__status",
        choices=ItemStatus.choices,
        empty_label="全部状态",
    )
