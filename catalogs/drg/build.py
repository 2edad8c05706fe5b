"""DRG and APG catalogs from history (DRG病组 / APG病组目录测算): pure — a frame of settled cases in,
``dip.DipCatalog`` out, the same result shape as the DIP build so one service writes all three.

- **DRG** (spec §9): the look-back years' inpatient cases are grouped with the rule set
  (``drg_grouper.drg_group``); ungroupable cases drop out. ``weight = weighted group mean / weighted all-case
  mean x scale`` (scale 100 = base points), yearly means weighted 1:2:7 / 2:8 / 1 by default.
- **APG** (spec §10, E8): the outpatient chronic/special settlements are grouped by disease and treatment
  pattern (``apg.apg_group``), summed into payment units (a settlement, or a patient-month), and
  ``points = weighted group mean / weighted all-sample mean x scale`` over two years weighted 2:8.

Per group, as for DIP: cases (units) per year, the weighted mean, the coefficient of variation over the
window's cases and, where cases carry their institution's level, the weighted mean per level. Exact like
catalogs.drg: integer fen, ``Fraction`` means, one ROUND_HALF_UP rounding per result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from catalogs.choices import ApgUnit, GroupType, TreatmentType
from catalogs.dip.catalog import (
    CV_QUANTUM,
    DipCatalog,
    DipError,
    GroupResult,
    HistoryConfig,
    quantize,
)
from catalogs.dip.scores import cost_fen, decimal_from_units, group_cvs
from catalogs.drg import grouper as drg_grouper
from catalogs.drg import weights as drg_weights
from config.lazy import pandas as pd

DRG_COLUMNS = (
    "year",
    "level",
    "is_grassroots",
    "maindiag_code",
    "main_oprn_oprt_code",
    "otherdiag_codes",
)
SEVERITY_TEXT = {
    "1": "伴严重并发症或合并症",
    "3": "伴并发症或合并症",
    "5": "不伴并发症或合并症",
    "9": "",
}

ERR_COLUMNS = "病例数据缺少列：{columns}。"
ERR_NO_GROUPED = "所选年度没有能入组的病例，无法测算。"


@dataclass(frozen=True)
class WeightConfig(HistoryConfig):
    """DRG/APG build parameters: years, weights, scale (100 by default) and, for APG, the payment unit."""

    scale: Decimal = Decimal("100")
    unit: str = ApgUnit.SETTLEMENT


def columns_required(cases: pd.DataFrame, columns) -> None:
    missing = [column for column in (*columns, "medfee_sumamt") if column not in cases.columns]
    if missing:
        raise DipError(ERR_COLUMNS.format(columns="、".join(missing)))


def history_window(cases: pd.DataFrame, config: HistoryConfig) -> pd.DataFrame:
    return cases[cases["year"].astype("int64").isin(config.years)]


def _weighted_mean(
    history: pd.DataFrame, by: list[str], weights: Mapping[int, int]
) -> pd.DataFrame:
    """``by`` columns, ``cases``, ``mean`` (yuan) and the exact ``ratio`` to the all-case mean x 1."""
    return drg_weights.relative_weight_from_history(
        history, by=by, cost="fen", year_weights=weights, places=12
    )


def catalog_from_units(
    history: pd.DataFrame,
    *,
    config: HistoryConfig,
    names: Mapping[str, str],
    group_type: str,
    details: Mapping[str, dict] | None = None,
) -> DipCatalog:
    """Groups scored from their units: ``history`` has ``code``, ``year``, ``fen`` (int64) and optionally
    ``level`` and ``grassroots``. ``details`` gives each code's diag_code / proc_code / treatment_type."""
    weights = config.year_weights()
    history = history[history["year"].isin([year for year, weight in weights.items() if weight])]
    if history.empty:
        raise DipError(ERR_NO_GROUPED)
    scored = drg_weights.relative_weight_from_history(
        history, by="code", cost="fen", year_weights=weights, scale=Fraction(config.scale)
    )
    base = drg_weights.weighted_mean_cost(history, cost="fen", year_weights=weights)
    stats = group_cvs(history, ["code"])
    counts = history.groupby(["code", "year"]).size()
    levels = _level_means(history, weights)
    grassroots = (
        history.groupby("code")["grassroots"].sum()
        if "grassroots" in history
        else pd.Series(0, index=stats.index)
    )
    groups = []
    for code, cases, mean, points in scored[["code", "cases", "mean", "ratio"]].itertuples(
        index=False
    ):
        share = quantize(Fraction(int(grassroots[code]), int(cases)), CV_QUANTUM)
        groups.append(
            GroupResult(
                code=code,
                group_type=group_type,
                score=points,
                mean_cost=mean,
                cv=decimal_from_units(stats.loc[code, "cv_units"]),
                case_counts={
                    year: int(counts.get((code, year), 0)) for year in sorted(config.years)
                },
                level_means=levels.get(code, {}),
                grassroots_share=share,
                is_grassroots=False,
                name=names.get(code, code),
                **{
                    "diag_code": "",
                    "proc_code": "",
                    "treatment_type": TreatmentType.MEDICAL,
                    **(details or {}).get(code, {}),
                },
            )
        )
    return DipCatalog(groups=tuple(groups), base=base, weights=weights, cases=len(history))


def _level_means(
    history: pd.DataFrame, weights: Mapping[int, int]
) -> dict[str, dict[str, Decimal]]:
    if "level" not in history:
        return {}
    means = _weighted_mean(history, ["code", "level"], weights)
    by_code: dict[str, dict[str, Decimal]] = {}
    for code, level, mean in means[["code", "level", "mean"]].itertuples(index=False):
        by_code.setdefault(code, {})[str(level)] = mean
    return by_code


def units_frame(codes: pd.Series, cases: pd.DataFrame) -> pd.DataFrame:
    """The grouped cases as units: code, year, fen, level, grassroots ("" codes dropped)."""
    frame = pd.DataFrame(
        {
            "code": codes.astype(str).to_numpy(),
            "year": cases["year"].astype("int64").to_numpy(),
            "fen": cost_fen(cases),
            "level": cases["level"].astype(str).to_numpy(),
            "grassroots": cases["is_grassroots"].astype(bool).to_numpy(),
        }
    )
    return frame[frame["code"] != ""]


# --- DRG -------------------------------------------------------------------------------------------


def drg_names(rules: drg_grouper.DrgRules, codes) -> dict[str, str]:
    """病组名称: the ADRG's name and the severity its last digit stands for; ``<MDC letter>QY`` → the MDC's 歧义组."""
    adrg = rules.adrg.set_index("adrg")
    mdc_names = rules.mdc.drop_duplicates("mdc").set_index("mdc")["name"]
    names = {}
    for code in codes:
        if code.endswith(drg_grouper.AMBIGUOUS_SUFFIX):
            mdc = f"MDC{code[0]}"
            names[code] = f"{mdc_names.get(mdc, mdc)}歧义组"
            continue
        row, digit = adrg.loc[code[:-1]], code[-1]
        severity = (
            "不伴严重并发症或合并症"
            if row["split"] == "15" and digit == "5"
            else SEVERITY_TEXT[digit]
        )
        names[code] = f"{row['name']}{'，' + severity if severity else ''}"
    return names


def drg_catalog_from_history(
    cases: pd.DataFrame,
    *,
    rules: drg_grouper.DrgRules,
    procedure_types: Mapping[str, str],
    config: WeightConfig,
) -> tuple[DipCatalog, int]:
    """The DRG catalog of the look-back years, and the number of ungroupable cases left out."""
    columns_required(cases, DRG_COLUMNS)
    window = history_window(cases, config)
    grouped = drg_grouper.drg_group(window, rules, procedure_types)
    units = units_frame(grouped["drg_code"], window)
    names = drg_names(rules, sorted(units["code"].unique()))
    return catalog_from_units(units, config=config, names=names, group_type=GroupType.DRG), len(
        window
    ) - len(units)


# --- APG -------------------------------------------------------------------------------------------
