"""The national CHS-DRG 1.1 rule set shipped in catalogs/data/chs_drg_11: its size, its golden cases (the
national sample results and reference-grouper results for each kind of rule), and the one-step load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogs.choices import CatalogStatus
from catalogs.drg import grouper as drg_grouper
from catalogs.drg import selectors
from catalogs.drg import services as drg_rule_services

NATIONAL = drg_rule_services.NATIONAL_DIR


@pytest.fixture(scope="module")
def rules() -> drg_grouper.DrgRules:
    return drg_grouper.drg_rules_load(NATIONAL)


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(NATIONAL / "golden.csv", dtype=str, keep_default_na=False)


def test_the_national_rules_have_26_mdcs_376_adrgs_and_628_drgs(rules):
    assert (len(rules.mdc), len(rules.adrg)) == (26, 376)
    assert sum(len(split) for split in rules.adrg["split"]) == 628
    assert list(rules.mdc["mdc"][:6]) == [
        "MDCA",
        "MDCP",
        "MDCY",
        "MDCZ",
        "MDCM",
        "MDCN",
    ]  # the order they are tried
    assert (
        rules.families.difference(rules.exclusions["family"]).size > 0
    )  # families that exclude nothing


def test_the_golden_cases_reproduce(rules, golden):
    assert drg_rule_services.drg_golden_mismatches(rules, golden) == []


# Each kind of rule and the case kind that covers it (golden.csv ``kind``); CHS-DRG 1.1 switches its 歧义组 off
# (every MDC's QY branch reads ``if False``), so the ambiguous case is an OR procedure unrelated to the MDC that
# falls to the MDC's medical ADRG.
GOLDEN_KINDS = {
    "pre-MDC": "premdc",
    "pre-MDC falling through": "no_mdc_after_pre_mdc",
    "newborn < 1500 g": "newborn_lt1500",
    "newborn 1500-2000 g": "newborn_1500_2000",
    "newborn >= 2500 g": "newborn_ge2500",
    "multiple trauma": "trauma",
    "multiple trauma with surgery": "trauma_with_or",
    "two procedures": "two_procedures",
    "a procedure pair among three": "three_procedures",
    "male MDC": "sex_male",
    "female MDC": "sex_female",
    "female MDC for a man": "sex_mismatch",
    "ambiguous": "ambiguous",
    "dagger/asterisk main diagnosis": "dagger_main",
    "MCC": "severity_mcc",
    "CC": "severity_cc",
    "no CC": "severity_none",
    "an unlisted diagnosis is no CC": "severity_not_cc",
    "unsplit ADRG (9)": "severity_unsplit",
}


def test_there_is_a_golden_case_for_each_kind_of_rule(rules, golden):
    result = drg_grouper.drg_group(golden, rules)
    kinds = set(golden["kind"])
    assert {kind for kind in GOLDEN_KINDS.values() if kind not in kinds} == set()
    by_kind = dict(
        zip(
            golden["kind"],
            zip(result["trace"].astype(str), result["severity"], result["drg_code"].astype(str)),
        )
    )
    assert by_kind["premdc"][2].startswith("A") and by_kind["newborn_lt1500"][2].startswith("P")
    assert (
        by_kind["trauma"][2].startswith("Z")
        and by_kind["sex_female"][2].startswith("N")
        and by_kind["sex_male"][2].startswith("M")
    )
    assert [by_kind[kind][1] for kind in ("severity_mcc", "severity_cc", "severity_none")] == [
        1,
        3,
        5,
    ]
    assert {"1", "3", "5", "9"} <= {
        code[-1] for code in golden["expected_drg"] if code
    }  # every DRG digit in use
    # every ungroupable reason the grouper gives has a case of its own, which expects 不能入组
    reasons = {
        trace: kind
        for kind, (trace, _, _) in by_kind.items()
        if trace in drg_grouper.UNGROUPABLE_TRACES
    }
    assert set(reasons) == set(drg_grouper.UNGROUPABLE_TRACES)
    assert all(
        golden.loc[golden["kind"] == kind, "expected_drg"].eq("").all() for kind in reasons.values()
    )
    assert (golden["source"].str.startswith("input.txt")).sum() == 24


def test_one_command_loads_the_national_rules_as_a_published_rule_set(world):
    call_command(
        "drg_rules_load_national",
        world.region.code,
        "2024",
        "--officer",
        world.officer.username,
        "--admin",
        world.bureau_admin.username,
    )
    rule_set = selectors.drg_rule_set_in_force(region=world.region, year=2024)
    assert rule_set.status == CatalogStatus.PUBLISHED and rule_set.approved_by == world.bureau_admin
    assert rule_set.drgadrg_rows.count() == 376 and rule_set.drgorprocedure_rows.count() > 10_000
    with pytest.raises(CommandError, match="用户不存在"):
        call_command(
            "drg_rules_load_national",
            world.region.code,
            "2025",
            "--officer",
            "nobody",
            "--admin",
            world.bureau_admin.username,
        )


# --- properties on national cases: the grouper shares work between cases (units, classes of codes), which must
# never show in a result — a case groups the same alone, in any batch and in any order.


def _national_batch(
    rules: drg_grouper.DrgRules, rng: np.random.Generator, n: int, pool: int
) -> pd.DataFrame:
    """``n`` cases drawn from ``pool`` codes of each national list (so many cases share rule lists), with blanks,
    invalid codes, both sexes and none, newborns with and without weights, other diagnoses and procedures."""
    diagnoses = [
        *rng.choice(rules.mdc_diagnoses["diag_code"].to_numpy(dtype=object), size=pool),
        "",
        "Z99.999x",
        "C16",
    ]
    procedures = [
        "",
        *rng.choice(rules.adrg_procedures["proc_code"].to_numpy(dtype=object), size=pool),
        *rng.choice(rules.or_procedures.to_numpy(dtype=object), size=pool),
    ]
    others = [
        "",
        *(
            ";".join(rng.choice(rules.cc["diag_code"].to_numpy(dtype=object), size=k))
            for k in (1, 2, 3, 1, 2)
        ),
        ";".join(rng.choice(rules.trauma["diag_code"].to_numpy(dtype=object), size=3)),
    ]
    newborn = rng.random(n) < 0.2
    return pd.DataFrame(
        {
            "maindiag_code": rng.choice(diagnoses, size=n),
            "main_oprn_oprt_code": rng.choice(procedures, size=n),
            "otherdiag_codes": rng.choice(others, size=n),
            "other_oprn_oprt_codes": rng.choice(["", *procedures[1:4]], size=n),
            "gend": rng.choice(["1", "2", "1", "2", ""], size=n),
            "age": np.where(newborn, 0, rng.integers(1, 90, size=n)),
            "nwb_age": np.where(newborn, rng.integers(0, 28, size=n), np.nan),
            "nwb_bir_wt": np.where(
                newborn & (rng.random(n) < 0.8), rng.integers(900, 4000, size=n), np.nan
            ),
        }
    )


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1), pool=st.integers(1, 6), size=st.integers(1, 12), data=st.data()
)
def test_a_national_case_groups_the_same_alone_in_a_batch_and_in_any_order(
    rules, seed, pool, size, data
):
    cases = _national_batch(rules, np.random.default_rng(seed), size, pool)
    batch = drg_grouper.drg_group(cases, rules).astype(str)
    alone = pd.concat([drg_grouper.drg_group(cases.iloc[[i]], rules) for i in range(size)]).astype(
        str
    )
    pd.testing.assert_frame_equal(batch, alone)
    order = data.draw(st.permutations(range(size)))
    pd.testing.assert_frame_equal(
        drg_grouper.drg_group(cases.iloc[list(order)], rules).astype(str), batch.iloc[list(order)]
    )
    pd.testing.assert_frame_equal(
        drg_grouper.drg_group(cases, rules).astype(str), batch
    )  # deterministic


def test_a_large_national_batch_groups_as_its_parts_do(rules):
    cases = _national_batch(rules, np.random.default_rng(17), 3000, 40)
    whole = drg_grouper.drg_group(cases, rules).astype(str)
    assert (
        whole["trace"].nunique() >= 5 and whole["drg_code"].nunique() >= 30
    )  # the batch reaches many rules
    parts = np.random.default_rng(18).integers(0, 4, size=len(cases))
    pieces = (
        pd.concat([drg_grouper.drg_group(cases[parts == part], rules) for part in range(4)])
        .astype(str)
        .loc[cases.index]
    )
    pd.testing.assert_frame_equal(pieces, whole)
