"""Anomaly rules (违规行为筛查规则, spec §16) — pure: a pandas frame of cases in, a frame of findings out.

Input, one row per case (the columns of ``supervision.indicators`` plus a few; money as int64 **fen**):

    institution, year, month            who and which settlement month
    setl_id, psn_no                     the case (evidence) and the patient
    med_type                            "14" = outpatient chronic/special (门诊慢特病); anything else is a stay
    adm_time, dscg_time, act_ipt_days   the stay (NaT / NA for outpatient rows)
    dscg_way                            1 医嘱离院, 2 医嘱转院, 3 转社区/乡镇卫生院, 4 非医嘱离院, 5 死亡
    days_rinp_flag_31                   "2" = a planned readmission (计划再入院), never a split admission
    maindiag_code, otherdiag_codes      ICD-10 医保版; secondary diagnoses ``;``-separated
    medfee                              total cost, fen
    group          (optional)           the DIP/DRG group (病种/病组); when absent the diagnosis stands in for it
    score          (optional)           the case's score / weight (分值/权重) for the CMI-jump check
    high_severity  (optional, bool)     the case fell in a high-severity subtype (严重/危重分型, MCC)

Output, one row per finding (``FINDING_COLUMNS``): rule code, institution, year, month, severity
(``high`` when the score reaches ``Thresholds.high_severity_score``, else ``medium``), score (the
measure divided by its threshold, so ≥ 1; ``Decimal`` to 2 places, half-up), a Chinese description,
the evidence case ids (``setl_id``, at most ``Thresholds.max_evidence``) with their full count, and the
measures behind the finding (``metrics``, text values).

The thresholds are local policy (spec §16 "[L]"): ``Thresholds`` holds documented defaults and is
stored per region as a versioned rule set (``audit.models.RuleSet``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from catalogs.codes import diagnosis_deciding
from config.lazy import numpy as np
from config.lazy import pandas as pd

OUTPATIENT_MED_TYPE = "14"
TRANSFER_WAYS = ("2", "3")
DEATH_WAY = "5"
PLANNED_READMISSION = "2"
KEYS = ["institution", "year", "month"]
FINDING_COLUMNS = [
    *KEYS,
    "rule",
    "severity",
    "score",
    "description",
    "evidence",
    "evidence_count",
    "metrics",
]

SPLIT_ADMISSION = "split_admission"
LOW_STANDARD_ADMISSION = "low_standard_admission"
UPCODING = "upcoding"
CMI_JUMP = "cmi_jump"
SHIRKING = "shirking"
POINT_INFLATION = "point_inflation"
RULES = {
    SPLIT_ADMISSION: "分解住院",
    LOW_STANDARD_ADMISSION: "低标准入院",
    UPCODING: "高套编码（次要诊断/高严重度分型）",
    CMI_JUMP: "高套分值（CMI异常跃升）",
    SHIRKING: "推诿患者",
    POINT_INFLATION: "冲点数（病例数异常增长）",
}
HIGH, MEDIUM = "high", "medium"
SCORE_UNIT = Decimal("0.01")
PCT = Decimal("0.1")


@dataclass(frozen=True)
class Thresholds:
    """The rules' parameters. Defaults follow spec §16 where it names a figure, otherwise a cautious choice
    (a rule should point at a handful of institutions, not the whole region)."""

    #: a month with fewer stays at an institution is too small to judge (rates, shares)
    min_stays: int = 20
    #: a rule needs at least this many evidence cases before it reports (fewer is chance in a small month)
    min_cases: int = 5
    #: findings scoring at least this (measure ÷ threshold) are ``high``
    high_severity_score: Decimal = Decimal("2")
    #: evidence ids kept per finding (the count is kept in full)
    max_evidence: int = 200

    #: 分解住院: readmission window in days after the earlier discharge (spec: 15 days; Jinhua 10)
    readmission_days: int = 15
    #: share of an institution-month's stays that are unplanned same-disease readmissions
    split_rate: Decimal = Decimal("0.10")

    #: 低标准入院: cost below this share of the group's (or diagnosis's) regional mean (third-party code: 30 %)
    low_cost_share: Decimal = Decimal("0.3")
    #: … with a stay of at most this many days …
    low_stay_days: int = 2
    #: … in a grassroots-treatable diagnosis category; reported when this share of the stays is such a case
    low_standard_rate: Decimal = Decimal("0.05")

    #: 高套编码: a stay with at least this many secondary diagnoses counts as heavily coded
    secondary_diagnoses: int = 3
    #: observed ÷ expected share (expected from the region's share per diagnosis category) above P90 × this
    upcoding_p90_factor: Decimal = Decimal("1.2")
    #: at least this many institutions in the month for a regional P90
    min_institutions: int = 5
    #: … and the excess must not be chance: (observed − expected) ÷ √expected at least this
    upcoding_min_z: Decimal = Decimal("3")

    #: CMI jump: month-on-month rise of the mean score …
    cmi_jump: Decimal = Decimal("0.15")
    #: … while cost and stay per case rose by at most this share of the score rise
    cmi_support: Decimal = Decimal("0.5")

    #: 推诿患者: baseline = the institution's previous N months, pooled
    baseline_months: int = 3
    #: a rise of the transfer-out rate (dscg_way 2/3) of at least this, in rate points
    transfer_rise: Decimal = Decimal("0.10")
    #: a high-cost case costs at least this multiple of its group's regional mean …
    high_cost_multiple: Decimal = Decimal("2")
    #: … and their share falling by at least this fraction of the baseline share is a signal
    high_cost_drop: Decimal = Decimal("0.5")
    #: stays of at most this many days that end in transfer or death …
    short_exit_days: int = 1
    #: … making up at least this share of the stays
    short_exit_rate: Decimal = Decimal("0.05")

    #: 冲点数: rolling window in months; its cases against the same window a year earlier (同比) when the
    #: data hold it, otherwise against the window just before it (环比)
    growth_window: int = 3
    #: growth above the region's median growth by at least this (0.5 = 50 percentage points)
    growth_excess: Decimal = Decimal("0.5")
    #: the baseline window needs at least this many cases
    growth_min_cases: int = 50

    def to_json(self) -> dict[str, str | int]:
        return {
            key: str(value) if isinstance(value, Decimal) else value
            for key, value in asdict(self).items()
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Thresholds:
        """Defaults overridden by the stored values; unknown keys are ignored, bad values raise ``ValueError``."""
        values = {}
        for field in fields(cls):
            if field.name in data:
                kind = type(field.default)
                try:
                    values[field.name] = (
                        Decimal(str(data[field.name]))
                        if kind is Decimal
                        else kind(data[field.name])
                    )
                except ArithmeticError as error:  # decimal.InvalidOperation
                    raise ValueError(f"{field.name}: {data[field.name]!r}") from error
        return cls(**values)


DEFAULT_THRESHOLDS = Thresholds()


def _score(measure: float | Decimal, threshold: float | Decimal) -> Decimal:
    return (Decimal(str(measure)) / Decimal(str(threshold))).quantize(
        SCORE_UNIT, rounding=ROUND_HALF_UP
    )


def _pct(value: float) -> str:
    return f"{Decimal(str(value)) * 100:.1f}%"


def _month_index(frame: pd.DataFrame) -> pd.Series:
    return frame["year"].astype("int64") * 12 + frame["month"].astype("int64") - 1


def _stays(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[cases["med_type"] != OUTPATIENT_MED_TYPE]


def _group_key(stays: pd.DataFrame) -> pd.Series:
    """The group when the frame carries one (and it is set), else the main diagnosis by its deciding part
    (``A17.000+G01*`` is the disease ``A17.000``, catalogs.codes)."""
    diagnosis = diagnosis_deciding(stays["maindiag_code"])
    if "group" in stays.columns:
        group = stays["group"].fillna("").astype(str)
        return group.where(group != "", diagnosis)
    return diagnosis


def _cost_against_mean(stays: pd.DataFrame, share: Decimal) -> tuple[pd.Series, pd.Series]:
    """Each stay's cost and ``share`` × its group's regional mean cost, as exact integers on one scale:
    ``cost × n × den`` against ``Σ cost × num`` (share = num/den, costs in fen), so a comparison at the
    boundary is decided to the fen, never by a float."""
    ratio = Fraction(share)
    fen = stays["medfee"].astype("int64")
    grouped = fen.groupby(_group_key(stays))
    left = fen * grouped.transform("size").astype("int64") * ratio.denominator
    right = grouped.transform("sum").astype("int64") * ratio.numerator
    return left, right


def _finding(
    rule: str,
    key: tuple,
    score: Decimal,
    description: str,
    evidence: pd.Series,
    metrics: dict,
    t: Thresholds,
) -> dict:
    ids = evidence.astype(str).tolist()
    institution, year, month = key
    return {
        "institution": institution,
        "year": int(year),
        "month": int(month),
        "rule": rule,
        "severity": HIGH if score >= t.high_severity_score else MEDIUM,
        "score": score,
        "description": description,
        "evidence": ids[: t.max_evidence],
        "evidence_count": len(ids),
        "metrics": {k: str(v) for k, v in metrics.items()},
    }


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def _rate_findings(
    stays: pd.DataFrame, flagged: pd.Series, *, rule: str, rate: Decimal, t: Thresholds, text: str
) -> pd.DataFrame:
    """One finding per institution-month whose flagged share of stays reaches ``rate`` (with enough stays and cases)."""
    counts = (
        stays.assign(flag=flagged)
        .groupby(KEYS)
        .agg(stays=("flag", "size"), flagged=("flag", "sum"))
    )
    counts = counts[(counts["stays"] >= t.min_stays) & (counts["flagged"] >= t.min_cases)]
    counts = counts[counts["flagged"] / counts["stays"] >= float(rate)]
    evidence = stays.loc[flagged, [*KEYS, "setl_id"]].groupby(KEYS)["setl_id"]
    rows = []
    for key, row in counts.iterrows():
        share = row.flagged / row.stays
        description = text.format(
            count=int(row.flagged),
            stays=int(row.stays),
            share=_pct(share),
            threshold=_pct(float(rate)),
        )
        metrics = {
            "stays": int(row.stays),
            "cases": int(row.flagged),
            "rate": round(share, 4),
            "threshold": rate,
        }
        rows.append(
            _finding(
                rule, key, _score(share, rate), description, evidence.get_group(key), metrics, t
            )
        )
    return _frame(rows)


# --- 分解住院 -------------------------------------------------------------------------------------


def split_admissions(cases: pd.DataFrame, t: Thresholds = DEFAULT_THRESHOLDS) -> pd.DataFrame:
    """分解住院: a stay that begins within ``readmission_days`` of the same patient's discharge from the same
    institution, with the same diagnosis category (first 3 characters) or the same group, not flagged
    planned. Counted in the month of the readmission (``evidence_count``); the evidence ids are both stays
    of every pair."""
    stays = _stays(cases).sort_values(
        ["institution", "psn_no", "adm_time", "dscg_time"], kind="stable"
    )
    previous = stays.shift(1)
    same_place = (previous["institution"] == stays["institution"]) & (
        previous["psn_no"] == stays["psn_no"]
    )
    gap = stays["adm_time"] - previous["dscg_time"]
    within = (gap >= pd.Timedelta(0)) & (gap <= pd.Timedelta(days=t.readmission_days))
    key = _group_key(stays)
    same_disease = (previous["maindiag_code"].str[:3] == stays["maindiag_code"].str[:3]) | (
        key.shift(1) == key
    )
    readmitted = (
        same_place & within & same_disease & (stays["days_rinp_flag_31"] != PLANNED_READMISSION)
    ).fillna(False)
    readmitted = readmitted.astype(bool)
    found = _rate_findings(
        stays,
        readmitted,
        rule=SPLIT_ADMISSION,
        rate=t.split_rate,
        t=t,
        text="{count}例住院为出院后"
        + str(t.readmission_days)
        + "日内同病种非计划再入院，占本月住院{stays}例的{share}（阈值{threshold}）。",
    )
    index_stays = stays["setl_id"].shift(1)[readmitted]
    pairs = dict(
        zip(stays.loc[readmitted, "setl_id"].astype(str), index_stays.astype(str), strict=True)
    )
    found["evidence"] = [
        sorted({*ids, *(pairs[i] for i in ids)})[: t.max_evidence] for ids in found["evidence"]
    ]
    return found


# --- 低标准入院 -----------------------------------------------------------------------------------


def low_standard_admissions(
    cases: pd.DataFrame, grassroots_categories: Iterable[str], t: Thresholds = DEFAULT_THRESHOLDS
) -> pd.DataFrame:
    """低标准入院: a stay costing less than ``low_cost_share`` of its group's regional mean (the diagnosis's when
    no group is given), no longer than ``low_stay_days``, with a grassroots-treatable main diagnosis
    (its 3-character category in ``grassroots_categories``)."""
    stays = _stays(cases)
    cost, threshold = _cost_against_mean(stays, t.low_cost_share)
    cheap = cost < threshold
    short = stays["act_ipt_days"].fillna(0).astype("int64") <= t.low_stay_days
    grassroots = stays["maindiag_code"].str[:3].isin(set(grassroots_categories))
    flagged = (cheap & short & grassroots).astype(bool)
    return _rate_findings(
        stays,
        flagged,
        rule=LOW_STANDARD_ADMISSION,
        rate=t.low_standard_rate,
        t=t,
        text="{count}例基层病种住院费用低于同病种均值的"
        + _pct(float(t.low_cost_share))
        + "且住院不超过"
        + str(t.low_stay_days)
        + "天，占本月住院{stays}例的{share}（阈值{threshold}）。",
    )


# --- 高套编码 -------------------------------------------------------------------------------------


def _secondary_count(codes: pd.Series) -> pd.Series:
    codes = codes.fillna("").astype(str)
    return codes.str.count(";") + (codes != "")


def upcoding(cases: pd.DataFrame, t: Thresholds = DEFAULT_THRESHOLDS) -> pd.DataFrame:
    """高套编码: an institution-month whose share of heavily coded stays (≥ ``secondary_diagnoses`` secondary
    diagnoses; and, when the frame says so, of high-severity subtypes) is far above what its case mix
    predicts. Expected = the region's share in each stay's diagnosis category that month (indirect
    standardisation); reported when observed ÷ expected exceeds the region's P90 of that ratio × factor."""
    stays = _stays(cases).copy()
    measures = {"heavily_coded": "次要诊断≥" + str(t.secondary_diagnoses) + "个"}
    stays["heavily_coded"] = _secondary_count(stays["otherdiag_codes"]) >= t.secondary_diagnoses
    if "high_severity" in stays.columns:
        stays["high_severity"] = stays["high_severity"].fillna(False).astype(bool)
        measures["high_severity"] = "高严重度分型"
    stays["category"] = stays["maindiag_code"].str[:3]
    rows = []
    for _month, month_stays in stays.groupby(["year", "month"], sort=True):
        for measure, label in measures.items():
            rows.extend(_upcoding_month(month_stays, measure, label, t))
    return _frame(rows)


def _upcoding_month(stays: pd.DataFrame, measure: str, label: str, t: Thresholds) -> list[dict]:
    expected_rate = stays.groupby(["category"])[measure].transform("mean")
    by_institution = (
        stays.assign(expected=expected_rate)
        .groupby(KEYS)
        .agg(stays=(measure, "size"), observed=(measure, "sum"), expected=("expected", "sum"))
    )
    by_institution = by_institution[
        (by_institution["stays"] >= t.min_stays) & (by_institution["expected"] > 0)
    ]
    if len(by_institution) < t.min_institutions:
        return []
    observed, expected = by_institution["observed"], by_institution["expected"]
    ratio = observed / expected
    p90 = float(np.percentile(ratio, 90))
    limit = p90 * float(t.upcoding_p90_factor)
    beyond_chance = (observed - expected) / np.sqrt(expected) >= float(t.upcoding_min_z)
    rows = []
    for key, value in ratio[(ratio > limit) & beyond_chance & (observed >= t.min_cases)].items():
        counts = by_institution.loc[key]
        in_month = stays["institution"] == key[0]
        description = (
            f"{label}的住院{int(counts.observed)}例，为按病种结构预期的{value:.2f}倍"
            f"（全区P90为{p90:.2f}倍，阈值{limit:.2f}倍）。"
        )
        metrics = {
            "measure": measure,
            "stays": int(counts.stays),
            "observed": int(counts.observed),
            "expected": round(counts.expected, 2),
            "ratio": round(value, 4),
            "region_p90": round(p90, 4),
        }
        rows.append(
            _finding(
                UPCODING,
                key,
                _score(value, limit),
                description,
                stays.loc[in_month & stays[measure], "setl_id"],
                metrics,
                t,
            )
        )
    return rows


def cmi_jumps(cases: pd.DataFrame, t: Thresholds = DEFAULT_THRESHOLDS) -> pd.DataFrame:
    """高套分值: the mean score of an institution's stays (a CMI-like index) rose by ``cmi_jump`` or more over
    the month before, while cost and stay per case rose by at most ``cmi_support`` of that rise. Needs a
    ``score`` column; without one it finds nothing. The evidence: the month's stays scoring above the
    previous month's mean."""
    if "score" not in cases.columns:
        return _frame([])
    stays = _stays(cases).assign(
        score=lambda f: f["score"].astype("float64"),
        cost=lambda f: f["medfee"].astype("float64"),
        days=lambda f: f["act_ipt_days"].fillna(0).astype("float64"),
    )
    stays["period"] = _month_index(stays)
    monthly = stays.groupby(["institution", "period"]).agg(
        stays=("score", "size"),
        cmi=("score", "mean"),
        cost=("cost", "mean"),
        days=("days", "mean"),
        year=("year", "first"),
        month=("month", "first"),
    )
    monthly = monthly[monthly["stays"] >= t.min_stays].reset_index()
    previous = monthly.assign(period=monthly["period"] + 1)[
        ["institution", "period", "cmi", "cost", "days"]
    ]
    joined = monthly.merge(previous, on=["institution", "period"], suffixes=("", "_prev"))
    rows = []
    for row in joined.itertuples():
        jump = row.cmi / row.cmi_prev - 1
        support = max(
            row.cost / row.cost_prev - 1, row.days / row.days_prev - 1 if row.days_prev else 0.0
        )
        if jump < float(t.cmi_jump) or support > jump * float(t.cmi_support):
            continue
        in_month = (
            (stays["institution"] == row.institution)
            & (stays["period"] == row.period)
            & (stays["score"] > row.cmi_prev)
        )
        description = (
            f"病例平均分值（CMI）较上月上升{_pct(jump)}（阈值{_pct(float(t.cmi_jump))}），"
            f"次均费用和平均住院日的变化不足以支撑（最高{_pct(support)}）。"
        )
        metrics = {
            "cmi": round(row.cmi, 4),
            "cmi_previous": round(row.cmi_prev, 4),
            "jump": round(jump, 4),
            "support": round(support, 4),
        }
        key = (row.institution, row.year, row.month)
        rows.append(
            _finding(
                CMI_JUMP,
                key,
                _score(jump, t.cmi_jump),
                description,
                stays.loc[in_month, "setl_id"],
                metrics,
                t,
            )
        )
    return _frame(rows)


# --- 推诿患者 -------------------------------------------------------------------------------------


def shirking(cases: pd.DataFrame, t: Thresholds = DEFAULT_THRESHOLDS) -> pd.DataFrame:
    """推诿患者, three signals of an institution-month against its own previous ``baseline_months`` (pooled):
    the transfer-out rate (dscg_way 2/3) rose by ``transfer_rise`` or more; the share of high-cost stays
    (≥ ``high_cost_multiple`` × the group's regional mean) fell by ``high_cost_drop`` of its baseline or
    more; and, needing no baseline, stays of at most ``short_exit_days`` ending in transfer or death make
    up ``short_exit_rate`` of the stays. The score is the strongest signal's measure ÷ threshold."""
    stays = _stays(cases).copy()
    stays["period"] = _month_index(stays)
    stays["transfer"] = stays["dscg_way"].isin(TRANSFER_WAYS)
    cost, threshold = _cost_against_mean(stays, t.high_cost_multiple)
    stays["high_cost"] = cost >= threshold
    days = stays["act_ipt_days"].fillna(0).astype("int64")
    stays["short_exit"] = (days <= t.short_exit_days) & (
        stays["transfer"] | (stays["dscg_way"] == DEATH_WAY)
    )
    monthly = stays.groupby(["institution", "period"]).agg(
        stays=("transfer", "size"),
        transfer=("transfer", "sum"),
        high_cost=("high_cost", "sum"),
        short_exit=("short_exit", "sum"),
        year=("year", "first"),
        month=("month", "first"),
    )
    rows = []
    for (institution, period), row in monthly.iterrows():
        if row.stays < t.min_stays:
            continue
        baseline = monthly.loc[institution].loc[
            lambda f, p=period: (f.index >= p - t.baseline_months) & (f.index < p)
        ]
        signals = _shirking_signals(row, baseline, t)
        if not signals:
            continue
        evidence = (
            (stays["institution"] == institution)
            & (stays["period"] == period)
            & (stays["transfer"] | stays["short_exit"])
        )
        score = max(score for score, _ in signals)
        description = "；".join(text for _, text in signals) + "。"
        metrics = {
            name: int(row[name]) for name in ["stays", "transfer", "high_cost", "short_exit"]
        }
        rows.append(
            _finding(
                SHIRKING,
                (institution, row.year, row.month),
                score,
                description,
                stays.loc[evidence, "setl_id"],
                metrics,
                t,
            )
        )
    return _frame(rows)


def _shirking_signals(
    row: pd.Series, baseline: pd.DataFrame, t: Thresholds
) -> list[tuple[Decimal, str]]:
    signals = []
    short_rate = row.short_exit / row.stays
    if row.short_exit >= t.min_cases and short_rate >= float(t.short_exit_rate):
        signals.append(
            (
                _score(short_rate, t.short_exit_rate),
                f"住院不超过{t.short_exit_days}天即转院或死亡{int(row.short_exit)}例，占{_pct(short_rate)}",
            )
        )
    if len(baseline) < t.baseline_months or baseline["stays"].sum() < t.min_stays:
        return signals
    base_transfer = baseline["transfer"].sum() / baseline["stays"].sum()
    rise = row.transfer / row.stays - base_transfer
    if row.transfer >= t.min_cases and rise >= float(t.transfer_rise):
        signals.append(
            (
                _score(rise, t.transfer_rise),
                f"转院率{_pct(row.transfer / row.stays)}，较前{t.baseline_months}个月的"
                f"{_pct(base_transfer)}上升{_pct(rise)}",
            )
        )
    base_high = baseline["high_cost"].sum() / baseline["stays"].sum()
    if base_high * row.stays >= t.min_cases:  # a fall from an expected handful is chance
        drop = 1 - (row.high_cost / row.stays) / base_high
        if drop >= float(t.high_cost_drop):
            signals.append(
                (
                    _score(drop, t.high_cost_drop),
                    f"高费用病例占比{_pct(row.high_cost / row.stays)}，较前"
                    f"{t.baseline_months}个月的{_pct(base_high)}下降{_pct(drop)}",
                )
            )
    return signals


# --- 冲点数 ---------------------------------------------------------------------------------------


def point_inflation(cases: pd.DataFrame, t: Thresholds = DEFAULT_THRESHOLDS) -> pd.DataFrame:
    """冲点数: the cases of an institution in the ``growth_window`` months ending this month, against the same
    window a year earlier when the data hold all of it (同比), else the window just before (环比), grew by
    at least ``growth_excess`` more than the region's median growth for that month. The evidence: the
    month's cases."""
    frame = cases.assign(period=_month_index(cases))
    counts = frame.groupby(["institution", "period"]).size().unstack(fill_value=0)
    periods = range(int(frame["period"].min()), int(frame["period"].max()) + 1)
    counts = counts.reindex(columns=periods, fill_value=0)
    present = set(frame["period"].unique())
    w = t.growth_window
    rows = []
    for end in periods:
        window = list(range(end - w + 1, end + 1))
        year_ago = [p - 12 for p in window]
        before = year_ago if set(year_ago) <= present else [p - w for p in window]
        if not set(window) <= present or not set(before) <= present:
            continue
        current, base = counts[window].sum(axis=1), counts[before].sum(axis=1)
        eligible = base >= t.growth_min_cases
        if eligible.sum() < t.min_institutions:
            continue
        growth = current[eligible] / base[eligible] - 1
        median = float(growth.median())
        for institution, value in growth[growth - median >= float(t.growth_excess)].items():
            rows.append(
                _inflation_finding(
                    frame,
                    institution,
                    end,
                    value,
                    median,
                    int(current[institution]),
                    int(base[institution]),
                    same_period=before == year_ago,
                    t=t,
                )
            )
    return _frame(rows)


def _inflation_finding(
    frame: pd.DataFrame,
    institution: str,
    end: int,
    growth: float,
    median: float,
    current: int,
    base: int,
    *,
    same_period: bool,
    t: Thresholds,
) -> dict:
    comparison = "上年同期" if same_period else f"前{t.growth_window}个月"
    description = (
        f"近{t.growth_window}个月结算{current}例，较{comparison}{base}例增长{_pct(growth)}，"
        f"全区中位增长{_pct(median)}，超出{_pct(growth - median)}（阈值{_pct(float(t.growth_excess))}）。"
    )
    metrics = {
        "cases": current,
        "baseline": base,
        "growth": round(growth, 4),
        "region_median": round(median, 4),
        "comparison": "yoy" if same_period else "previous",
    }
    in_month = (frame["institution"] == institution) & (frame["period"] == end)
    key = (institution, end // 12, end % 12 + 1)
    return _finding(
        POINT_INFLATION,
        key,
        _score(growth - median, t.growth_excess),
        description,
        frame.loc[in_month, "setl_id"],
        metrics,
        t,
    )


# --- all rules ------------------------------------------------------------------------------------


def findings_detect(
    cases: pd.DataFrame,
    t: Thresholds = DEFAULT_THRESHOLDS,
    *,
    grassroots_categories: Iterable[str] = (),
) -> pd.DataFrame:
    """Every rule over ``cases``, findings ordered by rule, institution and month."""
    if cases.empty:
        return _frame([])
    parts = [
        split_admissions(cases, t),
        low_standard_admissions(cases, grassroots_categories, t),
        upcoding(cases, t),
        cmi_jumps(cases, t),
        shirking(cases, t),
        point_inflation(cases, t),
    ]
    found = (
        pd.concat([part for part in parts if not part.empty], ignore_index=True)
        if any(not p.empty for p in parts)
        else _frame([])
    )
    return found.sort_values(["rule", "institution", "year", "month"], kind="stable").reset_index(
        drop=True
    )
