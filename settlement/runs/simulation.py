"""What-if simulation (模拟测算) and the year-end point-value forecast (年终点值预测) — no effect on official results.

A simulation recomputes a stored points run (monthly, quarterly, annual) with a changed pool, reserve share,
deviation thresholds or institution coefficients, writes nothing, and compares each institution with the
official run. It runs as a job (``settlement_simulate``); the comparison is the job's summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from catalogs.models import Institution
from settlement.engine.fixed import EngineError
from settlement.engine.forecast import Forecast, forecast_point_value
from settlement.engine.point_value import category_total
from settlement.parameters.domain import to_engine
from settlement.runs import compute, selectors
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.models import SettlementRun

JOB_KIND = "settlement_simulate"  # registered in settlement/tasks.py
THRESHOLDS = ("low_ratio", "high_ratio", "extreme_ratio")
# What each kind of run is compared on: a month's advance follows the fund booked, not the point value,
# so a month is compared on its settlement amount; a quarter on its payment; the year on the fund due.
MEASURES = {RunType.MONTHLY: "settlement", RunType.QUARTERLY: "payment", RunType.ANNUAL: "fund_due"}
MEASURE_LABELS = {"settlement": "结算金额", "payment": "本期应拨付", "fund_due": "基金应付"}
ZERO = Decimal("0.00")

ERR_NOT_SIMULABLE = "只能对有效的月度、季度或年度结算运行进行模拟测算。"
ERR_RESERVE_ANNUAL = "风险备用金结余只在年度结算中计入点值。"
ERR_COEFFICIENT_LINE = "第 {line} 行应为“机构编码=系数”，如 H37080200001=1.05。"
ERR_UNKNOWN_INSTITUTION = "机构编码 {codes} 不在本统筹区。"


@dataclass(frozen=True)
class Scenario:
    """The changes of a simulation; None keeps the official value."""

    pool: Decimal | None = None
    reserve_share: Decimal | None = None
    thresholds: dict[str, Decimal] = field(default_factory=dict)
    coefficients: dict[str, Decimal] = field(default_factory=dict)  # institution code → coefficient

    def as_params(self) -> dict:
        return {
            "pool": _text(self.pool),
            "reserve_share": _text(self.reserve_share),
            "thresholds": {k: str(v) for k, v in self.thresholds.items()},
            "coefficients": {k: str(v) for k, v in self.coefficients.items()},
        }

    @classmethod
    def from_params(cls, params: dict) -> Scenario:
        number = lambda v: None if v in (None, "") else Decimal(v)  # noqa: E731
        return cls(
            pool=number(params.get("pool")),
            reserve_share=number(params.get("reserve_share")),
            thresholds={k: Decimal(v) for k, v in params.get("thresholds", {}).items()},
            coefficients={k: Decimal(v) for k, v in params.get("coefficients", {}).items()},
        )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def coefficients_parse(text: str) -> dict[str, Decimal]:
    """``机构编码=系数`` lines (blank lines ignored) → {code: coefficient}; every bad line reported."""
    parsed, errors = {}, []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, _, value = line.partition("=")
        try:
            coefficient = Decimal(value.strip())
            if not code.strip() or coefficient < 0 or coefficient.as_tuple().exponent < -4:
                raise InvalidOperation
        except InvalidOperation:
            errors.append(ERR_COEFFICIENT_LINE.format(line=number))
            continue
        parsed[code.strip().upper()] = coefficient
    if errors:
        raise ValidationError(errors)
    return parsed


def run_simulate(*, run: SettlementRun, scenario: Scenario, progress=None) -> dict:
    """The run recomputed under the scenario, institution by institution against the official figures."""
    report = progress or (lambda percent, message="": None)
    run_type = RunType(run.run_type)
    if run.status != RunStatus.COMPLETED or run_type == RunType.CLEARING:
        raise ValidationError(ERR_NOT_SIMULABLE)
    if scenario.reserve_share is not None and run_type != RunType.ANNUAL:
        raise ValidationError(ERR_RESERVE_ANNUAL)
    values = {**run.parameter_set.values, **{k: str(v) for k, v in scenario.thresholds.items()}}
    try:
        params = to_engine(values, run.parameter_set.kind)
    except EngineError as error:
        raise ValidationError(str(error)) from None
    pools = selectors.category_pools(
        region=run.region, year=run.year, scheme=run.scheme, category=run.category
    )
    official = {str(i): row for i, row in ((r.institution_id, r) for r in run.institutions.all())}
    pool = _pool(run, run_type, pools, scenario)
    result = compute.points_compute(
        run=run,
        run_type=run_type,
        params=params,
        pools=pools,
        pool=pool,
        report=report,
        advances_paid={i: r.advances_paid or ZERO for i, r in official.items()},
        coefficients=_coefficients(run, scenario.coefficients),
        institutions=selectors.frozen_institutions(run),
    )
    names = dict(
        Institution.objects.filter(
            pk__in=[int(i) for i in result.settled["institution"]]
        ).values_list("pk", "name")
    )
    key = MEASURES[run_type]
    rows = []
    for record in result.settled.to_dict("records"):
        before = official.get(record["institution"])
        rows.append(
            {
                "institution": int(record["institution"]),
                "name": names.get(int(record["institution"]), ""),
                "points_before": str(before.points) if before else None,
                "points_after": str(record["points"]),
                "before": str(getattr(before, key))
                if before and getattr(before, key) is not None
                else None,
                "after": str(record[key]) if record.get(key) is not None else None,
            }
        )
    for row in rows:
        row["difference"] = str(Decimal(row["after"] or 0) - Decimal(row["before"] or 0))
    report(100, "模拟测算完成")
    return {
        "run": run.pk,
        "scenario": scenario.as_params(),
        "measure": key,
        "point_value_before": str(run.point_value),
        "point_value_after": str(result.pv),
        "pool_before": str(run.pool),
        "pool_after": str(result.pool),
        "institutions": rows,
        "deviations": {str(k): int(v) for k, v in result.rows["deviation"].value_counts().items()},
    }


def _pool(
    run: SettlementRun, run_type: RunType, pools: selectors.Pools, scenario: Scenario
) -> Decimal | None:
    if run_type != RunType.ANNUAL:
        return scenario.pool
    if scenario.pool is None and scenario.reserve_share is None:
        return None
    return (scenario.pool if scenario.pool is not None else pools.annual) + (
        scenario.reserve_share if scenario.reserve_share is not None else pools.reserve_share
    )


def _coefficients(run: SettlementRun, by_code: dict[str, Decimal]) -> dict[int, Decimal]:
    ids = dict(
        Institution.objects.filter(region=run.region, code__in=list(by_code)).values_list(
            "code", "pk"
        )
    )
    unknown = sorted(set(by_code) - set(ids))
    if unknown:
        raise ValidationError(ERR_UNKNOWN_INSTITUTION.format(codes="、".join(unknown)))
    return {ids[code]: value for code, value in by_code.items()}


# --- forecast -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastView:
    months: list[
        Decimal
    ]  # points of the months settled so far (current monthly runs, from January)
    point_values: list[Decimal | None]  # the monthly runs' point values
    forecast: Forecast | None
    basis: str  # where the prior years' pattern came from
    error: str = ""


def point_value_forecast(*, region, year: int, scheme: str, category: str) -> ForecastView:
    """The year-end PV forecast from this year's monthly runs and prior years' monthly pattern (their
    monthly runs when all twelve exist, else their cases' monthly total cost of the category)."""
    runs = selectors.current_runs(
        region=region, year=year, scheme=scheme, category=category, run_type=RunType.MONTHLY
    )
    months = []
    for month in range(1, 13):
        if month not in runs:
            break
        months.append(runs[month])
    points, values = [r.points_total for r in months], [r.point_value for r in months]
    prior, basis = selectors.prior_year_patterns(
        region=region,
        year=year,
        scheme=scheme,
        category=category,
        kind=months[0].kind if months else category,
    )
    pools = selectors.category_pools(region=region, year=year, scheme=scheme, category=category)
    if not months or pools is None:
        return ForecastView(
            points,
            values,
            None,
            basis,
            "尚无本年度月度预付运行。" if not months else "没有执行中的预算。",
        )
    cost_pool = category_total(
        pools.annual, basis=_basis(months[-1]), **selectors.runs_money(months)
    )
    try:
        forecast = forecast_point_value(
            cost_pool=cost_pool, months_to_date=points, prior_years=prior
        )
    except EngineError as error:
        return ForecastView(points, values, None, basis, str(error))
    return ForecastView(points, values, forecast, basis)


def point_value_trend_forecast(*, region, year: int, scheme: str, category: str) -> list[dict]:
    """点值走势 with the forecast: ``selectors.point_value_trend_settled`` (each current monthly run's point value,
    then the year's once settled) and, while the year is still running, the forecast year-end value
    with its range (a row marked ``forecast``)."""
    rows, settled = selectors.point_value_trend_settled(
        region=region, year=year, scheme=scheme, category=category
    )
    if settled or not rows:
        return rows
    forecast = point_value_forecast(
        region=region, year=year, scheme=scheme, category=category
    ).forecast
    if forecast is not None:
        rows.append(
            {
                "label": "年终预测",
                "point_value": forecast.point_value,
                "low": forecast.point_value_low,
                "high": forecast.point_value_high,
                "forecast": True,
            }
        )
    return rows


def _basis(run: SettlementRun):
    return to_engine(run.parameter_set.values, run.parameter_set.kind).basis
