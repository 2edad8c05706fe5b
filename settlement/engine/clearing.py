"""Year-end clearing (年终清算): surplus retention / overspend sharing and deductions. Spec §12–13.

    ratio = actual fund booked (按项目实际记账统筹金额) ÷ fund amount due by points (按点数应付)
    surplus (ratio ≤ 1):  pay actual + share × (due − actual), share by band, optional cap × due
    overspend (ratio > 1): pay due; the adjustment fund (调节金) adds share × the overspend inside
                           each slice (default 50 % of 100–110 %), pro-rated when the fund runs short
    final   = payable + compensation − violations (违规扣款) − deposit × (1 − score ÷ 100) (考核扣保证金)
    payment = final − paid during the year (advances + pre-settlements) − revolving fund (周转金)

Bands compare the exact ratio (so 70 %, 100 %, 110 % fall exactly where the table says); the
``ratio`` column shows it to 4 decimals. Money is rounded once per amount, to the fen, half-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache

from config.lazy import pandas as pd
from settlement.engine.amounts import ZERO, allocate, by_institution
from settlement.engine.fixed import POINTS_PLACES, EngineError, quantize, to_fen
from settlement.engine.params import DEFAULT_PARAMS, SettlementParams, SharingRule

BAND_NO_DUE = "无应付"
ERR_NEGATIVE_FUND = "调节金不能为负数。"

OPTIONAL_COLUMNS = {
    "violations": ZERO,
    "deposit": ZERO,
    "assessment_score": Decimal(100),
    "revolving_fund": ZERO,
    "paid_before": ZERO,
}


@dataclass(frozen=True)
class Sharing:
    """One institution's sharing before deductions: ``payable`` from the pool, ``requested`` from the adjustment fund."""

    ratio: Fraction | None
    band: str
    payable: Decimal
    requested: Decimal


def _percent(ratio: Decimal) -> str:
    return f"{(ratio * 100).normalize():f}%"


@cache
def band_labels(rule: SharingRule) -> tuple[list[str], list[str]]:
    """Chinese labels of the surplus bands and of the overspend slices (+ one beyond the last slice)."""
    lowers = [Decimal(0), *(band.below for band in rule.surplus)]
    surplus = [
        f"结余（{_percent(lo)}–{_percent(band.below)}）" for lo, band in zip(lowers, rule.surplus)
    ]
    uppers = [Decimal(1), *(part.upto for part in rule.overspend)]
    overspend = [f"超支（{_percent(lo)}–{_percent(hi)}）" for lo, hi in zip(uppers, uppers[1:])]
    return surplus, [*overspend, f"超支（>{_percent(uppers[-1])}）"]


def _surplus(
    due: Fraction, actual: Fraction, ratio: Fraction, rule: SharingRule
) -> tuple[str, Fraction]:
    labels, _ = band_labels(rule)
    for label, band in zip(labels, rule.surplus):
        if ratio < band.below:
            retained = Fraction(band.share) * (due - actual)
            if band.cap is not None:
                retained = min(retained, Fraction(band.cap) * due)
            return label, actual + retained
    return labels[
        -1
    ] if labels else "", due  # exactly at the top of the last band: nothing to share


def _overspend(
    due: Fraction, actual: Fraction, ratio: Fraction, rule: SharingRule
) -> tuple[str, Fraction]:
    _, labels = band_labels(rule)
    requested, lower, band = Fraction(0), Fraction(1), labels[-1]
    for label, part in zip(labels, rule.overspend):
        upper = Fraction(part.upto)
        requested += Fraction(part.share) * max(min(actual, upper * due) - lower * due, Fraction(0))
        if band == labels[-1] and ratio <= upper:
            band = label
        lower = upper
    return band, requested


def share_surplus(due: Decimal, actual: Decimal, rule: SharingRule) -> Sharing:
    """结余留用、合理超支分担 for one institution (no adjustment-fund limit, no deductions)."""
    if due <= 0:
        return Sharing(None, BAND_NO_DUE, due, ZERO)
    exact_due, exact_actual = Fraction(due), Fraction(actual)
    ratio = exact_actual / exact_due
    if ratio <= 1:
        band, payable = _surplus(exact_due, exact_actual, ratio, rule)
        return Sharing(ratio, band, to_fen(payable), ZERO)
    band, requested = _overspend(exact_due, exact_actual, ratio, rule)
    return Sharing(ratio, band, due, to_fen(requested))


@dataclass(frozen=True)
class Clearing:
    institutions: pd.DataFrame
    adjustment_fund_used: Decimal
    adjustment_fund_left: Decimal | None


def deposit_deduction(deposit: Decimal, score: Decimal) -> Decimal:
    """考核扣减保证金 = deposit × (1 − score ÷ 100), score clamped to 0–100."""
    score = min(max(Decimal(score), Decimal(0)), Decimal(100))
    return to_fen(deposit * (1 - score / 100))


def clear_year(
    frame: pd.DataFrame,
    params: SettlementParams = DEFAULT_PARAMS,
    *,
    adjustment_fund: Decimal | None = None,
) -> Clearing:
    """年终清算 per institution. Needs ``institution``, ``fund_due``, ``actual``; optional ``violations``,
    ``deposit`` (withheld during the year), ``assessment_score``, ``revolving_fund``, ``paid_before``.

    ``adjustment_fund`` None means unlimited; otherwise compensation is pro-rated to it when short.
    """
    if adjustment_fund is not None and adjustment_fund < 0:
        raise EngineError(ERR_NEGATIVE_FUND)
    frame = by_institution(
        frame.assign(**{c: v for c, v in OPTIONAL_COLUMNS.items() if c not in frame})
    )
    shares = [
        share_surplus(due, actual, params.sharing)
        for due, actual in zip(frame["fund_due"], frame["actual"])
    ]
    requested = [s.requested for s in shares]
    short = adjustment_fund is not None and sum(requested, ZERO) > adjustment_fund
    compensation = allocate(adjustment_fund, requested) if short else requested
    deductions = [
        deposit_deduction(d, s) for d, s in zip(frame["deposit"], frame["assessment_score"])
    ]
    final = [
        s.payable + c - v - d
        for s, c, v, d in zip(shares, compensation, frame["violations"], deductions)
    ]
    used = sum(compensation, ZERO)
    frame = frame.assign(
        ratio=[None if s.ratio is None else quantize(s.ratio, POINTS_PLACES) for s in shares],
        band=[s.band for s in shares],
        review=[s.ratio is not None and s.ratio < params.sharing.review_below for s in shares],
        payable=[s.payable for s in shares],
        requested=requested,
        compensation=compensation,
        deposit_deduction=deductions,
        final=final,
        payment=[
            f - p - r for f, p, r in zip(final, frame["paid_before"], frame["revolving_fund"])
        ],
    )
    return Clearing(frame, used, None if adjustment_fund is None else adjustment_fund - used)
