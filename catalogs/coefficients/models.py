"""Institution coefficient tables (医疗机构系数表): a ``CoefficientTable`` per region and year, kept as
numbered versions like a budget, holding one ``InstitutionCoefficient`` row per institution.

Imported by catalogs/models.py, so the models belong to the ``catalogs`` app (same tables)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from accounts.tenancy import TenantQuerySet
from catalogs.choices import CoefficientStatus, Combination
from catalogs.versions.models import ERR_EFFECTIVE_DATES, ERR_YEAR_RANGE
from workflow.models import FourEyesSeries, SeriesMessages, series_constraints

ERR_TABLE_EXISTS = "该统筹区、年度已存在此版本号的机构系数表。"


ERR_ONE_IN_FORCE = "同一统筹区、年度只能有一个执行中的机构系数表。"


ERR_TABLE_OPEN = "同一统筹区、年度只能有一个草稿或待审批的机构系数表。"


ERR_TABLE_SELF_APPROVAL = "审批人不能是提交人。"


ERR_COEFFICIENT_UNIQUE = "同一机构系数表中每家机构只能有一行。"


ERR_COEFFICIENT_NEGATIVE = "系数不能为负数。"


ERR_TABLE_LOCKED = "该机构系数表已提交或已执行，不能修改；如需变更请发起调整（新版本）。"


COEFFICIENT_DIGITS = dict(max_digits=8, decimal_places=4)


class CoefficientTable(FourEyesSeries):
    """机构系数表 — one version of a region's institution coefficients for a year.

    Drafted (one row per active institution), submitted, approved by a different user (四眼原则), which
    puts it in force and supersedes the version before it; a revision is a new draft copied from it.
    """

    SERIES = ("region", "year")

    region = models.ForeignKey(
        "catalogs.Region",
        on_delete=models.PROTECT,
        related_name="coefficient_tables",
        verbose_name="统筹区",
    )
    year = models.PositiveSmallIntegerField(
        "适用年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    version = models.PositiveSmallIntegerField("版本号", default=1)
    status = models.CharField(
        "状态", max_length=12, choices=CoefficientStatus.choices, default=CoefficientStatus.DRAFT
    )
    combination = models.CharField(
        "组合方式", max_length=14, choices=Combination.choices, default=Combination.ADDITIVE
    )
    effective_from = models.DateField("生效日期", null=True, blank=True)
    effective_to = models.DateField("失效日期", null=True, blank=True)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
        verbose_name="调整自",
    )
    reason = models.TextField("调整原因", blank=True)
    history_years = models.JSONField("建议值测算年度", default=list, blank=True)

    class Meta:
        verbose_name = "机构系数表"
        verbose_name_plural = "机构系数表"
        ordering = ["-year", "region", "-version"]
        permissions = [("approve_coefficienttable", "可以审批机构系数表")]
        constraints = [
            *series_constraints(
                series=["region", "year"],
                in_force=CoefficientStatus.IN_FORCE,
                open_statuses=CoefficientStatus.open(),
                messages=SeriesMessages(
                    ERR_TABLE_EXISTS, ERR_ONE_IN_FORCE, ERR_TABLE_OPEN, ERR_TABLE_SELF_APPROVAL
                ),
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="%(app_label)s_%(class)s_effective_dates_ordered",
                violation_error_message=ERR_EFFECTIVE_DATES,
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="%(app_label)s_%(class)s_year_range",
                violation_error_message=ERR_YEAR_RANGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年机构系数表 第{self.version}版"


class InstitutionCoefficientQuerySet(TenantQuerySet):
    tenant_field = "institution"


class InstitutionCoefficient(models.Model):
    """医疗机构系数 — one institution's basic coefficient by level, its bonuses and the combined coefficient.

    ``combined`` is derived (``catalogs.coefficients.domain.combined``) whenever a row is written; ``suggestion``
    is the history-based level coefficient (E5) shown beside the basic one, never applied by itself.
    Grassroots groups (基层病种) ignore this row: the settlement engine applies 1 to them everywhere.
    """

    table = models.ForeignKey(
        CoefficientTable, on_delete=models.CASCADE, related_name="rows", verbose_name="机构系数表"
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name="coefficients",
        verbose_name="定点医疗机构",
    )
    level_basic = models.DecimalField("基本系数（等级）", **COEFFICIENT_DIGITS)
    bonus_grassroots = models.DecimalField("基层加成系数", default=0, **COEFFICIENT_DIGITS)
    bonus_tcm = models.DecimalField("中医加成系数", default=0, **COEFFICIENT_DIGITS)
    bonus_key_discipline = models.DecimalField("重点学科加成系数", default=0, **COEFFICIENT_DIGITS)
    combined = models.DecimalField("机构系数", **COEFFICIENT_DIGITS)
    suggestion = models.DecimalField("历史数据建议值", null=True, blank=True, **COEFFICIENT_DIGITS)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = InstitutionCoefficientQuerySet.as_manager()

    class Meta:
        verbose_name = "医疗机构系数"
        verbose_name_plural = "医疗机构系数"
        ordering = ["table", "institution__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "institution"],
                name="%(app_label)s_%(class)s_unique_institution",
                violation_error_message=ERR_COEFFICIENT_UNIQUE,
            ),
            models.CheckConstraint(
                condition=Q(
                    level_basic__gte=0,
                    bonus_grassroots__gte=0,
                    bonus_tcm__gte=0,
                    bonus_key_discipline__gte=0,
                    combined__gte=0,
                ),
                name="%(app_label)s_%(class)s_non_negative",
                violation_error_message=ERR_COEFFICIENT_NEGATIVE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution.name} {self.combined}"

    @property
    def bonuses(self) -> list:
        return [self.bonus_grassroots, self.bonus_tcm, self.bonus_key_discipline]

    def clean(self) -> None:
        if (
            self.table_id
            and not CoefficientTable.objects.filter(
                pk=self.table_id, status=CoefficientStatus.DRAFT
            ).exists()
        ):
            raise ValidationError(ERR_TABLE_LOCKED)
