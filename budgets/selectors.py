"""Reads of budgets. Budgets are regional, not institution-owned: only bureau users reach them (views check)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.regions import in_user_regions
from budgets import domain
from budgets.choices import BudgetStatus, LineKind
from budgets.models import Budget, BudgetLine, BudgetPhasing, YearEndActual


def budget_list(
    *,
    year: int | None = None,
    scheme: str = "",
    region_id: int | None = None,
    region_code: str = "",
    status: str = "",
) -> QuerySet[Budget]:
    budgets = Budget.objects.select_related(
        "region", "based_on", "created_by", "submitted_by", "approved_by"
    )
    if region_code:
        budgets = budgets.filter(region__code=region_code)
    if status:
        budgets = budgets.filter(status=status)
    if year:
        budgets = budgets.filter(year=year)
    if scheme:
        budgets = budgets.filter(scheme=scheme)
    if region_id:
        budgets = budgets.filter(region_id=region_id)
    return budgets


def budget_years() -> list[int]:
    return list(Budget.objects.order_by("-year").values_list("year", flat=True).distinct())


def budget_list_for_user(user, **filters) -> QuerySet[Budget]:
    """The budgets of the user's regions (``accounts.regions``)."""
    return in_user_regions(budget_list(**filters), user)


def budget_get(*, user, pk: int) -> Budget:
    """One version of the user's regions, or 404."""
    return get_object_or_404(budget_list_for_user(user), pk=pk)


def budget_versions(*, budget: Budget) -> QuerySet[Budget]:
    """Every version of the budget's series (region × year × scheme), oldest first."""
    return budget_list(year=budget.year, scheme=budget.scheme, region_id=budget.region_id).order_by(
        "version"
    )


def budget_in_force(
    *, year: int, scheme: str, region_id: int | None = None, region_code: str = ""
) -> Budget | None:
    """The version settlement uses: the approved one in force."""
    return budget_list(
        year=year,
        scheme=scheme,
        region_id=region_id,
        region_code=region_code,
        status=BudgetStatus.IN_FORCE,
    ).first()


def budget_lines(*, budget: Budget) -> list[BudgetLine]:
    return list(budget.lines.order_by("position"))


def budget_derivation(*, budget: Budget) -> domain.Derivation:
    """The stored derivation of a version as the domain's lines."""
    lines = budget_lines(budget=budget)
    return domain.Derivation(
        tuple(domain.DerivedLine(line.kind, line.code, line.name, line.amount) for line in lines)
    )


def budget_compare(*, a: Budget, b: Budget) -> list[domain.LineDiff]:
    """Line-by-line differences from version ``a`` to version ``b``."""
    return domain.line_differences(
        budget_derivation(budget=a).lines, budget_derivation(budget=b).lines
    )


@dataclass(frozen=True)
class PhasingRow:
    """One category's months and quarters — what settlement divides by points, period by period."""

    code: str
    name: str
    amount: Decimal
    months: list[Decimal]
    quarters: list[Decimal]


def budget_phasing(*, budget: Budget) -> list[PhasingRow]:
    months: dict[int, dict[int, Decimal]] = {}
    for row in BudgetPhasing.objects.filter(line__budget=budget).values(
        "line_id", "month", "amount"
    ):
        months.setdefault(row["line_id"], {})[row["month"]] = row["amount"]
    rows = []
    for line in budget.lines.filter(kind=LineKind.CATEGORY).order_by("position"):
        by_month = [
            months.get(line.pk, {}).get(m, Decimal("0.00")) for m in range(1, domain.MONTHS + 1)
        ]
        rows.append(
            PhasingRow(line.code, line.name, line.amount, by_month, domain.quarters(by_month))
        )
    return rows


def phasing_total(rows: list[PhasingRow]) -> PhasingRow | None:
    """The point-method pool's months and quarters: the sum of its categories'."""
    if not rows:
        return None
    months = [sum((row.months[m] for row in rows), Decimal("0.00")) for m in range(domain.MONTHS)]
    return PhasingRow(
        domain.POOL_CODE,
        domain.POOL_NAME,
        sum(months, Decimal("0.00")),
        months,
        domain.quarters(months),
    )


def budget_actuals(*, budget: Budget) -> dict[str, Decimal]:
    """Recorded year-end actual spend by carve-out code."""
    return dict(
        YearEndActual.objects.filter(line__budget=budget).values_list("line__code", "amount")
    )


def budget_reserve_statement(*, budget: Budget) -> domain.ReserveStatement | None:
    """The year-end reserve statement, once every carve-out line has its actual spend."""
    actuals = budget_actuals(budget=budget)
    derivation = budget_derivation(budget=budget)
    carve_outs = derivation.of_kind(LineKind.CARVE_OUT)
    if not carve_outs or any(line.code not in actuals for line in carve_outs):
        return None
    lines = [
        domain.YearEndLine(line.code, line.name, line.amount, actuals[line.code])
        for line in carve_outs
    ]
    return domain.reserve_statement(
        reserve=derivation.reserve,
        pool=derivation.pool,
        lines=lines,
        settlement_share=budget.settlement_share,
    )
