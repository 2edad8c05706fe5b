"""Reads of settlement runs: the inputs a run freezes (as plain frames and values) and its results.

Results are read through ``for_user``: a hospital user sees its own institution's statement rows and
case rows of published runs (公示, ``RunResultQuerySet``) and nothing of other institutions; runs as a
whole (point values, totals of the region) are the bureau's.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from django.db import connection
from django.db.models import BigIntegerField, Count, F, QuerySet, Sum
from django.db.models.functions import Cast

from budgets.models import Budget
from budgets.selectors import budget_in_force, budget_phasing, budget_reserve_statement
from catalogs.choices import CoefficientStatus
from catalogs.coefficients.models import CoefficientTable
from catalogs.models import Institution, Region
from catalogs.register.domain import State
from catalogs.register.selectors import institution_states_as_of
from catalogs.versions.models import CatalogVersion
from config.lazy import pandas as pd
from config.money import allocate_largest_remainder
from settlement.aggregates.selectors import case_cost_by_month
from settlement.bulkread import frame_of
from settlement.choices import PeriodStatus
from settlement.engine.fixed import MONEY_PLACES, to_units
from settlement.grouping.selectors import MED_TYPES, period_cases
from settlement.models import CaseRecord, SettlementPeriod
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.domain import MemberShare
from settlement.runs.models import RevolvingFund, RunCase, RunInstitution, SettlementRun

MONEY_FIELDS = {
    "medfee_fen": "medfee_sumamt",
    "fund_fen": "fund_pay_sumamt",
    "psn_part_fen": "psn_part_amt",
}
GROUP_COLUMNS = ("code", "score", "mean_cost", "level_means", "is_grassroots", "group_type")


# --- inputs ---------------------------------------------------------------------------------------


def periods_of(*, region: Region, year: int, months: Sequence[int]) -> list[SettlementPeriod]:
    return list(
        SettlementPeriod.objects.filter(region=region, year=year, month__in=list(months)).order_by(
            "month"
        )
    )


def catalog_base_mean(version: CatalogVersion) -> Fraction | None:
    """The catalog's all-case mean M exactly as its group scores used it (测算结果摘要 ``base_mean_exact``),
    for fee-for-service points; a version built before M was kept exactly has only M to the fen."""
    summary = version.build_summary or {}
    text = summary.get("base_mean_exact") or summary.get("base_mean")
    return Fraction(text) if text else None


def run_case_frame(
    *, periods: Sequence[SettlementPeriod], kind: str, scheme: str, columns: Sequence[str]
) -> pd.DataFrame:
    """The period's cases of the scheme that ``kind`` pays: ids, version, money as int64 fen, and ``columns``.

    On PostgreSQL the money arrives as integer fen computed by the database (exact: numeric × 100 is
    integral), so a million cases create no ``Decimal`` objects; on SQLite it is converted exactly here.
    """
    cases = period_cases(periods=periods, kind=kind, scheme=scheme).order_by()
    names = ["id", "institution_id", "version", *columns]
    text = [
        name
        for name in columns
        if CaseRecord._meta.get_field(name).get_internal_type() in ("CharField", "TextField")
    ]
    if connection.vendor == "postgresql":
        money = {
            alias: Cast(F(field) * 100, BigIntegerField()) for alias, field in MONEY_FIELDS.items()
        }
        return frame_of(cases.annotate(**money), [*names, *money], text=text)
    frame = frame_of(cases, [*names, *MONEY_FIELDS.values()], text=text).rename(
        columns={v: k for k, v in MONEY_FIELDS.items()}
    )
    for column in MONEY_FIELDS:
        frame[column] = (
            to_units(frame[column], MONEY_PLACES) if len(frame) else frame[column].astype("int64")
        )
    return frame


def catalog_groups_frame(version: CatalogVersion) -> pd.DataFrame:
    return pd.DataFrame(
        list(version.groups.values_list(*GROUP_COLUMNS)), columns=list(GROUP_COLUMNS)
    )


def coefficient_tables_in_force(*, region, year: int) -> QuerySet:
    return CoefficientTable.objects.filter(
        region=region, year=year, status=CoefficientStatus.IN_FORCE
    )


def coefficient_table_rows(table: CoefficientTable) -> dict[int, Decimal]:
    return dict(table.rows.values_list("institution_id", "combined"))


def coefficients_in_force(
    *, region: Region, year: int
) -> tuple[CoefficientTable | None, dict[int, Decimal]]:
    table = coefficient_tables_in_force(region=region, year=year).first()
    if table is None:
        return None, {}
    return table, coefficient_table_rows(table)


@dataclass(frozen=True)
class RegionInstitutions:
    """The institution states a run uses (机构状态, frozen on the run): levels drive the group means and
    coefficients, consortium leads the booking of members' cases (医共体)."""

    states: dict[int, State]

    @cached_property
    def levels(self) -> dict[int, str]:
        return {i: state.level for i, state in self.states.items()}

    @cached_property
    def leads(self) -> dict[int, int]:  # consortium member → lead (医共体)
        return {
            i: state.consortium_lead_id
            for i, state in self.states.items()
            if state.consortium_lead_id
        }

    def as_json(self) -> dict[str, dict]:
        return {str(i): state.as_json() for i, state in sorted(self.states.items())}


def region_institutions(region: Region, day: datetime.date) -> RegionInstitutions:
    """Every institution of the region in the state in force on ``day`` (the last day of a run's period)."""
    return RegionInstitutions(institution_states_as_of(region=region, day=day))


def frozen_institutions(run: SettlementRun) -> RegionInstitutions | None:
    """The institution states a run froze (None for a run stored before runs froze them)."""
    if not run.institution_states:
        return None
    return RegionInstitutions(
        {int(i): State.from_json(values) for i, values in run.institution_states.items()}
    )


@dataclass(frozen=True)
class Pools:
    """What the budget in force makes available to one category (细分类别)."""

    budget: Budget
    annual: Decimal
    months: list[Decimal]
    quarters: list[Decimal]
    reserve_share: (
        Decimal | None
    )  # the category's part of the reserve remainder for settlement (None: not yet known)
    adjustment_fund: Decimal | None  # the category's part of the adjustment fund (调节金)


def category_pools(*, region: Region, year: int, scheme: str, category: str) -> Pools | None:
    """The category's pools from the budget in force; the reserve parts once the year-end statement exists,
    split across the categories in proportion to their amounts (largest remainder, so they add up)."""
    budget = budget_in_force(year=year, scheme=scheme, region_id=region.pk)
    if budget is None:
        return None
    rows = budget_phasing(budget=budget)
    row = next((r for r in rows if r.code == category), None)
    if row is None:
        return None
    statement = budget_reserve_statement(budget=budget)
    position = rows.index(row)

    def share(total: Decimal) -> Decimal:
        return allocate_largest_remainder(total, [r.amount for r in rows])[position]

    return Pools(
        budget=budget,
        annual=row.amount,
        months=row.months,
        quarters=row.quarters,
        reserve_share=share(statement.to_settlement) if statement else None,
        adjustment_fund=share(statement.adjustment_fund) if statement else None,
    )


def year_closed(region: Region, year: int) -> bool:
    """The year is closed (年度关账): all twelve months closed after a completed clearing run."""
    periods = SettlementPeriod.objects.filter(region=region, year=year)
    return (
        periods.count() == 12
        and not periods.filter(status=PeriodStatus.OPEN).exists()
        and SettlementRun.objects.filter(
            region=region, year=year, run_type=RunType.CLEARING, status=RunStatus.COMPLETED
        ).exists()
    )


def revolving_funds(*, region: Region, year: int, scheme: str, category: str) -> dict[int, Decimal]:
    rows = RevolvingFund.objects.filter(region=region, year=year, scheme=scheme, category=category)
    return dict(rows.values_list("institution_id", "amount"))


# --- runs -----------------------------------------------------------------------------------------


def run_current(
    *, region: Region, year: int, scheme: str, category: str, run_type: str, number: int = 0
) -> SettlementRun | None:
    """The completed, not superseded run of a period (有效运行)."""
    return SettlementRun.objects.filter(
        region=region,
        year=year,
        scheme=scheme,
        category=category,
        run_type=run_type,
        number=number,
        status=RunStatus.COMPLETED,
    ).first()


def point_value_runs(*, region, scheme: str, category: str) -> QuerySet:
    """The completed runs of the scheme's category that have a point value, the newest (最新公布的点值) first:
    the latest year first, then the latest finished."""
    runs = SettlementRun.objects.filter(
        region=region,
        scheme=scheme,
        category=category.upper(),
        status=RunStatus.COMPLETED,
        point_value__isnull=False,
    )
    return runs.order_by("-year", "-finished_at", "-pk")


def point_value_run_latest(*, region: Region, scheme: str, category: str) -> SettlementRun | None:
    return point_value_runs(region=region, scheme=scheme, category=category).first()


def current_runs(
    *, region: Region, year: int, scheme: str, category: str, run_type: str
) -> dict[int, SettlementRun]:
    return current_runs_by_year(
        region=region, years=[year], scheme=scheme, category=category, run_type=run_type
    ).get(year, {})


def current_runs_by_year(
    *, region: Region, years: Sequence[int], scheme: str, category: str, run_type: str
) -> dict[int, dict[int, SettlementRun]]:
    """The completed runs of the years (one query), by year and number."""
    runs = SettlementRun.objects.filter(
        region=region,
        year__in=list(years),
        scheme=scheme,
        category=category,
        run_type=run_type,
        status=RunStatus.COMPLETED,
    )
    by_year: dict[int, dict[int, SettlementRun]] = {}
    for run in runs:
        by_year.setdefault(run.year, {})[run.number] = run
    return by_year


def institution_frame(run: SettlementRun, columns: Sequence[str]) -> pd.DataFrame:
    """A run's institution rows as a frame keyed by ``institution`` (the id as text, as the engine frames have it)."""
    rows = list(run.institutions.order_by().values_list("institution_id", *columns))
    frame = pd.DataFrame.from_records(rows, columns=["institution", *columns])
    frame["institution"] = frame["institution"].astype(str)
    return frame


def run_list(
    *,
    region: Region | None = None,
    year: int | None = None,
    scheme: str = "",
    category: str = "",
    run_type: str = "",
    status: str = "",
) -> QuerySet[SettlementRun]:
    runs = SettlementRun.objects.select_related("region", "started_by", "job")
    for name, value in {
        "region": region,
        "year": year,
        "scheme": scheme,
        "category": category,
        "run_type": run_type,
        "status": status,
    }.items():
        if value:
            runs = runs.filter(**{name: value})
    return runs


def run_get(pk: int) -> SettlementRun:
    return SettlementRun.objects.select_related(
        "region",
        "catalog_version",
        "parameter_set",
        "coefficient_table",
        "budget",
        "supersedes",
        "base_run",
        "job",
        "started_by",
    ).get(pk=pk)


def statement_list_for_user(
    user, *, year: int | None = None, institution_id: int | None = None
) -> QuerySet[RunInstitution]:
    """Statement rows (结算单) of current runs the user may read: a hospital only its own institution's."""
    rows = RunInstitution.objects.for_user(user).filter(
        run__status__in=[RunStatus.COMPLETED, RunStatus.SUPERSEDED]
    )
    if year:
        rows = rows.filter(run__year=year)
    if institution_id:
        rows = rows.filter(institution_id=institution_id)
    rows = rows.select_related("run", "institution", "run__region", "run__publication", "response")
    return rows.order_by("-run__year", "run__run_type", "-run__number", "-run_id")


def statement_get_for_user(user, *, run_id: int, institution_code: str) -> RunInstitution:
    return statement_list_for_user(user).get(run_id=run_id, institution__code=institution_code)


@dataclass(frozen=True)
class MemberShareRow:
    """One consortium member's share (``domain.MemberShare``) of one run, with the run and the member."""

    run: SettlementRun
    institution: Institution
    share: MemberShare


def member_share_list_for_user(
    user, *, run_id: int | None = None, year: int | None = None
) -> list[MemberShareRow]:
    """Consortium members' shares of their leads' statements: a member hospital its own share of each run
    (``member_run_list_for_user``), never another institution's; the bureau every member's. Run by run,
    newest first; the sums of all the shares come from one query."""
    if getattr(user, "is_bureau", False):
        statements = RunInstitution.objects.filter(
            run__status__in=[RunStatus.COMPLETED, RunStatus.SUPERSEDED]
        ).exclude(members=[])
        statements = statements.filter(
            **{k: v for k, v in {"run_id": run_id, "run__year": year}.items() if v}
        )
        pairs = [
            (row.run, member)
            for row in statements.select_related("run", "run__region").order_by("-run_id")
            for member in row.members
        ]
    else:
        runs = [
            r
            for r in member_run_list_for_user(user)
            if (not run_id or r.pk == run_id) and (not year or r.year == year)
        ]
        pairs = [(run, user.institution_id) for run in runs]
    sums = {
        (s["run_id"], s["institution_id"]): s
        for s in RunCase.objects.for_user(user)
        .filter(
            run_id__in={run.pk for run, _ in pairs},
            institution_id__in={member for _, member in pairs},
        )
        .values("run_id", "institution_id")
        .annotate(cases=Count("id"), points=Sum("points"), amount=Sum("amount"))
    }
    institutions = Institution.objects.in_bulk({member for _, member in pairs})
    return [
        MemberShareRow(run, institutions[member], _share(run, sums.get((run.pk, member), {})))
        for run, member in pairs
    ]


def _share(run: SettlementRun, sums: dict) -> MemberShare:
    return MemberShare(
        cases=sums.get("cases", 0),
        points=sums.get("points") or Decimal("0.0000"),
        point_value=run.point_value,
        case_amounts=sums.get("amount") or Decimal("0.00"),
    )


def case_results_for_user(user, *, case_id: int) -> QuerySet[RunCase]:
    """Every run's result for one case, newest first (the per-case explanation, 病例点数明细)."""
    return (
        RunCase.objects.for_user(user)
        .filter(case_id=case_id)
        .select_related("run", "booked")
        .order_by("-run__created_at", "-run_id")
    )


# A run's cases of one institution, in case order: keyset pages (config.keyset) served by the
# ``settlement_runcase_inst_case`` index (run, booked, case).
RUN_CASE_ORDERING = ("case_id",)


def run_case_list_for_user(
    user, *, run: SettlementRun, institution_id: int | None = None, deviation: str = ""
) -> QuerySet[RunCase]:
    rows = RunCase.objects.for_user(user).filter(run=run)
    if institution_id:
        rows = rows.filter(booked_id=institution_id)
    if deviation:
        rows = rows.filter(deviation=deviation)
    return rows.select_related("case").order_by("case_id")


def point_value_trend_settled(
    *, region: Region, year: int, scheme: str, category: str
) -> tuple[list[dict], bool]:
    """点值走势 as settled — the point value of each current monthly run, then the year's (annual
    settlement) when there is one — and whether the year is settled. The year-end forecast of a year
    still running is added by ``settlement.runs.simulation.point_value_trend_forecast``: a selector
    runs no simulation."""
    months = current_runs(
        region=region, year=year, scheme=scheme, category=category, run_type=RunType.MONTHLY
    )
    rows = [
        {"run_id": months[m].pk, "label": f"{m}月", "point_value": months[m].point_value}
        for m in sorted(months)
    ]
    annual = run_current(
        region=region, year=year, scheme=scheme, category=category, run_type=RunType.ANNUAL
    )
    if annual is not None:
        rows.append({"run_id": annual.pk, "label": "年度结算", "point_value": annual.point_value})
    return rows, annual is not None


# --- pages (settlement/runs/views.py, api/) ---------------------------------------------------------


def run_statement_rows(run: SettlementRun) -> QuerySet[RunInstitution]:
    """A run's institution rows (bureau pages: the per-institution table of a run), by institution code."""
    return run.institutions.select_related("institution").order_by("institution__code")


def institution_names(ids: Sequence[int]) -> dict[int, str]:
    return dict(Institution.objects.filter(pk__in=list(ids)).values_list("id", "name"))


def institution_labels(ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """Each institution's national code and name, as a change list names them (not the internal id)."""
    rows = Institution.objects.filter(pk__in=list(ids)).values_list("id", "code", "name")
    return {pk: {"code": code, "name": name} for pk, code, name in rows}


def member_run_list_for_user(user) -> list[SettlementRun]:
    """Runs whose statement of a consortium lead (医共体牵头机构) includes the user's institution as a member,
    as each run froze the consortium (a member that leaves keeps its earlier shares): a member hospital
    has no statement of its own there, only its share of the lead's (``member_share_list_for_user``)."""
    institution = getattr(user, "institution", None)
    if not getattr(user, "is_hospital", False) or institution is None:
        return []
    rows = RunInstitution.objects.published().filter(
        run__region_id=institution.region_id,
        run__status__in=[RunStatus.COMPLETED, RunStatus.SUPERSEDED],
    )
    rows = (
        rows.exclude(members=[])
        .select_related("run", "run__region")
        .defer("breakdown", "run__institution_states")
    )
    rows = rows.order_by("-run__year", "run__run_type", "-run__number", "-run_id")
    return [row.run for row in rows if institution.pk in row.members]


def period_years(region: Region) -> list[int]:
    return sorted(
        set(SettlementPeriod.objects.filter(region=region).values_list("year", flat=True)),
        reverse=True,
    )


def runs_money(runs: Sequence[SettlementRun]) -> dict[str, Decimal]:
    """Σ fund booked and Σ total cost of the runs' institutions (the r_fund of the point-value basis)."""
    sums = RunInstitution.objects.filter(run__in=list(runs)).aggregate(
        fund=Sum("fund"), medfee=Sum("medfee")
    )
    return {
        "fund_total": sums["fund"] or Decimal("0.00"),
        "medfee_total": sums["medfee"] or Decimal("0.00"),
    }


PATTERN_RUNS, PATTERN_COST = (
    "往年月度结算点数",
    "往年月度医疗总费用（往年未在本平台结算时代替点数）",
)


def prior_year_patterns(
    *, region: Region, year: int, scheme: str, category: str, kind: str
) -> tuple[list[list[Decimal]], str]:
    """Up to three prior years' twelve monthly figures: their monthly runs' points when all twelve exist,
    otherwise their cases' monthly total cost; years without twelve months of either are left out."""
    patterns, bases = [], set()
    years = range(year - 3, year)
    key = {"region": region, "scheme": scheme, "category": category}
    runs_of = current_runs_by_year(**key, years=years, run_type=RunType.MONTHLY)
    costs_of = case_cost_by_month(
        region_id=region.pk, years=years, scheme=scheme, med_types=MED_TYPES[kind]
    )
    for prior in years:
        runs, cost = runs_of.get(prior, {}), costs_of.get(prior, {})
        if len(runs) == 12:
            patterns.append([runs[m].points_total for m in range(1, 13)])
            bases.add(PATTERN_RUNS)
        elif len(cost) == 12:
            patterns.append([cost[m] for m in range(1, 13)])
            bases.add(PATTERN_COST)
    return patterns, "；".join(sorted(bases))
