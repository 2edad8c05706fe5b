"""Disputes in the Django admin. The expert library is maintained here (audited); filings, negotiation records and
their history change only through the services, so they are read-only."""

from django.contrib import admin

from audit.admin import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline
from disputes.models import (
    AgendaItem,
    Attachment,
    Comment,
    DisputeItem,
    Expert,
    Meeting,
    Notification,
    PanelAssignment,
    Participant,
    Position,
    TimelineEntry,
)


@admin.register(Expert)
class ExpertAdmin(AuditedAdmin):
    list_display = ["user", "specialty", "title", "institution", "active"]
    list_filter = ["specialty", "active"]
    search_fields = ["user__username", "user__display_name", "title"]
    raw_id_fields = ["institution"]


class TimelineInline(ReadOnlyInline):
    model = TimelineEntry
    fields = ["at", "actor", "from_status", "to_status", "note"]


@admin.register(DisputeItem)
class DisputeItemAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "institution",
        "period",
        "subject",
        "status",
        "due_on",
        "decision",
        "created_at",
    ]
    list_filter = ["kind", "status", "decision", "subject"]
    search_fields = ["institution__code", "institution__name", "case__setl_id", "subject_ref"]
    inlines = [TimelineInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "item", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdmin):
    list_display = ["item", "at", "actor", "from_status", "to_status", "note"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["item", "author", "created_at", "body"]


@admin.register(PanelAssignment)
class PanelAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["item", "expert", "drawn_at", "vote", "voted_at"]
    list_filter = ["vote"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "item", "message", "created_at", "read_at"]


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = ["name", "role", "institution"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "region", "year", "held_on", "status"]
    list_filter = ["status", "year"]
    search_fields = ["title"]
    inlines = [ParticipantInline]


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "name", "role", "institution"]
    list_filter = ["role"]


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "order", "topic", "status", "parameter_set", "catalog_version"]
    list_filter = ["topic", "status"]


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ["agenda_item", "participant", "stance"]
    list_filter = ["stance"]
