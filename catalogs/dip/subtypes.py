"""DIP auxiliary typing (辅助目录分型, spec §5) of core groups on the last look-back year: age band,
comorbidity (the number of other diagnoses, 0 / 1 / 2+) and death; the special flags (基层, 中医优势,
日间手术). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from catalogs.choices import SubtypeDimension
from catalogs.dip.catalog import FEN, DipConfig, SubtypeResult, quantize
from catalogs.dip.scores import decimal_from_units, group_cvs, subtype_coefficient
from config.lazy import numpy as np
from config.lazy import pandas as pd


@dataclass(frozen=True)
class TypingCandidate:
    """A dimension's case for typing one group: the gate inputs and its trigger coefficient."""

    dimension: str
    cv_before: Decimal
    cv_reduction: Decimal
    trigger: Decimal
    subtypes: tuple[SubtypeResult, ...] = field(default=(), compare=False)


def age_bands(age: pd.Series, newborn_days: pd.Series | None = None) -> pd.Series:
    """Age bands of spec §5: 0-28 days, 29 days-1 year, 1-6, 7-17, 18-64 (the reference band), >= 65."""
    age = age.astype("int64")
    days = newborn_days if newborn_days is not None else pd.Series(np.nan, index=age.index)
    newborn = (age == 0) & days.notna() & (pd.to_numeric(days, errors="coerce") <= 28)
    conditions = [newborn, age == 0, age <= 6, age <= 17, age >= 65]
    return pd.Series(
        np.select(conditions, ["0-28d", "29d-1y", "1-6", "7-17", "65+"], default="18-64"),
        index=age.index,
    )


def comorbidity_bands(other_diagnoses: pd.Series) -> pd.Series:
    """Comorbidity proxy: the number of other diagnoses (``;``-joined codes) — 0 / 1 / 2+."""
    text = other_diagnoses.fillna("").astype(str).str.replace(r"\s+", "", regex=True).str.strip(";")
    count = np.where(text == "", 0, text.str.count(";+") + 1)
    return pd.Series(
        np.select([count == 0, count == 1], ["0", "1"], default="2+"), index=text.index
    )


def winning_dimension(
    candidates: Sequence[TypingCandidate], config: DipConfig
) -> TypingCandidate | None:
    """The dimension that types a group (spec §5): among those passing the CV gate and the CV
    reduction, the one with the highest trigger coefficient; ``None`` when none passes."""
    passing = [
        c
        for c in candidates
        if c.cv_before >= config.aux_cv_gate
        and c.cv_reduction >= config.aux_min_cv_reduction
        and c.subtypes
    ]
    return max(passing, key=lambda c: c.trigger, default=None)


def _reduction_units(cv_units: pd.Series, cases: pd.Series, weighted_after: pd.Series) -> pd.Series:
    """CV reduction (cv_before - cv_after) / cv_before in units of 0.0001, half-up, in integers;
    cv_after is the case-weighted mean of the subtypes' CVs (``weighted_after`` = sum of n_j x cv_j)."""
    before = cv_units * cases
    return (2 * (before - weighted_after) * 10_000 + before) // (2 * before)


def _subtypes(
    rows: pd.DataFrame, dimension: str, group_sum: int, group_cases: int, config: DipConfig
) -> tuple[SubtypeResult, ...]:
    group_mean = Fraction(group_sum, group_cases * 100)
    return tuple(
        SubtypeResult(
            dimension=dimension,
            key=str(key),
            cases=int(n),
            mean_cost=quantize(Fraction(int(total), int(n) * 100), FEN),
            coefficient=subtype_coefficient(Fraction(int(total), int(n) * 100), group_mean),
        )
        for key, n, total in sorted(zip(rows[dimension], rows["count"], rows["sum"], strict=True))
        if n >= config.aux_min_subtype_cases
    )


def _dimension_candidates(
    last: pd.DataFrame, dimension: str, group_stats: pd.DataFrame, config: DipConfig
) -> dict[str, TypingCandidate]:
    """The candidates of one dimension for the groups whose typing passes the CV gates; the gates are
    integer arithmetic over all groups at once, subtypes are built only for the groups that pass."""
    sub = group_cvs(last, ["code", dimension]).reset_index()
    weighted_after = (sub["cv_units"] * sub["count"]).groupby(sub["code"]).sum()
    stats = group_stats.loc[weighted_after.index]
    reduction = _reduction_units(stats["cv_units"], stats["count"], weighted_after)
    passing = reduction.index[reduction >= int(config.aux_min_cv_reduction.scaleb(4))]
    candidates = {}
    for code, rows in sub[sub["code"].isin(passing)].groupby("code", sort=False):
        group = stats.loc[code]
        subtypes = _subtypes(rows, dimension, int(group["sum"]), int(group["count"]), config)
        trigger = max((s.coefficient for s in subtypes), default=Decimal("0"))
        candidates[code] = TypingCandidate(
            dimension,
            decimal_from_units(group["cv_units"]),
            decimal_from_units(reduction[code]),
            trigger,
            subtypes,
        )
    return candidates


def auxiliary_typing(
    frame: pd.DataFrame, core_codes: Sequence[str], config: DipConfig
) -> dict[str, tuple[SubtypeResult, ...]]:
    """Subtypes of the core groups that qualify for typing on the last look-back year (spec §5)."""
    last = frame[(frame["year"] == max(config.years)) & frame["code"].isin(core_codes)]
    stats = group_cvs(last, ["code"])
    gate = max(int(config.aux_cv_gate.scaleb(4)), 1)
    eligible = stats[(stats["count"] >= config.aux_min_group_cases) & (stats["cv_units"] >= gate)]
    last = last[last["code"].isin(eligible.index)]
    per_dimension = [
        _dimension_candidates(last, d.value, eligible, config) for d in SubtypeDimension
    ]
    typed = {}
    for code in sorted(set().union(*per_dimension)):
        winner = winning_dimension([c[code] for c in per_dimension if code in c], config)
        if winner is not None:
            typed[code] = winner.subtypes
    return typed


def special_flags(
    *, code: str, diag_code: str, proc_code: str, config: DipConfig
) -> dict[str, bool]:
    """中医优势病种 and 日间手术 from the region's lists: a group is TCM when the TCM list holds its code, its
    main diagnosis or that diagnosis's category (类目); day surgery when the day-surgery list holds its
    code or its main procedure (a comprehensive group has none, so only its code can be listed)."""
    tcm, day = set(config.tcm_codes), set(config.day_surgery_codes)
    return {
        "is_tcm": bool(tcm & {code, diag_code, diag_code[:3]}),
        "is_day_surgery": bool(day & ({code, proc_code} - {""})),
    }
