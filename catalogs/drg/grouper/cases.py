"""The cases reduced to their distinct codes (``_CaseCodes``), the checks, and the code-list helpers. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from catalogs.dip.grouper import (
    PROCEDURE_TYPE_TO_TREATMENT,
    SURGICAL,
    codes_factorized,
    valid_diagnosis,
)
from catalogs.drg.grouper.index import _cached
from catalogs.drg.grouper.tables import (
    _TRACE_ORDER,
    NEWBORN_DAYS,
    TRACE_INVALID_DIAGNOSIS,
    TRACE_INVALID_SEX,
    TRACE_NO_DIAGNOSIS,
    TRACE_NO_NEWBORN_WEIGHT,
    DrgRules,
)
from config.lazy import numpy as np
from config.lazy import pandas as pd


@dataclass
class _CaseCodes:
    """The cases reduced to positions into their distinct codes and strings, and the per-case fields."""

    diag_pos: np.ndarray
    diag_codes: pd.Index
    proc_pos: np.ndarray
    proc_codes: pd.Index
    is_or: np.ndarray  # per distinct main procedure
    other_pos: np.ndarray  # the string of other diagnoses
    other_strings: np.ndarray
    oproc_pos: np.ndarray  # the string of other procedures
    oproc_strings: np.ndarray
    or_codes: pd.Index
    sex: np.ndarray  # 0 unknown, 1, 2
    age_days: np.ndarray  # float, NaN unknown
    weight: np.ndarray  # float grams, NaN unknown
    check: np.ndarray  # trace position of a failed check, -1 if none

    @classmethod
    def of(cls, cases: pd.DataFrame, rules: DrgRules, procedure_types) -> _CaseCodes:
        diag_pos, diag_codes = codes_factorized(cases["maindiag_code"])
        proc_pos, proc_codes = codes_factorized(cases["main_oprn_oprt_code"])
        or_codes = (
            rules.or_procedures
            if procedure_types is None
            else _typed_or_codes(rules, procedure_types)
        )
        blank = pd.Series("", index=cases.index)
        other_pos, other_strings = pd.factorize(cases["otherdiag_codes"].fillna("").astype(str))
        oproc_pos, oproc_strings = pd.factorize(
            cases.get("other_oprn_oprt_codes", blank).fillna("").astype(str)
        )

        def number(name):
            if name not in cases:
                return np.full(len(cases), np.nan)
            return pd.to_numeric(cases[name], errors="coerce").to_numpy(dtype=float)

        sex = _sexes(cases["gend"]) if "gend" in cases else None
        age_days = np.where(np.isnan(number("nwb_age")), number("age") * 365, number("nwb_age"))
        weight = np.where(
            np.isnan(number("nwb_bir_wt")), number("nwb_adm_wt"), number("nwb_bir_wt")
        )
        order = {name: position for position, name in enumerate(_TRACE_ORDER)}
        weighed = "nwb_bir_wt" in cases or "nwb_adm_wt" in cases
        check = np.select(
            [
                np.asarray(diag_codes == "")[diag_pos],
                ~valid_diagnosis(diag_codes)[diag_pos],
                sex == 0 if sex is not None else np.zeros(len(cases), dtype=bool),
                weighed & (age_days <= NEWBORN_DAYS) & np.isnan(weight),
            ],
            [
                order[TRACE_NO_DIAGNOSIS],
                order[TRACE_INVALID_DIAGNOSIS],
                order[TRACE_INVALID_SEX],
                order[TRACE_NO_NEWBORN_WEIGHT],
            ],
            -1,
        )
        return cls(
            diag_pos,
            diag_codes,
            proc_pos,
            proc_codes,
            np.asarray(proc_codes.isin(or_codes)),
            other_pos,
            np.asarray(other_strings, dtype=object),
            oproc_pos,
            np.asarray(oproc_strings, dtype=object),
            or_codes,
            np.zeros(len(cases), np.int8) if sex is None else sex,
            age_days,
            weight,
            check,
        )


def _typed_or_codes(rules: DrgRules, procedure_types) -> pd.Index:
    """The rule set's OR procedures plus the codes ``procedure_types`` types 手术: once per (rule set, procedure
    types) while both live (a catalog keeps its procedure types), so the procedure index built on them is too."""
    built = _cached("typed_or_codes", rules, dict)
    hit = built.get(id(procedure_types))
    if hit is None or hit[0] is not procedure_types:
        typed = pd.Series(procedure_types, dtype=object)
        surgery = typed.index[typed.map(PROCEDURE_TYPE_TO_TREATMENT).to_numpy() == SURGICAL]
        if len(built) >= 8:
            built.clear()
        hit = built[id(procedure_types)] = (
            procedure_types,
            rules.or_procedures.append(
                pd.Index(surgery.astype(str).str.strip(), dtype=object)
            ).unique(),
        )
    return hit[1]


def _sexes(column: pd.Series) -> np.ndarray:
    """1 / 2 / 0 (unknown) per case, mapped once per distinct value."""
    positions, values = pd.factorize(column, use_na_sentinel=True)
    sexes = (
        pd.Index(values, dtype=object)
        .astype(str)
        .str.strip()
        .map({"1": 1, "2": 2})
        .fillna(0)
        .to_numpy(dtype=np.int8)
    )
    return np.append(sexes, np.int8(0))[positions]


def _split_lists(strings) -> tuple[np.ndarray, np.ndarray]:
    """The ``;``-separated entries of each string and the position of the string each came from.

    One ``str.split`` over all strings joined with a marker entry, instead of one Python call per string:
    the entries after the k-th marker belong to string k.
    """
    marker = "\x1e"  # ASCII record separator; never in a code (and not NUL, which numpy strips)
    parts = np.array(f";{marker};".join(np.asarray(strings, dtype=object)).split(";"), dtype=object)
    is_marker = parts == marker
    owner, entries = np.cumsum(is_marker)[~is_marker], parts[~is_marker]
    entries = pd.Index(entries, dtype=object).str.strip()
    keep = np.asarray(entries != "")
    return owner[keep], np.asarray(entries[keep], dtype=object)


def _positions(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of non-negative integer ``keys`` (< ``size``) in their distinct values, and those values: through
    an array of ``size`` slots when that is small (the values ascending), else a hash table (in order of appearance)."""
    if size > max(4 * len(keys), 1 << 16):
        return pd.factorize(keys)
    seen = np.zeros(size, dtype=bool)
    seen[keys] = True
    distinct = np.flatnonzero(seen)
    slot = np.empty(size, dtype=np.int64)
    slot[distinct] = np.arange(len(distinct))
    return slot[keys], distinct


def _signatures(
    left_pos: np.ndarray,
    right_pos: np.ndarray,
    left_hits: pd.DataFrame,
    right_hits: pd.DataFrame,
    item: str,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Per case, the id (0 = none) of the set of ``item`` hit by its left code or its right string; and (sig, item) rows.

    Left codes hitting the same items are one class first, so the (class, right string) pairs are few."""
    if left_hits.empty and right_hits.empty:
        return np.zeros(len(left_pos), dtype=np.int64), pd.DataFrame(
            {"sig": [], item: []}, dtype=np.int64
        )
    left, member = (
        left_hits["left"].to_numpy(dtype=np.int64),
        left_hits[item].to_numpy(dtype=np.int64),
    )
    owners, ids = _set_ids(left, member)
    left_class = np.zeros(
        max(int(left_pos.max(initial=0)), int(left.max(initial=0))) + 1, dtype=np.int64
    )
    left_class[owners] = ids + 1
    class_hits = pd.DataFrame({"left": left_class[left], item: member}).drop_duplicates()
    size = int(right_pos.max(initial=0)) + 1
    pair_pos, pairs = _positions(
        left_class[left_pos] * size + right_pos, (int(left_class.max(initial=0)) + 1) * size
    )
    table = pd.DataFrame(
        {"pair": np.arange(len(pairs)), "left": pairs // size, "right": pairs % size}
    )
    hits = pd.concat(
        [
            table.merge(class_hits, on="left")[["pair", item]],
            table.merge(right_hits, on="right")[["pair", item]],
        ]
    )
    hits = hits.drop_duplicates()
    owner, set_id = _set_ids(hits["pair"].to_numpy(), hits[item].to_numpy())
    pair_sig = np.zeros(len(pairs), dtype=np.int64)
    pair_sig[owner] = set_id + 1
    rows = pd.DataFrame(
        {"sig": pair_sig[hits["pair"].to_numpy()], item: hits[item].to_numpy()}
    ).drop_duplicates()
    return pair_sig[pair_pos], rows.reset_index(drop=True)


def _set_ids(owner: np.ndarray, member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For (owner, member) pairs without repeats: the distinct owners and an id per owner equal for equal sets.

    A set is identified by the sum (mod 2**64) of fixed pseudo-random 64-bit weights of its members: vectorised,
    order-free, deterministic (seeded), and two different sets of rule lists share a sum with odds ~2**-64."""
    weights = np.random.default_rng(0x17).integers(
        0, 2**63, size=int(member.max(initial=0)) + 1, dtype=np.int64
    )
    owners, position = np.unique(owner, return_inverse=True)
    total = np.zeros(len(owners), dtype=np.uint64)
    np.add.at(total, position, weights[member].astype(np.uint64))
    return owners, pd.factorize(total)[0]
