"""The CHS-DRG grouper of ``catalogs.drg`` for a few cases, one case at a time in plain Python.

``drg_group`` shares work between cases (units, classes of codes) with a few hundred vectorised
operations, whatever the number of cases: on one case (the pre-grouping preview, 预分组) that fixed cost is
all there is. ``drg_group_rows`` reads the same compiled rules (``DrgRules``: nothing of the rule set is
written twice) through lookup tables built once per rule set (``row_tables._tables``, cached while the rules object
lives; a new rule set version is a new object) and follows the steps of ``drg``'s module docstring for each
case in turn. Its result is ``drg_group``'s, column for column and dtype for dtype
(tests/catalogs/test_drg_row.py holds them equal on the national golden cases and generated cases).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from catalogs.codes import _COMBINED, DIAGNOSIS
from catalogs.dip.grouper import require_columns
from catalogs.drg.grouper.row_tables import (
    _ORDER,
    _labels,
    _or_codes,
    _rule_text,
    _Tables,
    _tables,
)
from catalogs.drg.grouper.tables import (
    ERR_CASES_COLUMNS,
    NEWBORN_DAYS,
    NO_CC,
    TRACE_INVALID_DIAGNOSIS,
    TRACE_INVALID_SEX,
    TRACE_NO_ADRG,
    TRACE_NO_DIAGNOSIS,
    TRACE_NO_MDC,
    TRACE_NO_NEWBORN_WEIGHT,
    DrgRules,
)
from config.lazy import numpy as np
from config.lazy import pandas as pd

# Up to this many cases the loop costs less than the vectorised grouper's fixed ~100 ms: CPU per call, national
# rules, 1,000 cases 68 ms by row vs 191 ms vectorised, 2,000 about even, 4,000 312 vs 172 ms (docs/settlement.md §7).
ROW_LIMIT = 1000

_NUMBERS = ("age", "nwb_age", "nwb_bir_wt", "nwb_adm_wt")


# --- one case --------------------------------------------------------------------------------------


def _keys(code: str, category: bool = True) -> tuple[str, ...]:
    """The keys a diagnosis is looked up by: whole, deciding part, (``category``) 3-character category."""
    deciding = _COMBINED.sub(r"\1", code) if "+" in code else code
    return (code, deciding, deciding[:3]) if category else (code, deciding)


def _members(code: str, table: Mapping[str, tuple]) -> set:
    return {owner for key in _keys(code) for owner in table.get(key, ())}


def _entries(text: str) -> list[str]:
    """The non-blank ``;``-separated entries of a list cell (``_split_lists``)."""
    return [entry.strip() for entry in text.split(";") if entry.strip()]


@dataclass(frozen=True)
class _Case:
    diag: str
    proc: str
    others: list[str]
    other_procs: list[str]
    sex: int
    age_days: float
    weight: float
    check: int


def _check(case: _Case, sexed: bool, weighed: bool) -> int:
    if case.diag == "":
        return _ORDER[TRACE_NO_DIAGNOSIS]
    if DIAGNOSIS.fullmatch(case.diag) is None:
        return _ORDER[TRACE_INVALID_DIAGNOSIS]
    if sexed and case.sex == 0:
        return _ORDER[TRACE_INVALID_SEX]
    if weighed and case.age_days <= NEWBORN_DAYS and math.isnan(case.weight):
        return _ORDER[TRACE_NO_NEWBORN_WEIGHT]
    return -1


def _rules_met(case: _Case, tables: _Tables) -> set[int]:
    """The ADRG rows whose procedure rule (``1+2|1+3+4``) the case's procedures satisfy."""
    hit: dict[int, set[str]] = {}
    for code in (case.proc, *case.other_procs):
        for row, group in tables.rule_items.get(code, ()):
            hit.setdefault(row, set()).add(group)
    return {
        row
        for row, groups in hit.items()
        if any(len(groups.intersection(term)) == len(term) for term in tables.terms[row])
    }


def _fires(row: int, case: _Case, seen: dict, tables: _Tables) -> bool:
    diag_match, proc_match, age_max, low, high = tables.adrg[row]
    if diag_match == "main" and row not in seen["adrg"]:
        return False
    if diag_match == "any" and row not in seen["lists"]:
        return False
    proc_ok = {
        "main": lambda: case.proc in tables.procedures[row],
        "any": lambda: row in seen["rules"],
        "or_main": lambda: seen["is_or"],
        "or_any": lambda: seen["any_or"],
        "no_or": lambda: not seen["any_or"],
    }.get(proc_match)
    if proc_ok is not None and not proc_ok():
        return False
    return (
        (math.isnan(age_max) or case.age_days <= age_max)
        and (math.isnan(low) or case.weight >= low)
        and (math.isnan(high) or case.weight < high)
    )


def _opens(row: int, case: _Case, seen: dict, tables: _Tables) -> bool:
    sex, age_max, or_procedure, min_regions = tables.mdc[row]
    return (
        (sex == 0 or sex == case.sex)
        and (math.isnan(age_max) or case.age_days <= age_max)
        and (not or_procedure or seen["is_or"])
        and seen["regions"] >= min_regions
    )


def _outcome(case: _Case, tables: _Tables, or_codes: frozenset[str]) -> tuple[int, int, int]:
    """(ADRG row or -1, trace position, MDC row or -1), as ``_outcomes`` gives them."""
    if case.check >= 0:
        return -1, case.check, -1
    lists = _members(case.diag, tables.any_lists)
    for other in case.others:
        lists |= _members(other, tables.any_lists)
    any_or = case.proc in or_codes or any(code in or_codes for code in case.other_procs)
    seen = {
        "adrg": _members(case.diag, tables.adrg_lists),
        "lists": lists,
        "regions": sum(1 for item in lists if item >= tables.n_adrg),
        "rules": _rules_met(case, tables),
        "is_or": case.proc in or_codes,
        "any_or": any_or,
    }
    listed = _members(case.diag, tables.mdc_lists)
    candidates = sorted(listed | tables.listless)
    opened = [row for row in candidates if _opens(row, case, seen, tables)]
    for mdc_row in opened:
        for row in tables.adrg_of_mdc[mdc_row]:
            if _fires(row, case, seen, tables):
                return row, tables.kinds[row], mdc_row
    trace = TRACE_NO_ADRG if listed else TRACE_NO_MDC
    return -1, _ORDER[trace], opened[0] if opened else -1


def _severity(case: _Case, tables: _Tables) -> int:
    """1 (MCC) / 3 (CC) / 5: the most severe other diagnosis whose family the main diagnosis does not exclude."""
    excluded = _members(case.diag, tables.exclusions)
    levels = [NO_CC]
    for other in case.others:
        whole, deciding = _keys(other, category=False)
        found = tables.cc.get(whole) or tables.cc.get(deciding)
        if found is not None and found[0] not in excluded:
            levels.append(found[1])
    return min(levels)


# --- the cases and the result ----------------------------------------------------------------------


def _text(value, *, strip: bool) -> str:
    """A cell as ``drg_group`` reads it: NA as "", else its text (stripped for a code)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = str(value)
    return text.strip() if strip else text


def _sex(value) -> int:
    return {"1": 1, "2": 2}.get(_text(value, strip=True), 0)


def _cases(cases: pd.DataFrame) -> list[_Case]:
    def column(name):
        return cases[name].tolist() if name in cases else [None] * len(cases)

    # Numbers as ``drg_group`` converts them (one call per column, not per case).
    numbers = {
        name: (
            pd.to_numeric(cases[name], errors="coerce").to_numpy(dtype=float).tolist()
            if name in cases
            else [math.nan] * len(cases)
        )
        for name in _NUMBERS
    }
    sexed, weighed = "gend" in cases, "nwb_bir_wt" in cases or "nwb_adm_wt" in cases
    found = []
    rows = zip(
        column("maindiag_code"),
        column("main_oprn_oprt_code"),
        column("otherdiag_codes"),
        column("other_oprn_oprt_codes"),
        column("gend"),
        *numbers.values(),
        strict=True,
    )
    for diag, proc, others, other_procs, gend, age, days, birth, admission in rows:
        case = _Case(
            diag=_text(diag, strip=True),
            proc=_text(proc, strip=True),
            others=_entries(_text(others, strip=False)),
            other_procs=_entries(_text(other_procs, strip=False)),
            sex=_sex(gend) if sexed else 0,
            age_days=age * 365 if math.isnan(days) else days,
            weight=admission if math.isnan(birth) else birth,
            check=-1,
        )
        found.append(replace(case, check=_check(case, sexed, weighed)))
    return found


def drg_group_rows(
    cases: pd.DataFrame,
    rules: DrgRules,
    procedure_types: Mapping[str, str] | pd.Series | None = None,
) -> pd.DataFrame:
    """``drg_group(cases, rules, procedure_types)``, computed case by case (for a few cases)."""
    require_columns(
        cases, ("maindiag_code", "main_oprn_oprt_code", "otherdiag_codes"), ERR_CASES_COLUMNS
    )
    tables, labels = _tables(rules), _labels(rules)
    or_codes = _or_codes(rules, procedure_types)
    columns: dict[str, list] = {name: [] for name in ("drg", "mdc", "adrg", "sev", "trace", "text")}
    for case in _cases(cases):
        adrg_row, trace, mdc_row = _outcome(case, tables, or_codes)
        severity = _severity(case, tables)
        drg_pos = -1
        if adrg_row >= 0:
            digit = 0 if labels.ambiguous[adrg_row] else labels.digits[adrg_row][severity // 2]
            drg_pos = labels.drg_of.get(adrg_row * 10 + digit, -1)
        columns["drg"].append(drg_pos)
        columns["mdc"].append(mdc_row)
        columns["adrg"].append(-1 if adrg_row < 0 or labels.ambiguous[adrg_row] else adrg_row)
        columns["sev"].append(severity)
        columns["trace"].append(trace)
        columns["text"].append(_rule_text(labels, adrg_row, trace, severity, drg_pos))
    texts = pd.Index(list(dict.fromkeys(columns["text"])), dtype=object)
    label = labels.columns
    return pd.DataFrame(
        {
            "drg_code": label["drg_code"].column(columns["drg"]),
            "mdc": label["mdc"].column(columns["mdc"]),
            "adrg": label["adrg"].column(columns["adrg"]),
            "severity": np.array(columns["sev"], dtype=np.int8),
            "trace": label["trace"].column(columns["trace"]),
            "trace_text": label["trace_text"].column(columns["trace"]),
            "rule_trace": pd.Categorical.from_codes(
                texts.get_indexer(columns["text"]), categories=texts, validate=False
            ),
        },
        index=cases.index,
    )
