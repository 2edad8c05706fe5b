"""Where a finding's deduction is charged (计入险种与细分类别): pure, from its evidence cases.

A confirmed finding is deducted at the year-end clearing of exactly one scheme (险种) and category
(细分类别). The default is read from the evidence cases it lists: each case belongs to its scheme
(``insutype``) and to the category whose payment method pays its medical type (the year's parameter
sets say which); the pair holding the largest evidence amount (Σ total cost) wins, ties going to the
pair with more cases and then to the lower code. A finding none of whose evidence cases belongs to a
category has no default: the officer names the pair before confirming a deduction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from config.lazy import pandas as pd

Charge = tuple[str, str]  # (scheme, category)


def categories_by_med_type(
    pairs: Iterable[tuple[str, str, str]], med_types: Mapping[str, Iterable[str]]
) -> dict[tuple[str, str], str]:
    """(scheme, medical type) → the category that pays it, from the year's (scheme, category, kind) parameter
    sets and the medical types each kind pays. A medical type two categories of a scheme would pay is left
    out: its cases decide nothing."""
    found: dict[tuple[str, str], set[str]] = {}
    for scheme, category, kind in pairs:
        for med_type in med_types.get(kind, ()):
            found.setdefault((scheme, med_type), set()).add(category)
    return {key: categories.pop() for key, categories in found.items() if len(categories) == 1}


def finding_charges(
    findings: pd.DataFrame, cases: pd.DataFrame, categories: Mapping[tuple[str, str], str]
) -> list[Charge | None]:
    """The default charge of each finding, in the order of ``findings`` (columns ``institution`` and
    ``evidence``, a list of setl_ids); ``cases`` has ``institution``, ``setl_id``, ``scheme``, ``med_type``
    and ``medfee`` (any exact number type)."""
    if findings.empty:
        return []
    listed = (
        findings[["institution", "evidence"]]
        .reset_index(drop=True)
        .rename_axis("finding")
        .reset_index()
    )
    listed = (
        listed.explode("evidence")
        .rename(columns={"evidence": "setl_id"})
        .dropna(subset=["setl_id"])
    )
    keyed = cases.assign(
        institution=cases["institution"].astype(str), setl_id=cases["setl_id"].astype(str)
    )
    listed = listed.assign(
        institution=listed["institution"].astype(str), setl_id=listed["setl_id"].astype(str)
    )
    evidence = listed.merge(
        keyed[["institution", "setl_id", "scheme", "med_type", "medfee"]],
        on=["institution", "setl_id"],
    )
    evidence["category"] = [
        categories.get((s, m))
        for s, m in zip(evidence["scheme"], evidence["med_type"], strict=True)
    ]
    evidence = evidence.dropna(subset=["category"])
    best = {finding: _largest(rows) for finding, rows in evidence.groupby("finding")}
    return [best.get(finding) for finding in range(len(findings))]


def _largest(rows: pd.DataFrame) -> Charge:
    totals = rows.groupby(["scheme", "category"])["medfee"].agg(["sum", "size"]).reset_index()
    ranked = sorted(
        totals.itertuples(index=False), key=lambda r: (-r.sum, -r.size, r.scheme, r.category)
    )
    return ranked[0].scheme, ranked[0].category
