"""Data-quality score (数据质量评分) per institution × month — pure: frames in, a frame out.

The score is out of 100 and loses points for four shortfalls of the month (spec §16, 清单质控 and
upload deadline; the weights are a local choice [L], ``QualityWeights``):

    score = 100 − 40 × error shortfall − 30 × warning rate − 20 × late share − 10 × correction rate,
    clamped to 0..100 and rounded half-up to 0.01, where

    error shortfall  = 1 − error-free batches ÷ batches uploaded that month (0 without batches)
                       (a batch is error-free when it was imported with no error row)
    warning rate     = warning rows ÷ data rows of those batches, at most 1
    late share       = cases of the settlement month first written after the deadline ÷ its cases
                       (deadline: the end of day ``late_days`` of the following month, Asia/Shanghai)
    correction rate  = corrections (replaced versions) of the month's cases ÷ its cases, at most 1

Batches count in the month they were uploaded; cases, lateness and corrections in their settlement month.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from config.lazy import pandas as pd

KEYS = ["institution", "year", "month"]
RATE = Decimal("0.0001")
SCORE = Decimal("0.01")
TZ = "Asia/Shanghai"
COMPONENTS = [
    "batches",
    "error_free_batches",
    "error_shortfall",
    "warning_rate",
    "cases",
    "late_cases",
    "late_share",
    "corrections",
    "correction_rate",
]


@dataclass(frozen=True)
class QualityWeights:
    errors: Decimal = Decimal("40")
    warnings: Decimal = Decimal("30")
    late: Decimal = Decimal("20")
    corrections: Decimal = Decimal("10")
    #: cases are due by the end of this day of the month after their settlement month (次月10日前上传)
    late_days: int = 10


def _rate(numerator: int, denominator: int) -> Decimal:
    if not denominator:
        return Decimal(0)
    return min(Decimal(1), Decimal(int(numerator)) / Decimal(int(denominator))).quantize(
        RATE, rounding=ROUND_HALF_UP
    )


def deadline(year: int, month: int, late_days: int) -> pd.Timestamp:
    """The first instant after the upload deadline of a settlement month."""
    first_of_next = pd.Timestamp(year=year + month // 12, month=month % 12 + 1, day=1, tz=TZ)
    return first_of_next + pd.Timedelta(days=late_days)


def score_of(components: dict, weights: QualityWeights) -> Decimal:
    lost = (
        weights.errors * components["error_shortfall"]
        + weights.warnings * components["warning_rate"]
        + weights.late * components["late_share"]
        + weights.corrections * components["correction_rate"]
    )
    return min(Decimal(100), max(Decimal(0), Decimal(100) - lost)).quantize(
        SCORE, rounding=ROUND_HALF_UP
    )


def data_quality_scores(
    batches: pd.DataFrame,
    cases: pd.DataFrame,
    corrections: pd.DataFrame,
    weights: QualityWeights = QualityWeights(),
) -> pd.DataFrame:
    """One row per institution-month present in any input: ``KEYS``, ``score`` and the ``COMPONENTS``.

    ``batches``: KEYS (upload month), ``error_free`` (bool), ``rows_in``, ``warning_count``;
    ``cases``: KEYS (settlement month), ``created_at`` (aware); ``corrections``: KEYS, ``corrections`` (count).
    """
    b = batches.groupby(KEYS).agg(
        batches=("error_free", "size"),
        error_free_batches=("error_free", "sum"),
        rows_in=("rows_in", "sum"),
        warnings=("warning_count", "sum"),
    )
    c = (
        cases.assign(late=_late(cases, weights.late_days))
        .groupby(KEYS)
        .agg(cases=("late", "size"), late_cases=("late", "sum"))
    )
    k = corrections.groupby(KEYS)["corrections"].sum().to_frame()
    joined = b.join(c, how="outer").join(k, how="outer").fillna(0)
    rows = []
    for (institution, year, month), r in joined.iterrows():
        components = {
            "batches": int(r.batches),
            "error_free_batches": int(r.error_free_batches),
            "error_shortfall": (Decimal(1) - _rate(r.error_free_batches, r.batches))
            if r.batches
            else Decimal(0),
            "warning_rate": _rate(r.warnings, r.rows_in),
            "cases": int(r.cases),
            "late_cases": int(r.late_cases),
            "late_share": _rate(r.late_cases, r.cases),
            "corrections": int(r.corrections),
            "correction_rate": _rate(r.corrections, r.cases),
        }
        rows.append(
            {
                "institution": institution,
                "year": int(year),
                "month": int(month),
                "score": score_of(components, weights),
                **components,
            }
        )
    return pd.DataFrame(rows, columns=[*KEYS, "score", *COMPONENTS])


def _late(cases: pd.DataFrame, late_days: int) -> pd.Series:
    if cases.empty:
        return pd.Series(False, index=cases.index)
    due = {
        key: deadline(int(key[0]), int(key[1]), late_days)
        for key in cases.groupby(["year", "month"]).groups
    }
    limit = pd.Series(
        [due[(y, m)] for y, m in zip(cases["year"], cases["month"], strict=True)], index=cases.index
    )
    return pd.to_datetime(cases["created_at"], utc=True) >= limit.dt.tz_convert("UTC")
