"""Settlement runs: start (queue a job), execute (one transaction: freeze inputs, compute, store, supersede),
close a month or a year.

``run_start`` checks what can be checked at once and queues the run with its job; ``run_execute`` (the
job's handler) does the work in a single transaction, so a run that fails or whose worker dies leaves no
result row behind; a completed run of the same key is superseded in the same transaction that stores the
new one. A run whose job fails outside it (its worker died and the job's lease lapsed, or the broker
refused it) is failed by ``run_fail_with_job`` with the job's reason, so its period can be run again.
The arithmetic is the engine's, shaped by ``runs.domain``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from catalogs.choices import Scheme
from catalogs.models import Region
from config.lazy import pandas as pd
from jobs.services import JobRefused, job_start, job_sweep
from settlement.choices import PeriodStatus
from settlement.engine import result_hash
from settlement.engine.clearing import clear_year
from settlement.engine.fixed import EngineError
from settlement.models import SettlementPeriod
from settlement.parameters.domain import to_engine
from settlement.parameters.selectors import parameter_set_in_force
from settlement.runs import compute, domain, selectors
from settlement.runs import inputs as run_inputs
from settlement.runs.bulk import run_cases_copy
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.models import RunInstitution, SettlementRun

Progress = Callable[[int, str], None]
JOB_KIND = "settlement_run"  # registered in settlement/tasks.py

ERR_RUN_ACTIVE = "{label}已有一个正在排队或计算中的结算运行（#{pk}），请等待其完成后再运行。"
ERR_PERIOD_CLOSED = "{label}已关账，不能再运行月度预付。"
ERR_YEAR_CLOSED = "{year}年度已关账，不能再运行。"
ERR_NO_PERIODS = "{label}没有结算期间。"
ERR_NO_PARAMETERS = "{label}没有执行中的{scheme}{category}结算参数，请先审批结算参数。"
ERR_NO_BUDGET = "{year}年{scheme}没有执行中的总额预算或预算中没有细分类别“{category}”。"
ERR_NO_RESERVE = "{year}年{scheme}总额预算尚未录入单列支出的年终实际数，风险备用金结余未知，不能进行年度结算或年终清算。"
ERR_MONTHS_MISSING = "第{quarter}季度预清算需要先完成 {months} 的月度预付运行。"
ERR_NO_ANNUAL = "年终清算需要先完成{year}年度的年度结算运行。"
ERR_UNCHARGED = "{year}年有已确认的监管发现未指定计入的险种和细分类别（{ids}），为免漏扣或重复扣减，请先在监管发现页面指定后再运行年终清算。"
ERR_UNSETTLED = (
    "已确认的监管发现计入{charge}，但{names}在{year}年该类别的年度结算中没有结算行，无法扣减。"
    "请更正这些监管发现计入的险种和细分类别后再运行。"
)
ERR_CLOSE_NEEDS_RUN = "{label}还没有 {missing} 的有效月度预付运行，不能关账。"
ERR_ALREADY_CLOSED = "{label}已关账。"
ERR_YEAR_NEEDS_CLEARING = "{year}年度还没有 {missing} 的年终清算运行，不能关账。"
ERR_UNEXPECTED = "结算运行意外中止：{error}。请联系系统管理员。"
MSG_NO_ASSESSMENT = "没有已批准的年度考核结果：保证金按考核得分 100 分全额返还。"
MSG_PARTLY_SKIPPED = "部分同意的特例单议 {ids} 未给出核定点数，本次未执行。"


class RunFailed(Exception):
    """The run could not be computed; the message says why, in Chinese."""


def _no_progress(percent: int, message: str = "") -> None:
    return None


def _scheme_label(scheme: str) -> str:
    return Scheme(scheme).label


# --- start ----------------------------------------------------------------------------------------


def run_start(
    *,
    actor,
    region: Region,
    year: int,
    scheme: str,
    category: str,
    run_type: str,
    number: int = 0,
    dispatch: bool = True,
) -> SettlementRun:
    """Queue a run of a period (refused at once when the period is closed, its inputs are missing, or a run
    of the same period is already queued or running) and start its job after commit."""
    run_type = RunType(run_type)
    number = number if run_type in (RunType.MONTHLY, RunType.QUARTERLY) else 0
    category = category.upper()
    label = run_type.period_label(year, number)
    job_sweep()  # a run whose worker died (its job's lease lapsed) fails here and no longer blocks the period
    parameter_set = _check_startable(
        region=region, year=year, scheme=scheme, category=category, run_type=run_type, number=number
    )
    try:
        with transaction.atomic():
            run = SettlementRun.objects.create(
                region=region,
                year=year,
                scheme=scheme,
                category=category,
                kind=parameter_set.kind,
                run_type=run_type,
                number=number,
                started_by=_user(actor),
            )
            job = job_start(
                actor=actor,
                kind=JOB_KIND,
                key=f"settlement_run:{run.pk}",
                params={"run_id": run.pk},
                dispatch=dispatch,
            )
            run.job = job
            run.save(update_fields=["job"])
            audit_record(
                actor=actor,
                action="run_start",
                instance=run,
                after={
                    "period": label,
                    "scheme": scheme,
                    "category": category,
                    "run_type": run_type.value,
                    "job": job.pk,
                },
            )
    except IntegrityError:
        active = SettlementRun.objects.filter(
            region=region,
            year=year,
            scheme=scheme,
            category=category,
            run_type=run_type,
            number=number,
            status__in=RunStatus.active(),
        ).first()
        raise ValidationError(
            ERR_RUN_ACTIVE.format(label=label, pk=active.pk if active else "?")
        ) from None
    except JobRefused as refused:
        raise ValidationError(str(refused)) from None
    return run


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_startable(*, region, year, scheme, category, run_type: RunType, number: int):
    label = run_type.period_label(year, number)
    periods = selectors.periods_of(region=region, year=year, months=run_type.months(number))
    if not periods:
        raise ValidationError(ERR_NO_PERIODS.format(label=label))
    if selectors.year_closed(region, year):
        raise ValidationError(ERR_YEAR_CLOSED.format(year=year))
    if run_type == RunType.MONTHLY and not periods[0].is_open:
        raise ValidationError(ERR_PERIOD_CLOSED.format(label=label))
    parameter_set = parameter_set_in_force(
        region=region,
        year=year,
        scheme=scheme,
        category=category,
        on=run_type.period_end(year, number),
    )
    if parameter_set is None:
        raise ValidationError(
            ERR_NO_PARAMETERS.format(label=label, scheme=_scheme_label(scheme), category=category)
        )
    return parameter_set


# --- execute --------------------------------------------------------------------------------------


def run_execute(*, run_id: int, progress: Progress | None = None) -> dict:
    """Compute a queued run and store its results in one transaction; returns the run's summary.

    Idempotent: a run that is not queued is left as it is — completed, superseded or failed, or running
    under a live job (a run whose worker died fails with that job's lease, it is not taken again)."""
    report = progress or _no_progress
    if not SettlementRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING
    ):
        return SettlementRun.objects.get(pk=run_id).summary
    try:
        with transaction.atomic():
            run = SettlementRun.objects.select_for_update().get(pk=run_id)
            return _execute(run, report)
    except (
        Exception
    ) as error:  # any failure is the run's: recorded, so the period is not left blocked
        message = (
            "；".join(error.messages)
            if isinstance(error, ValidationError)
            else str(error)
            if isinstance(error, (EngineError, ValueError))
            else ERR_UNEXPECTED.format(error=repr(error)[:300])
        )
        with transaction.atomic():
            _run_fail(run_id=run_id, message=message)
        raise RunFailed(message) from error


def _run_fail(*, run_id: int, message: str) -> None:
    """Record a queued or running run as failed, in the caller's transaction; a finished one is left alone."""
    active = SettlementRun.objects.filter(pk=run_id, status__in=RunStatus.active())
    if active.update(status=RunStatus.FAILED, error=message, finished_at=timezone.now()):
        audit_record(
            actor=None,
            action="run_fail",
            object_type="settlement.settlementrun",
            object_id=str(run_id),
            after={"error": message},
            message=f"结算运行 #{run_id} 失败：{message}",
        )


def run_fail_with_job(*, job, reason: str) -> None:
    """The job of a run failed (``on_fail`` of the job kind, in the job's transaction): the run fails too.

    The run's row is locked without waiting: a run still locked by a live transaction is being computed
    (its worker is alive after all), so the lock error leaves both the job and the run for a later sweep."""
    run_id = job.params.get("run_id")
    if (
        SettlementRun.objects.select_for_update(nowait=True)
        .filter(pk=run_id, status__in=RunStatus.active())
        .first()
    ):
        _run_fail(run_id=run_id, message=reason)


def _execute(run: SettlementRun, report: Progress) -> dict:
    started = time.perf_counter()
    run_type = RunType(run.run_type)
    label = run.period_label
    if selectors.year_closed(run.region, run.year):
        raise ValidationError(ERR_YEAR_CLOSED.format(year=run.year))
    parameter_set = parameter_set_in_force(
        region=run.region,
        year=run.year,
        scheme=run.scheme,
        category=run.category,
        on=run.period_end,
    )
    if parameter_set is None:
        raise ValidationError(
            ERR_NO_PARAMETERS.format(
                label=label, scheme=_scheme_label(run.scheme), category=run.category
            )
        )
    params = to_engine(parameter_set.values, parameter_set.kind)
    pools = selectors.category_pools(
        region=run.region, year=run.year, scheme=run.scheme, category=run.category
    )
    if pools is None:
        raise ValidationError(
            ERR_NO_BUDGET.format(
                year=run.year, scheme=_scheme_label(run.scheme), category=run.category
            )
        )
    if run_type in (RunType.ANNUAL, RunType.CLEARING) and pools.reserve_share is None:
        raise ValidationError(
            ERR_NO_RESERVE.format(year=run.year, scheme=_scheme_label(run.scheme))
        )
    run.parameter_set, run.budget = parameter_set, pools.budget
    inputs: dict = {
        "parameter_set": parameter_set.pk,
        "ratio_rounding": parameter_set.values["ratio_rounding"],
        "budget": pools.budget.pk,
        "warnings": [],
    }
    report(5, "正在读取输入")
    if run_type == RunType.CLEARING:
        result = _clearing(run, params, pools, inputs)
    else:
        result = _points_run(run, run_type, params, pools, inputs, report)
    report(85, "正在写入机构结果")
    RunInstitution.objects.bulk_create(result.rows)
    previous = selectors.run_current(
        region=run.region,
        year=run.year,
        scheme=run.scheme,
        category=run.category,
        run_type=run.run_type,
        number=run.number,
    )
    changes = _supersede(run, previous)
    run.inputs = inputs
    run.input_hash = domain.input_hash(
        {**inputs, "case_hash": run.case_hash, "run_type": run.run_type, "number": run.number}
    )
    run.result_hash = result.hash
    run.summary = {
        **result.summary,
        "changes": changes,
        "seconds": round(time.perf_counter() - started, 2),
    }
    run.status, run.finished_at = RunStatus.COMPLETED, timezone.now()
    run.save()
    run_inputs.decisions_mark_applied(run, inputs.get("decisions", []))
    audit_record(
        actor=run.started_by or "结算运行",
        action="run_complete",
        instance=run,
        after={
            "point_value": str(run.point_value),
            "total": str(run.total),
            "result_hash": run.result_hash,
            "input_hash": run.input_hash,
            "supersedes": previous.pk if previous else None,
            "changes": len(changes),
        },
        message=f"结算运行 {run} 完成",
    )
    report(100, "结算运行完成")
    return run.summary


class _Result:
    def __init__(self, rows: list[RunInstitution], hash_: str, summary: dict) -> None:
        self.rows, self.hash, self.summary = rows, hash_, summary


def _points_run(
    run: SettlementRun,
    run_type: RunType,
    params,
    pools: selectors.Pools,
    inputs: dict,
    report: Progress,
) -> _Result:
    paid = _advances_paid(run) if run_type == RunType.QUARTERLY else None
    result = compute.points_compute(
        run=run, run_type=run_type, params=params, pools=pools, advances_paid=paid, report=report
    )
    run.catalog_version, run.coefficient_table = result.version, result.table
    _freeze_institutions(run, result.institutions, inputs)
    run.case_count, run.case_hash = len(result.cases), domain.case_set_hash(result.cases)
    run.pool, run.total, run.points_total, run.point_value = (
        result.pool,
        result.total,
        result.points_total,
        result.pv,
    )
    inputs.update(
        catalog_version=result.version.pk,
        coefficient_table=result.table.pk if result.table else None,
        case_count=len(result.cases),
        decisions=[d.item_id for d in result.decisions],
        months=result.months,
        pool=str(result.pool),
        **({"reserve_share": str(pools.reserve_share)} if run_type == RunType.ANNUAL else {}),
    )
    if result.skipped:
        inputs["warnings"].append(
            MSG_PARTLY_SKIPPED.format(ids="、".join(f"#{i}" for i in result.skipped))
        )
    rows = result.rows
    report(60, f"正在写入 {len(rows)} 条病例结果")
    run_cases_copy(rows, run_id=run.pk)
    breakdowns = domain.breakdowns(rows, result.grouped["group_type"])
    members = _members(result.institutions.leads)
    institution_rows = [
        _institution_row(run, record, breakdowns, members)
        for record in result.settled.to_dict("records")
    ]
    hashed = domain.combined_hash(
        result_hash(result.settled.astype(str)), result_hash(rows[list(domain.HASHED_CASE_COLUMNS)])
    )
    summary = {
        "cases": len(rows),
        "institutions": len(institution_rows),
        "pool": str(result.pool),
        "deviations": {str(k): int(v) for k, v in rows["deviation"].value_counts().items()},
        "needs_review": int(rows["needs_review"].sum()),
        "special_cases": len(result.decisions),
        "ungroupable": int((rows["deviation"] == domain.UNGROUPABLE).sum()),
    }
    return _Result(institution_rows, hashed, summary)


def _freeze_institutions(
    run: SettlementRun, institutions: selectors.RegionInstitutions, inputs: dict
) -> None:
    """Store the institution states the run used (机构状态); their fingerprint joins the input hash."""
    run.institution_states = institutions.as_json()
    inputs["institution_states"] = domain.input_hash(run.institution_states)


def _advances_paid(run: SettlementRun) -> dict[str, Decimal]:
    """Per institution (id as text), what the quarter's monthly runs paid; each month must have its current run."""
    months = RunType.QUARTERLY.months(run.number)
    current = selectors.current_runs(
        region=run.region,
        year=run.year,
        scheme=run.scheme,
        category=run.category,
        run_type=RunType.MONTHLY,
    )
    missing = [m for m in months if m not in current]
    if missing:
        raise ValidationError(
            ERR_MONTHS_MISSING.format(
                quarter=run.number, months="、".join(f"{m}月" for m in missing)
            )
        )
    paid: dict[str, Decimal] = {}
    for month in months:
        for institution, payment in selectors.institution_frame(
            current[month], ["payment"]
        ).itertuples(index=False):
            paid[institution] = paid.get(institution, Decimal("0.00")) + payment
    return paid


def _members(leads: dict[int, int]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {}
    for member, lead in sorted(leads.items()):
        members.setdefault(lead, []).append(member)
    return members


ROW_FIELDS = (
    "cases",
    "points",
    "medfee",
    "fund",
    "psn_part",
    "settlement",
    "fund_due",
    "advance",
    "advances_paid",
    "deposit",
    "payment",
    "actual",
    "ratio",
    "band",
    "payable",
    "compensation",
    "violations",
    "assessment_score",
    "deposit_deduction",
    "revolving_fund",
    "paid_before",
    "final",
    "review",
)


def _institution_row(
    run: SettlementRun, record: dict, breakdowns: dict, members: dict
) -> RunInstitution:
    institution_id = int(record["institution"])
    values = {
        name: record[name] for name in ROW_FIELDS if name in record and record[name] is not None
    }
    return RunInstitution(
        run=run,
        institution_id=institution_id,
        breakdown=breakdowns.get(institution_id, {}),
        members=members.get(institution_id, []),
        **values,
    )


def _clearing(run: SettlementRun, params, pools: selectors.Pools, inputs: dict) -> _Result:
    """年终清算 from the current annual run: tiers, adjustment fund, deductions, what was paid during the year."""
    annual = selectors.run_current(
        region=run.region,
        year=run.year,
        scheme=run.scheme,
        category=run.category,
        run_type=RunType.ANNUAL,
    )
    if annual is None:
        raise ValidationError(ERR_NO_ANNUAL.format(year=run.year))
    due = selectors.institution_frame(
        annual, ["cases", "points", "medfee", "fund", "psn_part", "settlement", "fund_due"]
    )
    paid = _year_paid(run)
    institutions = selectors.frozen_institutions(annual) or selectors.region_institutions(
        run.region, annual.period_end
    )
    _freeze_institutions(run, institutions, inputs)
    violations, finding_ids = _deductions(run)
    scores = run_inputs.assessment_scores(region=run.region, year=run.year)
    revolving = selectors.revolving_funds(
        region=run.region, year=run.year, scheme=run.scheme, category=run.category
    )
    booked = lambda values: _booked_sums(values, institutions.leads)  # noqa: E731
    violations, revolving = booked(violations), booked(revolving)
    _refuse_unsettled(run, violations, set(due["institution"]))
    frame = due.merge(paid, on="institution", how="left")
    frame = frame.assign(
        actual=frame["fund"],
        deposit=frame["deposit"].map(_or_zero),
        paid_before=frame["paid_before"].map(_or_zero),
        violations=[violations.get(i, Decimal("0.00")) for i in frame["institution"]],
        assessment_score=[(scores or {}).get(int(i), Decimal(100)) for i in frame["institution"]],
        revolving_fund=[revolving.get(i, Decimal("0.00")) for i in frame["institution"]],
    )
    cleared = clear_year(frame, params, adjustment_fund=pools.adjustment_fund)
    if scores is None:
        inputs["warnings"].append(MSG_NO_ASSESSMENT)
    inputs.update(
        base_run=annual.pk,
        findings=finding_ids,
        adjustment_fund=str(pools.adjustment_fund),
        assessment=scores is not None,
        case_hash=annual.case_hash,
    )
    run.base_run, run.catalog_version, run.coefficient_table = (
        annual,
        annual.catalog_version,
        annual.coefficient_table,
    )
    run.case_count, run.case_hash = annual.case_count, annual.case_hash
    run.pool, run.total, run.points_total, run.point_value = (
        annual.pool,
        annual.total,
        annual.points_total,
        annual.point_value,
    )
    result = cleared.institutions
    members = _members(institutions.leads)
    rows = [_institution_row(run, record, {}, members) for record in result.to_dict("records")]
    summary = {
        "institutions": len(rows),
        "adjustment_fund_used": str(cleared.adjustment_fund_used),
        "adjustment_fund_left": str(cleared.adjustment_fund_left),
        "final": str(sum(result["final"], Decimal("0.00"))),
        "payment": str(sum(result["payment"], Decimal("0.00"))),
        "violations": str(sum(result["violations"], Decimal("0.00"))),
        "review": int(sum(result["review"])),
    }
    return _Result(rows, result_hash(result.astype(str)), summary)


def _deductions(run: SettlementRun) -> tuple[dict[int, Decimal], list[int]]:
    """The findings this clearing deducts; refused while any confirmed deduction of the year names no charge."""
    if uncharged := run_inputs.uncharged_deductions(region=run.region, year=run.year):
        raise ValidationError(
            ERR_UNCHARGED.format(year=run.year, ids="、".join(f"#{pk}" for pk in uncharged))
        )
    return run_inputs.confirmed_deductions(
        region=run.region, year=run.year, scheme=run.scheme, category=run.category
    )


def _refuse_unsettled(
    run: SettlementRun, violations: dict[str, Decimal], settled: set[str]
) -> None:
    """A deduction charged here to an institution without a row in the annual run would be lost: refused."""
    missing = sorted(
        int(key) for key, amount in violations.items() if amount and key not in settled
    )
    if missing:
        names = selectors.institution_names(missing)
        raise ValidationError(
            ERR_UNSETTLED.format(
                charge=f"{_scheme_label(run.scheme)} {run.category}",
                year=run.year,
                names="、".join(names[pk] for pk in missing),
            )
        )


def _or_zero(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal("0.00")


def _booked_sums(values: dict[int, Decimal], leads: dict[int, int]) -> dict[str, Decimal]:
    """Per-institution amounts booked to the institution that is settled (a consortium member's to its lead)."""
    booked: dict[str, Decimal] = {}
    for institution, amount in values.items():
        key = str(leads.get(institution, institution))
        booked[key] = booked.get(key, Decimal("0.00")) + amount
    return booked


def _year_paid(run: SettlementRun) -> pd.DataFrame:
    key = {"region": run.region, "year": run.year, "scheme": run.scheme, "category": run.category}
    months = {
        m: selectors.institution_frame(r, ["deposit", "payment"]).rename(
            columns={"payment": "paid"}
        )
        for m, r in selectors.current_runs(**key, run_type=RunType.MONTHLY).items()
    }
    quarters = {
        q: selectors.institution_frame(r, ["deposit", "payment"])
        for q, r in selectors.current_runs(**key, run_type=RunType.QUARTERLY).items()
    }
    for frame in [*months.values(), *quarters.values()]:
        frame["deposit"] = frame["deposit"].map(_or_zero)
    return domain.year_paid(months, quarters)


def _supersede(run: SettlementRun, previous: SettlementRun | None) -> list[dict]:
    """Mark the earlier run of the period superseded; the per-institution change of the key amount."""
    if previous is None:
        return []
    field = (
        "final"
        if run.run_type == RunType.CLEARING
        else "fund_due"
        if run.run_type == RunType.ANNUAL
        else "payment"
    )
    before = dict(previous.institutions.values_list("institution_id", field))
    after = dict(run.institutions.values_list("institution_id", field))
    previous.status = RunStatus.SUPERSEDED
    previous.save(update_fields=["status"])
    run.supersedes = previous
    audit_record(
        actor=run.started_by or "结算运行",
        action="run_supersede",
        instance=previous,
        before={"status": RunStatus.COMPLETED},
        after={"status": RunStatus.SUPERSEDED, "superseded_by": run.pk},
    )
    changes = domain.run_changes(before, after)
    labels = selectors.institution_labels([c.institution_id for c in changes])
    return [
        {
            "institution": c.institution_id,
            **labels[c.institution_id],
            "field": field,
            "before": str(c.before) if c.before is not None else None,
            "after": str(c.after) if c.after is not None else None,
            "difference": str(c.difference),
        }
        for c in changes
    ]


# --- closing --------------------------------------------------------------------------------------


@transaction.atomic
def period_close(*, actor, period: SettlementPeriod) -> SettlementPeriod:
    """关账: a month is closed once every scheme × category with cases in it has a current monthly run;
    its cases are locked from then on (intake refuses corrections) and its monthly run cannot be redone."""
    period = SettlementPeriod.objects.select_for_update().get(pk=period.pk)
    label = RunType.MONTHLY.period_label(period.year, period.month)
    if not period.is_open:
        raise ValidationError(ERR_ALREADY_CLOSED.format(label=label))
    missing = [
        f"{_scheme_label(s)}{c}"
        for s, c in _categories_with_cases(period)
        if selectors.run_current(
            region=period.region,
            year=period.year,
            scheme=s,
            category=c,
            run_type=RunType.MONTHLY,
            number=period.month,
        )
        is None
    ]
    if missing:
        raise ValidationError(ERR_CLOSE_NEEDS_RUN.format(label=label, missing="、".join(missing)))
    period.status, period.closed_at, period.closed_by = (
        PeriodStatus.CLOSED,
        timezone.now(),
        _user(actor),
    )
    period.save(update_fields=["status", "closed_at", "closed_by"])
    audit_record(
        actor=actor,
        action="period_close",
        instance=period,
        before={"status": PeriodStatus.OPEN},
        after={"status": PeriodStatus.CLOSED},
        message=f"{label}关账",
    )
    return period


def _categories_with_cases(period: SettlementPeriod) -> list[tuple[str, str]]:
    """(scheme, category) pairs the month has cases of, by the parameter sets of the year."""
    from settlement.grouping.selectors import period_cases
    from settlement.parameters.models import ParameterSet

    sets = (
        ParameterSet.objects.filter(region=period.region, year=period.year)
        .values_list("scheme", "category", "kind")
        .distinct()
    )
    return sorted(
        {
            (scheme, category)
            for scheme, category, kind in sets
            if period_cases(periods=[period], kind=kind, scheme=scheme).exists()
        }
    )


@transaction.atomic
def year_close(*, actor, region: Region, year: int) -> int:
    """Close the year after its clearing: every scheme × category with cases needs a current clearing run;
    the months still open are closed. Returns the number of months closed."""
    periods = list(SettlementPeriod.objects.select_for_update().filter(region=region, year=year))
    pairs = sorted({pair for period in periods for pair in _categories_with_cases(period)})
    missing = [
        f"{_scheme_label(s)}{c}"
        for s, c in pairs
        if selectors.run_current(
            region=region, year=year, scheme=s, category=c, run_type=RunType.CLEARING
        )
        is None
    ]
    if missing or not pairs:
        raise ValidationError(
            ERR_YEAR_NEEDS_CLEARING.format(year=year, missing="、".join(missing) or "任何细分类别")
        )
    now, closed = timezone.now(), [p for p in periods if p.is_open]
    for period in closed:
        period.status, period.closed_at, period.closed_by = PeriodStatus.CLOSED, now, _user(actor)
    SettlementPeriod.objects.bulk_update(closed, ["status", "closed_at", "closed_by"])
    audit_record(
        actor=actor,
        action="year_close",
        instance=region,
        after={"year": year, "months_closed": [p.month for p in closed]},
        message=f"{region.name}{year}年度关账",
    )
    return len(closed)
