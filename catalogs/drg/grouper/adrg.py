"""MDC assignment and ADRG firing: MDCs tried in their listed order, inside an open MDC its ADRGs. Pure."""

from __future__ import annotations

from catalogs.dip.grouper import pair_keys
from catalogs.drg.grouper.cases import _CaseCodes
from catalogs.drg.grouper.index import _cached, _members
from catalogs.drg.grouper.tables import (
    _KIND_TRACE,
    _TRACE_ORDER,
    TRACE_NO_ADRG,
    TRACE_NO_MDC,
    DrgRules,
)
from catalogs.drg.grouper.units import _listed_procedures, _listless, _Units
from config.lazy import numpy as np
from config.lazy import pandas as pd


def _in(keys: np.ndarray, table_keys: np.ndarray) -> np.ndarray:
    """Whether each key (``-1``: never) is among ``table_keys``."""
    table_keys = np.asarray(table_keys, dtype=np.int64)
    return np.asarray(keys >= 0) & np.asarray(
        pd.Index(keys).isin(table_keys[table_keys >= 0]), dtype=bool
    )


def _opened(units: _Units, case: _CaseCodes, rules: DrgRules) -> tuple[pd.DataFrame, np.ndarray]:
    """The (unit, mdc_row) pairs whose MDC opens; and per unit whether its main diagnosis is on any MDC's list."""
    table, mdc = units.table, rules.mdc
    members = _members(case.diag_codes, rules.mdc_diagnoses, "mdc_row").rename(
        columns={"code": "diag"}
    )
    by_diagnosis = (
        table[["diag"]]
        .rename_axis("unit")
        .reset_index()
        .merge(members, on="diag")[["unit", "mdc_row"]]
    )
    listless = _listless(rules)
    free = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(len(table)), len(listless)),
            "mdc_row": np.tile(listless, len(table)),
        }
    )
    opened = pd.concat([by_diagnosis, free], ignore_index=True)
    unit, row = opened["unit"].to_numpy(), opened["mdc_row"].to_numpy()
    sex, age_max = mdc["sex"].to_numpy()[row], mdc["age_days_max"].to_numpy()[row]
    with np.errstate(invalid="ignore"):
        holds = (
            ((sex == 0) | (sex == table["sex"].to_numpy()[unit]))
            & (np.isnan(age_max) | (table["age_days"].to_numpy()[unit] <= age_max))
            & (~mdc["or_procedure"].to_numpy()[row] | case.is_or[table["proc"].to_numpy()[unit]])
            & (units.regions[table["dx"].to_numpy()[unit]] >= mdc["min_regions"].to_numpy()[row])
        )
    listed = np.zeros(len(table), dtype=bool)
    listed[by_diagnosis["unit"].to_numpy()] = True
    return opened[holds].sort_values(["unit", "mdc_row"]), listed


def _candidates(
    units: _Units, case: _CaseCodes, rules: DrgRules, opened: pd.DataFrame
) -> pd.DataFrame:
    """(unit, adrg_row) pairs worth checking: by main diagnosis, else by main procedure, else every row of an open MDC."""
    adrg, table = rules.adrg, units.table
    unit_rows = table[["diag", "proc"]].rename_axis("unit").reset_index()
    main_diag = adrg["diag_match"].to_numpy() == "main"
    main_proc = ~main_diag & (adrg["proc_match"].to_numpy() == "main")
    diagnoses = _cached(
        "main_lists",
        rules,
        lambda: rules.adrg_diagnoses[main_diag[rules.adrg_diagnoses["adrg_row"].to_numpy()]],
    )
    by_diag = unit_rows.merge(
        _members(case.diag_codes, diagnoses, "adrg_row").rename(columns={"code": "diag"}), on="diag"
    )
    chosen = main_proc[rules.adrg_procedures["adrg_row"].to_numpy()]
    procedures = pd.DataFrame(
        {
            "proc": _listed_procedures(case, rules)[chosen],
            "adrg_row": rules.adrg_procedures["adrg_row"].to_numpy()[chosen],
        }
    )
    by_proc = unit_rows.merge(procedures[procedures["proc"] >= 0], on="proc")
    rest = pd.DataFrame(
        {
            "adrg_row": adrg.index[~main_diag & ~main_proc],
            "mdc_row": adrg["mdc_row"].to_numpy()[~main_diag & ~main_proc],
        }
    )
    by_mdc = opened.merge(rest, on="mdc_row")
    found = pd.concat(
        [frame[["unit", "adrg_row"]] for frame in (by_diag, by_proc, by_mdc)], ignore_index=True
    )
    open_keys = pair_keys(opened["unit"].to_numpy(), opened["mdc_row"].to_numpy(), len(rules.mdc))
    mdc_of = adrg["mdc_row"].to_numpy()[found["adrg_row"].to_numpy()]
    return found[
        _in(pair_keys(found["unit"].to_numpy(), mdc_of, len(rules.mdc)), open_keys)
    ].drop_duplicates()


def _fires(found: pd.DataFrame, units: _Units, case: _CaseCodes, rules: DrgRules) -> np.ndarray:
    """Whether every condition of each candidate's ADRG row holds for its unit."""
    adrg, table, n_adrg = rules.adrg, units.table, len(rules.adrg)
    unit, row = found["unit"].to_numpy(), found["adrg_row"].to_numpy()
    diag, proc, dx, px = (table[name].to_numpy()[unit] for name in ("diag", "proc", "dx", "px"))
    main_diag = _members(case.diag_codes, rules.adrg_diagnoses, "adrg_row")
    main_keys = pair_keys(main_diag["code"].to_numpy(), main_diag["adrg_row"].to_numpy(), n_adrg)
    any_keys = pair_keys(
        units.dx_lists["sig"].to_numpy(),
        units.dx_lists["list"].to_numpy(),
        n_adrg + len(rules.trauma),
    )
    diag_match = adrg["diag_match"].to_numpy()[row]
    diag_ok = np.select(
        [diag_match == "main", diag_match == "any"],
        [
            _in(pair_keys(diag, row, n_adrg), main_keys),
            _in(pair_keys(dx, row, n_adrg + len(rules.trauma)), any_keys),
        ],
        True,
    )
    proc_keys = pair_keys(
        _listed_procedures(case, rules), rules.adrg_procedures["adrg_row"].to_numpy(), n_adrg
    )
    rule_keys = pair_keys(
        units.px_rules["sig"].to_numpy(), units.px_rules["adrg_row"].to_numpy(), n_adrg
    )
    proc_match, any_or = adrg["proc_match"].to_numpy()[row], units.px_or[px]
    proc_ok = np.select(
        [
            proc_match == "main",
            proc_match == "any",
            proc_match == "or_main",
            proc_match == "or_any",
            proc_match == "no_or",
        ],
        [
            _in(pair_keys(proc, row, n_adrg), proc_keys),
            _in(pair_keys(px, row, n_adrg), rule_keys),
            case.is_or[proc],
            any_or,
            ~any_or,
        ],
        True,
    )
    age, weight = table["age_days"].to_numpy()[unit], table["weight"].to_numpy()[unit]
    age_max, low, high = (
        adrg[name].to_numpy()[row] for name in ("age_days_max", "weight_min", "weight_max")
    )
    with np.errstate(invalid="ignore"):
        bands = (
            (np.isnan(age_max) | (age <= age_max))
            & (np.isnan(low) | (weight >= low))
            & (np.isnan(high) | (weight < high))
        )
    return diag_ok & proc_ok & bands


def _outcomes(
    units: _Units, case: _CaseCodes, rules: DrgRules
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per unit the ADRG row that fires first in the listed order (-1: none), its trace position and its MDC row
    (when no ADRG fires: the first MDC that opened, else -1)."""
    opened, listed = _opened(units, case, rules)
    found = _candidates(units, case, rules, opened)
    fired = found[_fires(found, units, case, rules)]
    fired = fired.assign(
        rank=rules.adrg["rank"].to_numpy()[fired["adrg_row"].to_numpy()]
    ).sort_values(["unit", "rank"])
    fired = fired.drop_duplicates("unit")
    check = units.table["check"].to_numpy()
    adrg_row = np.full(len(check), -1, dtype=np.int64)
    adrg_row[fired["unit"].to_numpy()] = fired["adrg_row"].to_numpy()
    adrg_row[check >= 0] = -1
    order = {name: position for position, name in enumerate(_TRACE_ORDER)}
    kind_trace = _cached(
        "kind_trace",
        rules,
        lambda: np.array([order[_KIND_TRACE[kind]] for kind in rules.adrg["kind"]], dtype=np.int64),
    )
    trace = np.select(
        [check >= 0, adrg_row >= 0, ~listed],
        [check, kind_trace[np.maximum(adrg_row, 0)], order[TRACE_NO_MDC]],
        order[TRACE_NO_ADRG],
    )
    mdc_row = np.full(len(check), -1, dtype=np.int64)
    first_open = opened.drop_duplicates("unit")
    mdc_row[first_open["unit"].to_numpy()] = first_open["mdc_row"].to_numpy()
    mdc_row = np.where(
        adrg_row >= 0, rules.adrg["mdc_row"].to_numpy()[np.maximum(adrg_row, 0)], mdc_row
    )
    return adrg_row, trace, np.where(check >= 0, -1, mdc_row)


def _split_digits(adrg: pd.DataFrame) -> np.ndarray:
    """``digits[row, s // 2]`` = the DRG digit for case severity s in {1, 3, 5}: the smallest split digit >= s."""
    digits = np.zeros((len(adrg), 3), dtype=np.int64)
    for row, split in enumerate(adrg["split"]):
        allowed = sorted(int(d) for d in split)
        digits[row] = [next(d for d in allowed if d >= severity) for severity in (1, 3, 5)]
    return digits
