"""Grouping results (结算清单分组结果): one row per case and catalog version.

Imported by settlement/models.py, so the model belongs to the ``settlement`` app. Rows are written only
by ``settlement.grouping.services.period_group``, in bulk; regrouping a period with the same version
replaces that version's rows of the period, so a case has at most one result per version — the primary
key is (case, version) — and can have one per kind: a DIP and a DRG result side by side.

On PostgreSQL the table is partitioned by version (``LIST (version_id)``, migration 0007, one partition
per catalog version, created by the writer): regrouping a whole year builds the version's new partition
beside the old one and swaps them, instead of deleting and re-inserting a million rows
(``settlement.grouping.bulk``). SQLite holds one plain table with the same columns and keys.
"""

from __future__ import annotations

from django.db import models

from accounts.tenancy import TenantQuerySet
from catalogs.choices import CatalogKind, TreatmentType


class CaseGroupQuerySet(TenantQuerySet):
    tenant_field = "case__institution"


class CaseGroup(models.Model):
    """结算清单分组结果 — the group a case falls in under one catalog version, and why (trace)."""

    # The primary key (case, version) serves lookups by case, the (period, version) index those by period.
    # No foreign key here is a database constraint: results are derived data, rebuilt by regrouping, and the
    # one writer takes every id from rows it reads in the same transaction. Checked at commit, the keys of a
    # year's million rows lock every case row (FOR KEY SHARE) and took as long as writing the rows.
    # ``on_delete`` still applies to deletes through the ORM.
    pk = models.CompositePrimaryKey("case", "version")
    case = models.ForeignKey(
        "settlement.CaseRecord",
        on_delete=models.CASCADE,
        related_name="groups",
        db_index=False,
        db_constraint=False,
        verbose_name="结算清单",
    )
    period = models.ForeignKey(
        "settlement.SettlementPeriod",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name="结算期间",
    )
    version = models.ForeignKey(
        "catalogs.CatalogVersion",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name="目录版本",
    )
    kind = models.CharField("目录类别", max_length=3, choices=CatalogKind.choices)
    group_code = models.CharField(
        "病种/病组编码", max_length=60, blank=True, help_text="不能入组时为空"
    )
    group_type = models.CharField("病种类型", max_length=14, blank=True)
    treatment_type = models.CharField(
        "治疗方式", max_length=12, choices=TreatmentType.choices, blank=True
    )
    subtype = models.CharField(
        "辅助分型", max_length=40, blank=True, help_text="维度=分型，如 age=65+"
    )
    typing_coefficient = models.DecimalField(
        "分型调整系数",
        max_digits=8,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="未分型时为空（按1计）",
    )
    trace = models.CharField("入组路径", max_length=30)
    grouped_at = models.DateTimeField("分组时间")

    objects = CaseGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "结算清单分组结果"
        verbose_name_plural = "结算清单分组结果"
        ordering = [
            "case_id",
            "version_id",
        ]  # the columns: ordering by the relation would join the cases
        indexes = [models.Index(fields=["period", "version"], name="settlement_casegroup_period")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.group_code or '不能入组'}"

    @property
    def is_grouped(self) -> bool:
        return bool(self.group_code)

    @property
    def trace_text(self) -> str:
        """入组说明 — the Chinese text of the trace code (one per code, so it is not stored per case)."""
        from settlement.grouping.domain import TRACE_TEXT

        return TRACE_TEXT.get(self.kind, {}).get(self.trace, self.trace)
