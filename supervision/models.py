"""Supervision (监管): rule sets, findings, stored indicators, data-quality scores."""

from __future__ import annotations

from django.db import models

from accounts.tenancy import TenantQuerySet
from catalogs.choices import Scheme
from supervision import indicators
from supervision.choices import FindingStatus, Rule, RuleSetStatus, Severity
from workflow.models import FourEyesSeries, SeriesMessages, series_constraints, user_field

# Institution-owned rows go through ``TenantQuerySet.for_user`` like every other institution-owned model.

ERR_RULESET_VERSION = "该统筹区已存在此版本号的监管规则。"
ERR_RULESET_ONE_IN_FORCE = "同一统筹区只能有一个执行中的监管规则版本。"
ERR_RULESET_ONE_OPEN = "同一统筹区只能有一个草稿或待审批的监管规则版本。"
ERR_SELF_APPROVAL = "审批人不能是提交人。"
ERR_FINDING_UNIQUE = "同一机构同一月份的同一规则只能有一条监管发现。"
ERR_AMOUNT_NEGATIVE = "扣减金额不能为负数。"
ERR_CONFIRMED_AMOUNT = "已确认的监管发现须有扣减金额。"
ERR_DISMISSED_REASON = "已排除的监管发现须填写排除理由。"
ERR_CHARGE_PAIR = "计入的险种和细分类别须同时填写或同时为空。"
ERR_MONTH_RANGE = "月份应在1到12之间。"
ERR_INDICATOR_UNIQUE = "同一机构同一月份的同一指标只能有一个值。"
ERR_SCORE_UNIQUE = "同一机构同一月份只能有一个数据质量评分。"
ERR_SCORE_RANGE = "数据质量评分应在0到100之间。"


def _institution(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name="定点医药机构",
    )


def _month_in_range() -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(month__gte=1, month__lte=12),
        name="%(app_label)s_%(class)s_month_range",
        violation_error_message=ERR_MONTH_RANGE,
    )


class RuleSet(FourEyesSeries):
    """监管规则阈值版本 — the thresholds of ``supervision.anomalies.Thresholds`` for a region, as numbered versions:
    a draft is edited, submitted, approved by a different user (four eyes) and then in force; the
    version before it is superseded. Detection uses the version in force, else the defaults."""

    SERIES = ("region",)

    region = models.ForeignKey(
        "catalogs.Region", on_delete=models.PROTECT, related_name="rule_sets", verbose_name="统筹区"
    )
    version = models.PositiveSmallIntegerField("版本号", default=1)
    status = models.CharField(
        "状态", max_length=12, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    thresholds = models.JSONField(
        "阈值", default=dict, blank=True, help_text="未填写的阈值取默认值"
    )
    grassroots_categories = models.JSONField(
        "基层病种诊断类目", default=list, blank=True, help_text="ICD-10 三位类目，如 J18"
    )
    reason = models.TextField("说明", blank=True)

    class Meta:
        db_table = "audit_ruleset"  # the table kept its name when the model left audit/
        verbose_name = "监管规则"
        verbose_name_plural = "监管规则"
        ordering = ["region", "-version"]
        permissions = [("approve_ruleset", "可以审批监管规则")]
        constraints = [
            *series_constraints(
                series=["region"],
                in_force=RuleSetStatus.IN_FORCE,
                open_statuses=RuleSetStatus.open(),
                messages=SeriesMessages(
                    ERR_RULESET_VERSION,
                    ERR_RULESET_ONE_IN_FORCE,
                    ERR_RULESET_ONE_OPEN,
                    ERR_SELF_APPROVAL,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"监管规则 第{self.version}版"


class FindingQuerySet(TenantQuerySet):
    tenant_field = "institution"

    def for_user(self, user) -> FindingQuerySet:
        """A hospital sees its own findings once confirmed, never while open or after dismissal."""
        visible = super().for_user(user)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "is_hospital", False)
            and not user.is_superuser
        ):
            return visible.filter(status=FindingStatus.CONFIRMED)
        return visible


class Finding(models.Model):
    """监管发现 — one rule's finding at an institution in a month, reviewed by the bureau: confirmed with a
    deduction amount (扣减金额, applied at year-end clearing) or dismissed with a reason. The amount is
    charged to one scheme and category (计入险种/细分类别, defaulted from the evidence by
    ``supervision.charging``), whose clearing alone deducts it."""

    rule = models.CharField("规则", max_length=30, choices=Rule.choices)
    institution = _institution("findings")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices)
    score = models.DecimalField(
        "评分", max_digits=10, decimal_places=2, help_text="指标值÷阈值，≥1"
    )
    description = models.TextField("说明")
    evidence = models.JSONField(
        "证据病例", default=list, blank=True, help_text="结算ID (setl_id) 列表"
    )
    evidence_count = models.PositiveIntegerField("涉及病例数", default=0)
    metrics = models.JSONField("指标", default=dict, blank=True)
    rule_set = models.ForeignKey(
        RuleSet,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name="监管规则版本",
    )
    detected_at = models.DateTimeField("发现时间", auto_now_add=True)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=FindingStatus.choices,
        default=FindingStatus.OPEN,
        db_index=True,
    )
    amount = models.DecimalField(
        "扣减金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    scheme = models.CharField(
        "计入险种",
        max_length=3,
        choices=Scheme.choices,
        blank=True,
        help_text="扣减金额只在该险种该细分类别的年终清算中扣减",
    )
    category = models.CharField("计入细分类别", max_length=20, blank=True)
    note = models.TextField("复核意见", blank=True)
    reason = models.TextField("排除理由", blank=True)
    reviewed_by = user_field("复核人")
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        db_table = "audit_finding"  # the table kept its name when the model left audit/
        verbose_name = "监管发现"
        verbose_name_plural = "监管发现"
        ordering = ["-year", "-month", "rule", "institution"]
        permissions = [("review_finding", "可以复核监管发现")]
        indexes = [
            models.Index(fields=["year", "month", "status"], name="audit_finding_period_status")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "institution", "year", "month"],
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message=ERR_FINDING_UNIQUE,
            ),
            _month_in_range(),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_non_negative",
                violation_error_message=ERR_AMOUNT_NEGATIVE,
            ),
            models.CheckConstraint(
                condition=~models.Q(status=FindingStatus.CONFIRMED)
                | models.Q(amount__isnull=False),
                name="%(app_label)s_%(class)s_confirmed_amount",
                violation_error_message=ERR_CONFIRMED_AMOUNT,
            ),
            models.CheckConstraint(
                condition=~models.Q(status=FindingStatus.DISMISSED) | ~models.Q(reason=""),
                name="%(app_label)s_%(class)s_dismissed_reason",
                violation_error_message=ERR_DISMISSED_REASON,
            ),
            models.CheckConstraint(
                condition=models.Q(scheme="", category="")
                | (~models.Q(scheme="") & ~models.Q(category="")),
                name="%(app_label)s_%(class)s_charge_pair",
                violation_error_message=ERR_CHARGE_PAIR,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月 {self.get_rule_display()}（{self.institution_id}）"

    @property
    def charge_label(self) -> str:
        """计入: e.g. 职工基本医疗保险 DIP, or empty when not yet named."""
        return f"{self.get_scheme_display()} {self.category}" if self.scheme else ""


class IndicatorValueQuerySet(TenantQuerySet):
    tenant_field = "institution"


class IndicatorValue(models.Model):
    """监管指标值 — one indicator of ``supervision.indicators`` for an institution-month, with the region's median
    and 90th percentile that month (so a hospital sees where it stands without seeing its peers)."""

    institution = _institution("indicator_values")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    indicator = models.CharField("指标", max_length=30)
    value = models.DecimalField("指标值", max_digits=18, decimal_places=4)
    region_median = models.DecimalField(
        "全区中位数", max_digits=18, decimal_places=4, null=True, blank=True
    )
    region_p90 = models.DecimalField(
        "全区P90", max_digits=18, decimal_places=4, null=True, blank=True
    )
    computed_at = models.DateTimeField("计算时间", auto_now_add=True)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        db_table = "audit_indicatorvalue"  # the table kept its name when the model left audit/
        verbose_name = "监管指标值"
        verbose_name_plural = "监管指标值"
        ordering = ["year", "month", "institution", "indicator"]
        indexes = [
            models.Index(fields=["year", "month", "indicator"], name="audit_indicator_period")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year", "month", "indicator"],
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message=ERR_INDICATOR_UNIQUE,
            ),
            _month_in_range(),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月 {self.indicator}（{self.institution_id}）"

    @property
    def kind(self) -> str:
        """count | money | rate | days, for display (``supervision.indicators.INDICATORS``)."""
        return (
            indicators.BY_CODE[self.indicator].kind
            if self.indicator in indicators.BY_CODE
            else "days"
        )


class DataQualityScoreQuerySet(TenantQuerySet):
    tenant_field = "institution"


class DataQualityScore(models.Model):
    """数据质量评分 — an institution-month's upload quality (``supervision.quality``), 0–100, with its components."""

    institution = _institution("data_quality_scores")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    score = models.DecimalField("评分", max_digits=5, decimal_places=2)
    components = models.JSONField("评分构成", default=dict)
    computed_at = models.DateTimeField("计算时间", auto_now_add=True)

    objects = DataQualityScoreQuerySet.as_manager()

    class Meta:
        db_table = "audit_dataqualityscore"  # the table kept its name when the model left audit/
        verbose_name = "数据质量评分"
        verbose_name_plural = "数据质量评分"
        ordering = ["year", "month", "institution"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year", "month"],
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message=ERR_SCORE_UNIQUE,
            ),
            _month_in_range(),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100),
                name="%(app_label)s_%(class)s_score_range",
                violation_error_message=ERR_SCORE_RANGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月 数据质量 {self.score}（{self.institution_id}）"


# --- assessment (考核): defined in supervision/assessment/models.py, registered with the app here ---
from supervision.assessment.models import (  # noqa: E402, F401
    Assessment,
    AssessmentItem,
    AssessmentScheme,
    AssessmentScore,
)
