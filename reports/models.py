"""Generated report files (报表文件): one workbook of a region's month, the bureau's or one institution's.

Generating a month again replaces that month's files (one row per region × month × kind ×
institution, updated in place and audited). Reads go through ``ReportFile.objects.for_user``: a
hospital user sees only its own institution's files, never the bureau's workbook (no institution).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.tenancy import TenantQuerySet
from reports.choices import CASE_SHEET, PackKind

ERR_KIND_INSTITUTION = "机构月度报表必须指定医疗机构，统筹区月度报表不能指定医疗机构。"
ERR_ONE_FILE = "同一统筹区同一月份的同一报表只能有一个文件。"
ERR_MONTH_RANGE = "月份应在1到12之间。"


def _upload_to(report: ReportFile, filename: str) -> str:
    return f"reports/{report.region_id}/{report.year}-{report.month:02d}/{filename}"


class ReportFileQuerySet(TenantQuerySet):
    tenant_field = "institution"
    region_field = "region"


class ReportFile(models.Model):
    """报表文件 — one generated workbook, stamped with the runs and versions its figures come from."""

    region = models.ForeignKey(
        "catalogs.Region",
        on_delete=models.PROTECT,
        related_name="report_files",
        verbose_name="统筹区",
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField(
        "月份", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    kind = models.CharField("报表类别", max_length=12, choices=PackKind.choices)
    institution = models.ForeignKey(
        "catalogs.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_files",
        verbose_name="医疗机构",
    )
    file = models.FileField("文件", upload_to=_upload_to, max_length=300)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    sheets = models.JSONField("工作表行数", default=dict, help_text="工作表名称 → 数据行数")
    stamps = models.JSONField(
        "数据来源", default=dict, help_text="结算运行批次、结算参数版本、目录版本"
    )
    job = models.ForeignKey(
        "jobs.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="生成任务",
    )
    generated_at = models.DateTimeField("生成时间")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="生成人",
    )
    generated_by_name = models.CharField(
        "生成人名称", max_length=150, help_text="定时任务生成时为任务名"
    )

    objects = ReportFileQuerySet.as_manager()

    class Meta:
        verbose_name = "报表文件"
        verbose_name_plural = "报表文件"
        ordering = ["-year", "-month", "kind", "institution__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=PackKind.BUREAU, institution__isnull=True)
                | Q(kind=PackKind.INSTITUTION, institution__isnull=False),
                name="%(app_label)s_%(class)s_kind_institution",
                violation_error_message=ERR_KIND_INSTITUTION,
            ),
            models.UniqueConstraint(
                fields=["region", "year", "month", "institution"],
                name="%(app_label)s_%(class)s_one_institution_file",
                violation_error_message=ERR_ONE_FILE,
            ),
            models.UniqueConstraint(
                fields=["region", "year", "month"],
                condition=Q(institution__isnull=True),
                name="%(app_label)s_%(class)s_one_bureau_file",
                violation_error_message=ERR_ONE_FILE,
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="%(app_label)s_%(class)s_month_range",
                violation_error_message=ERR_MONTH_RANGE,
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "year", "month"], name="reports_file_inst_month")
        ]

    def __str__(self) -> str:
        owner = self.institution.name if self.institution_id else self.get_kind_display()
        return f"{self.year}年{self.month}月 {owner}"

    @property
    def case_rows(self) -> int:
        """Rows of the case-detail sheet (病例明细)."""
        return self.sheets.get(CASE_SHEET, 0)

    @property
    def filename(self) -> str:
        """The name the browser saves the file under."""
        owner = self.institution.code if self.institution_id else "统筹区"
        return f"月度报表-{self.year}{self.month:02d}-{owner}.xlsx"
