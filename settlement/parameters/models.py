"""Parameter sets (结算参数): one series per region × year × scheme × category, kept as numbered versions.

Like a budget: a draft is edited, submitted, approved by a different user (it comes into force from
its effective date and supersedes the version before it) and is immutable from then on; a change is a
new version copied from the one in force, with its reason. The values are the flat ``{key: text}`` of
``settlement.parameters.domain.FIELDS``.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from catalogs.choices import Scheme
from settlement.engine.params import Kind
from workflow.models import FourEyesSeries, SeriesMessages, series_constraints

ERR_VERSION_EXISTS = "该统筹区、年度、险种、类别已存在此版本号。"
ERR_ONE_IN_FORCE = "同一统筹区、年度、险种、类别只能有一个执行中的参数版本。"
ERR_ONE_OPEN = "同一统筹区、年度、险种、类别只能有一个草稿或待审批的参数版本。"
ERR_SELF_APPROVAL = "审批人不能是提交人。"
ERR_DATES = "失效日期不能早于生效日期。"


class ParameterStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交待审批"
    IN_FORCE = "in_force", "已批准执行"
    SUPERSEDED = "superseded", "已被替代"

    @classmethod
    def open(cls) -> list[str]:
        return [cls.DRAFT, cls.SUBMITTED]


class ParameterSet(FourEyesSeries):
    """结算参数版本."""

    SERIES = ("region", "year", "scheme", "category")

    region = models.ForeignKey(
        "catalogs.Region",
        on_delete=models.PROTECT,
        related_name="parameter_sets",
        verbose_name="统筹区",
    )
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    scheme = models.CharField("险种", max_length=3, choices=Scheme.choices)
    category = models.CharField(
        "细分类别", max_length=20, help_text="与总额预算细分类别编码一致，如 DIP、APG"
    )
    kind = models.CharField("付费方式", max_length=3, choices=[(k.value, k.value) for k in Kind])
    version = models.PositiveSmallIntegerField("版本号", default=1)
    status = models.CharField(
        "状态", max_length=12, choices=ParameterStatus.choices, default=ParameterStatus.DRAFT
    )
    values = models.JSONField("参数值", default=dict)
    effective_from = models.DateField("生效日期")
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

    class Meta:
        verbose_name = "结算参数"
        verbose_name_plural = "结算参数"
        ordering = ["-year", "region", "scheme", "category", "-version"]
        permissions = [("approve_parameterset", "可以审批结算参数")]
        constraints = [
            *series_constraints(
                series=["region", "year", "scheme", "category"],
                in_force=ParameterStatus.IN_FORCE,
                open_statuses=ParameterStatus.open(),
                messages=SeriesMessages(
                    ERR_VERSION_EXISTS, ERR_ONE_IN_FORCE, ERR_ONE_OPEN, ERR_SELF_APPROVAL
                ),
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="%(app_label)s_%(class)s_dates",
                violation_error_message=ERR_DATES,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_scheme_display()}{self.category}结算参数 第{self.version}版"
