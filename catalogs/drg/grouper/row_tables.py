"""The lookup tables of the row-wise grouper (``rows.py``), built once per rule set: the compiled rules
(``DrgRules``) as dicts and tuples — each list entry with the rows listing it, each row's conditions — and
the labels and rule-trace texts of the result, shared with ``drg_group`` (``result._drg_table``,
``result._rule_texts``). Cached while the rules object lives; a new rule set version is a new object."""

from __future__ import annotations

from dataclasses import dataclass

from catalogs.dip.grouper import identity_cached
from catalogs.drg.grouper.cases import _typed_or_codes
from catalogs.drg.grouper.index import _cached
from catalogs.drg.grouper.result import _drg_table, _rule_texts
from catalogs.drg.grouper.tables import (
    _KIND_TRACE,
    _TRACE_ORDER,
    SEVERITY,
    SEVERITY_TEXT,
    TRACE_TEXT,
    DrgRules,
)
from catalogs.drg.grouper.units import _any_lists, _listless
from config.lazy import numpy as np
from config.lazy import pandas as pd

_CACHE: dict[tuple, tuple] = {}  # see ``catalogs.identity_cached``
_CACHE_SIZE = 32
_ORDER = {name: position for position, name in enumerate(_TRACE_ORDER)}


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
