"""What a new edition of a coding dictionary changes (编码字典版本差异) and what each change reaches. Pure.

``dictionary_diff`` compares two code tables (the codes in force and a loaded version): codes added,
removed, renamed (same code, another name) and re-attributed (类目, 亚目, 手术室手术 or 操作类型 changed).

``change_impact`` joins the changes to the references that other tables make to codes — catalog groups,
DRG rule rows, open-period cases — each given as one row per (reference, entry). An entry reaches a change
when it is the code itself, the deciding (dagger) part of a combined code, or, for diagnoses, the 3-character
类目 the code belongs to (rule lists and comprehensive diseases name categories): a code added to ``A17``
falls into every rule that lists ``A17``.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogs.codes import diagnosis_deciding
from config.lazy import pandas as pd

CODE_COLUMNS = ["code", "name", "category", "subcategory", "operating_room", "treatment_type"]
ATTRIBUTES = ["category", "subcategory", "operating_room", "treatment_type"]
ADDED, REMOVED, RENAMED, CHANGED = "added", "removed", "renamed", "changed"
CHANGE_LABELS = {ADDED: "新增", REMOVED: "删除", RENAMED: "更名", CHANGED: "属性变更"}
REFERENCE_COLUMNS = ["source", "owner", "item", "entry", "cases"]


@dataclass(frozen=True)
class DictionaryDiff:
    """One row per changed code: ``code``, ``change``, ``old_name``, ``new_name``, ``category`` and, for a
    re-attributed code, ``fields`` (the attributes that differ, comma-separated)."""

    changes: pd.DataFrame

    def counts(self) -> dict[str, int]:
        found = self.changes["change"].value_counts()
        return {change: int(found.get(change, 0)) for change in CHANGE_LABELS}

    def of(self, change: str) -> pd.DataFrame:
        return self.changes[self.changes["change"] == change]


def dictionary_diff(old: pd.DataFrame, new: pd.DataFrame) -> DictionaryDiff:
    """The changes from ``old`` to ``new`` (frames of ``CODE_COLUMNS``), sorted by code. A renamed code whose
    attributes also changed counts as renamed (its ``fields`` say what else changed)."""
    both = old[CODE_COLUMNS].merge(
        new[CODE_COLUMNS], on="code", how="outer", suffixes=("_old", "_new"), indicator=True
    )
    differing = pd.Series("", index=both.index)
    for attribute in ATTRIBUTES:
        unequal = both[f"{attribute}_old"].astype(str) != both[f"{attribute}_new"].astype(str)
        differing = differing.where(~unequal, differing + attribute + ",")
    differing = differing.str.rstrip(",")
    present = both["_merge"] == "both"
    change = pd.Series("", index=both.index, dtype=object)
    change[both["_merge"] == "right_only"] = ADDED
    change[both["_merge"] == "left_only"] = REMOVED
    change[present & (differing != "")] = CHANGED
    change[present & (both["name_old"] != both["name_new"])] = RENAMED
    changes = pd.DataFrame(
        {
            "code": both["code"],
            "change": change,
            "old_name": both["name_old"].fillna(""),
            "new_name": both["name_new"].fillna(""),
            "category": both["category_new"].fillna(both["category_old"]).fillna(""),
            "fields": differing.where(present, ""),
        }
    )
    changes = (
        changes[changes["change"] != ""].sort_values("code", kind="stable").reset_index(drop=True)
    )
    return DictionaryDiff(changes)


def _change_keys(changes: pd.DataFrame, *, by_category: bool) -> pd.DataFrame:
    """(key, code): every entry text that reaches each changed code."""
    keys = [
        changes[["code"]].assign(key=changes["code"]),
        changes[["code"]].assign(key=diagnosis_deciding(changes["code"])),
    ]
    if by_category:
        keys.append(changes[["code"]].assign(key=changes["category"]))
    return pd.concat(keys, ignore_index=True).query("key != ''").drop_duplicates()


def change_impact(
    changes: pd.DataFrame, references: pd.DataFrame, *, by_category: bool
) -> pd.DataFrame:
    """The references each change reaches: ``code``, ``change``, then ``REFERENCE_COLUMNS`` (``cases`` is the
    number of cases for a case reference, 0 for a catalog or rule row). ``by_category`` for diagnoses."""
    keys = _change_keys(changes, by_category=by_category)
    reached = references.merge(keys, left_on="entry", right_on="key")
    # One row per (change, reference) however many of its entries reach the change; case counts add up.
    reached = reached.groupby(["code", "source", "owner", "item"], as_index=False, sort=True).agg(
        entry=("entry", "first"), cases=("cases", "sum")
    )
    reached = reached.merge(changes[["code", "change"]], on="code")
    return reached[["code", "change", *REFERENCE_COLUMNS]].reset_index(drop=True)


def impact_summary(impact: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per source: how many changed codes reach it, how many distinct items, and cases (for case rows)."""
    summary = {}
    for source, rows in impact.groupby("source", sort=True):
        summary[str(source)] = {
            "codes": int(rows["code"].nunique()),
            "items": int(len(rows[["owner", "item"]].drop_duplicates())),
            "cases": int(rows["cases"].sum()),
        }
    return summary
