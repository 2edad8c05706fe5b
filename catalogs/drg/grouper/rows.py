"""The CHS-DRG grouper of ``catalogs.drg`` for a few cases, one case at a time in plain Python.

``drg_group`` shares work between cases (units, classes of codes) with a few hundred vectorised
operations, whatever the number of cases: on one case (the pre-grouping preview, 预分组) that fixed cost is
all there is. ``drg_group_rows`` reads the same compiled rules (``DrgRules``: nothing of the rule set is
written twice) through lookup tables built once per rule set (``_tables``, cached while the rules object
lives; a new rule set version is a new object) and follows the steps of ``drg``'s module docstring for each
case in turn. Its result is ``drg_group``'s, column for column and dtype for dtype
(tests/catalogs/test_drg_row.py holds them equal on the national golden cases and generated cases).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from catalogs.codes import _COMBINED, DIAGNOSIS
from catalogs.dip.grouper import identity_cached, require_columns
from catalogs.drg.grouper.cases import _typed_or_codes
from catalogs.drg.grouper.index import _cached
from catalogs.drg.grouper.result import _drg_table, _rule_texts
from catalogs.drg.grouper.tables import (
    _KIND_TRACE,
    _TRACE_ORDER,
    ERR_CASES_COLUMNS,
    NEWBORN_DAYS,
    NO_CC,
    SEVERITY,
    SEVERITY_TEXT,
    TRACE_INVALID_DIAGNOSIS,
    TRACE_INVALID_SEX,
    TRACE_NO_ADRG,
    TRACE_NO_DIAGNOSIS,
    TRACE_NO_MDC,
    TRACE_NO_NEWBORN_WEIGHT,
    TRACE_TEXT,
    DrgRules,
)
from catalogs.drg.grouper.units import _any_lists, _listless
from config.lazy import numpy as np
from config.lazy import pandas as pd

# Up to this many cases the loop costs less than the vectorised grouper's fixed ~100 ms: CPU per call, national
# rules, 1,000 cases 68 ms by row vs 191 ms vectorised, 2,000 about even, 4,000 312 vs 172 ms (docs/settlement.md §7).
ROW_LIMIT = 1000

_CACHE: dict[tuple, tuple] = {}  # see ``catalogs.identity_cached``
_CACHE_SIZE = 32
_ORDER = {name: position for position, name in enumerate(_TRACE_ORDER)}
_NUMBERS = ("age", "nwb_age", "nwb_bir_wt", "nwb_adm_wt")


@dataclass(frozen=True)
class _Tables:
    """The rule set as dicts and tuples: each list entry with the rows listing it, each row's conditions."""

    mdc_lists: dict[str, tuple[int, ...]]  # diagnosis entry -> MDC rows
    adrg_lists: dict[str, tuple[int, ...]]  # diagnosis entry -> ADRG rows (main diagnosis lists)
    any_lists: dict[str, tuple[int, ...]]  # entry -> "any" ADRG rows, then n_adrg + trauma region
    exclusions: dict[str, tuple[str, ...]]  # diagnosis entry -> exclusion families
    cc: dict[str, tuple[str, int]]  # CC code -> (family, level 1/3)
    listless: frozenset[int]  # MDC rows open to any main diagnosis
    mdc: tuple[tuple[int, float, bool, int], ...]  # sex, age_days_max, or_procedure, min_regions
    adrg_of_mdc: tuple[tuple[int, ...], ...]  # per MDC row its ADRG rows in listed order
    adrg: tuple[
        tuple[str, str, float, float, float], ...
    ]  # diag/proc match, age max, weight min/max
    procedures: tuple[frozenset[str], ...]  # per ADRG row the codes of its procedure list
    rule_items: dict[
        str, tuple[tuple[int, str], ...]
    ]  # code -> (ADRG row, group) of procedure rules
    terms: dict[
        int, tuple[tuple[str, ...], ...]
    ]  # ADRG row -> its rule's terms (groups, as listed)
    kinds: tuple[int, ...]  # per ADRG row the trace position of its kind
    n_adrg: int


def _owners(codes, owners) -> dict[str, tuple]:
    found: dict[str, list] = {}
    for code, owner in zip(codes, owners, strict=True):
        found.setdefault(code, []).append(owner)
    return {code: tuple(dict.fromkeys(values)) for code, values in found.items()}


def _build(rules: DrgRules) -> _Tables:
    adrg, mdc = rules.adrg, rules.mdc
    lists = _any_lists(rules)
    items = rules.adrg_procedures[
        rules.adrg_procedures["adrg_row"].isin(rules.adrg_rules["adrg_row"])
    ]
    terms: dict[int, dict[int, list[str]]] = {}
    for row, term, group in rules.adrg_rules[["adrg_row", "term", "group"]].itertuples(index=False):
        terms.setdefault(int(row), {}).setdefault(int(term), []).append(group)
    procedures: list[set[str]] = [set() for _ in range(len(adrg))]
    for row, code in rules.adrg_procedures[["adrg_row", "proc_code"]].itertuples(index=False):
        procedures[row].add(code)
    mdc_rows = adrg["mdc_row"].tolist()
    return _Tables(
        mdc_lists=_owners(
            rules.mdc_diagnoses["diag_code"], rules.mdc_diagnoses["mdc_row"].tolist()
        ),
        adrg_lists=_owners(
            rules.adrg_diagnoses["diag_code"], rules.adrg_diagnoses["adrg_row"].tolist()
        ),
        any_lists=_owners(lists["diag_code"], lists["list"].tolist()),
        exclusions=_owners(rules.exclusions["diag_code"], rules.exclusions["family"]),
        cc={
            code: (family, SEVERITY[level])
            for code, family, level in rules.cc[["diag_code", "family", "level"]].itertuples(
                index=False
            )
        },
        listless=frozenset(_listless(rules).tolist()),
        mdc=tuple(
            zip(
                mdc["sex"].tolist(),
                mdc["age_days_max"].tolist(),
                mdc["or_procedure"].tolist(),
                mdc["min_regions"].tolist(),
                strict=True,
            )
        ),
        adrg_of_mdc=tuple(
            tuple(row for row in range(len(adrg)) if mdc_rows[row] == m) for m in range(len(mdc))
        ),
        adrg=tuple(
            zip(
                adrg["diag_match"].tolist(),
                adrg["proc_match"].tolist(),
                adrg["age_days_max"].tolist(),
                adrg["weight_min"].tolist(),
                adrg["weight_max"].tolist(),
                strict=True,
            )
        ),
        procedures=tuple(frozenset(codes) for codes in procedures),
        rule_items=_owners(items["proc_code"], zip(items["adrg_row"].tolist(), items["group"])),
        terms={row: tuple(tuple(groups) for groups in by.values()) for row, by in terms.items()},
        kinds=tuple(_ORDER[_KIND_TRACE[kind]] for kind in adrg["kind"]),
        n_adrg=len(adrg),
    )


def _tables(rules: DrgRules) -> _Tables:
    return identity_cached(_CACHE, _CACHE_SIZE, "tables", rules, lambda: _build(rules))


def _or_codes(rules: DrgRules, procedure_types) -> frozenset[str]:
    """The OR procedures as ``drg_group`` takes them (the rule set's, plus those typed 手术), as a set."""
    codes = (
        rules.or_procedures if procedure_types is None else _typed_or_codes(rules, procedure_types)
    )
    return identity_cached(_CACHE, _CACHE_SIZE, "or_codes", codes, lambda: frozenset(codes))


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


@dataclass(frozen=True)
class _Label:
    """A result column's categories (``catalogs.labels``: the names, then "") and each name's code."""

    dtype: pd.CategoricalDtype
    code_of: list[int]
    blank: int

    @classmethod
    def of(cls, names) -> _Label:
        categories = pd.Index(list(dict.fromkeys([*names, ""])), dtype=object)
        return cls(
            pd.CategoricalDtype(categories),
            categories.get_indexer(list(names)).tolist(),
            categories.get_loc(""),
        )

    def column(self, positions: list[int]) -> pd.Categorical:
        """``names[position]`` per case, "" for -1."""
        codes = [self.blank if p < 0 else self.code_of[p] for p in positions]
        return pd.Categorical.from_codes(
            np.array(codes, dtype=np.int64), dtype=self.dtype, validate=False
        )


@dataclass(frozen=True)
class _Labels:
    """What ``_result`` reads of the rule set: the DRG keys and codes, split digits, 歧义组 rows, the
    MDC and ADRG steps of the rule trace, and every result column's categories."""

    drg_of: dict[int, int]  # DRG key (ADRG row x 10 + digit) -> code position
    drg_codes: list[str]
    digits: list[list[int]]
    ambiguous: list[bool]
    steps: list[tuple[str, str]]
    columns: dict[str, _Label]


def _labels(rules: DrgRules) -> _Labels:
    def build() -> _Labels:
        digit, ambiguous, keys, codes, mdc_codes, adrg_codes = _cached(
            "drg_table", rules, lambda: _drg_table(rules)
        )
        return _Labels(
            drg_of={int(key): position for position, key in enumerate(keys)},
            drg_codes=codes,
            digits=digit.tolist(),
            ambiguous=ambiguous.tolist(),
            steps=_cached("rule_texts", rules, lambda: _rule_texts(rules)),
            columns={
                "drg_code": _Label.of(codes),
                "mdc": _Label.of(mdc_codes),
                "adrg": _Label.of(adrg_codes),
                "trace": _Label.of(_TRACE_ORDER),
                "trace_text": _Label.of([TRACE_TEXT[name] for name in _TRACE_ORDER]),
            },
        )

    return identity_cached(_CACHE, _CACHE_SIZE, "labels", rules, build)


def _rule_text(labels: _Labels, adrg_row: int, trace: int, severity: int, drg_pos: int) -> str:
    """The rule that fired at each step: MDC → ADRG → severity → DRG (``_rule_trace``)."""
    if adrg_row < 0:
        return TRACE_TEXT[_TRACE_ORDER[trace]]
    steps = list(labels.steps[adrg_row])
    if not labels.ambiguous[adrg_row]:
        steps.append(SEVERITY_TEXT[severity])
    return " → ".join([*steps, labels.drg_codes[drg_pos]])


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
