"""catalogs.drg: each kind of CHS-DRG 1.1 rule on a small hand-made rule set (pure, no database)."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from catalogs.drg.grouper import drg_group, drg_rules

MDC = pd.DataFrame(
    [
        ("MDCA", "先期分组", "", "", "", "yes", ""),
        ("MDCP", "新生儿", "P07;P22", "", "364", "", ""),
        ("MDCZ", "多发严重创伤", "S06;S72", "", "", "", "2"),
        ("MDCM", "男性生殖", "N40", "M", "", "", ""),
        ("MDCN", "女性生殖", "D25", "F", "", "", ""),
        ("MDCF", "循环系统", "I21;I50", "", "", "", ""),
        ("MDCJ", "乳腺", "C50", "", "", "", ""),
    ],
    columns=["mdc", "name", "diag_codes", "sex", "age_days_max", "or_procedure", "min_regions"],
)
ADRG_COLUMNS = [
    "adrg",
    "mdc",
    "name",
    "kind",
    "split",
    "diag_match",
    "diag_codes",
    "proc_match",
    "proc_codes",
    "proc_rule",
    "age_days_max",
    "weight_min",
    "weight_max",
]
ADRG = pd.DataFrame(
    [
        ("AA1", "MDCA", "心脏移植", "surgical", "9", "", "", "main", "37.5100", "", "", "", ""),
        ("PS1", "MDCP", "极低体重", "medical", "135", "any", "P07", "", "", "", "28", "", "1500"),
        ("PS2", "MDCP", "低体重", "medical", "135", "any", "P07", "", "", "", "28", "1500", "2500"),
        ("PU1", "MDCP", "新生儿呼吸", "medical", "35", "main", "P22", "", "", "", "", "", ""),
        ("ZZ1", "MDCZ", "多发创伤无手术", "medical", "15", "", "", "no_or", "", "", "", "", ""),
        ("MZ1", "MDCM", "男性生殖疾患", "medical", "35", "main", "N40", "", "", "", "", "", ""),
        ("NZ1", "MDCN", "女性生殖疾患", "medical", "35", "main", "D25", "", "", "", "", "", ""),
        ("FM1", "MDCF", "冠脉支架", "surgical", "135", "", "", "main", "36.0601", "", "", "", ""),
        (
            "FL1",
            "MDCF",
            "心梗支架",
            "surgical",
            "135",
            "main",
            "I21",
            "main",
            "36.0601",
            "",
            "",
            "",
            "",
        ),
        ("FQY", "MDCF", "循环歧义组", "ambiguous", "9", "", "", "or_main", "", "", "", "", ""),
        ("FR1", "MDCF", "心梗", "medical", "135", "main", "I21", "", "", "", "", "", ""),
        (
            "JA1",
            "MDCJ",
            "乳腺癌根治",
            "surgical",
            "9",
            "main",
            "C50",
            "any",
            "1:85.4301;2:85.2100;3:40.2300;4:40.5100",
            "1+2|1+3+4",
            "",
            "",
            "",
        ),
        ("JR1", "MDCJ", "乳腺恶性肿瘤", "medical", "35", "main", "C50", "", "", "", "", "", ""),
    ],
    columns=ADRG_COLUMNS,
)
CC = pd.DataFrame(
    {
        "diag_code": ["A41.900", "I48.x00", "J96.000"],
        "level": ["MCC", "CC", "CC"],
        "family": ["SEP", "AF", "NOX"],
    }
)
EXCLUSIONS = pd.DataFrame(
    {
        "family": ["SEP", "AF", "NOX"],
        "name": ["脓毒症", "房颤", "不排除"],
        "diag_codes": ["A41", "I21", ""],
    }
)
OR_PROCEDURES = pd.DataFrame(
    {
        "proc_code": ["37.5100", "36.0601", "85.4301", "85.2100", "40.2300", "40.5100", "01.2400"],
        "name": ["心脏移植", "支架", "乳腺切除", "乳腺区段", "淋巴结", "淋巴结清扫", "开颅"],
    }
)
TRAUMA = pd.DataFrame(
    {"region": ["头颈", "下肢"], "name": ["头颈部创伤", "下肢创伤"], "diag_codes": ["S06", "S72"]}
)
COLUMNS = [
    "maindiag_code",
    "main_oprn_oprt_code",
    "otherdiag_codes",
    "other_oprn_oprt_codes",
    "gend",
    "age",
    "nwb_age",
    "nwb_bir_wt",
]


def rules(adrg: pd.DataFrame = ADRG):
    return drg_rules(
        mdc=MDC, adrg=adrg, cc=CC, exclusions=EXCLUSIONS, or_procedures=OR_PROCEDURES, trauma=TRAUMA
    )


def case(
    diag="I21.000", proc="", others="", other_procs="", sex="1", age=60, days=None, weight=None
) -> tuple:
    return (diag, proc, others, other_procs, sex, age, days, weight)


def group(rows: list[tuple], rule_set=None) -> pd.DataFrame:
    return drg_group(pd.DataFrame(rows, columns=COLUMNS), rule_set or rules()).reset_index(
        drop=True
    )


def one(row: tuple, rule_set=None) -> pd.Series:
    return group([row], rule_set).iloc[0]


@pytest.mark.parametrize(
    ("row", "drg", "trace"),
    [
        (
            case(proc="37.5100"),
            "AA19",
            "surgical",
        ),  # pre-MDC by procedure, before the MDC of the diagnosis
        (
            case(proc="36.0601"),
            "FM15",
            "surgical",
        ),  # MDCA opens (OR procedure) but no MDCA ADRG fires: next MDC
    ],
)
def test_pre_mdc_groups_by_procedure_before_any_mdc_and_falls_through(row, drg, trace):
    result = one(row)
    assert (result["drg_code"], result["trace"]) == (drg, trace)


@pytest.mark.parametrize(
    ("row", "drg", "trace"),
    [
        (case(diag="N40.x00", sex="1"), "MZ15", "medical"),
        (case(diag="N40.x00", sex="2"), "", "no_adrg"),
        (case(diag="D25.900", sex="2"), "NZ15", "medical"),
        (case(diag="D25.900", sex="1"), "", "no_adrg"),
        (case(diag="D25.900", sex="9"), "", "invalid_sex"),
    ],
)
def test_sex_dependent_mdcs_open_only_for_their_sex(row, drg, trace):
    result = one(row)
    assert (result["drg_code"], result["trace"]) == (drg, trace)


@pytest.mark.parametrize(
    ("row", "drg", "trace"),
    [
        (case(diag="P07.100", age=0, days=5, weight=1200), "PS15", "medical"),
        (
            case(diag="P07.100", age=0, days=5, weight=1500),
            "PS25",
            "medical",
        ),  # the lower bound is inclusive
        (case(diag="P07.100", age=0, days=5, weight=2499), "PS25", "medical"),
        (
            case(diag="P07.100", age=0, days=5, weight=2500),
            "",
            "no_adrg",
        ),  # the upper bound is exclusive
        (
            case(diag="P22.000", others="P07.100", age=0, days=5, weight=1200),
            "PS15",
            "medical",
        ),  # any diagnosis, listed first
        (case(diag="P22.000", age=0, days=40, weight=1200), "PU15", "medical"),
        (
            case(diag="P07.100", age=0, days=40, weight=1200),
            "",
            "no_adrg",
        ),  # older than 28 days: no weight band ADRG
        (case(diag="P22.000", age=3), "", "no_adrg"),  # MDCP is for infants only
        (case(diag="P07.100", age=0, days=5), "", "no_newborn_weight"),
    ],
)
def test_newborns_group_by_age_in_days_and_weight_band(row, drg, trace):
    result = one(row)
    assert (result["drg_code"], result["trace"]) == (drg, trace)


@pytest.mark.parametrize(
    ("row", "drg", "trace"),
    [
        (case(diag="S06.000", others="S72.000"), "ZZ15", "medical"),
        (case(diag="S06.000", others="S72.000;A41.900"), "ZZ11", "medical"),
        (case(diag="S06.000", others="S06.100"), "", "no_adrg"),  # one body region only
        (
            case(diag="S06.000", proc="01.2400", others="S72.000"),
            "",
            "no_adrg",
        ),  # ZZ1 needs no OR procedure
        (
            case(diag="S06.000", proc="", others="S72.000", other_procs="01.2400"),
            "",
            "no_adrg",
        ),  # anywhere in the list
    ],
)
def test_multiple_trauma_needs_two_body_regions(row, drg, trace):
    result = one(row)
    assert (result["drg_code"], result["trace"]) == (drg, trace)


@pytest.mark.parametrize(
    ("row", "drg"),
    [
        (case(diag="C50.900", proc="85.4301", other_procs="85.2100"), "JA19"),  # 1+2
        (
            case(diag="C50.900", proc="85.2100", other_procs="88.0100;85.4301"),
            "JA19",
        ),  # anywhere in the list
        (case(diag="C50.900", proc="85.4301", other_procs="40.2300;40.5100"), "JA19"),  # 1+3+4
        (
            case(diag="C50.900", proc="85.4301", other_procs="40.2300"),
            "JR15",
        ),  # 1+3 is no term of the rule
        (case(diag="C50.900", proc="85.2100", other_procs="85.2100"), "JR15"),
    ],
)
def test_two_procedures_and_procedure_pairs_anywhere_in_the_list(row, drg):
    assert one(row)["drg_code"] == drg


def test_adrgs_are_taken_in_their_listed_order_not_by_restriction():
    row = case(diag="I21.000", proc="36.0601")
    assert one(row)["adrg"] == "FM1"  # open FM1 is listed before the diagnosis-restricted FL1
    reordered = ADRG.iloc[[0, 1, 2, 3, 4, 5, 6, 8, 7, 9, 10, 11, 12]]
    assert one(row, rules(reordered))["adrg"] == "FL1"


def test_an_or_procedure_unrelated_to_the_mdc_is_ambiguous():
    result = one(case(diag="I21.000", proc="01.2400"))
    assert (result["drg_code"], result["adrg"], result["mdc"], result["trace"]) == (
        "FQY",
        "",
        "MDCF",
        "ambiguous",
    )


@pytest.mark.parametrize(
    ("others", "drg", "severity"),
    [
        ("", "FR15", 5),
        ("I48.x00", "FR15", 5),  # AF family lists I21: excluded
        ("J96.000", "FR13", 3),  # the NOX family lists nothing: it excludes nothing
        ("J96.000;A41.900", "FR11", 1),
    ],
)
def test_severity_by_mcc_and_cc_with_exclusion_families(others, drg, severity):
    result = one(case(diag="I21.000", others=others))
    assert (result["drg_code"], result["severity"]) == (drg, severity)


@pytest.mark.parametrize(
    ("row", "trace"),
    [
        (case(diag=""), "no_diagnosis"),
        (case(diag="I21"), "invalid_diagnosis"),
        (case(diag="K35.800"), "no_mdc"),
        (case(diag="N40.x00", sex="2"), "no_adrg"),
        (case(sex=""), "invalid_sex"),
        (case(diag="P07.100", age=0, days=3), "no_newborn_weight"),
    ],
)
def test_ungroupable_cases_carry_the_chs_drg_reason(row, trace):
    result = one(row)
    assert (result["drg_code"], result["trace"]) == ("", trace)
    assert result["rule_trace"].startswith("不能入组")


def test_every_case_has_a_trace_naming_the_rule_at_each_step():
    result = group(
        [
            case(proc="37.5100", others="A41.900"),
            case(diag="C50.900", proc="85.4301", other_procs="85.2100"),
            case(diag="P07.100", age=0, days=5, weight=1200),
        ]
    )
    assert list(result["rule_trace"]) == [
        "MDCA（主要手术为手术室手术） → AA1（主要手术） → 伴MCC → AA19",
        "MDCJ（主要诊断） → JA1（主要诊断、手术组合） → 无CC/MCC → JA19",
        "MDCP（主要诊断、年龄≤364天） → PS1（任一诊断、年龄≤28天、体重<1500克） → 无CC/MCC → PS15",
    ]


def test_grouping_is_deterministic_and_independent_of_case_order():
    rows = [
        case(proc="37.5100"),
        case(diag="N40.x00"),
        case(diag="D25.900", sex="2", others="J96.000"),
        case(diag="P07.100", age=0, days=5, weight=1800),
        case(diag="S06.000", others="S72.000"),
        case(diag="C50.900", proc="85.4301", other_procs="85.2100"),
        case(diag="I21.000", proc="01.2400"),
        case(diag="K35.800"),
        case(diag="I21.000", others="I48.x00;A41.900"),
        case(diag=""),
    ]
    rule_set = rules()
    expected = group(rows, rule_set).astype(str)
    generator = random.Random(17)
    for _ in range(20):
        order = list(range(len(rows)))
        generator.shuffle(order)
        batch = [rows[i] for i in order] + [rows[i] for i in order[:3]]  # duplicates too
        result = group(batch, rule_set).astype(str)
        pd.testing.assert_frame_equal(
            result.iloc[: len(rows)], expected.iloc[order].reset_index(drop=True)
        )
