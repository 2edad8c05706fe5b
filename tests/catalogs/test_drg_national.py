"""The national CHS-DRG 1.1 rule set shipped in catalogs/data/chs_drg_11: its size, its golden cases (the
national sample results and reference-grouper results for each kind of rule), and the one-step load."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalogs import drg, drg_rule_services, selectors
from catalogs.choices import CatalogStatus

NATIONAL = drg_rule_services.NATIONAL_DIR


@pytest.fixture(scope="module")
def rules() -> drg.DrgRules:
    return drg.drg_rules_load(NATIONAL)


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(NATIONAL / "golden.csv", dtype=str, keep_default_na=False)


def test_the_national_rules_have_26_mdcs_376_adrgs_and_628_drgs(rules):
    assert (len(rules.mdc), len(rules.adrg)) == (26, 376)
    assert sum(len(split) for split in rules.adrg["split"]) == 628
    assert list(rules.mdc["mdc"][:6]) == ["MDCA", "MDCP", "MDCY", "MDCZ", "MDCM", "MDCN"]  # the order they are tried
    assert rules.families.difference(rules.exclusions["family"]).size > 0  # families that exclude nothing


def test_the_golden_cases_reproduce(rules, golden):
    assert drg_rule_services.drg_golden_mismatches(rules, golden) == []


# Each kind of rule and the case kind that covers it (golden.csv ``kind``); CHS-DRG 1.1 switches its 歧义组 off
# (every MDC's QY branch reads ``if False``), so the ambiguous case is an OR procedure unrelated to the MDC that
# falls to the MDC's medical ADRG.
GOLDEN_KINDS = {"pre-MDC": "premdc", "pre-MDC falling through": "no_mdc_after_pre_mdc", "newborn < 1500 g": "newborn_lt1500",
                "newborn 1500-2000 g": "newborn_1500_2000", "newborn >= 2500 g": "newborn_ge2500", "multiple trauma": "trauma",
                "multiple trauma with surgery": "trauma_with_or", "two procedures": "two_procedures",
                "a procedure pair among three": "three_procedures", "male MDC": "sex_male", "female MDC": "sex_female",
                "female MDC for a man": "sex_mismatch", "ambiguous": "ambiguous", "dagger/asterisk main diagnosis": "dagger_main",
                "MCC": "severity_mcc", "CC": "severity_cc", "no CC": "severity_none", "an unlisted diagnosis is no CC": "severity_not_cc",
                "unsplit ADRG (9)": "severity_unsplit"}  # fmt: skip


def test_there_is_a_golden_case_for_each_kind_of_rule(rules, golden):
    result = drg.drg_group(golden, rules)
    kinds = set(golden["kind"])
    assert {kind for kind in GOLDEN_KINDS.values() if kind not in kinds} == set()
    by_kind = dict(zip(golden["kind"], zip(result["trace"].astype(str), result["severity"], result["drg_code"].astype(str))))
    assert by_kind["premdc"][2].startswith("A") and by_kind["newborn_lt1500"][2].startswith("P")
    assert by_kind["trauma"][2].startswith("Z") and by_kind["sex_female"][2].startswith("N") and by_kind["sex_male"][2].startswith("M")
    assert [by_kind[kind][1] for kind in ("severity_mcc", "severity_cc", "severity_none")] == [1, 3, 5]
    assert {"1", "3", "5", "9"} <= {code[-1] for code in golden["expected_drg"] if code}  # every DRG digit in use
    # every ungroupable reason the grouper gives has a case of its own, which expects 不能入组
    reasons = {trace: kind for kind, (trace, _, _) in by_kind.items() if trace in drg.UNGROUPABLE_TRACES}
    assert set(reasons) == set(drg.UNGROUPABLE_TRACES)
    assert all(golden.loc[golden["kind"] == kind, "expected_drg"].eq("").all() for kind in reasons.values())
    assert (golden["source"].str.startswith("input.txt")).sum() == 24


def test_one_command_loads_the_national_rules_as_a_published_rule_set(world):
    call_command("drg_rules_load_national", world.region.code, "2024", "--officer", world.officer.username,
                 "--admin", world.bureau_admin.username)  # fmt: skip
    rule_set = selectors.drg_rule_set_in_force(region=world.region, year=2024)
    assert rule_set.status == CatalogStatus.PUBLISHED and rule_set.approved_by == world.bureau_admin
    assert rule_set.drgadrg_rows.count() == 376 and rule_set.drgorprocedure_rows.count() > 10_000
    with pytest.raises(CommandError, match="用户不存在"):
        call_command("drg_rules_load_national", world.region.code, "2025", "--officer", "nobody", "--admin", world.bureau_admin.username)
