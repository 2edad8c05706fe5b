from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from audit.models import AuditEvent


def event_list(*, actor: str = "", object_type: str = "", object_id: str = "", action: str = "",
               date_from: date | None = None, date_to: date | None = None):
    """Audit events filtered as on the audit page; every filter optional."""
    events = AuditEvent.objects.select_related("actor")
    if actor:
        events = events.filter(actor_name__icontains=actor) | events.filter(actor__username__icontains=actor)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(created_at__gte=timezone.make_aware(datetime.combine(date_from, time.min)))
    if date_to:
        events = events.filter(created_at__lte=timezone.make_aware(datetime.combine(date_to, time.max)))
    return events.order_by("-created_at", "-id")


def event_filter_choices() -> dict[str, list[str]]:
    return {
        "actions": list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()),
        "object_types": list(AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()),
    }
