"""Reads of the monthly case aggregates: what the home page and the dashboards show of the case table."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum

from settlement.aggregates.models import CaseMonthAggregate


def case_months_for_user(user, *, limit: int = 12) -> list[dict]:
    """The user's newest settlement months: cases, 医疗费总额 and 基金支付总额 of each, newest first."""
    rows = (
        CaseMonthAggregate.objects.for_user(user)
        .order_by()
        .values("year", "month")
        .annotate(n=Sum("cases"), total=Sum("medfee_sumamt"), fund=Sum("fund_pay_sumamt"))
    )
    return list(rows.order_by("-year", "-month")[:limit])


def case_total_for_user(user) -> int:
    """How many cases the user may see (exact: the aggregates count every case)."""
    return CaseMonthAggregate.objects.for_user(user).aggregate(n=Sum("cases"))["n"] or 0


def fund_paid_by_month(*, region_id: int, year: int, scheme: str) -> dict[int, Decimal]:
    """基金支付总额 of the region's cases of one scheme, by settlement month of the year."""
    rows = (
        CaseMonthAggregate.objects.filter(region_id=region_id, year=year, insutype=scheme)
        .order_by()
        .values("month")
        .annotate(total=Sum("fund_pay_sumamt"))
    )
    return {row["month"]: row["total"] for row in rows}


def case_cost_by_month(
    *, region_id: int, years: Iterable[int], scheme: str, med_types
) -> dict[int, dict[int, Decimal]]:
    """医疗费总额 of the region's cases of one scheme and the given 医疗类别, by year and settlement month
    (one query for all the years)."""
    rows = (
        CaseMonthAggregate.objects.filter(
            region_id=region_id, year__in=list(years), insutype=scheme, med_type__in=list(med_types)
        )
        .order_by()
        .values("year", "month")
        .annotate(total=Sum("medfee_sumamt"))
    )
    by_year: dict[int, dict[int, Decimal]] = {}
    for row in rows:
        by_year.setdefault(row["year"], {})[row["month"]] = row["total"]
    return by_year
