"""APG for outpatient chronic and special diseases (门诊慢特病 APG, spec §10): pure and vectorised.

Grouping: the outpatient special disease (``opsp_dise_code``, 门诊慢特病病种), or the main diagnosis (its
deciding part: ``A17.000+G01*`` as ``A17.000``, catalogs.codes) when the settlement has none, x the treatment pattern (治疗模式) of its main procedure:

====  ==================================  =====================================================
code  pattern                             when
====  ==================================  =====================================================
M     药物治疗 (medication only)           no main procedure
S     手术 (surgery)                        procedure typed 手术 / 相关手术
T     治疗性操作 (therapeutic procedure)    procedure typed 治疗性操作 (e.g. dialysis 39.9501)
D     诊断性操作 (diagnostic procedure)     procedure typed 诊断性操作
P     有操作 (any procedure)                no ``procedure_types`` given
====  ==================================  =====================================================

APG code = ``<disease>-<pattern>``, e.g. ``M07800-T``. Points (spec §10, Jining): ``points = weighted group
mean / weighted all-sample mean x 100`` over the last two years weighted 2:8 (``APG_YEAR_WEIGHTS``), per
unit of payment: a settlement (``settlement``, one row) or a patient-month (``patient_month``: the
settlements of one patient, one month and one APG group summed into one unit) [L]. Exact, like
catalogs.drg: integer fen, ``Fraction`` means, one ROUND_HALF_UP rounding to 4 decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from catalogs.dip.grouper import (
    DIAGNOSTIC,
    PROCEDURE_TYPE_TO_TREATMENT,
    SURGICAL,
    THERAPEUTIC,
    codes_factorized,
    diagnoses_factorized,
    labels,
    require_columns,
)
from catalogs.drg.weights import PLACES, relative_weight_from_history
from config.lazy import numpy as np
from config.lazy import pandas as pd

APG_YEAR_WEIGHTS = (2, 8)  # Y-2 : Y-1 (Jining)
POINTS_SCALE = 100  # [L] Jining does not state the scale
Unit = Literal["settlement", "patient_month"]
UNITS = ("settlement", "patient_month")
PATTERNS = {"": "M", SURGICAL: "S", THERAPEUTIC: "T", DIAGNOSTIC: "D"}
ANY_PROCEDURE = "P"

TRACE_BY_DISEASE = "by_disease"
TRACE_BY_DIAGNOSIS = "by_diagnosis"
TRACE_NO_DISEASE = "no_disease"
TRACE_UNKNOWN_PROCEDURE = "unknown_procedure"
TRACE_TEXT = {
    TRACE_BY_DISEASE: "按门诊慢特病病种入组",
    TRACE_BY_DIAGNOSIS: "无门诊慢特病病种，按主要诊断入组",
    TRACE_NO_DISEASE: "不能入组：门诊慢特病病种与主要诊断均缺失",
    TRACE_UNKNOWN_PROCEDURE: "不能入组：主要手术操作编码不在手术操作字典中，无法确定治疗模式",
}
UNGROUPABLE_TRACES = frozenset({TRACE_NO_DISEASE, TRACE_UNKNOWN_PROCEDURE})
_TRACE_ORDER = [TRACE_BY_DISEASE, TRACE_BY_DIAGNOSIS, TRACE_NO_DISEASE, TRACE_UNKNOWN_PROCEDURE]

ERR_CASES_COLUMNS = "门诊结算数据缺少列：{columns}"
ERR_UNIT = "APG计量单位无效：{unit}（应为 settlement 或 patient_month）"
ERR_YEARS = "APG点数需要至少两个年度的历史数据"


def apg_group(
    cases: pd.DataFrame, procedure_types: Mapping[str, str] | pd.Series | None = None
) -> pd.DataFrame:
    """Per settlement: ``apg_code`` ("" when ungroupable), ``disease``, ``pattern``, ``trace``, ``trace_text``.

    ``cases`` needs ``opsp_dise_code``, ``maindiag_code`` and ``main_oprn_oprt_code``.
    """
    require_columns(
        cases, ("opsp_dise_code", "maindiag_code", "main_oprn_oprt_code"), ERR_CASES_COLUMNS
    )
    special_pos, special = codes_factorized(cases["opsp_dise_code"])
    diag_pos, diag = diagnoses_factorized(cases["maindiag_code"])
    proc_pos, procs = codes_factorized(cases["main_oprn_oprt_code"])
    pattern = _patterns(procs, procedure_types)[proc_pos]
    has_special = np.asarray(special != "")[special_pos]
    has_diag = np.asarray(diag != "")[diag_pos]
    trace = np.select([has_special, has_diag], [0, 1], 2)
    trace = np.where((trace < 2) & (pattern == ""), 3, trace)
    # The disease is a position in special codes, or len(special) + a position in diagnosis codes.
    disease = np.where(trace == 0, special_pos, len(special) + diag_pos)
    disease_names = [*special, *diag]
    grouped = trace < 2
    key_pos, keys = pd.factorize(
        np.where(grouped, disease * len(PATTERN_CODES) + _pattern_index(pattern), -1)
    )
    names = [
        f"{disease_names[k // len(PATTERN_CODES)]}-{PATTERN_CODES[k % len(PATTERN_CODES)]}"
        if k >= 0
        else ""
        for k in keys
    ]
    return pd.DataFrame(
        {
            "apg_code": labels(np.where(grouped, key_pos, -1), names),
            "disease": labels(np.where(trace < 2, disease, -1), disease_names),
            "pattern": labels(np.where(grouped, _pattern_index(pattern), -1), PATTERN_CODES),
            "trace": labels(trace, _TRACE_ORDER),
            "trace_text": labels(trace, [TRACE_TEXT[name] for name in _TRACE_ORDER]),
        },
        index=cases.index,
    )


PATTERN_CODES = ("M", "S", "T", "D", ANY_PROCEDURE)


def _pattern_index(pattern: np.ndarray) -> np.ndarray:
    return np.maximum(pd.Index(PATTERN_CODES).get_indexer(pattern), 0)


def _patterns(procs: pd.Index, procedure_types) -> np.ndarray:
    """Pattern code per distinct procedure ("" when the procedure is not in ``procedure_types``)."""
    if procedure_types is None:
        return np.where(procs == "", "M", ANY_PROCEDURE).astype(object)
    types = pd.Series(procedure_types, dtype=object)
    types.index = types.index.astype(str).str.strip()
    treatment = types.reindex(procs).map(PROCEDURE_TYPE_TO_TREATMENT)
    return np.where(procs == "", "M", treatment.map(PATTERNS).fillna("").to_numpy()).astype(object)


def apg_units(
    cases: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    unit: Unit = "settlement",
    cost: str = "medfee_sumamt",
) -> pd.DataFrame:
    """Payment units with ``apg_code``, ``year`` and ``cost`` (int64 fen); ungroupable settlements are left out.

    ``settlement``: one unit per row. ``patient_month``: one per (``psn_no``, month of ``setl_time``, APG group),
    its cost the sum of its settlements. The year is ``cases.year`` when present, else the year of ``setl_time``.
    """
    if unit not in UNITS:
        raise ValueError(ERR_UNIT.format(unit=unit))
    needed = [
        cost,
        *(["psn_no", "setl_time"] if unit == "patient_month" else []),
        *([] if "year" in cases else ["setl_time"]),
    ]
    require_columns(cases, needed, ERR_CASES_COLUMNS)
    grouped = groups["apg_code"] != ""
    frame = pd.DataFrame(
        {"apg_code": groups["apg_code"], "cost": cases[cost].astype(np.int64)}, index=cases.index
    )[grouped]
    stamps = cases.loc[grouped, "setl_time"] if "setl_time" in cases else None
    frame["year"] = cases.loc[grouped, "year"] if "year" in cases else stamps.dt.year
    if unit == "settlement":
        return frame.reset_index(drop=True)
    frame["psn_no"] = cases.loc[grouped, "psn_no"]
    frame["month"] = stamps.dt.year * 100 + stamps.dt.month
    units = frame.groupby(["psn_no", "month", "apg_code", "year"], observed=True, sort=False)[
        "cost"
    ].sum()
    return units.reset_index()[["apg_code", "year", "cost"]]


def apg_points(
    history: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    unit: Unit = "settlement",
    year_weights: Mapping[int, int] | None = None,
    places: int = PLACES,
) -> pd.DataFrame:
    """Per APG group: ``units``, ``mean`` (yuan per unit) and ``points`` = weighted group mean / weighted all mean x 100.

    ``groups`` is ``apg_group(history)``. Without ``year_weights`` the two latest years of the history are
    weighted 2:8 (older years get 0 and are left out).
    """
    units = apg_units(history, groups, unit=unit)
    if year_weights is None:
        years = sorted(units["year"].unique())
        if len(years) < 2:
            raise ValueError(ERR_YEARS)
        year_weights = dict.fromkeys(years[:-2], 0) | dict(
            zip(years[-2:], APG_YEAR_WEIGHTS, strict=True)
        )
    points = relative_weight_from_history(
        units,
        by="apg_code",
        cost="cost",
        year_weights=year_weights,
        scale=POINTS_SCALE,
        places=places,
    )
    return points.rename(columns={"cases": "units", "ratio": "points"})
