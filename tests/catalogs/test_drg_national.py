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


def test_there_is_a_golden_case_for_each_kind_of_rule(rules, golden):
    result = drg.drg_group(golden, rules)
    kinds = set(golden["kind"])
    assert {"premdc", "newborn_lt1500", "newborn_1500_2000", "trauma", "two_procedures", "three_procedures", "sex_male",
            "sex_female", "severity_mcc", "severity_cc", "severity_none"} <= kinds  # fmt: skip
    assert {1, 3, 5} <= set(result["severity"])
    assert {"no_mdc", "no_adrg", "no_newborn_weight"} <= set(result["trace"].astype(str))
    assert (golden["source"].str.startswith("input.txt")).sum() == 24


def test_one_command_loads_the_national_rules_as_a_published_rule_set(world):
    call_command("drg_rules_load_national", world.region.code, "2024", "--officer", world.officer.username,
                 "--admin", world.bureau_admin.username)  # fmt: skip
    rule_set = selectors.drg_rule_set_in_force(region=world.region, year=2024)
    assert rule_set.status == CatalogStatus.PUBLISHED and rule_set.approved_by == world.bureau_admin
    assert rule_set.drgadrg_rows.count() == 376 and rule_set.drgorprocedure_rows.count() > 10_000
    with pytest.raises(CommandError, match="用户不存在"):
        call_command("drg_rules_load_national", world.region.code, "2025", "--officer", "nobody", "--admin", world.bureau_admin.username)
