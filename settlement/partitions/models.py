"""The record of an archived year (归档年度): its cases and per-case run results left the database."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CaseYearArchive(models.Model):
    """归档年度 — a settlement year whose case rows and per-case run results were detached, written to
    files and dropped (``manage.py case_year_archive``). Its statements (结算单) and runs stay; restoring
    the year (``case_year_restore``) deletes this row."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    location = models.CharField("归档位置", max_length=500)
    case_rows = models.PositiveBigIntegerField("结算清单行数")
    run_case_rows = models.PositiveBigIntegerField("病例结果行数")
    archived_at = models.DateTimeField("归档时间", auto_now_add=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="归档人",
    )

    class Meta:
        verbose_name = "归档年度"
        verbose_name_plural = "归档年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年（已归档）"
