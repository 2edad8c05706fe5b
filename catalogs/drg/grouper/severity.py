"""Severity (CC/MCC): the most severe other diagnosis whose exclusion family spares the main one. Pure."""

from __future__ import annotations

from catalogs.dip.grouper import lookup, pair_keys
from catalogs.drg.grouper.cases import _CaseCodes, _positions, _set_ids
from catalogs.drg.grouper.index import _cached, _members
from catalogs.drg.grouper.tables import NO_CC, SEVERITY, DrgRules
from catalogs.drg.grouper.units import _other_entries
from config.lazy import numpy as np
from config.lazy import pandas as pd


def _severity(case: _CaseCodes, rules: DrgRules) -> np.ndarray:
    """1 (MCC) / 3 (CC) / 5 per case: the most severe other diagnosis not excluded by the main diagnosis's families."""
    diag_pos, diag_codes, other_pos, strings = (
        case.diag_pos,
        case.diag_codes,
        case.other_pos,
        case.other_strings,
    )
    owner, code_pos, codes = _cached("other_entries", case, lambda: _other_entries(case))
    cc_table = _cached("cc_rows", rules, lambda: rules.cc.assign(cc=np.arange(len(rules.cc))))
    found_cc = _members(codes, cc_table, "cc", category=False)
    cc_of = np.full(len(codes), -1, dtype=np.int64)
    found_cc = found_cc.sort_values("cc").drop_duplicates("code", keep="first")
    exact = _cached("cc_codes", rules, lambda: pd.Index(rules.cc["diag_code"])).get_indexer(
        pd.Index(codes, dtype=object)
    )
    cc_of[found_cc["code"].to_numpy()] = found_cc["cc"].to_numpy()
    cc_of = np.where(exact >= 0, exact, cc_of)  # a code listed whole beats its deciding part
    cc_row = cc_of[code_pos] if len(codes) else np.zeros(0, dtype=np.int64)
    hits = pd.DataFrame({"other": owner[cc_row >= 0], "cc": cc_row[cc_row >= 0]})
    if hits.empty:
        return np.full(len(diag_pos), NO_CC)
    families = rules.families
    family_set, excluded_keys = _family_sets(diag_codes, families, rules)
    # Distinct (family set of the main diagnosis, other-diagnosis string) pairs carry the whole decision.
    combo_pos, combos = _positions(
        family_set[diag_pos] * len(strings) + other_pos,
        (int(family_set.max(initial=0)) + 1) * len(strings),
    )
    found = pd.DataFrame(
        {
            "combo": np.arange(len(combos)),
            "set": combos // len(strings),
            "other": combos % len(strings),
        }
    )
    found = found.merge(hits, on="other")
    cc_family, cc_level = _cached(
        "cc_family_level",
        rules,
        lambda: (
            families.get_indexer(rules.cc["family"].to_numpy()),
            rules.cc["level"].map(SEVERITY).to_numpy(),
        ),
    )
    family = cc_family[found["cc"]]
    kept = lookup(pair_keys(found["set"].to_numpy(), family, len(families)), excluded_keys) < 0
    level = cc_level[found["cc"]]
    severity = np.full(len(combos), NO_CC)
    np.minimum.at(severity, found["combo"].to_numpy()[kept], level[kept])
    return severity[combo_pos]


def _family_sets(
    diag_codes: pd.Index, families: pd.Index, rules: DrgRules
) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct main diagnosis, the id of its set of exclusion families (listed whole, by deciding part or by
    category in the exclusion table); and the (set id, family) keys excluded."""
    members = _members(diag_codes, rules.exclusions, "family").rename(columns={"code": "diag"})
    members["family"] = families.get_indexer(members["family"].to_numpy())
    owners, ids = _set_ids(members["diag"].to_numpy(), members["family"].to_numpy())
    set_of = np.zeros(len(diag_codes), dtype=np.int64)  # 0 = no family
    set_of[owners] = ids + 1
    excluded = np.unique(
        set_of[members["diag"].to_numpy()] * len(families) + members["family"].to_numpy()
    )
    return set_of, excluded.astype(np.int64)
