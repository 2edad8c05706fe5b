"""Writes of institution coefficient tables (医疗机构系数表): create a draft from the region's
institutions and history, edit rows (reason audited), submit, return, approve (four eyes), revise.

Every service locks the table it changes, refuses anything its status does not allow, and records one
audit event inside its own transaction. ``combined`` is always recomputed from the row's inputs by
``catalogs.coefficients.domain.combined``; grassroots groups are not in the table (the engine applies 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from audit.services import audit_record, snapshot
from catalogs import selectors
from catalogs.choices import CoefficientStatus, Combination
from catalogs.coefficients import domain
from catalogs.coefficients.models import (
    ERR_TABLE_LOCKED,
    ERR_TABLE_SELF_APPROVAL,
    CoefficientTable,
    InstitutionCoefficient,
)
from catalogs.dip import catalog as dip_catalog
from catalogs.models import Institution, Region
from catalogs.register.selectors import institution_states_as_of
from workflow import services as workflow
from workflow.services import locked_in

ERR_OPEN_TABLE = "{year}年已有未批准的第{version}版机构系数表，请先完成审批或退回。"
ERR_NOT_DRAFT = ERR_TABLE_LOCKED
ERR_NOT_SUBMITTED = "只有待审批的机构系数表可以审批或退回。"
ERR_NOT_IN_FORCE = "只有执行中的机构系数表可以发起调整。"
ERR_SELF_APPROVE = ERR_TABLE_SELF_APPROVAL + "请由另一位经办人员审批。"
ERR_NO_ROWS = "机构系数表没有任何机构，不能提交。"
ERR_NO_INSTITUTIONS = "该统筹区在{year}年没有有效的定点医疗机构。"
ERR_REASON = "请填写原因。"
ERR_BY_USER = "提交和审批须由经办人员本人操作。"

#: Years of history the suggestion reads by default: the three years before the table's year.
HISTORY_YEARS = 3
ROW_FIELDS = ("level_basic", "bonus_grassroots", "bonus_tcm", "bonus_key_discipline", "note")


#: Four eyes need two named users: a job or a command (a string actor) cannot submit or approve.
FLOW = workflow.Flow(
    action="coefficient_table",
    in_force=CoefficientStatus.IN_FORCE,
    superseded=CoefficientStatus.SUPERSEDED,
    not_draft=ERR_NOT_DRAFT,
    not_submitted=ERR_NOT_SUBMITTED,
    self_approval=ERR_SELF_APPROVE,
    submitter_unnamed=ERR_BY_USER,
    approver_unnamed=ERR_BY_USER,
)


def rows_state(table: CoefficientTable) -> dict[str, dict]:
    """The table's rows by institution code, as audit before/after data."""
    return {
        row.institution.code: {f: str(getattr(row, f)) for f in (*ROW_FIELDS, "combined")}
        for row in table.rows.select_related("institution")
    }


def _next_table(*, actor, region: Region, year: int, **fields) -> CoefficientTable:
    series = CoefficientTable.objects.filter(region=region, year=year)
    open_table = series.filter(status__in=CoefficientStatus.open()).first()
    if open_table:
        raise ValidationError(ERR_OPEN_TABLE.format(year=year, version=open_table.version))
    number = (series.aggregate(v=Max("version"))["v"] or 0) + 1
    table = CoefficientTable(
        region=region,
        year=year,
        version=number,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    table.full_clean()
    table.save()
    return table


def _active_in(region: Region, year: int, day: date) -> list[tuple[Institution, str]]:
    """Institutions of the region whose agreement (协议期) covers any time of the year, with the level in
    force on ``day`` (the table's first day), by code."""
    states = institution_states_as_of(region=region, day=day)
    first, last = date(year, 1, 1), date(year, 12, 31)
    return [
        (institution, states[institution.pk].level)
        for institution in Institution.objects.filter(region=region).order_by("code")
        if (states[institution.pk].agreement_from or first) <= last
        and (states[institution.pk].agreement_to or last) >= first
    ]


def _suggestions(region: Region, years: Sequence[int]) -> dict[str, Decimal]:
    history = selectors.case_history_frame(region=region, years=years)
    weights = dict(
        zip(
            sorted(years),
            dip_catalog.DEFAULT_WEIGHTS.get(len(years), (1,) * len(years)),
            strict=True,
        )
    )
    return domain.level_suggestions(history, year_weights=weights)


def _combined(row: InstitutionCoefficient, combination: str) -> Decimal:
    return domain.combined(row.level_basic, row.bonuses, combination)


@transaction.atomic
def coefficient_table_create(
    *,
    actor,
    region: Region,
    year: int,
    combination: str = Combination.ADDITIVE,
    history_years: Sequence[int] | None = None,
    effective_from: date | None = None,
    effective_to: date | None = None,
) -> CoefficientTable:
    """A draft with one row per institution active in the year: the basic coefficient by level
    (``domain.DEFAULT_BASIC``), no bonuses, and the suggestion by level from the case history."""
    years = (
        sorted(int(y) for y in history_years)
        if history_years
        else list(range(year - HISTORY_YEARS, year))
    )
    institutions = _active_in(region, year, effective_from or date(year, 1, 1))
    if not institutions:
        raise ValidationError(ERR_NO_INSTITUTIONS.format(year=year))
    table = _next_table(
        actor=actor,
        region=region,
        year=year,
        combination=combination,
        history_years=years,
        effective_from=effective_from,
        effective_to=effective_to,
    )
    suggestions = _suggestions(region, years)
    rows = []
    for institution, level in institutions:
        row = InstitutionCoefficient(
            table=table,
            institution=institution,
            suggestion=suggestions.get(level),
            level_basic=domain.DEFAULT_BASIC.get(level, domain.ONE),
        )
        row.combined = _combined(row, combination)
        rows.append(row)
    InstitutionCoefficient.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="coefficient_table_create",
        instance=table,
        after={"table": snapshot(table), "rows": rows_state(table)},
        message=f"{len(rows)}家机构，建议值依据{'、'.join(map(str, years))}年病例",
    )
    return table


@transaction.atomic
def coefficient_row_edit(
    *,
    actor,
    row: InstitutionCoefficient,
    reason: str,
    level_basic: Decimal,
    bonus_grassroots: Decimal = Decimal(0),
    bonus_tcm: Decimal = Decimal(0),
    bonus_key_discipline: Decimal = Decimal(0),
    note: str = "",
) -> InstitutionCoefficient:
    """Set one institution's coefficients in a draft; the combined coefficient follows, the reason is audited."""
    reason = workflow.reason_given(reason, ERR_REASON)
    table = locked_in(row.table, CoefficientStatus.DRAFT, ERR_NOT_DRAFT, "region")
    row = InstitutionCoefficient.objects.select_related("institution").get(pk=row.pk)
    before = snapshot(row)
    inputs = (level_basic, bonus_grassroots, bonus_tcm, bonus_key_discipline)
    row.level_basic, row.bonus_grassroots, row.bonus_tcm, row.bonus_key_discipline = (
        domain.quantized(v) for v in inputs
    )
    row.note = note
    row.combined = _combined(row, table.combination)
    row.full_clean()
    row.save(update_fields=[*ROW_FIELDS, "combined"])
    audit_record(
        actor=actor,
        action="coefficient_row_edit",
        instance=row,
        before=before,
        after=snapshot(row),
        message=reason,
    )
    return row


def rows_recombined(table: CoefficientTable) -> None:
    """Recompute every row's combined coefficient (after an import changed the inputs)."""
    rows = list(table.rows.all())
    for row in rows:
        row.combined = _combined(row, table.combination)
    InstitutionCoefficient.objects.bulk_update(rows, ["combined"])


@transaction.atomic
def coefficient_table_submit(*, actor, table: CoefficientTable) -> CoefficientTable:
    table = workflow.locked(table, "region")
    return workflow.submit(
        FLOW, actor=actor, record=table, empty="" if table.rows.exists() else ERR_NO_ROWS
    )


@transaction.atomic
def coefficient_table_return(*, actor, table: CoefficientTable, reason: str) -> CoefficientTable:
    """Send a submitted table back to its author as a draft (退回), with the reason."""
    return workflow.send_back(
        FLOW, actor=actor, record=workflow.locked(table, "region"), reason=reason
    )


def _ending(table: CoefficientTable, previous: CoefficientTable) -> dict:
    """The table in force before ``table`` ends the day before ``table`` takes effect (when both dates are known)."""
    ends = previous.effective_to
    if table.effective_from and (ends is None or ends >= table.effective_from):
        ends = max(table.effective_from - timedelta(days=1), previous.effective_from or date.min)
    return {"effective_to": ends}


@transaction.atomic
def coefficient_table_approve(*, actor, table: CoefficientTable) -> CoefficientTable:
    """Approve a submitted table (by someone other than its submitter): it comes into force and the
    table in force before it is superseded."""
    table = workflow.locked(table, "region")
    approver = workflow.approver(FLOW, actor=actor, record=table)
    return workflow.approve(
        FLOW,
        actor=actor,
        record=table,
        approver=approver,
        ending=lambda previous: _ending(table, previous),
    )


@transaction.atomic
def coefficient_table_revise(
    *, actor, table: CoefficientTable, reason: str, effective_from: date | None = None
) -> CoefficientTable:
    """A revision (调整): a new draft copied from the table in force, with the reason."""
    reason = workflow.reason_given(reason, ERR_REASON)
    source = locked_in(table, CoefficientStatus.IN_FORCE, ERR_NOT_IN_FORCE, "region")
    revision = _next_table(
        actor=actor,
        region=source.region,
        year=source.year,
        combination=source.combination,
        based_on=source,
        reason=reason,
        history_years=source.history_years,
        effective_from=effective_from or source.effective_from,
        effective_to=source.effective_to,
    )
    InstitutionCoefficient.objects.bulk_create(
        InstitutionCoefficient(
            table=revision,
            institution_id=row.institution_id,
            suggestion=row.suggestion,
            combined=row.combined,
            **{f: getattr(row, f) for f in ROW_FIELDS},
        )
        for row in source.rows.all()
    )
    audit_record(
        actor=actor,
        action="coefficient_table_revise",
        instance=revision,
        before=snapshot(source),
        after=snapshot(revision),
        message=reason,
    )
    return revision
