"""Admin for the audit trail (read-only) and the mixin that audits every admin change."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from audit.models import AuditEvent
from audit.services import audit_record, snapshot


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and delete made in the admin writes an audit event in the same transaction."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action="admin_change" if change else "admin_add",
                instance=obj,
                before=before,
                after=snapshot(obj),
                message="通过后台管理修改",
            )

    def delete_model(self, request, obj):
        before = snapshot(obj)
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action="admin_delete",
                instance=obj,
                before=before,
                message="通过后台管理删除",
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit_record(
                    actor=request.user,
                    action="admin_delete",
                    instance=obj,
                    before=snapshot(obj),
                    message="通过后台管理批量删除",
                )
            super().delete_queryset(request, queryset)


class ReadOnlyMixin:
    """Shows, never adds, changes or deletes: for records whose every change goes through a service."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, AuditedAdmin):
    """For records whose every change must go through a service (a workflow, an import, a job): the
    admin shows them and nothing more."""


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    """A read-only table of child rows inside a read-only admin page."""

    extra = 0


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "request_id",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_id", "object_repr", "request_id", "message"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
