"""Grouping units: each case's diagnosis classes and what its procedures mean to them (MDC, ADRG lists). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from catalogs.drg.grouper.cases import _CaseCodes, _set_ids, _signatures, _split_lists
from catalogs.drg.grouper.index import _cached, _members
from catalogs.drg.grouper.tables import NEWBORN_DAYS, DrgRules
from config.lazy import numpy as np
from config.lazy import pandas as pd


@dataclass
class _Units:
    """Distinct cases as far as the rules can tell, with what each hit: the unit table (one row per unit:
    diag, proc, dx, px, sex, age_days, weight, check) and, per signature, the lists and rules hit."""

    table: pd.DataFrame
    dx_lists: pd.DataFrame  # sig, list: "any" diagnosis lists (ADRG rows, then trauma regions) hit
    regions: np.ndarray  # per dx sig: body regions hit
    px_rules: pd.DataFrame  # sig, adrg_row: procedure rules satisfied
    px_or: np.ndarray  # per px sig: an OR procedure anywhere


def _any_lists(rules: DrgRules) -> pd.DataFrame:
    """The lists of diagnoses looked for among all diagnoses: ``any`` ADRG rows (list = row), then body regions."""
    any_rows = rules.adrg_diagnoses[
        (rules.adrg["diag_match"].to_numpy() == "any")[rules.adrg_diagnoses["adrg_row"].to_numpy()]
    ]
    regions = pd.Index(rules.trauma["region"].unique())
    return pd.concat(
        [
            any_rows.rename(columns={"adrg_row": "list"}),
            pd.DataFrame(
                {
                    "list": len(rules.adrg) + regions.get_indexer(rules.trauma["region"]),
                    "diag_code": rules.trauma["diag_code"],
                }
            ),
        ]
    )


def _other_entries(case: _CaseCodes) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """The other diagnoses of each distinct string: (string, position in the distinct codes), and the distinct codes."""
    owner, entries = _split_lists(case.other_strings)
    entry_pos, distinct = pd.factorize(
        entries
    )  # a million lists hold a few thousand distinct codes
    return owner, entry_pos, pd.Index(distinct, dtype=object)


def _diagnosis_hits(
    case: _CaseCodes, rules: DrgRules
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    adrg = rules.adrg
    lists = _cached("any_lists", rules, lambda: _any_lists(rules))
    main = _members(case.diag_codes, lists, "list").rename(columns={"code": "left"})
    owner, entry_pos, distinct = _cached("other_entries", case, lambda: _other_entries(case))
    found = _members(distinct, lists, "list")
    other = pd.DataFrame({"right": owner, "code": entry_pos}).merge(found, on="code")[
        ["right", "list"]
    ]
    sig, rows = _signatures(case.diag_pos, case.other_pos, main, other, "list")
    count = rows[rows["list"] >= len(adrg)].groupby("sig").size()
    region_count = np.zeros(int(sig.max(initial=0)) + 1, dtype=np.int64)
    region_count[count.index.to_numpy(dtype=np.int64)] = count.to_numpy()
    return sig, rows, region_count


def _procedure_hits(
    case: _CaseCodes, rules: DrgRules
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """Per case the id of its procedure signature; the (sig, adrg_row) rules it satisfies; per sig an OR procedure."""
    items = _cached(
        "rule_items",
        rules,
        lambda: rules.adrg_procedures[
            rules.adrg_procedures["adrg_row"].isin(rules.adrg_rules["adrg_row"])
        ].reset_index(drop=True),
    )
    or_item = len(items)

    def item_index() -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
        """The distinct codes of the rule items and OR procedures, and per code its items (a slice of one array)."""
        code_pos, codes = pd.factorize(
            np.concatenate(
                [items["proc_code"].to_numpy(dtype=object), case.or_codes.to_numpy(dtype=object)]
            )
        )
        item = np.concatenate([np.arange(len(items)), np.full(len(case.or_codes), or_item)])
        return pd.Index(codes, dtype=object), *_csr(code_pos, item, len(codes))

    # Built once per set of OR procedures: the rule set's own, or with procedure types added (``_typed_or_codes``,
    # which keeps each such set while its rule set lives).
    codes, *slices = _cached("procedure_items", case.or_codes, item_index, id(rules))

    def hits(found: np.ndarray, side: str) -> pd.DataFrame:
        position = codes.get_indexer(pd.Index(found, dtype=object))
        slots = np.flatnonzero(position >= 0)
        owner, item = _expanded(*slices, position[slots])
        return pd.DataFrame({side: slots[owner], "item": item})

    owner, entries = _split_lists(case.oproc_strings)
    entry_pos, distinct = pd.factorize(entries)
    other = pd.DataFrame({"right": owner, "code": entry_pos}).merge(
        hits(np.asarray(distinct, dtype=object), "code")
    )
    sig, rows = _signatures(
        case.proc_pos,
        case.oproc_pos,
        hits(case.proc_codes.to_numpy(dtype=object), "left"),
        other[["right", "item"]],
        "item",
    )
    px_or = np.zeros(int(sig.max(initial=0)) + 1, dtype=bool)
    px_or[rows.loc[rows["item"] == or_item, "sig"].to_numpy(dtype=np.int64)] = True
    found = rows[rows["item"] < or_item].assign(
        adrg_row=lambda f: items["adrg_row"].to_numpy()[f["item"]],
        group=lambda f: items["group"].to_numpy()[f["item"]],
    )
    terms = found.merge(rules.adrg_rules, on=["adrg_row", "group"]).drop_duplicates(
        ["sig", "term", "group"]
    )
    size = _cached("term_sizes", rules, lambda: rules.adrg_rules.groupby("term").size())
    met = terms.groupby(["sig", "term", "adrg_row"]).size().reset_index(name="n")
    met = met[met["n"].to_numpy() == size.reindex(met["term"]).to_numpy()]
    return sig, met[["sig", "adrg_row"]].drop_duplicates().reset_index(drop=True), px_or


def _bands(values: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """A band id per value such that every condition on ``thresholds`` holds alike inside a band; NaN apart."""
    cuts = np.unique(thresholds[~np.isnan(thresholds)])
    band = np.searchsorted(cuts, values, side="left") * 2 + np.isin(values, cuts)
    return np.where(np.isnan(values), -1, band)


def _diagnosis_classes(case: _CaseCodes, rules: DrgRules) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct main diagnosis: an id equal for diagnoses on the same MDC and ADRG lists (whole, deciding
    part or category; 0: none), and the MDCs it can open (its MDC lists and the MDCs without a list)."""
    mdc = _members(case.diag_codes, rules.mdc_diagnoses, "mdc_row")
    adrg = _members(case.diag_codes, rules.adrg_diagnoses, "adrg_row")
    owners, ids = _set_ids(
        np.concatenate([mdc["code"].to_numpy(), adrg["code"].to_numpy()]),
        np.concatenate([mdc["mdc_row"].to_numpy(), len(rules.mdc) + adrg["adrg_row"].to_numpy()]),
    )
    classes = np.zeros(len(case.diag_codes), dtype=np.int64)
    classes[owners] = ids + 1
    can_open = np.zeros((len(case.diag_codes), len(rules.mdc)), dtype=bool)
    can_open[mdc["code"].to_numpy(), mdc["mdc_row"].to_numpy()] = True
    can_open[:, _listless(rules)] = True
    return classes, can_open


def _listless(rules: DrgRules) -> np.ndarray:
    """The MDC rows without a diagnosis list (open to any main diagnosis), once per rule set."""
    return _cached(
        "listless",
        rules,
        lambda: np.setdiff1d(rules.mdc.index.to_numpy(), rules.mdc_diagnoses["mdc_row"].to_numpy()),
    )


def _listed_procedures(case: _CaseCodes, rules: DrgRules) -> np.ndarray:
    """Per entry of the ADRG procedure lists, the position of its code among the cases' main procedures (-1: none);
    looked up from the cases' few codes into the rules' distinct codes (factorized once per rule set)."""

    def listed_codes() -> tuple[pd.Index, np.ndarray]:
        entry_code, codes = pd.factorize(rules.adrg_procedures["proc_code"].to_numpy(dtype=object))
        return pd.Index(codes, dtype=object), entry_code

    def positions() -> np.ndarray:
        codes, entry_code = _cached("listed_codes", rules, listed_codes)
        found = codes.get_indexer(pd.Index(case.proc_codes, dtype=object))
        case_of = np.full(len(codes) + 1, -1, dtype=np.int64)
        case_of[found[found >= 0]] = np.flatnonzero(found >= 0)
        return case_of[entry_code]

    return _cached("listed_positions", case, positions)


def _csr(
    owner: np.ndarray, member: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(owner, member) pairs as slices of one array: per owner 0..size-1 its start and count, and the members."""
    order = np.argsort(owner, kind="stable")
    counts = np.bincount(owner, minlength=size)
    return np.cumsum(counts) - counts, counts, member[order]


def _expanded(
    starts: np.ndarray, counts: np.ndarray, members: np.ndarray, slots: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each position of ``slots`` (owners), its members: (index into ``slots``, member) pairs."""
    count = counts[slots]
    first = np.repeat(starts[slots], count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return np.repeat(np.arange(len(slots)), count), members[first + offset]


def _procedures_seen(
    case: _CaseCodes,
    rules: DrgRules,
    diag_class: np.ndarray,
    can_open: np.ndarray,
    px: np.ndarray,
    px_rules: pd.DataFrame,
    px_or: np.ndarray,
) -> np.ndarray:
    """Per case, an id of what its procedures mean to its main diagnosis: the ADRG procedure lists the main
    procedure is on and the procedure rules its procedures satisfy, both only in MDCs the diagnosis can open;
    the main procedure being an OR procedure; an OR procedure anywhere. Equal for two cases of one diagnosis
    class: the ADRGs they can reach hold alike for both (an ADRG is tried only in an open MDC)."""
    n_adrg = len(rules.adrg)
    triple_pos = _factorized([diag_class[case.diag_pos], case.proc_pos, px])
    triples = np.arange(int(triple_pos.max(initial=-1)) + 1)
    first = np.full(len(triples), len(triple_pos), dtype=np.int64)
    np.minimum.at(first, triple_pos, np.arange(len(triple_pos)))
    diag, proc, sig = case.diag_pos[first], case.proc_pos[first], px[first]
    listed = rules.adrg_procedures
    position = _listed_procedures(case, rules)
    on_list = _csr(
        position[position >= 0], listed["adrg_row"].to_numpy()[position >= 0], len(case.proc_codes)
    )
    satisfied = _csr(
        px_rules["sig"].to_numpy(dtype=np.int64),
        px_rules["adrg_row"].to_numpy(dtype=np.int64),
        int(px.max(initial=0)) + 1,
    )
    owner_l, row_l = _expanded(*on_list, proc)
    owner_r, row_r = _expanded(*satisfied, sig)
    mdc_row = rules.adrg["mdc_row"].to_numpy()
    keep_l, keep_r = (
        can_open[diag[owner_l], mdc_row[row_l]],
        can_open[diag[owner_r], mdc_row[row_r]],
    )
    flags = np.arange(len(triples))
    owner = np.concatenate(
        [owner_l[keep_l], owner_r[keep_r], flags[case.is_or[proc]], flags[px_or[sig]]]
    )
    member = np.concatenate(
        [
            row_l[keep_l],
            n_adrg + row_r[keep_r],
            np.full(int(case.is_or[proc].sum()), 2 * n_adrg),
            np.full(int(px_or[sig].sum()), 2 * n_adrg + 1),
        ]
    )
    seen = np.zeros(len(triples), dtype=np.int64)
    owners, ids = _set_ids(owner, member)
    seen[owners] = ids + 1
    return seen[triple_pos]


def _factorized(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Positions of the distinct rows of non-negative integer ``columns`` (one key when their sizes allow)."""
    positions, size = np.zeros(len(columns[0]), dtype=np.int64), 1
    for column in columns:
        column = np.asarray(column, dtype=np.int64)
        span = int(column.max(initial=0)) + 1
        if size * span >= 2**62:
            positions = pd.factorize(positions)[0]
            size = int(positions.max(initial=0)) + 1
        positions, size = positions * span + column, size * span
    return pd.factorize(positions)[0]


def _units(case: _CaseCodes, rules: DrgRules) -> tuple[np.ndarray, _Units]:
    dx, dx_lists, regions = _diagnosis_hits(case, rules)
    px, px_rules, px_or = _procedure_hits(case, rules)
    ages, weights = _cached(
        "thresholds",
        rules,
        lambda: (
            np.concatenate(
                [
                    rules.mdc["age_days_max"].to_numpy(),
                    rules.adrg["age_days_max"].to_numpy(),
                    [NEWBORN_DAYS],
                ]
            ),
            np.concatenate(
                [rules.adrg["weight_min"].to_numpy(), rules.adrg["weight_max"].to_numpy()]
            ),
        ),
    )
    # Main diagnoses on the same rule lists behave alike, and so do procedures that mean the same to them: the
    # units key on these classes, and each unit keeps the codes of its first case to stand for its class.
    diag_class, can_open = _diagnosis_classes(case, rules)
    seen = _procedures_seen(case, rules, diag_class, can_open, px, px_rules, px_or)
    columns = [
        diag_class[case.diag_pos],
        seen,
        dx,
        case.sex,
        _bands(case.age_days, ages) + 1,
        _bands(case.weight, weights) + 1,
        case.check + 1,
    ]
    unit_pos = _factorized(columns)
    first = np.full(int(unit_pos.max(initial=-1)) + 1, len(unit_pos), dtype=np.int64)
    np.minimum.at(first, unit_pos, np.arange(len(unit_pos)))
    table = pd.DataFrame(
        {
            "diag": case.diag_pos[first],
            "proc": case.proc_pos[first],
            "dx": dx[first],
            "px": px[first],
            "sex": case.sex[first],
            "age_days": case.age_days[first],
            "weight": case.weight[first],
            "check": case.check[first],
        }
    )
    return unit_pos, _Units(table, dx_lists, regions, px_rules, px_or)
