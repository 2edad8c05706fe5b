"""Year-end point-value forecast (年终点值预测) from month-to-date points — pure, exact, no effect on
official results.

Prior years say how much of a year's points had accumulated by the end of month m:

    share_y(m) = Σ points of months 1..m of year y ÷ Σ points of year y

so this year's points, seen through year y's pattern, come to ``points to date ÷ share_y(m)``. The
central estimate uses the mean of the prior shares; the range uses the smallest and largest share
(largest share → fewest projected points → highest point value). The point value follows as
``cost pool ÷ projected points``, the cost pool being the category's pool on the point-value basis
(total cost: pool ÷ r_fund; see ``point_value``). Points are rounded to 4 places, PVs to 6, half-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from settlement.engine.fixed import POINTS_PLACES, PV_PLACES, EngineError, quantize

MONTHS = 12
ERR_MONTHS = "已结算月份数应在 1 到 11 之间（12 个月已结束时直接计算年终点值）。"
ERR_NO_HISTORY = "预测需要至少一个往年的完整 12 个月点数。"
ERR_EMPTY_YEAR = "往年点数合计为零，无法计算月度累计占比。"
ERR_NO_POINTS = "本年累计点数为零，无法预测。"


@dataclass(frozen=True)
class Forecast:
    months_done: int
    points_to_date: Decimal
    shares: tuple[Decimal, ...]  # each prior year's share of annual points by month m, 4 places
    points: Decimal  # projected annual points (central)
    points_low: Decimal
    points_high: Decimal
    point_value: Decimal  # central
    point_value_low: Decimal
    point_value_high: Decimal


def cumulative_share(months: Sequence[Decimal], upto: int) -> Fraction:
    """Share of a year's points accumulated by the end of month ``upto`` (exact)."""
    if len(months) != MONTHS:
        raise EngineError(ERR_NO_HISTORY)
    total = sum((Fraction(m) for m in months), Fraction(0))
    if total <= 0:
        raise EngineError(ERR_EMPTY_YEAR)
    return sum((Fraction(m) for m in months[:upto]), Fraction(0)) / total


def forecast_point_value(
    *,
    cost_pool: Decimal,
    months_to_date: Sequence[Decimal],
    prior_years: Sequence[Sequence[Decimal]],
) -> Forecast:
    """Forecast the year-end point value from the points of the months settled so far."""
    done = len(months_to_date)
    if not 1 <= done < MONTHS:
        raise EngineError(ERR_MONTHS)
    if not prior_years:
        raise EngineError(ERR_NO_HISTORY)
    to_date = sum((Fraction(m) for m in months_to_date), Fraction(0))
    if to_date <= 0:
        raise EngineError(ERR_NO_POINTS)
    shares = [cumulative_share(year, done) for year in prior_years]
    if any(share <= 0 for share in shares):
        raise EngineError(ERR_EMPTY_YEAR)
    central = sum(shares, Fraction(0)) / len(shares)
    projected = {
        name: to_date / share
        for name, share in (("central", central), ("low", max(shares)), ("high", min(shares)))
    }
    pool = Fraction(cost_pool)
    return Forecast(
        months_done=done,
        points_to_date=quantize(to_date, POINTS_PLACES),
        shares=tuple(quantize(share, POINTS_PLACES) for share in shares),
        points=quantize(projected["central"], POINTS_PLACES),
        points_low=quantize(projected["low"], POINTS_PLACES),
        points_high=quantize(projected["high"], POINTS_PLACES),
        point_value=quantize(pool / projected["central"], PV_PLACES),
        point_value_low=quantize(pool / projected["high"], PV_PLACES),
        point_value_high=quantize(pool / projected["low"], PV_PLACES),
    )
