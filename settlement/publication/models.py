"""Statement publication (结算单公示): an officer publishes a completed run's statements; hospitals see
statements of published runs only (``RunResultQuerySet.for_user``) and confirm (确认) or object (提出异议)
within a window of working days. A superseding run is unpublished until it is published in turn; the
superseded run keeps its publication and its answers as history.

Imported by settlement/models.py, so the models belong to the ``settlement`` app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from settlement.publication.choices import ResponseKind
from workflow.models import user_field


class StatementPublication(models.Model):
    """结算单公示 — a run's statements made visible to the hospitals, with the answer deadline."""

    run = models.OneToOneField(
        "settlement.SettlementRun",
        on_delete=models.PROTECT,
        related_name="publication",
        verbose_name="结算运行",
    )
    published_by = user_field("发布人")
    published_at = models.DateTimeField("发布时间")
    window_days = models.PositiveSmallIntegerField("确认期限（工作日）")
    deadline = models.DateField("确认截止日", help_text="截止日（含）之后不再接受确认或异议。")
    note = models.TextField("公示说明", blank=True)
    notice = models.ForeignKey(
        "notices.Notice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="公示公告",
    )

    class Meta:
        verbose_name = "结算单公示"
        verbose_name_plural = "结算单公示"
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.run_id} 公示（截止 {self.deadline}）"


class StatementResponse(models.Model):
    """结算单确认/异议 — one institution's answer to its statement of a published run (one answer per statement).

    An objection opens a dispute (争议) linked to the run and the statement (``DisputeItem.statement_line``).
    """

    publication = models.ForeignKey(
        StatementPublication,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name="结算单公示",
    )
    statement = models.OneToOneField(
        "settlement.RunInstitution",
        on_delete=models.PROTECT,
        related_name="response",
        verbose_name="结算单",
    )
    kind = models.CharField("回复", max_length=12, choices=ResponseKind.choices)
    note = models.TextField("说明", blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="回复人"
    )
    responded_at = models.DateTimeField("回复时间")

    class Meta:
        verbose_name = "结算单确认/异议"
        verbose_name_plural = "结算单确认/异议"
        ordering = ["publication", "statement__institution__code"]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.get_kind_display()}"


class Holiday(models.Model):
    """节假日 — a day the working-day count skips (法定节假日) or counts although on a weekend (调休上班日)."""

    day = models.DateField("日期", unique=True)
    name = models.CharField("名称", max_length=50)
    workday = models.BooleanField(
        "调休上班日",
        default=False,
        help_text="勾选：周末调休上班，计为工作日；不勾选：节假日，不计工作日。",
    )

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"
