"""APG points from history (APG病组目录测算, spec §10, E8): pure. The outpatient chronic/special
settlements are grouped by disease and treatment pattern (``apg_group``), summed into payment units (a
settlement, or a patient-month), and ``points = weighted group mean / weighted all-sample mean x scale``
over two years weighted 2:8, with the same result shape as the DIP build (catalogs/drg/build.py)."""

from __future__ import annotations

from collections.abc import Mapping

from catalogs.apg import grouper as apg_grouper
from catalogs.choices import ApgUnit, GroupType, TreatmentType
from catalogs.dip.catalog import DipCatalog, DipError
from catalogs.dip.scores import cost_fen
from catalogs.drg.build import (
    WeightConfig,
    catalog_from_units,
    columns_required,
    history_window,
    units_frame,
)
from config.lazy import pandas as pd

APG_COLUMNS = (
    "year",
    "level",
    "is_grassroots",
    "opsp_dise_code",
    "maindiag_code",
    "main_oprn_oprt_code",
)


PATTERN_TEXT = {
    "M": "药物治疗",
    "S": "手术",
    "T": "治疗性操作",
    "D": "诊断性操作",
    apg_grouper.ANY_PROCEDURE: "有操作",
}


PATTERN_TREATMENT = {
    "M": TreatmentType.MEDICAL,
    "S": TreatmentType.SURGICAL,
    "T": TreatmentType.THERAPEUTIC,
    "D": TreatmentType.DIAGNOSTIC,
    apg_grouper.ANY_PROCEDURE: TreatmentType.THERAPEUTIC,
}


ERR_UNIT = "APG计量单位无效：{unit}。"


def apg_catalog_from_history(
    cases: pd.DataFrame,
    *,
    procedure_types: Mapping[str, str],
    config: WeightConfig,
    disease_names: Mapping[str, str] | None = None,
) -> tuple[DipCatalog, int]:
    """The APG catalog of the look-back years, and the number of ungroupable settlements left out.

    ``cases`` also needs ``psn_no`` and ``setl_time`` (local time) for the patient-month unit."""
    if config.unit not in apg_grouper.UNITS:
        raise DipError(ERR_UNIT.format(unit=config.unit))
    columns_required(cases, APG_COLUMNS)
    window = history_window(cases, config)
    grouped = apg_grouper.apg_group(window, procedure_types)
    if config.unit == ApgUnit.SETTLEMENT:
        units = units_frame(grouped["apg_code"], window)
    else:
        units = apg_grouper.apg_units(
            window.assign(fen=cost_fen(window)), grouped, unit=config.unit, cost="fen"
        )
        units = units.rename(columns={"apg_code": "code", "cost": "fen"}).astype(
            {"code": str, "year": "int64", "fen": "int64"}
        )
    ungroupable = int((grouped["apg_code"] == "").sum())
    codes = sorted(units["code"].unique())
    first = (
        grouped.assign(apg_code=grouped["apg_code"].astype(str))
        .drop_duplicates("apg_code")
        .set_index("apg_code")
    )
    details = {
        code: {
            "diag_code": str(first.loc[code, "disease"])[:20],
            "treatment_type": PATTERN_TREATMENT[str(first.loc[code, "pattern"])],
        }
        for code in codes
    }
    names = {
        code: _apg_name(
            str(first.loc[code, "disease"]), str(first.loc[code, "pattern"]), disease_names or {}
        )
        for code in codes
    }
    return catalog_from_units(
        units, config=config, names=names, group_type=GroupType.APG, details=details
    ), ungroupable


def _apg_name(disease: str, pattern: str, disease_names: Mapping[str, str]) -> str:
    return f"{disease_names.get(disease, disease)}：{PATTERN_TEXT[pattern]}"
