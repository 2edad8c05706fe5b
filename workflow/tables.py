"""Columns every four-eyes series' list page shows (config.lists): its version and its status."""

from __future__ import annotations

import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.html import format_html


class SeriesVersionColumn(tables.Column):
    """第N版, linked to the version's page, with a badge (``badge``, for a series that derives versions)
    when it was derived from another (``based_on``); the number alone in an export."""

    def __init__(self, verbose_name: str, *, badge: str = "", **kwargs) -> None:
        self.badge = badge
        kwargs.setdefault("orderable", True)
        super().__init__(verbose_name, accessor="version", **kwargs)

    def render(self, record) -> str:
        badge = format_html(' <span class="badge text-bg-info">{}</span>', self.badge)
        derived = self.badge and record.based_on_id
        return format_html("第{}版{}", record.version, badge if derived else "")

    def value(self, record) -> int:
        return record.version


class SeriesStatusColumn(tables.Column):
    """The status badge of ``workflow/_status.html``; its label in an export."""

    def __init__(self, verbose_name: str = "状态", *, testid: str = "status", **kwargs) -> None:
        self.testid = testid
        kwargs.setdefault("orderable", True)
        super().__init__(verbose_name, accessor="status", **kwargs)

    def render(self, record) -> str:
        context = {"status": record.status, "label": record.get_status_display()}
        return render_to_string("workflow/_status.html", {**context, "testid": self.testid})

    def value(self, record) -> str:
        return record.get_status_display()
