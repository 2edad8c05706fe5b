"""The audit trail: one append-only event per state change, written in the changing transaction."""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.conf import settings
from django.db import models

from audit.domain import FieldChange, object_type_current, snapshot_diff

ERR_APPEND_ONLY = "审计事件只能追加，不能修改或删除。"


@cache
def field_labels(object_type: str) -> dict[str, str]:
    """Snapshot key (a field's attname) → its verbose name, for an ``app_label.model`` object type."""
    try:
        model = apps.get_model(object_type_current(object_type))
    except (LookupError, ValueError):
        return {}
    return {field.attname: str(field.verbose_name) for field in model._meta.concrete_fields}


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(ERR_APPEND_ONLY)

    def delete(self):
        raise PermissionError(ERR_APPEND_ONLY)


class AuditEvent(models.Model):
    """审计事件 — who did what to which object, with the object's state before and after."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        verbose_name="操作人",
    )
    actor_name = models.CharField(
        "操作人名称", max_length=150, blank=True, help_text="系统任务为空操作人时记录任务名"
    )
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField(
        "对象类型", max_length=100, db_index=True, help_text="app_label.model"
    )
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True, db_index=True)
    message = models.TextField("说明", blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_event_object")]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError(ERR_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(ERR_APPEND_ONLY)

    @property
    def object_type_now(self) -> str:
        """The object type under its current name (an event keeps the name it was written with)."""
        return object_type_current(self.object_type)

    @property
    def changes(self) -> list[FieldChange]:
        """The before/after snapshots field by field, changed fields first."""
        return snapshot_diff(self.before, self.after, labels=field_labels(self.object_type))
