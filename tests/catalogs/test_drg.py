"""catalogs.drg: the data-driven CHS-DRG grouper on the demo rule set and on small hand-made rules; weights (E2, E7)."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogs.drg import grouper as drg_grouper
from catalogs.drg.grouper import drg_group, drg_rules, drg_rules_load
from catalogs.drg.weights import drg_weights, ratio_quantized, relative_weight_from_history
from demo.domain import DATA_DIR, catalog_load


@pytest.fixture(scope="module")
def rules() -> drg_grouper.DrgRules:
    return drg_rules_load()


@pytest.fixture(scope="module")
def procedure_types() -> pd.Series:
    return pd.read_csv(DATA_DIR / "procedures.csv", dtype=str).set_index("code")["treatment_type"]


def group(rules, rows: list[tuple], procedure_types=None) -> pd.DataFrame:
    cases = pd.DataFrame(rows, columns=["maindiag_code", "main_oprn_oprt_code", "otherdiag_codes"])
    return drg_group(cases, rules, procedure_types)


# --- the demo rule set covers the demo code lists -------------------------------------------------------


def test_every_demo_diagnosis_without_procedure_gets_a_medical_drg(rules, procedure_types):
    codes = [*catalog_load().diagnoses["code"], *catalog_load().outpatient["maindiag_code"]]
    result = group(rules, [(code, "", "") for code in codes], procedure_types)
    assert set(result["trace"]) == {"medical"}
    assert (result["drg_code"].str.len() == 4).all()


def test_every_demo_main_procedure_groups_in_the_mdc_of_its_diagnosis(rules, procedure_types):
    diagnoses = catalog_load().diagnoses
    with_procedure = diagnoses[diagnoses["procedures"] != ""]
    rows = [
        (code, procedures.split(";")[0], "")
        for code, procedures in zip(with_procedure["code"], with_procedure["procedures"])
    ]
    result = group(rules, rows, procedure_types)
    assert (
        not result["trace"]
        .isin(drg_grouper.UNGROUPABLE_TRACES | {drg_grouper.TRACE_AMBIGUOUS})
        .any()
    )
    surgery = pd.Series([procedure_types[row[1]] == "手术" for row in rows], index=result.index)
    assert (result.loc[surgery, "trace"] == "surgical").all()


def test_every_demo_procedure_is_known(rules, procedure_types):
    assert set(rules.adrg_procedures["proc_code"]) <= set(procedure_types.index)


# --- grouping order ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "code", "trace"),
    [
        (("I21.000", "36.0601", ""), "FM15", "surgical"),
        (("I21.000", "", ""), "FR15", "medical"),
        (
            ("I21.000", "88.5501", ""),
            "FR15",
            "medical",
        ),  # a diagnostic procedure without an ADRG: medical
        (("I21.000", "81.5100", ""), "FQY", "ambiguous"),  # hip replacement in the circulatory MDC
        (("K63.500", "45.4200", ""), "GK15", "operation"),
        (
            ("C53.900", "68.4100", ""),
            "NA15",
            "surgical",
        ),  # malignant: the diagnosis-restricted ADRG first
        (("D25.900", "68.4100", ""), "NC15", "surgical"),
        (("I11.000", "", ""), "FR35", "medical"),  # a full code beats its category (I11 -> FT1)
        (("I11.900", "", ""), "FT15", "medical"),
        (
            ("K35.800x002", "47.0100", ""),
            "GC15",
            "surgical",
        ),  # extension codes fall to their category
        (("", "36.0601", ""), "", "no_diagnosis"),
        (("I21", "", ""), "", "invalid_diagnosis"),
        (("Y99.000", "", ""), "", "no_mdc"),
    ],
)
def test_it_matches_procedures_first_then_the_main_diagnosis(
    rules, procedure_types, row, code, trace
):
    result = group(rules, [row], procedure_types).iloc[0]
    assert (result["drg_code"], result["trace"]) == (code, trace)
    assert result["trace_text"] == drg_grouper.TRACE_TEXT[trace]


def test_without_procedure_types_an_unmatched_surgery_falls_to_the_medical_adrg(rules):
    assert group(rules, [("I21.000", "81.5100", "")]).iloc[0]["drg_code"] == "FR15"


# --- severity --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "code", "severity"),
    [
        (("I21.000", "36.0601", "I10.x00;E78.500"), "FM15", 5),
        (("I21.000", "36.0601", "I10.x00;D64.900"), "FM13", 3),
        (("I21.000", "36.0601", "D64.900;A41.900"), "FM11", 1),
        (("I48.x00", "", "I48.x00"), "FT25", 5),  # its own CC never counts
        (("I49.500", "", "I48.x00"), "FT25", 5),  # same exclusion family (arrhythmia): excluded
        (("I49.500", "", "I48.x00;N39.000"), "FT23", 3),
        (("I21.400", "", "I21.000"), "FR15", 5),  # an MCC of the main diagnosis's own family
        (("J18.900", "", "J44.100"), "ES23", 3),
        (("J44.100", "", "J44.100"), "ET25", 5),
        (
            ("J44.100", "", "J44.100;J18.900"),
            "ET23",
            3,
        ),  # its own CC is excluded, the pneumonia CC counts
        (("J45.900", "", "J96.000"), "EX23", 1),  # split 35: an MCC case gets digit 3
        (("I47.100", "37.3401", "D64.900"), "FM35", 3),  # split 15: a CC case gets digit 5
        (("H25.900", "13.4100", "A41.900"), "CB39", 1),  # split 9: not subdivided
        (("I21.000", "", " ; D64.900 ;"), "FR13", 3),  # blanks and spaces in the list
        (("I21.000", "", None), "FR15", 5),
    ],
)
def test_severity_uses_the_most_severe_cc_not_excluded_by_the_main_diagnosis(
    rules, procedure_types, row, code, severity
):
    result = group(rules, [row], procedure_types).iloc[0]
    assert (result["drg_code"], result["severity"]) == (code, severity)


# --- the rule tables --------------------------------------------------------------------------------

MDC = pd.DataFrame(
    {"mdc": ["MDCF", "MDCG"], "name": ["循环", "消化"], "diag_codes": ["I21;I50", "K35"]}
)
ADRG = pd.DataFrame(
    [
        ("FM1", "MDCF", "支架", "surgical", "135", "", "36.0601"),
        ("FR1", "MDCF", "心梗", "medical", "135", "I21", ""),
    ],
    columns=["adrg", "mdc", "name", "kind", "split", "diag_codes", "proc_codes"],
)
CC = pd.DataFrame({"diag_code": ["I50.900"], "level": ["MCC"], "family": ["HF"]})
EXCLUSIONS = pd.DataFrame({"family": ["HF"], "name": ["心衰"], "diag_codes": ["I50"]})


def test_a_rule_set_without_medical_adrgs_groups_surgery_only():
    rules = drg_rules(mdc=MDC, adrg=ADRG.iloc[:1], cc=CC, exclusions=EXCLUSIONS)
    result = group(rules, [("I21.000", "36.0601", ""), ("I21.000", "", "")]).reset_index(drop=True)
    assert list(result["drg_code"]) == ["FM15", ""]


def test_a_diagnosis_of_an_mdc_without_medical_adrg_is_ungroupable():
    rules = drg_rules(mdc=MDC, adrg=ADRG, cc=CC, exclusions=EXCLUSIONS)
    result = group(
        rules, [("K35.800", "", ""), ("I50.900", "", ""), ("I21.000", "", "I50.900")]
    ).reset_index(drop=True)
    assert list(result["trace"]) == ["no_adrg", "no_adrg", "medical"]
    assert list(result["drg_code"]) == ["", "", "FR11"]
    assert list(result["mdc"]) == ["MDCG", "MDCF", "MDCF"]


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"mdc": MDC.assign(mdc=["MDCF", "MDCF"])}, "MDC或ADRG编码重复"),
        ({"adrg": ADRG.assign(adrg=["GM1", "FR1"])}, "ADRG编码首字母须与所属MDC字母一致"),
        ({"adrg": ADRG.assign(split=["13", "135"])}, "细分须为 135/15/35/9"),
        ({"adrg": ADRG.assign(kind=["surgical", "other"])}, "ADRG类型须为"),
        ({"adrg": ADRG.assign(proc_codes=["", ""])}, "外科手术组和非手术室操作组须有手术条件"),
        ({"adrg": ADRG.assign(diag_match=["", "all"])}, "诊断匹配方式须为 main/any"),
        (
            {"adrg": ADRG.assign(proc_match=["any", ""], proc_rule=["1+2", ""])},
            "手术组合规则引用了手术操作列表中没有的组",
        ),
        ({"adrg": ADRG.assign(diag_match=["any", "main"])}, "按诊断匹配的ADRG须有诊断列表"),
        (
            {"adrg": ADRG.assign(kind=["ambiguous", "medical"])},
            "歧义组（类型 ambiguous）的编码须为",
        ),
        ({"adrg": ADRG.assign(weight_min=["heavy", ""])}, "体重下限须为数字或留空"),
        ({"mdc": MDC.assign(sex=["X", ""])}, "MDC性别条件须为 M、F 或留空"),
        ({"cc": CC.assign(level=["SEVERE"])}, "级别不是 MCC/CC"),
        ({"mdc": MDC.drop(columns="diag_codes")}, "DRG规则表缺少列：diag_codes"),
        ({"adrg": ADRG.iloc[:0]}, "MDC表和ADRG表不能为空"),
    ],
)
def test_it_refuses_inconsistent_rule_tables(tables, message):
    arguments = {"mdc": MDC, "adrg": ADRG, "cc": CC, "exclusions": EXCLUSIONS} | tables
    with pytest.raises(ValueError, match=re.escape(message)):
        drg_rules(**arguments)


# --- weights (spec §4 E2, §9 E7) -----------------------------------------------------------------


def history(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["drg_code", "year", "medfee_sumamt"])


def test_e7_group_mean_30000_over_all_mean_10000_is_rw_3_and_300_base_points():
    # FM13: 2 cases at 30,000 yuan; others: 4 cases at 0 -> all-case mean 60,000 / 6 = 10,000.
    weights = drg_weights(history([("FM13", 2024, 3_000_000)] * 2 + [("GZ15", 2024, 0)] * 4))
    row = weights.set_index("drg_code").loc["FM13"]
    assert (row["cases"], row["mean"], row["rw"], row["base_points"]) == (
        2,
        Decimal("30000.00"),
        Decimal("3.0000"),
        Decimal("300.0000"),
    )


def test_e2_weighted_yearly_means_1_2_7_give_1510_2041():
    # Disease means 14,000 / 14,500 / 15,000, all-case means 9,000 / 9,500 / 10,000 (the other disease fills the gap).
    rows = []
    for year, disease, total in [
        (2021, 14_000, 9_000),
        (2022, 14_500, 9_500),
        (2023, 15_000, 10_000),
    ]:
        rows += [("A", year, disease * 100), ("B", year, (2 * total - disease) * 100)]
    ratio = relative_weight_from_history(
        history(rows), by="drg_code", year_weights={2021: 1, 2022: 2, 2023: 7}, scale=1000
    )
    assert ratio.set_index("drg_code").loc["A", "ratio"] == Decimal("1510.2041")


def test_a_year_without_weight_is_refused():
    with pytest.raises(ValueError, match="历史数据中的年度没有权重：2020"):
        relative_weight_from_history(
            history([("A", 2020, 1), ("A", 2021, 1)]), by="drg_code", year_weights={2021: 1}
        )


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(100005, 100000), 4, "1.0001"),
        (Fraction(-100005, 100000), 4, "-1.0001"),
        (Fraction(100004999, 100000000), 4, "1.0000"),
        (Fraction(1280, 516) * 100, 4, "248.0620"),
        (Fraction(2, 3), 2, "0.67"),
        (Fraction(0), 4, "0.0000"),
    ],
)
def test_ratios_are_rounded_once_half_up(value, places, expected):
    assert str(ratio_quantized(value, places)) == expected


# --- properties -----------------------------------------------------------------------------------

DIAGNOSES = [
    "I21.000",
    "I49.500",
    "I48.x00",
    "J44.100",
    "C53.900",
    "D25.900",
    "K35.800",
    "Y99.000",
    "I21",
    "",
    "H25.900",
]
PROCEDURES = ["", "36.0601", "81.5100", "68.4100", "88.5501", "13.4100", "45.4200", "99.9999"]
OTHERS = ["", "I48.x00", "D64.900;A41.900", "J44.100;I10.x00", "N39.000", "I50.900"]


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(DIAGNOSES), st.sampled_from(PROCEDURES), st.sampled_from(OTHERS)),
        min_size=1,
        max_size=50,
    ),
    data=st.data(),
)
def test_every_case_gets_one_outcome_independent_of_the_other_rows(
    rules, procedure_types, rows, data
):
    result = group(rules, rows, procedure_types)
    grouped = result["drg_code"] != ""
    assert (grouped == ~result["trace"].isin(drg_grouper.UNGROUPABLE_TRACES)).all()
    assert set(result["severity"]) <= {1, 3, 5}
    alone = pd.concat([group(rules, [row], procedure_types) for row in rows], ignore_index=True)
    pd.testing.assert_frame_equal(result.astype(str), alone.astype(str))
    order = list(data.draw(st.permutations(range(len(rows)))))
    permuted = group(rules, [rows[i] for i in order], procedure_types)
    pd.testing.assert_frame_equal(
        permuted.astype(str), result.iloc[order].reset_index(drop=True).astype(str)
    )


def test_results_of_several_batches_concatenate_as_categoricals(rules, procedure_types):
    first = group(rules, [("I21.000", "36.0601", "")], procedure_types)
    second = group(rules, [("K35.800", "", "A41.900")], procedure_types)
    both = pd.concat([first, second], ignore_index=True)
    assert isinstance(both["drg_code"].dtype, pd.CategoricalDtype)
    assert (
        "FM11" in both["drg_code"].cat.categories and "FM12" not in both["drg_code"].cat.categories
    )
    assert list(both["drg_code"]) == ["FM15", "GZ13"]


# --- code forms (catalogs.codes): combined diagnoses are looked up by their aetiology (dagger) part -----


@pytest.mark.parametrize(
    ("row", "code", "trace"),
    [
        (("I21.000+I52.0*", "36.0601", ""), "FM15", "surgical"),
        (("I21.000+I52.0*", "", ""), "FR15", "medical"),
        (
            ("I21.000", "36.0601", "D64.900;A41.900+I52.0*"),
            "FM11",
            "surgical",
        ),  # a combined other diagnosis is still an MCC
        (("I21.000+", "", ""), "", "invalid_diagnosis"),
    ],
)
def test_a_combined_diagnosis_groups_as_its_dagger_part(rules, procedure_types, row, code, trace):
    result = group(rules, [row], procedure_types).iloc[0]
    assert (result["drg_code"], result["trace"]) == (code, trace)
