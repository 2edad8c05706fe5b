"""Writes of budgets: compile, submit, approve (four eyes), return, adjust mid-year, record year-end actuals.

Every service locks the version it changes, refuses anything its status does not allow, and
records one audit event with before/after snapshots inside its own transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from audit.services import audit_record, snapshot
from budgets import domain
from budgets.choices import BudgetStatus, LineKind, LineMethod, PhasingMethod
from budgets.models import ERR_SELF_APPROVAL, Budget, BudgetLine, BudgetPhasing, YearEndActual
from workflow import services as workflow
from workflow.services import locked_in

ERR_EXISTS = "{year}年{scheme}的总额预算已存在，请在已有版本上编制或发起年中调整。"
ERR_NOT_DRAFT = "该预算版本已提交或已批准，不能修改；如需变更请退回或发起年中调整。"
ERR_NOT_SUBMITTED = "只有待审批的预算版本可以审批或退回。"
ERR_SELF_APPROVE = ERR_SELF_APPROVAL + "请由另一位经办人员审批。"
ERR_NO_LINES = "请先编制预算行再提交。"
ERR_NOT_IN_FORCE = "只有执行中的预算版本可以发起年中调整或录入年终实际支出。"
ERR_REASON = "请填写原因。"
ERR_OPEN_VERSION = "已有未批准的第{version}版，请先完成审批或退回。"
ERR_UNKNOWN_LINE = "编码 {code} 不是本预算的单列支出项目。"
ERR_ACTUAL_NEGATIVE = "「{name}」的实际支出不能为负数。"


FLOW = workflow.Flow(
    action="budget",
    in_force=BudgetStatus.IN_FORCE,
    superseded=BudgetStatus.SUPERSEDED,
    not_draft=ERR_NOT_DRAFT,
    not_submitted=ERR_NOT_SUBMITTED,
    self_approval=ERR_SELF_APPROVE,
)


def _lines_snapshot(budget: Budget) -> list[dict]:
    return [snapshot(line) for line in budget.lines.order_by("position")]


def _state(budget: Budget) -> dict:
    return {"budget": snapshot(budget), "lines": _lines_snapshot(budget)}


@transaction.atomic
def budget_create(
    *,
    actor,
    region,
    year: int,
    scheme: str,
    risk_reserve_rate: Decimal = domain.DEFAULT_RESERVE_RATE,
    settlement_share: Decimal = domain.DEFAULT_SETTLEMENT_SHARE,
) -> Budget:
    """Open version 1 of a region's budget for a year and scheme, as a draft."""
    budget = Budget(
        region=region,
        year=year,
        scheme=scheme,
        risk_reserve_rate=risk_reserve_rate,
        settlement_share=settlement_share,
        created_by=actor,
    )
    if Budget.objects.filter(region=region, year=year, scheme=scheme).exists():
        raise ValidationError(ERR_EXISTS.format(year=year, scheme=budget.get_scheme_display()))
    budget.full_clean()
    budget.save()
    audit_record(actor=actor, action="budget_create", instance=budget, after=snapshot(budget))
    return budget


def _line_row(budget: Budget, position: int, line: domain.DerivedLine) -> BudgetLine:
    source = line.source
    method = source.method if source else LineMethod.COMPUTED
    row = BudgetLine(
        budget=budget,
        position=position,
        kind=line.kind,
        code=line.code,
        name=line.name,
        method=method,
        amount=line.amount,
        entered_amount=source.amount if source and method == LineMethod.AMOUNT else None,
        base=source.base if source and method == LineMethod.GROWTH else None,
        rate=source.rate if source and method in (LineMethod.GROWTH, LineMethod.SHARE) else None,
        per_capita=source.per_capita if source and method == LineMethod.PER_CAPITA else None,
        count=source.count if source and method == LineMethod.PER_CAPITA else None,
    )
    row.full_clean(exclude=["budget"])
    return row


def _phasing_rows(
    budget: Budget, categories: Sequence[BudgetLine], entered: Mapping[str, Sequence[Decimal]]
) -> list[BudgetPhasing]:
    weights = [Decimal(w) for w in budget.phasing_weights] or None
    rows = []
    for line in categories:
        months = domain.phase_months(
            line.amount,
            budget.phasing_method,
            weights=weights,
            entered=entered.get(line.code),
            name=line.name,
        )
        rows.extend(
            BudgetPhasing(line=line, month=month, amount=amount)
            for month, amount in enumerate(months, start=1)
        )
    return rows


@transaction.atomic
def budget_lines_set(
    *,
    actor,
    budget: Budget,
    income: domain.LineInput,
    carve_outs: Sequence[domain.LineInput],
    categories: Sequence[domain.LineInput],
    risk_reserve_rate: Decimal | None = None,
    settlement_share: Decimal | None = None,
    phasing_method: str = PhasingMethod.EQUAL,
    phasing_weights: Sequence[Decimal] = (),
    phasing_entered: Mapping[str, Sequence[Decimal]] | None = None,
) -> domain.Derivation:
    """Replace a draft's lines with the derivation of these inputs, and phase each category into months.

    Raises ``ValidationError`` whose ``code`` is the offending line's code when the domain names one.
    """
    budget = locked_in(budget, BudgetStatus.DRAFT, ERR_NOT_DRAFT)
    before = _state(budget)
    budget.risk_reserve_rate = (
        budget.risk_reserve_rate if risk_reserve_rate is None else risk_reserve_rate
    )
    budget.settlement_share = (
        budget.settlement_share if settlement_share is None else settlement_share
    )
    budget.phasing_method = phasing_method
    budget.phasing_weights = (
        [str(w) for w in phasing_weights] if phasing_method == PhasingMethod.PATTERN else []
    )
    budget.full_clean()
    inputs = domain.BudgetInput(
        income=replace(income, code=domain.INCOME_CODE),
        carve_outs=tuple(carve_outs),
        categories=tuple(categories),
        reserve_rate=budget.risk_reserve_rate,
    )
    try:
        derivation = domain.derive_budget(inputs)
        budget.lines.all().delete()
        lines = BudgetLine.objects.bulk_create(
            [_line_row(budget, i, line) for i, line in enumerate(derivation.lines, start=1)]
        )
        categories_saved = [line for line in lines if line.kind == LineKind.CATEGORY]
        BudgetPhasing.objects.bulk_create(
            _phasing_rows(budget, categories_saved, phasing_entered or {})
        )
    except domain.BudgetError as error:
        raise ValidationError(error.message, code=error.line_code or "budget") from error
    budget.save(
        update_fields=["risk_reserve_rate", "settlement_share", "phasing_method", "phasing_weights"]
    )
    audit_record(
        actor=actor,
        action="budget_lines_set",
        instance=budget,
        before=before,
        after=_state(budget),
        message=f"点数法预算 {domain.fmt(derivation.pool)} 元",
    )
    return derivation


@transaction.atomic
def budget_submit(*, actor, budget: Budget) -> Budget:
    budget = workflow.locked(budget)
    return workflow.submit(
        FLOW,
        actor=actor,
        record=budget,
        empty="" if budget.lines.filter(kind=LineKind.POOL).exists() else ERR_NO_LINES,
    )


@transaction.atomic
def budget_return(*, actor, budget: Budget, reason: str) -> Budget:
    """Send a submitted version back to its compiler as a draft (退回), with the reason."""
    return workflow.send_back(FLOW, actor=actor, record=workflow.locked(budget), reason=reason)


@transaction.atomic
def budget_approve(*, actor, budget: Budget) -> Budget:
    """Approve a submitted version (by someone other than its submitter): it comes into force and the
    version in force before it is superseded."""
    budget = workflow.locked(budget)
    approver = workflow.approver(FLOW, actor=actor, record=budget)
    return workflow.approve(
        FLOW,
        actor=actor,
        record=budget,
        approver=approver,
        superseded=lambda previous: _actuals_carry(actor=actor, source=previous, target=budget),
    )


def _actuals_carry(*, actor, source: Budget, target: Budget) -> None:
    """The year-end actuals recorded on the superseded version carry over to the carve-out lines of the
    same code in the version coming into force, so they need not be typed again; they stay editable there."""
    recorded = {
        row.line.code: row.amount
        for row in YearEndActual.objects.filter(line__budget=source).select_related("line")
    }
    lines = target.lines.filter(
        kind=LineKind.CARVE_OUT, code__in=list(recorded), actual__isnull=True
    )
    carried = {line.code: recorded[line.code] for line in lines}
    if not carried:
        return
    YearEndActual.objects.bulk_create(
        YearEndActual(line=line, amount=carried[line.code], recorded_by=actor) for line in lines
    )
    audit_record(
        actor=actor,
        action="budget_yearend_record",
        instance=target,
        before={},
        after=carried,
        message=f"单列支出年终实际自第{source.version}版沿用",
    )


@transaction.atomic
def budget_adjust(*, actor, budget: Budget, reason: str) -> Budget:
    """Mid-year adjustment (年中调整, Jilin art. 14): a new draft version copied from the one in force."""
    budget = locked_in(budget, BudgetStatus.IN_FORCE, ERR_NOT_IN_FORCE)
    reason = workflow.reason_given(reason, ERR_REASON)
    series = Budget.objects.filter(region=budget.region_id, year=budget.year, scheme=budget.scheme)
    open_version = series.filter(status__in=BudgetStatus.open()).first()
    if open_version:
        raise ValidationError(ERR_OPEN_VERSION.format(version=open_version.version))
    adjusted = Budget(
        region=budget.region,
        year=budget.year,
        scheme=budget.scheme,
        version=series.aggregate(v=Max("version"))["v"] + 1,
        based_on=budget,
        reason=reason.strip(),
        risk_reserve_rate=budget.risk_reserve_rate,
        settlement_share=budget.settlement_share,
        phasing_method=budget.phasing_method,
        phasing_weights=budget.phasing_weights,
        created_by=actor,
    )
    adjusted.full_clean()
    adjusted.save()
    _lines_copy(budget, adjusted)
    audit_record(
        actor=actor,
        action="budget_adjust",
        instance=adjusted,
        before=_state(budget),
        after=_state(adjusted),
        message=adjusted.reason,
    )
    return adjusted


def _lines_copy(source: Budget, target: Budget) -> None:
    for line in source.lines.order_by("position").prefetch_related("phasing"):
        months = list(line.phasing.all())
        line.pk, line.budget = None, target
        line.save()
        BudgetPhasing.objects.bulk_create(
            BudgetPhasing(line=line, month=m.month, amount=m.amount) for m in months
        )


@transaction.atomic
def budget_yearend_record(*, actor, budget: Budget, actuals: Mapping[str, Decimal]) -> None:
    """Record the actual year-end spend of carve-out lines (单列支出年终实际) of the version in force."""
    budget = locked_in(budget, BudgetStatus.IN_FORCE, ERR_NOT_IN_FORCE)
    lines = {line.code: line for line in budget.lines.filter(kind=LineKind.CARVE_OUT)}
    before = {
        row.line.code: row.amount
        for row in YearEndActual.objects.filter(line__budget=budget).select_related("line")
    }
    for code, amount in actuals.items():
        if code not in lines:
            raise ValidationError(ERR_UNKNOWN_LINE.format(code=code))
        if amount < 0:
            raise ValidationError(ERR_ACTUAL_NEGATIVE.format(name=lines[code].name))
        YearEndActual.objects.update_or_create(
            line=lines[code], defaults={"amount": domain.to_fen(amount), "recorded_by": actor}
        )
    after = {**before, **{code: domain.to_fen(amount) for code, amount in actuals.items()}}
    audit_record(
        actor=actor,
        action="budget_yearend_record",
        instance=budget,
        before=before,
        after=after,
        message="录入单列支出年终实际",
    )
