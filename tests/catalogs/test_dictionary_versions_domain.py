"""The difference of two code tables and what each change reaches: worked examples, no database."""

from __future__ import annotations

import pandas as pd

from catalogs.dictionaries.domain import (
    CODE_COLUMNS,
    REFERENCE_COLUMNS,
    change_impact,
    dictionary_diff,
    impact_summary,
)


def codes(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame([(*row, False, "") for row in rows], columns=CODE_COLUMNS)


OLD = codes(
    ("I21.000", "急性ST段抬高型心肌梗死", "I21", "I21.0"),
    ("J18.900", "肺炎", "J18", "J18.9"),
    ("A17.000+G01*", "结核性脑膜炎", "A17", "A17.0"),
    ("E11.900", "2型糖尿病", "E11", "E11.9"),
)
NEW = codes(
    ("I21.000", "急性ST段抬高型心肌梗死（更名）", "I21", "I21.0"),
    ("A17.000+G01*", "结核性脑膜炎", "A17", "A17.0"),
    ("E11.900", "2型糖尿病", "E11", ""),
    ("I21.900", "急性心肌梗死", "I21", "I21.9"),
)


def test_the_diff_names_each_added_removed_renamed_and_changed_code():
    diff = dictionary_diff(OLD, NEW)
    rows = diff.changes[["code", "change", "old_name", "new_name", "fields"]].values.tolist()
    assert rows == [
        ["E11.900", "changed", "2型糖尿病", "2型糖尿病", "subcategory"],
        ["I21.000", "renamed", "急性ST段抬高型心肌梗死", "急性ST段抬高型心肌梗死（更名）", ""],
        ["I21.900", "added", "", "急性心肌梗死", ""],
        ["J18.900", "removed", "肺炎", "", ""],
    ]
    assert diff.counts() == {"added": 1, "removed": 1, "renamed": 1, "changed": 1}


def test_identical_tables_have_no_difference():
    assert dictionary_diff(OLD, OLD.sample(frac=1, random_state=1)).changes.empty


def test_a_change_reaches_references_by_code_by_deciding_part_and_by_category():
    changes = dictionary_diff(OLD, NEW.drop(index=1)).changes  # A17.000+G01* removed too
    references = pd.DataFrame(
        [
            ("目录病种", "2025年DIP目录 第1版", "I21-S 综合病种", "I21", 0),
            ("DRG分组规则", "规则 v1", "ADRG FM1", "A17.000", 0),
            ("开放期病例", "开放期间", "主要诊断", "J18.900", 7),
            ("开放期病例", "开放期间", "其他诊断", "J18.900", 2),
            ("开放期病例", "开放期间", "主要诊断", "K35.800", 9),
        ],
        columns=REFERENCE_COLUMNS,
    )
    impact = change_impact(changes, references, by_category=True)
    assert impact[["code", "change", "item", "cases"]].values.tolist() == [
        ["A17.000+G01*", "removed", "ADRG FM1", 0],
        ["I21.000", "renamed", "I21-S 综合病种", 0],
        ["I21.900", "added", "I21-S 综合病种", 0],
        ["J18.900", "removed", "主要诊断", 7],
        ["J18.900", "removed", "其他诊断", 2],
    ]
    assert impact_summary(impact)["开放期病例"] == {"codes": 1, "items": 2, "cases": 9}
    assert change_impact(changes, references, by_category=False)["item"].tolist() == [
        "ADRG FM1",
        "主要诊断",
        "其他诊断",
    ]
