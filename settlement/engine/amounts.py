"""Institution amounts (机构结算金额): settlement and fund amounts, monthly advance, quarterly
pre-settlement (季度预清算/轧差) and annual settlement (年度结算). Spec §1, §12; Jilin art.29-32.

Institution frames have one row per (booked) institution and ``Decimal`` columns, as produced by
``point_value.institution_totals``: ``institution``, ``points``, ``fund``, ``psn_part`` (+ ``medfee``).
Rows are put in institution-code order first, so largest-remainder ties never depend on input order.

    settlement amount (结算金额) = points × PV, allocated so the parts sum exactly to the total
    fund amount (基金应付)       = settlement amount − Σ personal burden (个人负担 psn_part_amt)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from config.lazy import pandas as pd
from settlement.engine.fixed import EngineError, allocate_largest_remainder, to_fen
from settlement.engine.params import DEFAULT_PARAMS, AdvanceVariant, SettlementParams
from settlement.engine.point_value import category_total, point_value

ZERO = Decimal("0.00")

ERR_NO_CITY_BUDGET = "按月度预算占比预付（方案A）需要统筹区月度预算。"
ERR_NO_PV_BUDGET = "按点数预付（方案C）需要预算点值。"
ERR_TOTAL_WITHOUT_POINTS = "有效点数合计为零，不能分配 {total} 元。"


@dataclass(frozen=True)
class Settlement:
    """A period's point value and its institution frame."""

    point_value: Decimal
    institutions: pd.DataFrame


def by_institution(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("institution", kind="stable", ignore_index=True)


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``total`` split by ``weights`` to the fen, summing exactly (largest remainder); all-zero weights → zeros."""
    if sum(weights, Decimal(0)) == 0:
        if total != 0:
            raise EngineError(ERR_TOTAL_WITHOUT_POINTS.format(total=total))
        return [ZERO] * len(weights)
    return allocate_largest_remainder(total, list(weights))


def settlement_amounts(
    totals: pd.DataFrame, pv: Decimal, *, total: Decimal | None = None
) -> pd.DataFrame:
    """Adds ``settlement`` (points × PV, allocated) and ``fund_due`` (settlement − psn_part).

    ``total`` defaults to Σ points × PV rounded to the fen: each institution then gets its own
    points × PV to within 1.5 fen (the total's rounding plus its part's), and the column sums
    exactly to that total.
    """
    frame = by_institution(totals)
    points = list(frame["points"])
    settlement = allocate(to_fen(sum(points, Decimal(0)) * pv) if total is None else total, points)
    return frame.assign(
        settlement=settlement, fund_due=[s - p for s, p in zip(settlement, frame["psn_part"])]
    )


def withhold_deposit(frame: pd.DataFrame, amount_column: str, rate: Decimal) -> pd.DataFrame:
    """``deposit`` = amount × rate to the fen (never on a negative amount); ``paid`` = amount − deposit."""
    deposit = [to_fen(max(amount, ZERO) * rate) for amount in frame[amount_column]]
    return frame.assign(
        deposit=deposit, paid=[a - d for a, d in zip(frame[amount_column], deposit)]
    )


def monthly_advance(
    month: pd.DataFrame,
    params: SettlementParams = DEFAULT_PARAMS,
    *,
    city_budget: Decimal | None = None,
    pv_budget: Decimal | None = None,
) -> pd.DataFrame:
    """月度预付: ``advance`` by the configured variant, then the deposit (保证金) withheld.

    A: city budget × institution booked ÷ city booked, when the city booked more than its budget;
    B: the institution's fund booked in the month; C: points × budget PV − personal burden.
    """
    frame = by_institution(month)
    if params.advance_variant == AdvanceVariant.BUDGET_SHARE:
        if city_budget is None:
            raise EngineError(ERR_NO_CITY_BUDGET)
        booked = list(frame["fund"])
        advance = booked if sum(booked, ZERO) <= city_budget else allocate(city_budget, booked)
    elif params.advance_variant == AdvanceVariant.POINTS:
        if pv_budget is None:
            raise EngineError(ERR_NO_PV_BUDGET)
        advance = list(settlement_amounts(frame, pv_budget)["fund_due"])
    else:
        advance = list(frame["fund"])
    return withhold_deposit(frame.assign(advance=advance), "advance", params.deposit_rate)


def _period_settlement(totals: pd.DataFrame, pool: Decimal, params: SettlementParams) -> Settlement:
    """PV of the period, and the category total (``category_total``) allocated by points: the amounts
    sum exactly to the money the budget makes available, each within a fen of its points × PV."""
    sums = {
        "fund_total": sum(totals["fund"], ZERO),
        "medfee_total": sum(totals["medfee"], ZERO) if "medfee" in totals else None,
    }
    pv = point_value(pool, sum(totals["points"], Decimal(0)), basis=params.basis, **sums)
    return Settlement(
        pv, settlement_amounts(totals, pv, total=category_total(pool, basis=params.basis, **sums))
    )


def quarterly_presettlement(
    totals: pd.DataFrame, *, pool: Decimal, params: SettlementParams = DEFAULT_PARAMS
) -> Settlement:
    """季度预清算: PV_q from the quarter's pool and the region's points; per institution
    ``payment = fund_due − deposit − advances_paid`` (negative = recovery, 追回). Needs ``advances_paid``."""
    settled = _period_settlement(totals, pool, params)
    frame = withhold_deposit(settled.institutions, "fund_due", params.quarterly_deposit_rate)
    frame = frame.drop(columns="paid").assign(
        payment=[
            f - d - a
            for f, d, a in zip(frame["fund_due"], frame["deposit"], frame["advances_paid"])
        ]
    )
    return Settlement(settled.point_value, frame)


def annual_settlement(
    totals: pd.DataFrame,
    *,
    pool: Decimal,
    reserve_share: Decimal = ZERO,
    params: SettlementParams = DEFAULT_PARAMS,
) -> Settlement:
    """年度结算: PV_y from the year's pool plus the reserve remainder share (风险备用金结余纳入结算部分);
    per institution ``settlement`` and ``fund_due``, the input of year-end clearing."""
    return _period_settlement(totals, pool + reserve_share, params)
