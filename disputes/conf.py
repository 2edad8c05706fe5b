"""The configurable parameters of disputes, read from settings with their defaults (none is required).

- ``DISPUTES_SPECIAL_CASE_QUOTA_RATE``: Decimal share of the region's DIP discharges (default 0.005, 5‰).
- ``DISPUTES_STAGE_WORKING_DAYS``: {status: working days} a stage may take (default ``domain.DEFAULT_STAGE_WORKING_DAYS``).
- ``DISPUTES_HOLIDAYS``: public holidays not counted as working days (dates or ISO strings).
- ``DISPUTES_PANEL_RULE``: "majority" (default) or "unanimous".
- ``DISPUTES_PANEL_SIZE``: default number of experts drawn (3).
- ``DISPUTES_ATTACHMENT_MAX_BYTES``: largest attachment accepted (default 10 MiB).
- ``DISPUTES_EMAIL_NOTIFICATIONS``: also mail every inbox message to its user, when they have an address (default off).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from disputes import domain
from disputes.choices import PanelRule

DEFAULT_PANEL_SIZE = 3
DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def quota_rate() -> Decimal:
    return Decimal(
        str(getattr(settings, "DISPUTES_SPECIAL_CASE_QUOTA_RATE", domain.DEFAULT_QUOTA_RATE))
    )


def stage_working_days() -> dict[str, int]:
    return dict(getattr(settings, "DISPUTES_STAGE_WORKING_DAYS", domain.DEFAULT_STAGE_WORKING_DAYS))


def holidays() -> frozenset[date]:
    return frozenset(
        day if isinstance(day, date) else date.fromisoformat(day)
        for day in getattr(settings, "DISPUTES_HOLIDAYS", ())
    )


def panel_rule() -> str:
    return getattr(settings, "DISPUTES_PANEL_RULE", PanelRule.MAJORITY)


def panel_size() -> int:
    return int(getattr(settings, "DISPUTES_PANEL_SIZE", DEFAULT_PANEL_SIZE))


def attachment_max_bytes() -> int:
    return int(getattr(settings, "DISPUTES_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


def today() -> date:
    return timezone.localdate()


def due_on(status: str, entered: date | None = None) -> date | None:
    """The deadline of the stage ``status`` entered today (or on ``entered``)."""
    return domain.stage_due(
        status, entered=entered or today(), working_days=stage_working_days(), holidays=holidays()
    )


def email_notifications() -> bool:
    return bool(getattr(settings, "DISPUTES_EMAIL_NOTIFICATIONS", False))
