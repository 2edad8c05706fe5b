"""The case-by-case DRG grouper (catalogs/drg/grouper/rows.py) against the vectorised one (catalogs/drg/grouper/): the same
rules give the same result — DRG, MDC, ADRG, severity, trace, trace text and rule trace, dtype for dtype — on
the national golden cases, the demo rules' cases and generated national cases with the edge cases of each
rule kind; and ``cases_grouped`` gives the same on both sides of the row path's limit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogs.choices import CatalogKind
from catalogs.drg import grouper as drg
from catalogs.drg import services as drg_rule_services
from catalogs.drg.grouper import rows as drg_row
from catalogs.drg.grouper import tables
from settlement.grouping.domain import GroupingCatalog, cases_grouped
from tests.catalogs.test_drg_national import _national_batch

NATIONAL = drg_rule_services.NATIONAL_DIR
# 手术 / 治疗性操作 types: the typed 手术 codes join the rule set's OR procedures.
PROCEDURE_TYPES = {"36.0601": "手术", "99.0401": "治疗性操作", "45.2301": "诊断性操作"}


@pytest.fixture(scope="module")
def rules() -> drg.DrgRules:
    return drg.drg_rules_load(NATIONAL)


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(NATIONAL / "golden.csv", dtype=str, keep_default_na=False)


def assert_same(cases: pd.DataFrame, rules: drg.DrgRules, procedure_types=None) -> pd.DataFrame:
    expected = drg.drg_group(cases, rules, procedure_types)
    pd.testing.assert_frame_equal(drg_row.drg_group_rows(cases, rules, procedure_types), expected)
    return expected


def test_the_national_golden_cases_group_alike_and_as_published(rules, golden):
    result = assert_same(golden, rules)
    assert result["drg_code"].astype(str).tolist() == golden["expected_drg"].tolist()
    assert set(result["trace"].astype(str)) >= tables.UNGROUPABLE_TRACES  # every reason reached


def test_the_demo_rules_cases_group_alike_with_procedure_types():
    cases = pd.DataFrame(
        {
            "maindiag_code": ["I21.000", "J18.900", " I21.000 ", "", "I21", "N18.000"],
            "main_oprn_oprt_code": ["36.0601", "", "99.0401", "36.0601", "", "45.2301"],
            "otherdiag_codes": ["I10.x00", "", "J96.000;I10.x00", "", None, "I21.000 ; "],
        }
    )
    result = assert_same(cases, drg.drg_rules_load(), PROCEDURE_TYPES)
    assert result["drg_code"].astype(str).tolist()[:2] == ["FM15", "ES25"]


def _edges(cases: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The fields as a hospital sends them at their edges: infants without age (only days), dagger/asterisk
    main and other diagnoses, admission weight only, codes with blanks around them, sex as a number or
    missing, numbers as text."""
    n = len(cases)
    pick = lambda p: rng.random(n) < p  # noqa: E731
    main = cases["maindiag_code"].astype(object).copy()
    dagger = pick(0.15) & (main.str.len() >= 5)
    main[dagger] = main[dagger] + "+G01*"
    spaced = pick(0.1)
    main[spaced] = " " + main[spaced] + " "
    others = cases["otherdiag_codes"].astype(object).copy()
    others[pick(0.1)] = "A17.000+G01*; E11.900 ;"
    infant = cases["nwb_age"].notna() & pick(0.5)
    gend = cases["gend"].astype(object).copy()
    gend[pick(0.1)] = 1
    gend[pick(0.05)] = None
    return cases.assign(
        maindiag_code=main,
        otherdiag_codes=others,
        age=cases["age"].astype(object).mask(infant, None).mask(pick(0.05), "45"),
        nwb_adm_wt=np.where(pick(0.3), rng.integers(800, 4000, size=n), np.nan),
        nwb_bir_wt=cases["nwb_bir_wt"].mask(pick(0.1)),
        gend=gend,
    )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    pool=st.integers(1, 8),
    size=st.integers(1, 40),
    typed=st.booleans(),
    dropped=st.sampled_from(
        [(), ("gend",), ("nwb_age", "nwb_bir_wt"), ("other_oprn_oprt_codes", "age")]
    ),
)
def test_generated_national_cases_group_alike(rules, seed, pool, size, typed, dropped):
    rng = np.random.default_rng(seed)
    cases = _edges(_national_batch(rules, rng, size, pool), rng).drop(columns=list(dropped))
    types = None
    if typed:  # some of the cases' main procedures typed 手术, others not
        codes = cases["main_oprn_oprt_code"].unique()
        types = {code: ("手术" if i % 2 else "治疗性操作") for i, code in enumerate(codes) if code}
    assert_same(cases, rules, types)


def test_a_large_generated_batch_reaches_every_rule_kind_alike(rules):
    rng = np.random.default_rng(6)
    cases = _edges(_national_batch(rules, rng, 3000, 40), rng)
    result = assert_same(cases, rules)
    assert set(result["trace"].astype(str)) >= {
        tables.TRACE_SURGICAL,
        tables.TRACE_MEDICAL,
        drg.TRACE_NO_NEWBORN_WEIGHT,
        drg.TRACE_INVALID_SEX,
        tables.TRACE_NO_ADRG,
    }
    assert {"A", "P", "Z"} <= set(result["mdc"].astype(str).str[-1])
    assert set(result["severity"]) == {1, 3, 5}


def test_sex_dependent_mdcs_group_alike_whatever_the_sex_given(rules, golden):
    sexed = golden[golden["kind"].str.startswith("sex_")]
    cases = pd.concat(
        [sexed.assign(gend=gend) for gend in ("1", "2", "", None, 1, 2.0, " 2 ")],
        ignore_index=True,
    )
    result = assert_same(cases, rules)
    assert {"MDCM", "MDCN"} <= set(result["mdc"].astype(str))


def test_cases_grouped_gives_the_same_on_both_sides_of_the_row_limit(rules, golden):
    limit = drg_row.ROW_LIMIT
    cases = pd.concat([golden] * (2 * limit // len(golden) + 2), ignore_index=True)
    cases = cases.iloc[: limit + 1]
    catalog = GroupingCatalog(
        kind=CatalogKind.DRG,
        procedure_types={},
        groups=pd.DataFrame({"code": golden["expected_drg"].iloc[::2]}),  # some DRGs not in it
        drg_rules=rules,
    )
    vectorised = cases_grouped(cases, catalog).astype(str)  # limit + 1 cases: drg.drg_group
    by_row = pd.concat(
        [cases_grouped(cases.iloc[:limit], catalog), cases_grouped(cases.iloc[limit:], catalog)]
    ).astype(str)
    pd.testing.assert_frame_equal(by_row, vectorised)
    assert (vectorised["trace"] == "not_in_catalog").any()
