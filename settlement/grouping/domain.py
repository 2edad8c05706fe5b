"""From a period's case frame to the stored grouping columns: pure, vectorised, no ORM.

``cases_grouped`` runs the grouper of the catalog's kind (``catalogs.dip.grouper.dip_group``,
``catalogs.drg.grouper.drg_group``, ``catalogs.apg.grouper.apg_group``) and returns, aligned with the cases, the columns
of ``CaseGroup``: ``group_code`` ("" when ungroupable), ``group_type``, ``treatment_type`` (the stored
values of ``catalogs.choices.TreatmentType``), ``subtype``, ``typing_coefficient`` (text, ``None`` when
no subtype applies), ``trace`` and ``trace_text`` (the text is not stored: ``CaseGroup.trace_text`` derives it
from ``TRACE_TEXT``, one text per trace code).

DIP auxiliary typing (辅助目录分型) keys each case exactly as the catalog build did (catalogs/dip/subtypes.py):
age band (18-64 is the reference band), the number of other diagnoses (0 / 1 / 2+) and death.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from catalogs.apg import grouper as apg_grouper
from catalogs.choices import CatalogKind, SubtypeDimension
from catalogs.dip import build as dip_build
from catalogs.dip import grouper as dip_grouper
from catalogs.dip import subtypes as dip_subtypes
from catalogs.drg import grouper as drg_grouper
from catalogs.drg.grouper import rows as drg_rows
from config.lazy import numpy as np
from config.lazy import pandas as pd

# The columns each kind reads from the case table (besides ``id`` and ``period_id``).
CASE_COLUMNS: dict[str, tuple[str, ...]] = {
    CatalogKind.DIP: ("maindiag_code", "main_oprn_oprt_code"),
    # CHS-DRG conditions read the other procedures, the sex and a newborn's age in days and weights.
    CatalogKind.DRG: (
        "maindiag_code",
        "main_oprn_oprt_code",
        "otherdiag_codes",
        "other_oprn_oprt_codes",
        "gend",
        "age",
        "nwb_age",
        "nwb_bir_wt",
        "nwb_adm_wt",
    ),
    CatalogKind.APG: ("opsp_dise_code", "maindiag_code", "main_oprn_oprt_code"),
}
TYPING_COLUMNS = ("age", "nwb_age", "otherdiag_codes", "dscg_way")
STORED_TREATMENT = {
    label: value for value, label in dip_grouper.TREATMENT_ALIASES.items() if value != label
}
CODE_COLUMN = {
    CatalogKind.DIP: "dip_code",
    CatalogKind.DRG: "drg_code",
    CatalogKind.APG: "apg_code",
}
# DRG and APG codes follow from rules, not from the catalog: a code the catalog has no group (no weight,
# no points) for — a disease first seen in the catalog year, say — cannot be paid by points.
TRACE_NOT_IN_CATALOG = "not_in_catalog"
NOT_IN_CATALOG_TEXT = "不能入组：目录中无此病组（历史数据中没有该病组，未测算点数）"
UNGROUPABLE_TRACES = {
    CatalogKind.DIP: dip_grouper.UNGROUPABLE_TRACES,
    CatalogKind.DRG: drg_grouper.UNGROUPABLE_TRACES | {TRACE_NOT_IN_CATALOG},
    CatalogKind.APG: apg_grouper.UNGROUPABLE_TRACES | {TRACE_NOT_IN_CATALOG},
}
TRACE_TEXT = {
    CatalogKind.DIP: dip_grouper.TRACE_TEXT,
    CatalogKind.DRG: drg_grouper.TRACE_TEXT | {TRACE_NOT_IN_CATALOG: NOT_IN_CATALOG_TEXT},
    CatalogKind.APG: apg_grouper.TRACE_TEXT | {TRACE_NOT_IN_CATALOG: NOT_IN_CATALOG_TEXT},
}


@dataclass(frozen=True)
class GroupingCatalog:
    """What a catalog version gives the grouper. DIP: ``groups`` (catalogs.dip.grouper contract), ``subtypes``
    (code, dimension, key, coefficient) and the build's ``unmapped_procedure_type``; DRG: the rule set; DRG
    and APG: ``groups`` with at least ``code`` (a code outside it is ungroupable)."""

    kind: str
    procedure_types: Mapping[str, str]
    groups: pd.DataFrame | None = None
    subtypes: pd.DataFrame | None = None
    unmapped_procedure_type: str | None = None
    drg_rules: drg_grouper.DrgRules | None = None


def case_columns(catalog: GroupingCatalog) -> tuple[str, ...]:
    """The case columns the catalog's grouper needs (the typing keys only when the catalog has subtypes)."""
    typed = catalog.subtypes is not None and not catalog.subtypes.empty
    return tuple(dict.fromkeys(CASE_COLUMNS[catalog.kind] + (TYPING_COLUMNS if typed else ())))


def typing_keys(cases: pd.DataFrame, dimensions) -> dict[str, pd.Series]:
    """Per dimension of the subtype table, each case's subtype key, as catalogs.dip.build keyed the history."""
    makers = {
        SubtypeDimension.AGE.value: lambda: dip_subtypes.age_bands(cases["age"], cases["nwb_age"]),
        SubtypeDimension.COMORBIDITY.value: lambda: _on_distinct(
            cases["otherdiag_codes"], dip_subtypes.comorbidity_bands
        ),
        SubtypeDimension.DEATH.value: lambda: pd.Series(
            np.where(cases["dscg_way"].astype(str) == dip_build.DEATH_DISCHARGE, "death", "alive"),
            index=cases.index,
        ),
    }
    return {dimension: makers[dimension]() for dimension in dimensions if dimension in makers}


def _on_distinct(column: pd.Series, function) -> pd.Series:
    """``function`` applied to the distinct values only, spread back to the rows."""
    positions, distinct = pd.factorize(column.fillna(""))
    values = function(pd.Series(distinct, dtype=object)).to_numpy()
    return pd.Series(values[positions], index=column.index)


def cases_grouped(cases: pd.DataFrame, catalog: GroupingCatalog) -> pd.DataFrame:
    """The stored columns (module docstring) of each case under ``catalog``; the index is the cases' index."""
    if catalog.kind == CatalogKind.DIP:
        result = _dip(cases, catalog)
    elif catalog.kind == CatalogKind.DRG:
        # A few cases (the preview) group case by case: the same rules and result, without the vectorised
        # grouper's fixed cost per call (catalogs/drg/grouper/rows.py).
        group = (
            drg_rows.drg_group_rows if len(cases) <= drg_rows.ROW_LIMIT else drg_grouper.drg_group
        )
        result = _in_catalog(
            group(
                cases, catalog.drg_rules or drg_grouper.drg_rules_load(), catalog.procedure_types
            ),
            catalog,
        )
    else:
        result = _in_catalog(apg_grouper.apg_group(cases, catalog.procedure_types), catalog)
    blank = pd.Series(
        pd.Categorical.from_codes(np.zeros(len(cases), dtype=np.int8), categories=[""]),
        index=cases.index,
    )

    def column(name):  # DRG and APG: no type, treatment, subtype
        return result.get(name, blank)

    return pd.DataFrame(
        {
            "group_code": result[CODE_COLUMN[catalog.kind]],
            "group_type": column("group_type"),
            "treatment_type": column("treatment_type").cat.rename_categories(
                lambda c: STORED_TREATMENT.get(c, c)
            ),
            "subtype": column("subtype"),
            "typing_coefficient": _coefficient_text(result),
            "trace": result["trace"],
            "trace_text": result["trace_text"],
        },
        index=cases.index,
    )


def _in_catalog(result: pd.DataFrame, catalog: GroupingCatalog) -> pd.DataFrame:
    """A DRG/APG result with the codes the catalog's ``groups`` lack turned ungroupable (``TRACE_NOT_IN_CATALOG``);
    as it is without ``groups``. Decided on the categories, the few distinct codes, not on the rows."""
    name = CODE_COLUMN[catalog.kind]
    if catalog.groups is None:
        return result
    codes = result[name].cat.categories
    missing = codes[(codes != "") & ~codes.isin(catalog.groups["code"])]
    outside = result[name].isin(missing).to_numpy()
    if not outside.any():
        return result
    changed = {name: "", "trace": TRACE_NOT_IN_CATALOG, "trace_text": NOT_IN_CATALOG_TEXT}
    columns = {
        column: _categorical_set(result[column], outside, value)
        for column, value in changed.items()
    }
    return result.assign(**columns)


def _categorical_set(column: pd.Series, where: np.ndarray, value: str) -> pd.Series:
    if value not in column.cat.categories:
        column = column.cat.add_categories([value])
    return column.mask(where, value)


# The checked group table of the last few catalogs, by the identity of their ``groups`` frame (kept in the
# entry, so the id is not reused while cached). A catalog's tables are never changed in place; the preview
# keeps one ``GroupingCatalog`` per published version, so a single case does not re-check the whole table.
_CHECKED_SIZE = 16
_checked: OrderedDict[int, tuple[pd.DataFrame, pd.DataFrame]] = OrderedDict()
_checked_lock = threading.Lock()


def _groups_checked(groups: pd.DataFrame) -> pd.DataFrame:
    with _checked_lock:
        entry = _checked.get(id(groups))
        if entry is not None and entry[0] is groups:
            _checked.move_to_end(id(groups))
            return entry[1]
    table = dip_grouper.groups_checked(groups)  # a ValueError (a broken table) is not cached
    with _checked_lock:
        _checked[id(groups)] = (groups, table)
        while len(_checked) > _CHECKED_SIZE:
            _checked.popitem(last=False)
    return table


def _dip(cases: pd.DataFrame, catalog: GroupingCatalog) -> pd.DataFrame:
    subtypes = (
        catalog.subtypes if catalog.subtypes is not None and not catalog.subtypes.empty else None
    )
    keys = typing_keys(cases, subtypes["dimension"].unique()) if subtypes is not None else None
    return dip_grouper.dip_group(
        cases,
        catalog.groups,
        catalog.procedure_types,
        subtypes=subtypes,
        subtype_keys=keys,
        unmapped_procedure_type=catalog.unmapped_procedure_type,
        checked=_groups_checked(catalog.groups),
    )


def _coefficient_text(result: pd.DataFrame) -> pd.Series:
    """The typing coefficient as exact text where a subtype applies, ``None`` elsewhere (no typing = 1)."""
    coefficient = np.full(len(result), None, dtype=object)
    if "subtype" in result:
        typed = (result["subtype"] != "").to_numpy()
        coefficient[typed] = [
            str(value) for value in result["typing_coefficient"].to_numpy()[typed]
        ]
    return pd.Series(coefficient, index=result.index, dtype=object)


def trace_counts(grouped: pd.DataFrame, cases: pd.Series | None = None) -> dict[str, int]:
    """Cases per trace code, largest first (the audit summary of a grouping run); ``cases`` weighs each row
    when the rows are distinct keys standing for that many cases."""
    weights = pd.Series(1, index=grouped.index) if cases is None else cases
    counts = (
        weights.groupby(grouped["trace"], observed=True)
        .sum()
        .sort_values(ascending=False, kind="stable")
    )
    return {str(trace): int(n) for trace, n in counts.items() if n}


def groups_by_key(catalog: GroupingCatalog) -> bool:
    """Whether to group the distinct keys instead of the cases (``services.period_group``): when a result
    depends on a few text columns only — DIP without auxiliary typing (diagnosis, procedure: a few thousand
    keys in a million cases) and APG. Not DRG: its key holds the other-diagnosis list, distinct for about
    every third case, and grouping those keys in the database cost more than reading the cases (bench/README.md)."""
    return catalog.kind != CatalogKind.DRG and (catalog.subtypes is None or catalog.subtypes.empty)
