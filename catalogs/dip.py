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

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from catalogs.choices import GroupType, ScoreMethod, SubtypeDimension, TreatmentType
from catalogs.codes import diagnosis_deciding
from config.lazy import numpy as np
from config.lazy import pandas as pd

SCORE_QUANTUM = Decimal("0.0001")
COEFFICIENT_QUANTUM = Decimal("0.0001")
CV_QUANTUM = Decimal("0.0001")
FEN = Decimal("0.01")
#: The one rounding rule of catalog results: half-up (四舍五入).
ROUNDING = ROUND_HALF_UP

DEFAULT_WEIGHTS: dict[int, tuple[int, ...]] = {1: (1,), 2: (2, 8), 3: (1, 2, 7)}
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

ERR_COLUMNS = "病例数据缺少列：{columns}。"
ERR_NO_YEARS = "请至少选择一个测算年度。"
ERR_WEIGHTS = "年度权重个数（{weights}）与测算年度数（{years}）不一致。"
ERR_NO_DEFAULT_WEIGHTS = "{years}个测算年度没有默认权重，请指定年度权重。"
ERR_NEGATIVE_WEIGHT = "年度权重必须为非负数且合计大于零。"
ERR_NO_CASES = "所选年度没有可用于测算的病例。"
ERR_BENCHMARK = "基准病种 {code} 不在本次测算的病种中。"
ERR_FIXED = "标准定额法需要设置大于零的标准定额（元）。"
ERR_SCORE_METHOD = "未知的分值计算方法：{method}。"


class DipError(ValueError):
    """A catalog that cannot be built from these inputs; ``message`` is for the user (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class HistoryConfig:
    """The parameters every catalog build from history shares: look-back years, their weights (default
    1:2:7, 2:8 or 1 by the number of years) and the scale K. Stored with the version as build parameters."""

    years: tuple[int, ...] = ()
    weights: tuple[int, ...] = ()
    scale: Decimal = Decimal("1000")

    def year_weights(self) -> dict[int, int]:
        if not self.years:
            raise DipError(ERR_NO_YEARS)
        weights = self.weights or DEFAULT_WEIGHTS.get(len(self.years))
        if weights is None:
            raise DipError(ERR_NO_DEFAULT_WEIGHTS.format(years=len(self.years)))
        if len(weights) != len(self.years):
            raise DipError(ERR_WEIGHTS.format(weights=len(weights), years=len(self.years)))
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise DipError(ERR_NEGATIVE_WEIGHT)
        return dict(zip(sorted(self.years), weights, strict=True))

    def to_params(self) -> dict:
        """JSON-ready (Decimals as text) — what a catalog version stores as its build parameters."""
        return {
            key: (
                str(value)
                if isinstance(value, Decimal)
                else list(value)
                if isinstance(value, tuple)
                else value
            )
            for key, value in asdict(self).items()
        }

    @classmethod
    def from_params(cls, params: Mapping):
        types = {f.name: str(f.type) for f in fields(cls)}
        values = {}
        for key, value in params.items():
            if key not in types:
                continue
            if isinstance(value, list | tuple):
                value = (
                    tuple(str(v).strip() for v in value)
                    if "str" in types[key]
                    else tuple(int(v) for v in value)
                )
            elif "Decimal" in types[key] and value is not None:
                value = Decimal(str(value))
            values[key] = value
        return cls(**values)


@dataclass(frozen=True)
class DipConfig(HistoryConfig):
    """测算参数 (spec §18). ``tcm_codes`` and ``day_surgery_codes`` are the region's lists of 中医优势病种
    and 日间手术 (``special_flags``)."""

    core_threshold: int = 15
    score_method: str = ScoreMethod.AVERAGE
    benchmark_code: str = ""
    fixed_amount: Decimal | None = None
    aux_min_group_cases: int = 15
    aux_min_subtype_cases: int = 5
    aux_min_cv_reduction: Decimal = Decimal("0.20")
    aux_cv_gate: Decimal = Decimal("0.70")
    grassroots_min_share: Decimal = Decimal("0.50")
    grassroots_max_cv: Decimal = Decimal("0.70")
    unmapped_procedure_type: str = TreatmentType.THERAPEUTIC
    tcm_codes: tuple[str, ...] = ()
    day_surgery_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubtypeResult:
    """辅助分型 — one subtype of a core group and its coefficient (subtype mean / group mean)."""

    dimension: str
    key: str
    cases: int
    mean_cost: Decimal
    coefficient: Decimal


@dataclass(frozen=True)
class GroupResult:
    """One DIP group (病种) of the catalog."""

    code: str
    group_type: str
    diag_code: str
    proc_code: str
    treatment_type: str
    score: Decimal
    case_counts: dict[int, int]
    mean_cost: Decimal
    cv: Decimal
    level_means: dict[str, Decimal]
    grassroots_share: Decimal
    is_grassroots: bool
    subtypes: tuple[SubtypeResult, ...] = ()
    is_tcm: bool = False
    is_day_surgery: bool = False
    name: str = ""


@dataclass(frozen=True)
class DipCatalog:
    groups: tuple[GroupResult, ...]
    base: (
        Fraction  # M, yuan, exact: the scores' divisor and the fee-for-service points' (按项目付费)
    )
    weights: dict[int, int]
    unmapped_procedures: tuple[str, ...] = ()
    cases: int = 0

    @property
    def base_mean(self) -> Decimal:
        """M to the fen, for reading only (全部病例次均费用 shown on the catalog)."""
        return quantize(self.base, FEN)

    def by_code(self) -> dict[str, GroupResult]:
        return {group.code: group for group in self.groups}


@dataclass(frozen=True)
class TypingCandidate:
    """A dimension's case for typing one group: the gate inputs and its trigger coefficient."""

    dimension: str
    cv_before: Decimal
    cv_reduction: Decimal
    trigger: Decimal
    subtypes: tuple[SubtypeResult, ...] = field(default=(), compare=False)


# --- rounding -------------------------------------------------------------------------------------


def quantize(value: Fraction | Decimal | int, quantum: Decimal) -> Decimal:
    """Round an exact value half-up (四舍五入) to ``quantum`` — the one rounding of a result."""
    steps = Fraction(value) / Fraction(quantum)
    sign = -1 if steps < 0 else 1
    whole = math.floor(abs(steps) + Fraction(1, 2))
    return (Decimal(sign * whole) * quantum).quantize(quantum)


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


def _units(value: int) -> Decimal:
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


# --- the frame ------------------------------------------------------------------------------------


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
    build's own assignment; a published catalog groups cases with ``catalogs.grouping.dip_group``,
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


def _group_cvs(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
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
    sub = _group_cvs(last, ["code", dimension]).reset_index()
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
            dimension, _units(group["cv_units"]), _units(reduction[code]), trigger, subtypes
        )
    return candidates


def auxiliary_typing(
    frame: pd.DataFrame, core_codes: Sequence[str], config: DipConfig
) -> dict[str, tuple[SubtypeResult, ...]]:
    """Subtypes of the core groups that qualify for typing on the last look-back year (spec §5)."""
    last = frame[(frame["year"] == max(config.years)) & frame["code"].isin(core_codes)]
    stats = _group_cvs(last, ["code"])
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


# --- flags ----------------------------------------------------------------------------------------


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
    stats = _group_cvs(frame, ["code"])
    level_means = _level_means(frame, weights)
    counts = frame.groupby(["code", "year"]).size()
    grassroots = frame.groupby("code")["grassroots"].sum()
    typed = auxiliary_typing(
        frame, sorted(set(frame.loc[frame["group_type"] == GroupType.CORE, "code"])), config
    )
    first = frame.drop_duplicates("code").set_index("code")
    groups = []
    for code in sorted(means):
        row, cv = first.loc[code], _units(stats.loc[code, "cv_units"])
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


@dataclass(frozen=True)
class GoldenResult:
    """标准病例校验 — one golden case run against a catalog."""

    label: str
    expected_code: str
    expected_score: Decimal
    actual_code: str
    actual_score: Decimal | None

    @property
    def passed(self) -> bool:
        return self.actual_code == self.expected_code and self.actual_score == self.expected_score


def golden_check(
    golden: pd.DataFrame, *, assigned: pd.Series, scores: Mapping[str, Decimal]
) -> list[GoldenResult]:
    """Compare each golden case's expected group code and score with the group the grouper
    assigned it (``assigned``, aligned with ``golden``; "" = ungroupable) and that group's score.
    ``golden`` has columns label, expected_code, expected_score."""
    return [
        GoldenResult(
            label=str(label),
            expected_code=str(expected_code),
            expected_score=Decimal(str(expected_score)),
            actual_code=str(code),
            actual_score=scores.get(str(code)),
        )
        for label, expected_code, expected_score, code in zip(
            golden["label"],
            golden["expected_code"],
            golden["expected_score"],
            assigned,
            strict=True,
        )
    ]
