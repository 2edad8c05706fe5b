"""Building a DIP catalog from history (DIP病种目录库测算) — pure: a pandas frame of settled cases in,
Decimal groups out. No ORM, no settings.

The steps follow the domain spec:

1. **Combination key** (§3): main diagnosis + main procedure, ``"I21.000+36.0601"``; a case with no
   procedure is conservative treatment (保守治疗) and its key is the diagnosis alone, ``"J18.900"``. The
   diagnosis is its deciding part (catalogs.codes): ``A17.000+G01*`` counts, and keys, as ``A17.000``.
2. **Core or comprehensive** (§3): the *annual* case count of a combination is its cases in the
   look-back window divided by the number of look-back years — every year of the window counts,
   also a year without a single case, so with 3 years and threshold 15 a combination needs 45 cases
   in the window. Core when that mean is >= the threshold (inclusive). Every other case folds into a
   comprehensive disease: diagnosis category (ICD-10 类目, first 3 characters) x treatment type
   (内科诊疗 / 诊断性操作 / 治疗性操作 / 相关手术), code ``"I21-S"``.
3. **Score** (§4): ``RW = m / M x K`` where ``m`` and ``M`` weight the *yearly means* (1:2:7 for three
   years, 2:8 for two). A group (or the region) without cases in a year drops that year and its weight
   is renormalised over the years it has. ``M`` is the all-case mean (平均费用法), the benchmark group's
   mean (基准病种费用法) or a fixed amount (标准定额法). Means are exact fractions of fen until the
   one rounding of each result: half-up (四舍五入), scores to 4 decimals, money to the fen.
4. **Per group**: cases per year, weighted mean cost, coefficient of variation (population, over the
   window's cases), weighted mean per institution level, and the grassroots suggestion (基层病种:
   grassroots institutions' share of cases >= 50 % and CV <= 0.7).
5. **Auxiliary typing** (§5) of core groups on the *last* look-back year: a dimension (age band,
   comorbidity, death) qualifies when the group has >= 15 cases, its CV >= the gate (0.7), typing cuts
   the CV by >= 20 % and a subtype has >= 5 cases. Among qualifying dimensions the highest trigger
   coefficient wins (spec §5). Coefficient = subtype mean / group mean (that year).
   The CV after typing is the case-weighted mean of the subtypes' CVs.
   Comorbidity is a *proxy*: the number of other diagnoses on the settlement list (0 / 1 / 2+), not
   the Charlson index, whose national dictionary the portal does not hold yet.
   CVs are rounded to 4 decimals before they meet a threshold, so a gate is hit or missed the same way
   on every machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from catalogs.choices import GroupType, ScoreMethod, SubtypeDimension, TreatmentType
from catalogs.codes import diagnosis_deciding
from catalogs.dip.catalog import (
    CV_QUANTUM,
    ERR_BENCHMARK,
    ERR_COLUMNS,
    ERR_FIXED,
    ERR_NO_CASES,
    ERR_SCORE_METHOD,
    FEN,
    DipCatalog,
    DipConfig,
    DipError,
    GroupResult,
    quantize,
)
from catalogs.dip.scores import cost_fen, decimal_from_units, group_cvs, score, weighted_mean
from catalogs.dip.subtypes import age_bands, auxiliary_typing, comorbidity_bands, special_flags
from config.lazy import numpy as np
from config.lazy import pandas as pd

DEATH_DISCHARGE = "5"  # dscg_way 死亡
TREATMENT_SUFFIX = {
    TreatmentType.MEDICAL: "M",
    TreatmentType.DIAGNOSTIC: "D",
    TreatmentType.THERAPEUTIC: "T",
    TreatmentType.SURGICAL: "S",
}

REQUIRED_COLUMNS = (
    "year",
    "level",
    "maindiag_code",
    "main_oprn_oprt_code",
    "age",
    "dscg_way",
    "otherdiag_codes",
    "is_grassroots",
)


# --- rounding -------------------------------------------------------------------------------------


# --- the frame ------------------------------------------------------------------------------------


def combination_keys(diag: pd.Series, proc: pd.Series) -> pd.Series:
    """主要诊断+主要手术操作; the diagnosis alone for conservative treatment (保守治疗)."""
    return diag.where(proc == "", diag + "+" + proc)


def treatment_types(
    proc: pd.Series, procedure_types: Mapping[str, str], unmapped: str
) -> pd.Series:
    mapped = proc.map(procedure_types).astype(object).fillna(str(unmapped))
    return mapped.where(proc != "", TreatmentType.MEDICAL.value)


def assign_groups(
    diag: pd.Series,
    proc: pd.Series,
    *,
    core_codes: set[str] | frozenset[str],
    procedure_types: Mapping[str, str],
    unmapped: str,
) -> pd.DataFrame:
    """The group of each case: its combination when that is a core disease, else its comprehensive one.

    Returns columns ``code``, ``group_type``, ``treatment_type``, ``key``, ``diag``, ``proc``. The
    build's own assignment; a published catalog groups cases with ``catalogs.dip.grouper.dip_group``,
    which matches these codes (the golden-case checks run through it).
    """
    diag = diag.fillna("").astype(str).str.strip()
    proc = proc.fillna("").astype(str).str.strip()
    key = combination_keys(diag, proc)
    treatment = treatment_types(proc, procedure_types, unmapped)
    comprehensive = diag.str[:3] + "-" + treatment.map(TREATMENT_SUFFIX)
    is_core = key.isin(core_codes)
    return pd.DataFrame(
        {
            "code": key.where(is_core, comprehensive),
            "group_type": np.where(is_core, GroupType.CORE.value, GroupType.COMPREHENSIVE.value),
            "treatment_type": treatment,
            "key": key,
            "diag": diag,
            "proc": proc,
        },
        index=diag.index,
    )


def _pairs(diag: pd.Series, proc: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
    """The distinct (diagnosis, procedure) pairs and, per case, the index of its pair: string work
    runs once per pair, not once per case."""
    diag_codes, diag_values = pd.factorize(diag.fillna("").astype(str))
    proc_codes, proc_values = pd.factorize(proc.fillna("").astype(str))
    pair_of_case, pair_ids = pd.factorize(
        diag_codes.astype(np.int64) * max(len(proc_values), 1) + proc_codes
    )
    pairs = pd.DataFrame(
        {
            "diag": np.asarray(diag_values, dtype=object)[pair_ids // max(len(proc_values), 1)],
            "proc": np.asarray(proc_values, dtype=object)[pair_ids % max(len(proc_values), 1)],
            "cases": np.bincount(pair_of_case, minlength=len(pair_ids)),
        }
    )
    return pair_of_case, pairs


def _prepare(
    cases: pd.DataFrame, config: DipConfig, procedure_types: Mapping[str, str]
) -> pd.DataFrame:
    missing = [column for column in REQUIRED_COLUMNS if column not in cases.columns]
    if missing:
        raise DipError(ERR_COLUMNS.format(columns="、".join(missing)))
    cases = cases[cases["year"].astype("int64").isin(config.years)]
    if cases.empty:
        raise DipError(ERR_NO_CASES)
    pair_of_case, pairs = _pairs(
        diagnosis_deciding(cases["maindiag_code"]), cases["main_oprn_oprt_code"]
    )
    pairs["key"] = combination_keys(pairs["diag"].str.strip(), pairs["proc"].str.strip())
    cases_per_key = pairs.groupby("key")["cases"].transform("sum")
    core = set(pairs.loc[cases_per_key >= config.core_threshold * len(config.years), "key"])
    grouped = assign_groups(
        pairs["diag"],
        pairs["proc"],
        core_codes=core,
        procedure_types=procedure_types,
        unmapped=config.unmapped_procedure_type,
    )
    frame = grouped.iloc[pair_of_case].set_axis(cases.index)
    frame["year"] = cases["year"].astype("int64")
    frame["level"] = cases["level"].astype(str)
    frame["fen"] = cost_fen(cases)
    frame["grassroots"] = cases["is_grassroots"].astype(bool)
    frame[SubtypeDimension.AGE.value] = age_bands(
        cases["age"], cases["nwb_age"] if "nwb_age" in cases.columns else None
    )
    frame[SubtypeDimension.COMORBIDITY.value] = comorbidity_bands(cases["otherdiag_codes"])
    frame[SubtypeDimension.DEATH.value] = np.where(
        cases["dscg_way"].astype(str) == DEATH_DISCHARGE, "death", "alive"
    )
    return frame


# --- statistics -----------------------------------------------------------------------------------


def _weighted_means(
    frame: pd.DataFrame, by: list[str], weights: Mapping[int, int]
) -> dict[tuple, Fraction]:
    """Exact time-weighted mean cost in yuan per ``by`` group (yearly means weighted, spec §4)."""
    yearly = frame.groupby([*by, "year"], sort=False)["fen"].agg(["sum", "count"])
    means: dict[tuple, dict[int, Fraction]] = {}
    for (*group, year), total, count in zip(
        yearly.index, yearly["sum"], yearly["count"], strict=True
    ):
        means.setdefault(tuple(group), {})[year] = Fraction(int(total), int(count) * 100)
    return {group: weighted_mean(by_year, weights) for group, by_year in means.items()}


def _base_mean(
    frame: pd.DataFrame,
    group_means: Mapping[str, Fraction],
    config: DipConfig,
    weights: Mapping[int, int],
) -> Fraction:
    method = config.score_method
    if method == ScoreMethod.AVERAGE:
        return _weighted_means(frame.assign(all=""), ["all"], weights)[("",)]
    if method == ScoreMethod.BENCHMARK:
        if config.benchmark_code not in group_means:
            raise DipError(ERR_BENCHMARK.format(code=config.benchmark_code or "（未设置）"))
        return group_means[config.benchmark_code]
    if method == ScoreMethod.FIXED:
        if not config.fixed_amount or config.fixed_amount <= 0:
            raise DipError(ERR_FIXED)
        return Fraction(config.fixed_amount)
    raise DipError(ERR_SCORE_METHOD.format(method=method))


# --- auxiliary typing -----------------------------------------------------------------------------


# --- flags ----------------------------------------------------------------------------------------


# --- the catalog ----------------------------------------------------------------------------------


def _level_means(frame: pd.DataFrame, weights: Mapping[int, int]) -> dict[str, dict[str, Decimal]]:
    """Per group, the time-weighted mean cost at each institution level (the base of level coefficients, §7)."""
    by_group: dict[str, dict[str, Decimal]] = {}
    for (code, level), mean in sorted(_weighted_means(frame, ["code", "level"], weights).items()):
        by_group.setdefault(code, {})[level] = quantize(mean, FEN)
    return by_group


def catalog_from_history(
    cases: pd.DataFrame, *, procedure_types: Mapping[str, str], config: DipConfig
) -> DipCatalog:
    """Build the DIP catalog (groups, scores, statistics, subtypes) from the look-back years' cases."""
    weights = config.year_weights()
    frame = _prepare(cases, config, procedure_types)
    means = {code: mean for (code,), mean in _weighted_means(frame, ["code"], weights).items()}
    base = _base_mean(frame, means, config, weights)
    stats = group_cvs(frame, ["code"])
    level_means = _level_means(frame, weights)
    counts = frame.groupby(["code", "year"]).size()
    grassroots = frame.groupby("code")["grassroots"].sum()
    typed = auxiliary_typing(
        frame, sorted(set(frame.loc[frame["group_type"] == GroupType.CORE, "code"])), config
    )
    first = frame.drop_duplicates("code").set_index("code")
    groups = []
    for code in sorted(means):
        row, cv = first.loc[code], decimal_from_units(stats.loc[code, "cv_units"])
        grassroots_share = quantize(
            Fraction(int(grassroots[code]), int(stats.loc[code, "count"])), CV_QUANTUM
        )
        is_core = row["group_type"] == GroupType.CORE
        groups.append(
            GroupResult(
                code=code,
                group_type=row["group_type"],
                diag_code=row["diag"] if is_core else row["diag"][:3],
                proc_code=row["proc"] if is_core else "",
                treatment_type=row["treatment_type"],
                score=score(means[code], base, config.scale),
                case_counts={
                    year: int(counts.get((code, year), 0)) for year in sorted(config.years)
                },
                mean_cost=quantize(means[code], FEN),
                cv=cv,
                level_means=level_means[code],
                grassroots_share=grassroots_share,
                is_grassroots=grassroots_share >= config.grassroots_min_share
                and cv <= config.grassroots_max_cv,
                subtypes=typed.get(code, ()),
                **special_flags(
                    code=code,
                    diag_code=row["diag"],
                    proc_code=row["proc"] if is_core else "",
                    config=config,
                ),
            )
        )
    unmapped = sorted(
        set(frame.loc[(frame["proc"] != "") & ~frame["proc"].isin(procedure_types.keys()), "proc"])
    )
    return DipCatalog(
        groups=tuple(groups),
        base=base,
        weights=weights,
        unmapped_procedures=tuple(unmapped),
        cases=len(frame),
    )


# --- golden cases ---------------------------------------------------------------------------------
