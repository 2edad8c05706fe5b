"""The columns of the account list (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django_tables2 import A

from config.lists import DateTimeColumn, ListTable

DISABLED, MUST_CHANGE = "停用", "待改密码"


class UserTable(ListTable):
    """账号: sortable by user name, role and last login."""

    username = tables.Column("用户名", linkify=("portal:user_detail", [A("pk")]), orderable=True)
    display_name = tables.Column("姓名")
    role = tables.Column("角色", orderable=True)
    institution = tables.Column("所属机构")
    is_active = tables.Column("状态", empty_values=())
    last_login = DateTimeColumn("最近登录", format="Y-m-d H:i", default="从未登录", orderable=True)

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "user-list"}
        empty_text = "没有符合条件的账号。"

    def render_institution(self, value) -> str:
        return f"{value.code} {value.name}"

    def render_is_active(self, record) -> str:
        badges = [("secondary", DISABLED)] if not record.is_active else []
        badges += [("warning", MUST_CHANGE)] if record.must_change_password else []
        state = "启用" if record.is_active else ""
        return format_html(
            "{} {}",
            state,
            format_html_join(" ", '<span class="badge text-bg-{}">{}</span>', badges),
        )

    def value_is_active(self, record) -> str:
        state = "启用" if record.is_active else DISABLED
        return f"{state}（{MUST_CHANGE}）" if record.must_change_password else state
