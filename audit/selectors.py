"""Reading the audit trail for the audit page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.domain import object_type_current, object_type_names
from audit.models import AuditEvent


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` in the portal's time zone (Asia/Shanghai), as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def event_list(
    *,
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    request_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events filtered as on the audit page, newest first; every filter optional.

    ``actor`` matches the recorded name, the username or the display name; the dates are calendar
    days in the portal's time zone, both ends included.
    """
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(
            Q(actor_name__icontains=actor)
            | Q(actor__username__icontains=actor)
            | Q(actor__display_name__icontains=actor)
        )
    if object_type:
        events = events.filter(object_type__in=object_type_names(object_type))
    exact = {
        "object_id": object_id,
        "action": action,
        "request_id": request_id,
    }
    events = events.filter(**{field: value for field, value in exact.items() if value})
    if date_from:
        events = events.filter(created_at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    return events.order_by("-created_at", "-id")


def _distinct(field: str) -> list[str]:
    return list(AuditEvent.objects.order_by(field).values_list(field, flat=True).distinct())


def event_filter_choices() -> dict[str, list[str]]:
    """The actions and object types present in the trail, for the filter's drop-downs."""
    object_types = sorted({object_type_current(name) for name in _distinct("object_type")})
    return {"actions": _distinct("action"), "object_types": object_types}
