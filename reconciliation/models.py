"""National reconciliation (国家平台对账): the national platform's files, versioned by upload, and the
runs that compare them with our cases, groups and settlement run.

An upload (``NationalUpload``) holds one file of one kind for a region and month; a newer upload of the
same kind, region and month supersedes it (``superseded_by``), the older one is kept. A reconciliation
(``Reconciliation``) stores its differences per case (``ReconCase``) and per institution
(``ReconInstitution``); hospitals see their own rows once the bureau publishes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.tenancy import TenantQuerySet
from reconciliation.choices import (
    CaseType,
    DiffKind,
    Divergence,
    FileKind,
    GroupKind,
    QcLevel,
    ReconStatus,
)

MONEY = {"max_digits": 16, "decimal_places": 2}
POINTS = {"max_digits": 16, "decimal_places": 4}


class NationalUpload(models.Model):
    """国家平台文件 — one uploaded file of national results for a region and settlement month."""

    region = models.ForeignKey(
        "catalogs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="统筹区"
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    kind = models.CharField("文件类别", max_length=10, choices=FileKind.choices)
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    rows = models.PositiveIntegerField("数据行数", default=0)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="被替代为",
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

    class Meta:
        verbose_name = "国家平台文件"
        verbose_name_plural = "国家平台文件"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region", "year", "month", "kind"], name="recon_upload_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}-{self.month:02d} #{self.pk}"


class NationalRowQuerySet(TenantQuerySet):
    tenant_field = "institution"


class NationalGroup(models.Model):
    """国家分组结果 — the national platform's group of one case."""

    upload = models.ForeignKey(
        NationalUpload, on_delete=models.CASCADE, related_name="groups", verbose_name="文件"
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="定点医药机构",
    )
    setl_id = models.CharField("结算ID", max_length=30)
    group_code = models.CharField("病组/病种编码", max_length=60, blank=True)
    group_name = models.CharField("病组/病种名称", max_length=200, blank=True)
    group_kind = models.CharField("付费方式", max_length=3, choices=GroupKind.choices)
    weight = models.DecimalField("权重/分值", **POINTS)
    case_type = models.CharField("病例类型", max_length=12, choices=CaseType.choices)
    points = models.DecimalField("点数", null=True, blank=True, **POINTS)

    objects = NationalRowQuerySet.as_manager()

    class Meta:
        verbose_name = "国家分组结果"
        verbose_name_plural = "国家分组结果"
        constraints = [
            models.UniqueConstraint(
                fields=["upload", "setl_id"], name="%(app_label)s_%(class)s_unique_case"
            )
        ]


class NationalQc(models.Model):
    """国家质控结果 — one national quality-control finding on a case (4104)."""

    upload = models.ForeignKey(
        NationalUpload, on_delete=models.CASCADE, related_name="qc_rows", verbose_name="文件"
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="定点医药机构",
    )
    setl_id = models.CharField("结算ID", max_length=30)
    rule_code = models.CharField("质控规则编码", max_length=40)
    level = models.CharField("级别", max_length=8, choices=QcLevel.choices)
    field = models.CharField("字段", max_length=60, blank=True)
    message = models.CharField("说明", max_length=300, blank=True)

    objects = NationalRowQuerySet.as_manager()

    class Meta:
        verbose_name = "国家质控结果"
        verbose_name_plural = "国家质控结果"


class NationalBooking(models.Model):
    """国家对账记账 — an institution's month as booked nationally (3201 / 9101 / 3203)."""

    upload = models.ForeignKey(
        NationalUpload, on_delete=models.CASCADE, related_name="bookings", verbose_name="文件"
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="定点医药机构",
    )
    fund_paid = models.DecimalField("统筹基金支出", **MONEY)
    case_count = models.PositiveIntegerField("结算人次")
    clearing_amount = models.DecimalField("清算金额", null=True, blank=True, **MONEY)

    objects = NationalRowQuerySet.as_manager()

    class Meta:
        verbose_name = "国家对账记账"
        verbose_name_plural = "国家对账记账"
        constraints = [
            models.UniqueConstraint(
                fields=["upload", "institution"], name="%(app_label)s_%(class)s_unique_inst"
            )
        ]


class Reconciliation(models.Model):
    """对账 — one comparison of a region's month and scheme with the national files in force."""

    region = models.ForeignKey(
        "catalogs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="统筹区"
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    scheme = models.CharField("险种", max_length=3)
    status = models.CharField(
        "状态", max_length=10, choices=ReconStatus.choices, default=ReconStatus.QUEUED
    )
    job = models.ForeignKey(
        "jobs.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="后台任务",
    )
    uploads = models.ManyToManyField(
        NationalUpload, blank=True, related_name="+", verbose_name="依据文件"
    )
    settlement_run = models.ForeignKey(
        "settlement.SettlementRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="依据的结算运行",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="发起人",
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    error = models.TextField("失败原因", blank=True)
    summary = models.JSONField("结果摘要", default=dict, blank=True)

    class Meta:
        verbose_name = "国家平台对账"
        verbose_name_plural = "国家平台对账"
        ordering = ["-year", "-month", "-id"]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月对账 #{self.pk}"


class ReconCaseQuerySet(TenantQuerySet):
    tenant_field = "institution"


class ReconCase(models.Model):
    """对账差异（病例） — one difference on one case."""

    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="cases", verbose_name="对账"
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="定点医药机构",
    )
    case = models.ForeignKey(
        "settlement.CaseRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,  # the case table is partitioned by year (settlement/partitions/)
        verbose_name="结算清单",
    )
    setl_id = models.CharField("结算ID", max_length=30)
    kind = models.CharField("差异类型", max_length=14, choices=DiffKind.choices)
    our_group = models.CharField("本地分组", max_length=60, blank=True)
    national_group = models.CharField("国家分组", max_length=60, blank=True)
    national_group_name = models.CharField("国家分组名称", max_length=200, blank=True)
    our_trace = models.CharField("本地入组路径", max_length=30, blank=True)
    divergence = models.CharField("分歧环节", max_length=16, choices=Divergence.choices, blank=True)
    rule_code = models.CharField("国家质控规则", max_length=200, blank=True)
    our_rule_code = models.CharField("本地质控规则", max_length=200, blank=True)
    message = models.CharField("说明", max_length=300, blank=True)
    our_points = models.DecimalField("本地点数", null=True, blank=True, **POINTS)
    national_points = models.DecimalField("按国家分组点数", null=True, blank=True, **POINTS)

    objects = ReconCaseQuerySet.as_manager()

    class Meta:
        verbose_name = "对账差异（病例）"
        verbose_name_plural = "对账差异（病例）"
        ordering = ["kind", "institution_id", "setl_id", "id"]
        indexes = [models.Index(fields=["reconciliation", "kind"], name="recon_case_kind")]


class ReconInstitution(models.Model):
    """对账差异（机构） — an institution's month: national booking against our records and run."""

    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="institutions", verbose_name="对账"
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="定点医药机构",
    )
    cases_ours = models.PositiveIntegerField("本地病例数", default=0)
    cases_national = models.PositiveIntegerField("国家记账人次", default=0)
    mismatches = models.PositiveIntegerField("分组不一致数", default=0)
    fund_ours = models.DecimalField("本地统筹基金支出", **MONEY)
    fund_national = models.DecimalField("国家统筹基金支出", **MONEY)
    fund_difference = models.DecimalField("基金支出差额", **MONEY)
    points_ours = models.DecimalField("本地点数", **POINTS)
    points_national = models.DecimalField("按国家分组点数", **POINTS)
    amount_ours = models.DecimalField("本地折算金额", null=True, blank=True, **MONEY)
    amount_national = models.DecimalField("按国家分组折算金额", null=True, blank=True, **MONEY)
    amount_difference = models.DecimalField("折算金额差额", null=True, blank=True, **MONEY)

    objects = ReconCaseQuerySet.as_manager()

    class Meta:
        verbose_name = "对账差异（机构）"
        verbose_name_plural = "对账差异（机构）"
        ordering = ["institution_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reconciliation", "institution"], name="%(app_label)s_%(class)s_unique_inst"
            )
        ]
