"""Background jobs: one row per long piece of work (an import, a catalog build, a settlement run)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from accounts.regions import region_filter_for_user
from accounts.tenancy import TenantQuerySet
from jobs.choices import JobStatus

ERR_DUPLICATE_ACTIVE = "相同的任务正在排队或运行中，请等待其完成后再试。"


class JobQuerySet(TenantQuerySet):
    tenant_field = "institution"

    def in_regions(self, user) -> JobQuerySet:
        """A job names its region in its parameters (``region_id``); a job without one (an import, the
        demo) stays visible to the bureau."""
        ids = region_filter_for_user(user)
        if ids is None:
            return self
        region_id = Cast(KeyTextTransform("region_id", "params"), models.IntegerField())
        return self.alias(param_region=region_id).filter(
            Q(param_region__isnull=True) | Q(param_region__in=ids)
        )

    def for_expert(self, user):
        """An expert sees the jobs they started (bureau users see all, hospital users their institution's)."""
        return self.filter(created_by=user)


class Job(models.Model):
    """后台任务. ``idempotency_key`` names the work: two active jobs with one key cannot coexist."""

    kind = models.CharField("任务类型", max_length=60, db_index=True)
    idempotency_key = models.CharField("幂等键", max_length=200)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    progress_message = models.CharField("进度说明", max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    error = models.TextField("错误信息", blank=True)
    lease_expires_at = models.DateTimeField(
        "租约到期时间",
        null=True,
        blank=True,
        help_text="执行该任务的进程定期续约；过期未续即视为进程已中断（jobs/leases.py）",
    )
    lease_owner = models.CharField(
        "执行进程", max_length=100, blank=True, default="", db_default=""
    )  # raw INSERTs need no value
    summary = models.JSONField("结果摘要", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name="发起人",
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name="所属机构",
    )

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(status__in=JobStatus.active()),
                name="%(app_label)s_%(class)s_one_active_per_key",
                violation_error_message=ERR_DUPLICATE_ACTIVE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_kind_display(self) -> str:
        from jobs.registry import kind_label

        return kind_label(self.kind)

    @property
    def is_active(self) -> bool:
        return self.status in JobStatus.active()

    @property
    def error_headline(self) -> str:
        """The error's first line, for users; the traceback below it is for the admin and the logs."""
        return self.error.splitlines()[0] if self.error else ""
