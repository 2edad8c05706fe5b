"""The computation of a points run (monthly, quarterly, annual) without writing anything.

``points_compute`` reads the period's cases and the catalog, coefficients and decisions in force, groups
the cases, computes their points and the institution amounts. The run (``services.run_execute``) stores
what it returns; the what-if simulation (``simulation``) computes it again with changed parameters, pool
or coefficients and compares it with the stored run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError

from catalogs.choices import Scheme
from catalogs.coefficients.models import CoefficientTable
from catalogs.versions.models import CatalogVersion
from config.lazy import pandas as pd
from settlement.engine.amounts import (
    annual_settlement,
    monthly_advance,
    quarterly_presettlement,
    settlement_amounts,
)
from settlement.engine.params import SettlementParams
from settlement.engine.point_value import category_total, institution_totals, point_value
from settlement.engine.points import case_points
from settlement.grouping import domain as grouping_domain
from settlement.grouping.selectors import catalog_version_in_force, grouping_catalog
from settlement.runs import domain, inputs, selectors
from settlement.runs.choices import RunType

ZERO = Decimal("0.00")
ERR_NO_CATALOG = "{year}年没有已发布的{kind}目录，无法计算点数。"
ERR_NO_CASES = "{label}没有{scheme}{category}结算清单，无需运行。"
ERR_NO_BASE_MEAN = (
    "目录版本缺少全部病例次均费用（测算结果摘要 base_mean），不能把特例病例折算为点数。"
)


@dataclass(frozen=True)
class PointsComputation:
    version: CatalogVersion
    table: CoefficientTable | None
    months: list[int]
    cases: pd.DataFrame
    grouped: pd.DataFrame
    rows: pd.DataFrame  # domain.run_case_rows
    settled: (
        pd.DataFrame
    )  # one row per booked institution (id as text), the engine's amount columns
    institutions: selectors.RegionInstitutions
    decisions: list[domain.Decision]
    skipped: list[int]
    pool: Decimal
    total: Decimal
    points_total: Decimal
    pv: Decimal | None


def points_compute(
    *,
    run,
    run_type: RunType,
    params: SettlementParams,
    pools: selectors.Pools,
    advances_paid: Mapping[str, Decimal] | None = None,
    pool: Decimal | None = None,
    coefficients: Mapping[int, Decimal] | None = None,
    report: Callable[[int, str], None],
    institutions: selectors.RegionInstitutions | None = None,
) -> PointsComputation:
    """The run's points and amounts; ``pool`` and ``coefficients`` replace the budget's and the table's (what-if).
    ``institutions``: the states to use (a stored run's frozen ones), else those in force on the period's last day."""
    version = catalog_version_in_force(region=run.region, kind=run.kind, year=run.year)
    if version is None:
        raise ValidationError(ERR_NO_CATALOG.format(year=run.year, kind=run.kind))
    periods = selectors.periods_of(
        region=run.region, year=run.year, months=run_type.months(run.number)
    )
    catalog = grouping_catalog(version)
    cases = selectors.run_case_frame(
        periods=periods,
        kind=run.kind,
        scheme=run.scheme,
        columns=grouping_domain.case_columns(catalog),
    )
    if cases.empty:
        raise ValidationError(
            ERR_NO_CASES.format(
                label=run.period_label, scheme=Scheme(run.scheme).label, category=run.category
            )
        )
    table, in_force = selectors.coefficients_in_force(region=run.region, year=run.year)
    decisions, skipped = inputs.special_decisions(periods=periods)
    decisions = domain.applied_decisions(decisions, cases["id"])
    base_mean = selectors.catalog_base_mean(version)
    if decisions and not base_mean:
        raise ValidationError(ERR_NO_BASE_MEAN)
    report(25, f"正在为 {len(cases)} 条结算清单分组并计算点数")
    groups = selectors.catalog_groups_frame(version)
    grouped = grouping_domain.cases_grouped(cases, catalog)
    institutions = institutions or selectors.region_institutions(run.region, run.period_end)
    engine = domain.engine_cases(
        cases,
        grouped,
        groups,
        kind=run.kind,
        levels=institutions.levels,
        coefficients={**in_force, **(coefficients or {})},
        decisions=decisions,
        base_mean=base_mean or Fraction(1),
    )
    points = case_points(engine, params, base_mean=base_mean)
    leads = {str(m): str(lead) for m, lead in institutions.leads.items()}
    money = cases[["medfee_fen", "fund_fen", "psn_part_fen"]].assign(
        institution=cases["institution_id"].astype(str)
    )
    totals = institution_totals(money, points, leads)
    report(45, "正在计算点值与机构金额")
    amounts = period_amounts(
        run_type,
        totals,
        params,
        pools,
        number=run.number,
        months=[p.month for p in periods],
        advances_paid=advances_paid,
        pool=pool,
    )
    booked = cases["institution_id"].map(lambda i: institutions.leads.get(int(i), int(i)))
    rows = domain.run_case_rows(cases, grouped, engine, points, booked=booked, pv=amounts.pv)
    return PointsComputation(
        version=version,
        table=table,
        months=[p.month for p in periods],
        cases=cases,
        grouped=grouped,
        rows=rows,
        settled=amounts.frame,
        institutions=institutions,
        decisions=decisions,
        skipped=skipped,
        pool=amounts.pool,
        total=amounts.total,
        points_total=amounts.points_total,
        pv=amounts.pv,
    )


@dataclass(frozen=True)
class PeriodAmounts:
    frame: pd.DataFrame
    pool: Decimal
    total: Decimal
    points_total: Decimal
    pv: Decimal | None


def period_amounts(
    run_type: RunType,
    totals: pd.DataFrame,
    params: SettlementParams,
    pools: selectors.Pools,
    *,
    number: int,
    months: list[int],
    advances_paid: Mapping[str, Decimal] | None,
    pool: Decimal | None,
) -> PeriodAmounts:
    """Point value and institution amounts of the period by run type (the pool: the month's, the quarter's,
    or the year's plus the reserve share — unless ``pool`` is given)."""
    points_total = sum(totals["points"], Decimal(0))
    sums = {"fund_total": sum(totals["fund"], ZERO), "medfee_total": sum(totals["medfee"], ZERO)}
    if run_type == RunType.MONTHLY:
        pool = pools.months[months[0] - 1] if pool is None else pool
        pv = (
            point_value(pool, points_total, basis=params.basis, **sums)
            if points_total > 0
            else None
        )
        total = category_total(pool, basis=params.basis, **sums)
        frame = (
            settlement_amounts(totals, pv, total=total)
            if pv is not None
            else totals.assign(settlement=None, fund_due=None)
        )
        advanced = monthly_advance(frame, params, city_budget=pool)
        frame = advanced.assign(payment=advanced["paid"]).drop(columns="paid")
    elif run_type == RunType.QUARTERLY:
        pool = pools.quarters[number - 1] if pool is None else pool
        frame = totals.assign(
            advances_paid=[(advances_paid or {}).get(i, ZERO) for i in totals["institution"]]
        )
        settled = quarterly_presettlement(frame, pool=pool, params=params)
        pv, frame = settled.point_value, settled.institutions
    else:
        pool = pools.annual + pools.reserve_share if pool is None else pool
        settled = annual_settlement(totals, pool=pool, params=params)
        pv, frame = settled.point_value, settled.institutions
    return PeriodAmounts(
        frame, pool, category_total(pool, basis=params.basis, **sums), points_total, pv
    )
