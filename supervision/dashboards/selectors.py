"""Reads of the supervision dashboards: each dashboard is one call returning its chart specs
(``supervision.dashboards.charts``) and figures. Institution-owned rows go through ``for_user``; a hospital's
dashboard holds its own rows and regional aggregates (median, P90), never another institution's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from django.db.models import Count

from budgets.domain import to_fen
from budgets.selectors import budget_in_force, budget_phasing, phasing_total
from settlement.aggregates.selectors import fund_paid_by_month
from settlement.runs.simulation import point_value_trend_forecast
from supervision import indicators
from supervision.assessment.selectors import approved_scores_for_user
from supervision.choices import FindingStatus, Rule
from supervision.dashboards import charts
from supervision.models import DataQualityScore, Finding, IndicatorValue

RULES = dict(Rule.choices)
STATUSES = dict(FindingStatus.choices)
TOP_INSTITUTIONS = 15


def point_value_trend(*, region, year: int, scheme: str, category: str) -> list[Mapping]:
    """The settlement runs' point values and the year-end forecast
    (``settlement.runs.simulation.point_value_trend_forecast``); no rows before the first run — the
    dashboard then says 尚无结算运行."""
    return list(
        point_value_trend_forecast(region=region, year=year, scheme=scheme, category=category)
    )


def fund_use(*, region, year: int, scheme: str) -> tuple[list[Decimal], list[Decimal] | None]:
    """Fund payments (基金支付总额) of the scheme's cases by settlement month, from the monthly case aggregates
    (settlement.aggregates), and the monthly phasing of the point-method pool of the budget in force (None
    without one)."""
    paid = fund_paid_by_month(region_id=region.pk, year=year, scheme=scheme)
    actual = [to_fen(paid.get(m) or 0) for m in range(1, 13)]  # SQLite sums drop trailing zeros
    budget = budget_in_force(year=year, scheme=scheme, region_id=region.pk)
    pool = phasing_total(budget_phasing(budget=budget)) if budget else None
    return actual, pool.months if pool else None


def indicator_ranking(user, *, year: int, month: int, indicator: str) -> dict:
    values = IndicatorValue.objects.for_user(user).filter(
        year=year, month=month, indicator=indicator
    )
    rows = list(values.values_list("institution__name", "value", "region_median", "region_p90"))
    median_value, p90 = (rows[0][2], rows[0][3]) if rows else (None, None)
    label = indicators.BY_CODE[indicator].label
    return charts.ranking_chart(
        [(name, value) for name, value, _, _ in rows],
        label=label,
        median_value=median_value,
        p90=p90,
    )


def findings_by_rule(user, *, year: int) -> dict:
    """The year's findings the user may see, by rule, stacked by status."""
    rows = (
        Finding.objects.for_user(user)
        .filter(year=year)
        .values("rule", "status")
        .annotate(n=Count("id"))
        .order_by("rule", "status")
    )
    return charts.counts_chart(
        (RULES.get(r["rule"], r["rule"]), STATUSES[r["status"]], r["n"]) for r in rows
    )


def findings_by_institution(user, *, year: int) -> dict:
    """The institutions with the most findings of the year, stacked by status (bureau only: names institutions)."""
    rows = (
        Finding.objects.for_user(user)
        .filter(year=year)
        .values("institution__name", "status")
        .annotate(n=Count("id"))
        .order_by("institution__name", "status")
    )
    counts = ((r["institution__name"], STATUSES[r["status"]], r["n"]) for r in rows)
    return charts.counts_chart(counts, horizontal=True, limit=TOP_INSTITUTIONS)


def quality_scores_by_month(*, region, year: int) -> dict[int, list[Decimal]]:
    by_month: dict[int, list[Decimal]] = defaultdict(list)
    for month, score in DataQualityScore.objects.filter(
        institution__region=region, year=year
    ).values_list("month", "score"):
        by_month[month].append(score)
    return dict(by_month)


def bureau_dashboard(
    user, *, region, year: int, scheme: str, indicator: str, month: int | None, category: str
) -> dict:
    """Everything the bureau dashboard draws for a year."""
    actual, budget = fund_use(region=region, year=year, scheme=scheme)
    return {
        "fund_chart": charts.fund_use_chart(actual, budget),
        "fund_summary": charts.fund_use_summary(actual, budget),
        "has_budget": budget is not None,
        "ranking_chart": indicator_ranking(user, year=year, month=month, indicator=indicator)
        if month
        else None,
        "by_rule": findings_by_rule(user, year=year),
        "by_institution": findings_by_institution(user, year=year),
        "quality_chart": charts.quality_trend_chart(
            quality_scores_by_month(region=region, year=year)
        ),
        "point_value_chart": charts.point_value_chart(
            point_value_trend(region=region, year=year, scheme=scheme, category=category)
        ),
    }


def hospital_dashboard(user, *, year: int, indicator: str) -> dict:
    """A hospital's own indicator, data quality and confirmed findings against the region's medians."""
    own = (
        IndicatorValue.objects.for_user(user)
        .filter(year=year, indicator=indicator)
        .order_by("month")
    )
    own_quality = dict(
        DataQualityScore.objects.for_user(user).filter(year=year).values_list("month", "score")
    )
    region = user.institution.region
    return {
        "indicator_chart": charts.indicator_trend_chart(
            own.values_list("month", "value", "region_median", "region_p90"),
            label=indicators.BY_CODE[indicator].label,
        ),
        "quality_chart": charts.quality_trend_chart(
            quality_scores_by_month(region=region, year=year), own=own_quality
        ),
        "by_rule": findings_by_rule(user, year=year),
        "assessment_total": approved_scores_for_user(user, year=year).get(user.institution_id),
    }
