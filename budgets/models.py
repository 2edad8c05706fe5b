"""Annual budgets (总额预算): one series per region × year × scheme, kept as numbered versions.

A version is compiled as a draft, submitted, approved by a different user (which puts it in force
and supersedes the version before it), and is immutable from then on; a mid-year adjustment
(年中调整, Jilin art. 14) is a new version copied from the one in force. The lines hold both the
inputs a bureau entered and the amounts ``budgets.domain.derive_budget`` derived from them.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from budgets.choices import BudgetStatus, LineKind, LineMethod, PhasingMethod
from budgets.domain import DEFAULT_RESERVE_RATE, DEFAULT_SETTLEMENT_SHARE
from catalogs.choices import Scheme
from workflow.models import (
    FourEyesSeries,
    SeriesMessages,
    series_constraints,
    user_field,
)

ERR_VERSION_EXISTS = "该统筹区、年度、险种已存在此版本号。"
ERR_ONE_IN_FORCE = "同一统筹区、年度、险种只能有一个执行中的预算版本。"
ERR_ONE_OPEN = "同一统筹区、年度、险种只能有一个草稿或待审批的版本。"
ERR_SELF_APPROVAL = "审批人不能是提交人。"
ERR_RATE_RANGE = "比例应在 0 到 1 之间。"
ERR_YEAR_RANGE = "年度应在 2000 到 2100 之间。"
ERR_LINE_CODE = "同一预算版本中同类预算行的编码不能重复。"
ERR_AMOUNT_NEGATIVE = "金额不能为负数。"
ERR_MONTH_RANGE = "月份应在1到12之间。"
ERR_MONTH_UNIQUE = "同一类别每月只能有一条分月预算。"
ERR_ACTUAL_UNIQUE = "每个预算行只能有一条年终实际支出。"

RATE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(1)]


def _amount(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=2, **kwargs)


def _non_negative() -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(amount__gte=0),
        name="%(app_label)s_%(class)s_amount_non_negative",
        violation_error_message=ERR_AMOUNT_NEGATIVE,
    )


class Budget(FourEyesSeries):
    """总额预算版本 — one version of the annual fund expenditure budget of a region, year and scheme."""

    SERIES = ("region", "year", "scheme")

    region = models.ForeignKey(
        "catalogs.Region", on_delete=models.PROTECT, related_name="budgets", verbose_name="统筹区"
    )
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    scheme = models.CharField("险种", max_length=3, choices=Scheme.choices)
    version = models.PositiveSmallIntegerField("版本号", default=1)
    status = models.CharField(
        "状态", max_length=12, choices=BudgetStatus.choices, default=BudgetStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustments",
        verbose_name="调整自",
    )
    reason = models.TextField("调整原因", blank=True)
    risk_reserve_rate = models.DecimalField(
        "风险备用金比例",
        max_digits=5,
        decimal_places=4,
        default=DEFAULT_RESERVE_RATE,
        validators=RATE_VALIDATORS,
    )
    settlement_share = models.DecimalField(
        "备用金结余纳入DIP结算比例",
        max_digits=5,
        decimal_places=4,
        default=DEFAULT_SETTLEMENT_SHARE,
        validators=RATE_VALIDATORS,
    )
    phasing_method = models.CharField(
        "分月方法", max_length=10, choices=PhasingMethod.choices, default=PhasingMethod.EQUAL
    )
    phasing_weights = models.JSONField("上年分月结构", default=list, blank=True)

    class Meta:
        verbose_name = "总额预算"
        verbose_name_plural = "总额预算"
        ordering = ["-year", "region", "scheme", "-version"]
        permissions = [("approve_budget", "可以审批总额预算")]
        constraints = [
            *series_constraints(
                series=["region", "year", "scheme"],
                in_force=BudgetStatus.IN_FORCE,
                open_statuses=BudgetStatus.open(),
                messages=SeriesMessages(
                    ERR_VERSION_EXISTS, ERR_ONE_IN_FORCE, ERR_ONE_OPEN, ERR_SELF_APPROVAL
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    risk_reserve_rate__gte=0,
                    risk_reserve_rate__lte=1,
                    settlement_share__gte=0,
                    settlement_share__lte=1,
                ),
                name="%(app_label)s_%(class)s_rates_in_range",
                violation_error_message=ERR_RATE_RANGE,
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="%(app_label)s_%(class)s_year_range",
                violation_error_message=ERR_YEAR_RANGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_scheme_display()}总额预算 第{self.version}版"


class BudgetLine(models.Model):
    """预算行 — one line of the derivation: its inputs (金额/基数/增长率/人均/人数) and the derived amount."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="lines", verbose_name="预算版本"
    )
    position = models.PositiveSmallIntegerField("顺序")
    kind = models.CharField("类型", max_length=10, choices=LineKind.choices)
    code = models.CharField("编码", max_length=20)
    name = models.CharField("项目名称", max_length=60)
    method = models.CharField(
        "测算方法", max_length=12, choices=LineMethod.choices, default=LineMethod.AMOUNT
    )
    amount = _amount("预算金额（元）")
    entered_amount = _amount("录入金额（元）", null=True, blank=True)
    base = _amount("上年实际（元）", null=True, blank=True)
    rate = models.DecimalField("增长率/比例", max_digits=9, decimal_places=6, null=True, blank=True)
    per_capita = _amount("人均标准（元）", null=True, blank=True)
    count = models.PositiveIntegerField("人数", null=True, blank=True)

    class Meta:
        verbose_name = "预算行"
        verbose_name_plural = "预算行"
        ordering = ["budget", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "kind", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=ERR_LINE_CODE,
            ),
            _non_negative(),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class BudgetPhasing(models.Model):
    """分月预算 — a category's budget for one month; the twelve months sum exactly to the category."""

    line = models.ForeignKey(
        BudgetLine, on_delete=models.CASCADE, related_name="phasing", verbose_name="细分类别"
    )
    month = models.PositiveSmallIntegerField(
        "月份", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    amount = _amount("月度预算（元）")

    class Meta:
        verbose_name = "分月预算"
        verbose_name_plural = "分月预算"
        ordering = ["line", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "month"],
                name="%(app_label)s_%(class)s_unique_month",
                violation_error_message=ERR_MONTH_UNIQUE,
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="%(app_label)s_%(class)s_month_range",
                violation_error_message=ERR_MONTH_RANGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line.name} {self.month}月"


class YearEndActual(models.Model):
    """年终实际支出 — what a carve-out line actually cost, recorded at year end against the budget in force."""

    line = models.OneToOneField(
        BudgetLine, on_delete=models.CASCADE, related_name="actual", verbose_name="预算行"
    )
    amount = _amount("实际支出（元）")
    recorded_by = user_field("录入人")
    recorded_at = models.DateTimeField("录入时间", auto_now=True)

    class Meta:
        verbose_name = "年终实际支出"
        verbose_name_plural = "年终实际支出"
        constraints = [
            _non_negative(),
        ]

    def __str__(self) -> str:
        return f"{self.line.name} 实际支出"
