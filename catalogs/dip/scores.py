"""The exact arithmetic of a catalog build: costs in integer fen, ``Fraction`` means weighted by year,
scores and subtype coefficients rounded once, and the coefficient of variation per group. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from catalogs.dip.catalog import (
    COEFFICIENT_QUANTUM,
    ERR_COLUMNS,
    ERR_NO_CASES,
    FEN,
    ROUNDING,
    SCORE_QUANTUM,
    DipError,
    quantize,
)
from config.lazy import numpy as np
from config.lazy import pandas as pd


def _cv_units(std: pd.Series, mean: pd.Series) -> np.ndarray:
    """Coefficients of variation (a statistic, not money) in units of 0.0001, half-up; the ratio is
    first rounded to 10 places so float noise cannot move a value across a threshold."""
    ratio = np.divide(
        std.to_numpy(float),
        mean.to_numpy(float),
        out=np.zeros(len(std)),
        where=mean.to_numpy(float) != 0,
    )
    return np.floor(np.round(ratio, 10) * 10_000 + 0.5).astype(np.int64)


def decimal_from_units(value: int) -> Decimal:
    """An integer count of 0.0001 units (a CV or a reduction kept exact) as a Decimal."""
    return Decimal(int(value)).scaleb(-4)


def score(mean: Fraction | Decimal, base: Fraction | Decimal, scale: Decimal) -> Decimal:
    """RW = m / M x K (spec §4), 4 decimals half-up."""
    return quantize(Fraction(mean) / Fraction(base) * Fraction(scale), SCORE_QUANTUM)


def weighted_mean(
    yearly_means: Mapping[int, Fraction | Decimal], weights: Mapping[int, int]
) -> Fraction:
    """Time-weighted mean of yearly means over the years that have one (weights renormalised)."""
    present = [year for year in yearly_means if weights.get(year, 0)]
    total = sum(weights[year] for year in present)
    if not total:
        raise DipError(ERR_NO_CASES)
    return (
        sum((Fraction(yearly_means[year]) * weights[year] for year in present), Fraction(0)) / total
    )


def subtype_coefficient(
    subtype_mean: Fraction | Decimal, group_mean: Fraction | Decimal
) -> Decimal:
    """调整系数 = m_j / M_disease (spec §5), 4 decimals half-up."""
    return quantize(Fraction(subtype_mean) / Fraction(group_mean), COEFFICIENT_QUANTUM)


def typed_score(group_score: Decimal, coefficient: Decimal) -> Decimal:
    """分型分值 = RW x coefficient (spec §5)."""
    return quantize(Fraction(group_score) * Fraction(coefficient), SCORE_QUANTUM)


def cost_fen(cases: pd.DataFrame) -> np.ndarray:
    """Total cost in integer fen: ``medfee_fen`` as given, or ``medfee_sumamt`` (Decimal yuan) exactly."""
    if "medfee_fen" in cases.columns:
        return cases["medfee_fen"].to_numpy(dtype=np.int64)
    if "medfee_sumamt" not in cases.columns:
        raise DipError(ERR_COLUMNS.format(columns="medfee_sumamt"))
    amounts = cases["medfee_sumamt"]
    exact = (v if isinstance(v, Decimal) else Decimal(str(v)) for v in amounts)
    return np.fromiter(
        (int(v.quantize(FEN, ROUNDING).scaleb(2)) for v in exact),
        dtype=np.int64,
        count=len(amounts),
    )


def group_cvs(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = frame.groupby(by, sort=False)["fen"]
    stats = pd.DataFrame(
        {
            "count": grouped.count(),
            "sum": grouped.sum(),
            "mean": grouped.mean(),
            "std": grouped.std(ddof=0),
        }
    )
    stats["cv_units"] = _cv_units(stats["std"], stats["mean"])
    return stats
