"""Province runs (全省结算): one action that starts a settlement run for every region × scheme × category
of a period, each as its own job on whichever Celery worker takes it.

A province run stores only what it started: one part per region × scheme × category, naming the part's
current settlement run (or why none could start). Everything else — the state of each part, the point
values, totals and failures — is read from those runs, so a worker that dies, a part rerun alone or a
run superseded later is reflected without anything to keep in step.

Imported by settlement/models.py, so the models belong to the ``settlement`` app.
"""

from __future__ import annotations

from django.db import models

from catalogs.choices import Scheme
from settlement.runs.choices import RunType
from workflow.models import user_field


class ProvinceRun(models.Model):
    """全省结算 — the period and the filters a province-level run was started with."""

    year = models.PositiveSmallIntegerField("年度")
    run_type = models.CharField("运行类型", max_length=10, choices=RunType.choices)
    number = models.PositiveSmallIntegerField(
        "期号", default=0, help_text="月份或季度；年度结算与年终清算为0"
    )
    scheme = models.CharField(
        "险种", max_length=3, choices=Scheme.choices, blank=True, help_text="空为全部险种"
    )
    category = models.CharField("细分类别", max_length=20, blank=True, help_text="空为全部类别")
    started_by = user_field("发起人")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)

    class Meta:
        verbose_name = "全省结算"
        verbose_name_plural = "全省结算"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"全省结算 #{self.pk} {self.period_label} {self.get_run_type_display()}"

    @property
    def period_label(self) -> str:
        return RunType(self.run_type).period_label(self.year, self.number)


class ProvinceRunPart(models.Model):
    """全省结算的一个分区: one region × scheme × category and its current settlement run."""

    province_run = models.ForeignKey(
        ProvinceRun, on_delete=models.CASCADE, related_name="parts", verbose_name="全省结算"
    )
    region = models.ForeignKey(
        "catalogs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="统筹区"
    )
    scheme = models.CharField("险种", max_length=3, choices=Scheme.choices, blank=True)
    category = models.CharField("细分类别", max_length=20, blank=True)
    run = models.ForeignKey(
        "settlement.SettlementRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="结算运行",
        help_text="最近一次发起的结算运行；重新运行后指向新的运行",
    )
    attempts = models.PositiveSmallIntegerField("发起次数", default=1)
    error = models.TextField("未能发起的原因", blank=True)

    class Meta:
        verbose_name = "全省结算分区"
        verbose_name_plural = "全省结算分区"
        ordering = ["region__code", "scheme", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["province_run", "region", "scheme", "category"],
                name="%(app_label)s_%(class)s_one_per_key",
                violation_error_message="同一全省结算中每个统筹区、险种和细分类别只有一个分区。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.province_run_id}/{self.region_id} {self.scheme}{self.category}"
