"""The versioned DIP/DRG/APG catalogs: a ``CatalogVersion`` holds its ``CatalogGroup`` rows, their
``GroupSubtype`` coefficients and the ``GoldenCase`` rows that must pass before it is published.
``PublishedSeries`` is the year, number and four-eyes block shared with the DRG rule sets.

Imported by catalogs/models.py, so the models belong to the ``catalogs`` app (same tables)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from catalogs.choices import CatalogKind, CatalogStatus, GroupType, SubtypeDimension, TreatmentType
from catalogs.codes import CODE_LENGTH
from workflow.models import FourEyesSeries, SeriesMessages, series_constraints, user_field

ERR_VERSION_EXISTS = "该统筹区、目录类别、年度已存在此版本号。"


ERR_ONE_PUBLISHED = "同一统筹区、目录类别、年度只能有一个已发布的目录版本。"


ERR_ONE_OPEN = "同一统筹区、目录类别、年度只能有一个草稿或待审核的目录版本。"


ERR_SELF_APPROVAL = "审核发布人不能是提交人。"


ERR_EFFECTIVE_DATES = "失效日期不能早于生效日期。"


ERR_YEAR_RANGE = "年度应在 2000 到 2100 之间。"


ERR_GROUP_CODE = "同一目录版本中病种编码不能重复。"


ERR_NEGATIVE = "分值、费用和病例数不能为负数。"


ERR_SUBTYPE_UNIQUE = "同一病种的同一分型维度下分型不能重复。"


ERR_VERSION_LOCKED = "该目录版本已提交或已发布，不能修改；如需变更请复制为新版本。"


SCORE_DIGITS = dict(max_digits=12, decimal_places=4)


def published_series_constraints(
    series: list[str], messages: SeriesMessages
) -> list[models.BaseConstraint]:
    """The constraints of a ``PublishedSeries``: one version number, one published and one open version per
    series, four eyes (workflow/models.py), and the year range."""
    return [
        *series_constraints(
            series=series,
            in_force=CatalogStatus.PUBLISHED,
            open_statuses=CatalogStatus.open(),
            messages=messages,
            in_force_name="one_published",
        ),
        models.CheckConstraint(
            condition=Q(year__gte=2000, year__lte=2100),
            name="%(app_label)s_%(class)s_year_range",
            violation_error_message=ERR_YEAR_RANGE,
        ),
    ]


class PublishedSeries(FourEyesSeries):
    """The year, number and four-eyes workflow of a version published like a catalog (draft → submitted →
    published → retired); each model adds its series fields, ``SERIES`` and ``series_constraints``.
    The maker/checker block is ``FourEyesSeries`` under the names a catalog uses (创建人, 审核发布人,
    发布时间), with ``retired_at`` in place of ``superseded_at``."""

    year = models.PositiveSmallIntegerField(
        "适用年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    version = models.PositiveSmallIntegerField("版本号", default=1)
    status = models.CharField(
        "状态", max_length=10, choices=CatalogStatus.choices, default=CatalogStatus.DRAFT
    )
    created_by = user_field("创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    approved_by = user_field("审核发布人")
    approved_at = models.DateTimeField("发布时间", null=True, blank=True)
    superseded_at = None
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        abstract = True


class CatalogVersion(PublishedSeries):
    """目录版本 — one numbered version of a region's DIP/DRG/APG catalog for a year.

    Built or copied as a draft, submitted, published by a different user (四眼原则), which retires the
    version published before it; immutable once submitted.
    """

    region = models.ForeignKey(
        "catalogs.Region",
        on_delete=models.PROTECT,
        related_name="catalog_versions",
        verbose_name="统筹区",
    )
    kind = models.CharField(
        "目录类别", max_length=3, choices=CatalogKind.choices, default=CatalogKind.DIP
    )
    name = models.CharField("版本名称", max_length=100, blank=True)
    effective_from = models.DateField("生效日期", null=True, blank=True)
    effective_to = models.DateField("失效日期", null=True, blank=True)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="copies",
        verbose_name="复制自",
    )
    build_params = models.JSONField("测算参数", default=dict, blank=True)
    build_summary = models.JSONField("测算结果摘要", default=dict, blank=True)
    drg_rule_set = models.ForeignKey(
        "DrgRuleSet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="catalog_versions",
        verbose_name="DRG分组规则",
        help_text="DRG目录测算时所用的分组规则；为空时按当年已发布的规则分组",
    )

    SERIES = ("region", "kind", "year")

    class Meta:
        verbose_name = "目录版本"
        verbose_name_plural = "目录版本"
        ordering = ["-year", "region", "kind", "-version"]
        permissions = [("publish_catalogversion", "可以审核发布目录版本")]
        constraints = [
            *published_series_constraints(
                ["region", "kind", "year"],
                SeriesMessages(
                    ERR_VERSION_EXISTS, ERR_ONE_PUBLISHED, ERR_ONE_OPEN, ERR_SELF_APPROVAL
                ),
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="%(app_label)s_%(class)s_effective_dates_ordered",
                violation_error_message=ERR_EFFECTIVE_DATES,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_kind_display()} 第{self.version}版"


class CatalogGroup(models.Model):
    """病种/病组 — one group of a catalog version with its score (分值/点数) and the statistics behind it."""

    version = models.ForeignKey(
        CatalogVersion, on_delete=models.CASCADE, related_name="groups", verbose_name="目录版本"
    )
    code = models.CharField("病种编码", max_length=60)
    name = models.CharField("病种名称", max_length=300, blank=True)
    group_type = models.CharField(
        "病种类型", max_length=14, choices=GroupType.choices, default=GroupType.CORE
    )
    diag_code = models.CharField("主要诊断（类目）", max_length=CODE_LENGTH, blank=True)
    proc_code = models.CharField("主要手术操作", max_length=CODE_LENGTH, blank=True)
    treatment_type = models.CharField(
        "治疗方式", max_length=12, choices=TreatmentType.choices, default=TreatmentType.MEDICAL
    )
    score = models.DecimalField("分值", **SCORE_DIGITS)
    case_counts = models.JSONField("各年度病例数", default=dict, blank=True)
    mean_cost = models.DecimalField(
        "加权平均费用（元）", max_digits=14, decimal_places=2, default=0
    )
    cv = models.DecimalField("变异系数", max_digits=8, decimal_places=4, default=0)
    level_means = models.JSONField("各级别机构平均费用（元）", default=dict, blank=True)
    grassroots_share = models.DecimalField(
        "基层机构病例占比", max_digits=5, decimal_places=4, default=0
    )
    is_grassroots = models.BooleanField("基层病种", default=False)
    is_tcm = models.BooleanField("中医优势病种", default=False)
    is_day_surgery = models.BooleanField("日间手术病种", default=False)

    class Meta:
        verbose_name = "病种"
        verbose_name_plural = "病种"
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=ERR_GROUP_CODE,
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, mean_cost__gte=0, cv__gte=0),
                name="%(app_label)s_%(class)s_non_negative",
                violation_error_message=ERR_NEGATIVE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def clean(self) -> None:
        # Read the status from the database: a cached version instance may predate its submission.
        if (
            self.version_id
            and not CatalogVersion.objects.filter(
                pk=self.version_id, status=CatalogStatus.DRAFT
            ).exists()
        ):
            raise ValidationError(ERR_VERSION_LOCKED)


class GroupSubtype(models.Model):
    """辅助分型 — a subtype of a core group (age band, comorbidity, death) and its adjustment coefficient."""

    group = models.ForeignKey(
        CatalogGroup, on_delete=models.CASCADE, related_name="subtypes", verbose_name="病种"
    )
    dimension = models.CharField("分型维度", max_length=12, choices=SubtypeDimension.choices)
    key = models.CharField("分型", max_length=20)
    cases = models.PositiveIntegerField("病例数")
    mean_cost = models.DecimalField("平均费用（元）", max_digits=14, decimal_places=2)
    coefficient = models.DecimalField("调整系数", max_digits=8, decimal_places=4)

    class Meta:
        verbose_name = "辅助分型"
        verbose_name_plural = "辅助分型"
        ordering = ["group", "dimension", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "dimension", "key"],
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message=ERR_SUBTYPE_UNIQUE,
            ),
            models.CheckConstraint(
                condition=Q(mean_cost__gte=0, coefficient__gte=0),
                name="%(app_label)s_%(class)s_non_negative",
                violation_error_message=ERR_NEGATIVE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group.code} {self.get_dimension_display()} {self.key}"


class GoldenCase(models.Model):
    """标准病例 — a case with a known expected group and score; every one must pass before publishing."""

    version = models.ForeignKey(
        CatalogVersion,
        on_delete=models.CASCADE,
        related_name="golden_cases",
        verbose_name="目录版本",
    )
    label = models.CharField("说明", max_length=100)
    case = models.JSONField(
        "病例字段", default=dict, help_text="结算清单字段，如 maindiag_code、main_oprn_oprt_code"
    )
    expected_code = models.CharField("预期病种编码", max_length=60)
    expected_score = models.DecimalField("预期分值", **SCORE_DIGITS)

    class Meta:
        verbose_name = "标准病例"
        verbose_name_plural = "标准病例"
        ordering = ["version", "pk"]

    def __str__(self) -> str:
        return self.label
