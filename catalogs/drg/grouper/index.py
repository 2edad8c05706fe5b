"""Indexes derived from a rule set, cached per rule set (and a few per call): entry keys and list members. Pure."""

from __future__ import annotations

from catalogs.codes import diagnosis_deciding
from catalogs.dip.grouper import identity_cached
from config.lazy import numpy as np
from config.lazy import pandas as pd

_CACHE: dict[
    tuple, tuple
] = {}  # (kind, id(object), ...) -> (the object, its derived value): see ``_cached``


_CACHE_SIZE = 256


# Values derived from one call's cases (``_CaseCodes``, the case's distinct codes): kept apart, and only a few,
# so a call's cases are not held alive by the cache and never push the rule-set indexes out of it.
_CALL_CACHE: dict[tuple, tuple] = {}


_CALL_CACHE_SIZE = 8


_PER_CALL = frozenset({"keys", "other_entries", "listed_positions"})


def _cached(kind: str, owner: object, build, *extra):
    """A value derived from ``owner`` (a rule table, the compiled rules, an index of case codes), built once
    while ``owner`` lives: the entry keeps ``owner`` so its id cannot be reused by another object."""
    store, size = (_CALL_CACHE, _CALL_CACHE_SIZE) if kind in _PER_CALL else (_CACHE, _CACHE_SIZE)
    return identity_cached(store, size, kind, owner, build, *extra)


def _entry_index(
    table: pd.DataFrame, owner: str
) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct entries of a list table (a hash index) and, per entry, its owners as a slice of one array."""
    codes, entries = pd.factorize(table["diag_code"].to_numpy(dtype=object))
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(entries))
    return (
        pd.Index(entries, dtype=object),
        np.cumsum(counts) - counts,
        counts,
        table[owner].to_numpy()[order],
    )


def _keys(codes: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(whole code, deciding part, category) of each distinct diagnosis."""
    whole = np.asarray(codes, dtype=object)
    deciding = whole.copy()
    combined = np.asarray(pd.Index(whole).str.contains("+", regex=False), dtype=bool)
    if combined.any():
        deciding[combined] = np.asarray(diagnosis_deciding(pd.Index(whole[combined])), dtype=object)
    return whole, deciding, np.asarray(pd.Index(deciding).str[:3], dtype=object)


def _members(
    codes: pd.Index, table: pd.DataFrame, owner: str, *, category: bool = True
) -> pd.DataFrame:
    """(code, owner) for each distinct diagnosis on an owner's list: listed whole, by its deciding part
    (the aetiology code of a dagger/asterisk pair) or (``category``) by its 3-character category."""
    entries, starts, counts, owners = _cached(
        "entries", table, lambda: _entry_index(table, owner), owner
    )
    keys = _cached("keys", codes, lambda: _keys(codes))
    found_codes, found_owners = [], []
    for key in keys if category else keys[:2]:
        position = entries.get_indexer(
            pd.Index(key, dtype=object)
        )  # an object target: no string-dtype inference
        count = (
            np.where(position >= 0, counts[np.maximum(position, 0)], 0)
            if len(entries)
            else np.zeros(len(key), dtype=np.int64)
        )
        first = np.repeat(starts[np.maximum(position, 0)] if len(entries) else position, count)
        offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        found_codes.append(np.repeat(np.arange(len(key)), count))
        found_owners.append(owners[first + offset])
    found = pd.DataFrame({"code": np.concatenate(found_codes), owner: np.concatenate(found_owners)})
    return found.drop_duplicates().reset_index(drop=True)
