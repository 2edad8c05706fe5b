"""病例月汇总: the case table summed per institution, settlement month, scheme and 医疗类别 (med_type).

A region of a million cases a year has a few thousand such rows. The home page and the supervision
dashboard read them instead of summing the case table per request (13 s at two million cases).
``settlement.aggregates.services.case_aggregates_refresh`` rewrites the rows a write touched inside that
write's transaction (intake, demo load); ``manage.py case_aggregates_rebuild`` rewrites them all.
"""

from __future__ import annotations

from django.db import models

from accounts.tenancy import TenantQuerySet
from catalogs.choices import Scheme
from settlement.choices import MedType

SUM_DIGITS = 18  # a month's sum of Decimal(14,2) amounts over a few million cases


class CaseMonthAggregateQuerySet(TenantQuerySet):
    tenant_field = "institution"
    region_field = "region"


class CaseMonthAggregate(models.Model):
    """One institution's cases of one settlement month, scheme and 医疗类别: how many, and their money sums."""

    region = models.ForeignKey(
        "catalogs.Region", on_delete=models.CASCADE, related_name="+", verbose_name="统筹区"
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="定点医药机构",
    )
    period = models.ForeignKey(
        "settlement.SettlementPeriod",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="结算期间",
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    insutype = models.CharField("险种类型", max_length=3, choices=Scheme.choices)
    med_type = models.CharField("医疗类别", max_length=6, choices=MedType.choices)
    cases = models.PositiveIntegerField("病例数")
    medfee_sumamt = models.DecimalField("医疗费总额", max_digits=SUM_DIGITS, decimal_places=2)
    fund_pay_sumamt = models.DecimalField("基金支付总额", max_digits=SUM_DIGITS, decimal_places=2)

    objects = CaseMonthAggregateQuerySet.as_manager()

    class Meta:
        verbose_name = "病例月汇总"
        verbose_name_plural = "病例月汇总"
        ordering = ["region", "year", "month", "institution", "insutype", "med_type"]
        indexes = [
            models.Index(fields=["region", "year", "month"], name="settlement_agg_region_month")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "period", "insutype", "med_type"],
                name="%(app_label)s_%(class)s_unique_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.year}-{self.month:02d} {self.insutype}/{self.med_type}: {self.cases}"
