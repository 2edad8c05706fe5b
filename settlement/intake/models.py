"""Import batches (导入批次), their row issues, and the history of corrected case records.

Imported by settlement/models.py, so these models belong to the ``settlement`` app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from accounts.tenancy import TenantQuerySet
from settlement.intake.choices import ImportSource, ImportStatus, IssueSeverity
from settlement.intake.columns import column_label


class ImportBatchQuerySet(TenantQuerySet):
    tenant_field = "institution"
    unowned_visible = True  # a bureau's regional file has no institution


class ImportBatch(models.Model):
    """导入批次 — one upload or API batch. ``institution`` is empty for a bureau's regional file."""

    institution = models.ForeignKey(
        "catalogs.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_batches",
        verbose_name="所属机构",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="上传人",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    file = models.FileField("文件", upload_to="intake/%Y/%m/", blank=True, max_length=300)
    file_name = models.CharField("文件名", max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField("文件大小(字节)", default=0)
    source = models.CharField("来源", max_length=10, choices=ImportSource.choices)
    status = models.CharField(
        "状态", max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_in = models.PositiveIntegerField("数据行数", default=0)
    rows_written = models.PositiveIntegerField("新增条数", default=0)
    rows_replaced = models.PositiveIntegerField("更正条数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("警告数", default=0)
    duration = models.DurationField("耗时", null=True, blank=True)
    message = models.TextField("说明", blank=True)
    job = models.ForeignKey(
        "jobs.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="后台任务",
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["institution", "created_at"], name="settlement_batch_inst_time")
        ]

    def __str__(self) -> str:
        return f"导入批次 #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in {ImportStatus.QUEUED, ImportStatus.RUNNING}


class ImportIssueQuerySet(TenantQuerySet):
    tenant_field = "batch__institution"
    unowned_visible = True


class ImportIssue(models.Model):
    """导入问题 — one error or warning of a batch, at a row and column of the user's file."""

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="issues", verbose_name="导入批次"
    )
    severity = models.CharField("级别", max_length=10, choices=IssueSeverity.choices)
    row = models.PositiveIntegerField("行号")
    column = models.CharField("列", max_length=40, blank=True)
    value = models.CharField("值", max_length=200, blank=True)
    message = models.CharField("说明", max_length=300)

    objects = ImportIssueQuerySet.as_manager()

    class Meta:
        verbose_name = "导入问题"
        verbose_name_plural = "导入问题"
        ordering = ["batch", "severity", "row", "id"]
        indexes = [
            models.Index(fields=["batch", "severity", "row"], name="settlement_issue_batch_row")
        ]

    def __str__(self) -> str:
        return f"第{self.row}行 {self.column} {self.message}"

    @property
    def column_label(self) -> str:
        return column_label(self.column) if self.column else ""


class CaseRecordVersionQuerySet(TenantQuerySet):
    tenant_field = "case__institution"


class CaseRecordVersion(models.Model):
    """结算清单历史版本 — a case record as it was before a correction replaced it."""

    case = models.ForeignKey(
        "settlement.CaseRecord",
        on_delete=models.CASCADE,
        related_name="versions",
        db_constraint=False,  # the case table is partitioned by year (settlement/partitions/)
        verbose_name="结算清单",
    )
    version = models.PositiveIntegerField("版本")
    data = models.JSONField("内容", encoder=DjangoJSONEncoder)
    replaced_by = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="更正批次",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = CaseRecordVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "结算清单历史版本"
        verbose_name_plural = "结算清单历史版本"
        ordering = ["case", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "version"], name="%(app_label)s_%(class)s_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version}"
