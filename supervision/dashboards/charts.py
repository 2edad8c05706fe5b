"""Chart specifications for the supervision dashboards — pure: Decimals and labels in, JSON-ready dicts out.

A spec is what ``static/js/charts.js`` draws with the vendored ECharts:

    {"categories": [...], "series": [{"name", "type": "bar"|"line", "data": ["12.30", None, ...], "stack", "dashed"}],
     "horizontal": bool, "unit": "元", "marks": [{"name", "value"}]}

Numbers travel as decimal strings (never floats on the server); the browser converts them to draw.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

MONTHS = [f"{m}月" for m in range(1, 13)]
SCORE = Decimal("0.01")


def _text(value: Decimal | int | None) -> str | None:
    return None if value is None else str(value)


def series(
    name: str,
    values: Iterable[Decimal | int | None],
    *,
    kind: str = "bar",
    stack: str = "",
    dashed: bool = False,
) -> dict:
    return {
        "name": name,
        "type": kind,
        "data": [_text(v) for v in values],
        "stack": stack,
        "dashed": dashed,
    }


def chart(
    categories: Sequence[str],
    *all_series: dict,
    horizontal: bool = False,
    unit: str = "",
    marks: Sequence[dict] = (),
) -> dict:
    return {
        "categories": list(categories),
        "series": list(all_series),
        "horizontal": horizontal,
        "unit": unit,
        "marks": list(marks),
    }


def _paid_months(actual: Sequence[Decimal]) -> int:
    """The last month with payments (0 for none)."""
    return max((m for m, value in enumerate(actual, start=1) if value), default=0)


def running_total(values: Sequence[Decimal | None]) -> list[Decimal]:
    totals, acc = [], Decimal("0.00")
    for value in values:
        acc += value or 0
        totals.append(acc)
    return totals


def fund_use_chart(actual: Sequence[Decimal], budget: Sequence[Decimal] | None) -> dict:
    """基金支出与预算: monthly fund payments against the budget's monthly phasing, and both cumulated
    (payments up to their last month only: the months after have not been settled, not paid nothing)."""
    months = _paid_months(actual)
    cumulative = running_total(actual)[:months] + [None] * (len(actual) - months)
    lines = [series("月度基金支付", actual), series("累计基金支付", cumulative, kind="line")]
    if budget is not None:
        lines[1:1] = [series("月度预算", budget)]
        lines.append(series("累计预算", running_total(budget), kind="line", dashed=True))
    return chart(MONTHS, *lines, unit="元")


def fund_use_summary(actual: Sequence[Decimal], budget: Sequence[Decimal] | None) -> dict:
    """The year to date (months with payments): paid, budgeted over the same months, and the use rate (%)."""
    months = _paid_months(actual)
    paid = sum(actual[:months], Decimal("0.00"))
    budgeted = sum(budget[:months], Decimal("0.00")) if budget is not None else None
    rate = (paid * 100 / budgeted).quantize(SCORE, rounding=ROUND_HALF_UP) if budgeted else None
    return {
        "months": months,
        "paid": paid,
        "budgeted": budgeted,
        "rate": rate,
        "annual": sum(budget, Decimal("0.00")) if budget else None,
    }


def ranking_chart(
    rows: Sequence[tuple[str, Decimal]],
    *,
    label: str,
    median_value: Decimal | None,
    p90: Decimal | None,
) -> dict:
    """Institutions ranked by an indicator, highest first (the top of a horizontal bar chart), with the region's median and P90."""
    ordered = sorted(rows, key=lambda row: row[1])  # ECharts draws the first category at the bottom
    marks = [
        {"name": name, "value": _text(value)}
        for name, value in (("全区中位数", median_value), ("全区P90", p90))
        if value is not None
    ]
    return chart(
        [name for name, _ in ordered],
        series(label, [value for _, value in ordered]),
        horizontal=True,
        marks=marks,
    )


def counts_chart(
    counts: Iterable[tuple[str, str, int]], *, horizontal: bool = False, limit: int | None = None
) -> dict:
    """(category, stack label, count) rows as stacked bars, categories by total descending (the first ``limit``)."""
    by_category: dict[str, Counter] = defaultdict(Counter)
    for category, stack, n in counts:
        by_category[category][stack] += n
    stacks = list(dict.fromkeys(stack for counter in by_category.values() for stack in counter))
    ordered = sorted(by_category, key=lambda c: -by_category[c].total())[:limit]
    if horizontal:
        ordered.reverse()  # the largest at the top
    return chart(
        ordered,
        *(series(s, [by_category[c][s] for c in ordered], stack="total") for s in stacks),
        horizontal=horizontal,
    )


def monthly(values: Mapping[int, Decimal | None]) -> list[Decimal | None]:
    return [values.get(m) for m in range(1, 13)]


def quality_trend_chart(
    scores_by_month: Mapping[int, Sequence[Decimal]], own: Mapping[int, Decimal] | None = None
) -> dict:
    """数据质量趋势: the region's mean and lowest score per month; for a hospital its own score against the region's median."""

    def by_month(statistic) -> list[Decimal | None]:
        return monthly({m: _score(statistic(scores)) for m, scores in scores_by_month.items()})

    if own is not None:
        return chart(
            MONTHS,
            series("本院", monthly(own), kind="line"),
            series("全区中位数", by_month(median), kind="line", dashed=True),
        )
    return chart(
        MONTHS,
        series("全区平均", by_month(_mean), kind="line"),
        series("最低", by_month(min), kind="line", dashed=True),
    )


def indicator_trend_chart(
    rows: Iterable[tuple[int, Decimal, Decimal | None, Decimal | None]], *, label: str
) -> dict:
    """A hospital's indicator by month (month, own value, regional median, regional P90)."""
    rows = list(rows)
    own, med, p90 = ({row[0]: row[i] for row in rows} for i in (1, 2, 3))
    return chart(
        MONTHS,
        series(f"本院{label}", monthly(own), kind="line"),
        series("全区中位数", monthly(med), kind="line", dashed=True),
        series("全区P90", monthly(p90), kind="line", dashed=True),
    )


def point_value_chart(rows: Sequence[Mapping]) -> dict | None:
    """点值走势与预测, from ``settlement.runs.simulation.point_value_trend_forecast`` rows in period order
    ({"label", "point_value"}, and for a forecast row "forecast": True with optional "low"/"high");
    None when there is no run yet."""
    if not rows:
        return None
    forecast = [bool(row.get("forecast")) for row in rows]
    lines = [
        series(
            "点值",
            [None if f else row["point_value"] for f, row in zip(forecast, rows, strict=True)],
            kind="line",
        )
    ]
    if any(forecast):
        lines.append(
            series(
                "预测点值",
                [row["point_value"] if f else None for f, row in zip(forecast, rows, strict=True)],
                kind="line",
                dashed=True,
            )
        )
    for key, name in (("low", "预测下限"), ("high", "预测上限")):
        if any(row.get(key) is not None for row in rows):
            lines.append(series(name, [row.get(key) for row in rows], kind="line", dashed=True))
    return chart([str(row["label"]) for row in rows], *lines)


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def _score(value: Decimal) -> Decimal:
    return Decimal(value).quantize(SCORE, rounding=ROUND_HALF_UP)
