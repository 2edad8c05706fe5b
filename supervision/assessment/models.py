"""Assessment records (考核): schemes with their items, the yearly assessment versions and their scores.

An assessment copies its scheme's items when computed (``items``), so later edits of the scheme never
change a score already computed, submitted or approved.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.tenancy import TenantQuerySet
from supervision.assessment.choices import AssessmentStatus, ItemKind
from supervision.choices import Rule
from workflow.models import (
    FourEyesSeries,
    SeriesMessages,
    series_constraints,
    user_field,
)

ERR_SCHEME_NAME = "该统筹区已有同名的考核方案。"
ERR_ITEM_CODE = "同一考核方案中项目编码不能重复。"
ERR_ITEM_WEIGHT = "考核项目分值应大于0且不超过100。"
ERR_ITEM_INDICATOR = "指标项须选择一个监管指标。"
ERR_ITEM_PER_FINDING = "扣分项须填写大于0的每条扣分。"
ERR_VERSION = "该统筹区该年度已存在此版本号的考核。"
ERR_ONE_APPROVED = "同一统筹区同一年度只能有一个已审批的考核。"
ERR_ONE_OPEN = "同一统筹区同一年度只能有一个草稿或待审批的考核。"
ERR_SCORE_UNIQUE = "同一考核中每家机构每个项目只能有一个得分。"
ERR_POINTS_RANGE = "得分应在0到100之间。"


class AssessmentScheme(models.Model):
    """考核方案 — the items, weights and scoring rules of a region's annual assessment."""

    region = models.ForeignKey(
        "catalogs.Region",
        on_delete=models.PROTECT,
        related_name="assessment_schemes",
        verbose_name="统筹区",
    )
    name = models.CharField("方案名称", max_length=60)
    description = models.TextField("说明", blank=True)
    created_by = user_field("编制人")
    created_at = models.DateTimeField("编制时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        db_table = "audit_assessmentscheme"  # the table kept its name when the model left audit/
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=ERR_SCHEME_NAME,
            )
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentItem(models.Model):
    """考核项目 — one line of a scheme (``supervision.assessment.domain.Item``)."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="items", verbose_name="考核方案"
    )
    position = models.PositiveSmallIntegerField("顺序")
    code = models.CharField("项目编码", max_length=20)
    name = models.CharField("项目名称", max_length=60)
    kind = models.CharField("评分方式", max_length=10, choices=ItemKind.choices)
    weight = models.DecimalField("分值", max_digits=5, decimal_places=2)
    indicator = models.CharField("监管指标", max_length=30, blank=True)
    per_finding = models.DecimalField("每条违规扣分", max_digits=5, decimal_places=2, default=0)
    rule = models.CharField(
        "违规规则", max_length=30, choices=Rule.choices, blank=True, help_text="空为全部规则"
    )

    class Meta:
        db_table = "audit_assessmentitem"  # the table kept its name when the model left audit/
        verbose_name = "考核项目"
        verbose_name_plural = "考核项目"
        ordering = ["scheme", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=ERR_ITEM_CODE,
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0, weight__lte=100),
                name="%(app_label)s_%(class)s_weight_range",
                violation_error_message=ERR_ITEM_WEIGHT,
            ),
            models.CheckConstraint(
                condition=~Q(kind=ItemKind.METRIC) | ~Q(indicator=""),
                name="%(app_label)s_%(class)s_metric_indicator",
                violation_error_message=ERR_ITEM_INDICATOR,
            ),
            models.CheckConstraint(
                condition=~Q(kind=ItemKind.DEDUCTION) | Q(per_finding__gt=0),
                name="%(app_label)s_%(class)s_deduction_points",
                violation_error_message=ERR_ITEM_PER_FINDING,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}分）"


class Assessment(FourEyesSeries):
    """年度考核 — one version of a region's assessment of a year: computed from a scheme, manual items
    entered, submitted, approved by a different user (four eyes); the approved version is what clearing uses."""

    SERIES = ("region", "year")

    region = models.ForeignKey(
        "catalogs.Region",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name="统筹区",
    )
    year = models.PositiveSmallIntegerField("考核年度")
    version = models.PositiveSmallIntegerField("版本号", default=1)
    status = models.CharField(
        "状态", max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    scheme = models.ForeignKey(
        AssessmentScheme,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name="考核方案",
    )
    items = models.JSONField("考核项目", default=list, help_text="计算时的方案项目快照")
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    reason = models.TextField("退回原因", blank=True)

    class Meta:
        db_table = "audit_assessment"  # the table kept its name when the model left audit/
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["region", "-year", "-version"]
        permissions = [
            ("compile_assessment", "可以编制考核方案与考核结果"),
            ("approve_assessment", "可以审批考核结果"),
        ]
        constraints = series_constraints(
            series=["region", "year"],
            in_force=AssessmentStatus.APPROVED,
            in_force_name="one_approved",
            open_statuses=AssessmentStatus.open(),
            messages=SeriesMessages(ERR_VERSION, ERR_ONE_APPROVED, ERR_ONE_OPEN),
        )

    def __str__(self) -> str:
        return f"{self.year}年度考核 第{self.version}版"

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT


class AssessmentScoreQuerySet(TenantQuerySet):
    tenant_field = "institution"

    def for_user(self, user) -> AssessmentScoreQuerySet:
        """A hospital sees its own scores of approved assessments only, never a draft under review."""
        visible = super().for_user(user)
        if user is not None and user.is_authenticated and getattr(user, "is_hospital", False):
            return visible.filter(assessment__status=AssessmentStatus.APPROVED)
        return visible


class AssessmentScore(models.Model):
    """考核得分 — one item's points for one institution in an assessment, with how they were reached."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="scores", verbose_name="年度考核"
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name="assessment_scores",
        verbose_name="定点医药机构",
    )
    item_code = models.CharField("项目编码", max_length=20)
    points = models.DecimalField(
        "得分",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="人工评分项录入前为空",
    )
    basis = models.CharField("评分依据", max_length=200, blank=True)
    note = models.TextField("评分说明", blank=True)
    entered_by = user_field("录入人")
    entered_at = models.DateTimeField("录入时间", null=True, blank=True)

    objects = AssessmentScoreQuerySet.as_manager()

    class Meta:
        db_table = "audit_assessmentscore"  # the table kept its name when the model left audit/
        verbose_name = "考核得分"
        verbose_name_plural = "考核得分"
        ordering = ["assessment", "institution", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "institution", "item_code"],
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message=ERR_SCORE_UNIQUE,
            ),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gte=0, points__lte=100),
                name="%(app_label)s_%(class)s_points_range",
                violation_error_message=ERR_POINTS_RANGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_code} {self.points}（{self.institution_id}）"
