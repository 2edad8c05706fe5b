"""The filters of the account list (config.lists); the names are the page's old query parameters."""

from __future__ import annotations

import django_filters

from accounts.choices import Role
from config.lists import ListFilters
from portal.users import selectors

ACTIVE = [("1", "启用"), ("0", "停用")]


class UserFilters(ListFilters):
    q = django_filters.CharFilter(label="用户名/姓名/机构", max_length=50)
    role = django_filters.ChoiceFilter(label="角色", choices=Role.choices, empty_label="全部角色")
    active = django_filters.ChoiceFilter(label="状态", choices=ACTIVE, empty_label="全部状态")

    def filter_queryset(self, queryset):
        chosen = {name: value for name, value in self.form.cleaned_data.items() if value}
        return selectors.user_list_filter(queryset, **chosen)
