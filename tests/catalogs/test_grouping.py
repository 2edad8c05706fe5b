"""catalogs.dip.grouper: the DIP grouper, table-driven, against a row-by-row reference, and under permutation."""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogs import codes
from catalogs.dip import grouper as dip_grouper
from catalogs.dip.grouper import age_band, dip_group

PROCEDURE_TYPES = {
    "36.0601": "手术",
    "88.5501": "诊断性操作",
    "99.1001": "治疗性操作",
    "39.7400": "手术",
    "81.5100": "手术",
}
GROUPS = pd.DataFrame(
    [
        ("A01", "I21.000", "36.0601", "core", ""),
        ("A02", "I21.000", "", "core", ""),
        ("A03", "I63.900", "39.7400", "core", ""),
        ("A04", "I10.x00", "", "grassroots", ""),
        ("Z01", "I21", "", "comprehensive", "内科诊疗"),
        ("Z02", "I21", "", "comprehensive", "相关手术"),
        ("Z03", "I21", "", "comprehensive", "诊断性操作"),
        ("Z04", "I63", "", "comprehensive", "治疗性操作"),
    ],
    columns=["code", "diag_code", "proc_code", "group_type", "treatment_type"],
)


def group_one(diagnosis, procedure, **options) -> dict:
    cases = pd.DataFrame({"maindiag_code": [diagnosis], "main_oprn_oprt_code": [procedure]})
    return (
        dip_group(
            cases,
            options.pop("groups", GROUPS),
            options.pop("procedure_types", PROCEDURE_TYPES),
            **options,
        )
        .iloc[0]
        .to_dict()
    )


@pytest.mark.parametrize(
    ("diagnosis", "procedure", "code", "group_type", "treatment", "trace"),
    [
        ("I21.000", "36.0601", "A01", "core", "相关手术", "core"),
        ("I21.000", "", "A02", "core", "内科诊疗", "core_conservative"),
        ("I21.000", None, "A02", "core", "内科诊疗", "core_conservative"),
        (" I21.000 ", " 36.0601", "A01", "core", "相关手术", "core"),
        ("I10.x00", np.nan, "A04", "grassroots", "内科诊疗", "core_conservative"),
        ("I21.400", "", "Z01", "comprehensive", "内科诊疗", "comprehensive"),
        ("I21.400", "36.0601", "Z02", "comprehensive", "相关手术", "comprehensive"),
        ("I21.000", "81.5100", "Z02", "comprehensive", "相关手术", "comprehensive"),
        ("I21.000", "88.5501", "Z03", "comprehensive", "诊断性操作", "comprehensive"),
        ("I63.400", "99.1001", "Z04", "comprehensive", "治疗性操作", "comprehensive"),
        ("I63.400", "36.0601", "", "", "相关手术", "no_comprehensive"),
        ("K35.800", "", "", "", "内科诊疗", "no_comprehensive"),
        ("I21.000", "12.3456", "", "", "", "unknown_procedure"),
        ("", "36.0601", "", "", "相关手术", "no_diagnosis"),
        (None, "", "", "", "内科诊疗", "no_diagnosis"),
        ("I21", "", "", "", "内科诊疗", "invalid_diagnosis"),
        ("i21.000", "36.0601", "", "", "相关手术", "invalid_diagnosis"),
        ("21.000", "", "", "", "内科诊疗", "invalid_diagnosis"),
    ],
)
def test_it_groups_by_core_combination_then_comprehensive_fallback(
    diagnosis, procedure, code, group_type, treatment, trace
):
    result = group_one(diagnosis, procedure)
    assert (
        result["dip_code"],
        result["group_type"],
        result["treatment_type"],
        result["trace"],
    ) == (code, group_type, treatment, trace)
    assert result["trace_text"] == dip_grouper.TRACE_TEXT[trace]


def test_an_unknown_procedure_still_matches_a_core_group_listed_in_the_catalog():
    groups = pd.concat(
        [GROUPS, pd.DataFrame([("A09", "I21.000", "12.3456", "core", "")], columns=GROUPS.columns)]
    )
    assert group_one("I21.000", "12.3456", groups=groups)["dip_code"] == "A09"


@pytest.mark.parametrize("kind", ["core", "comprehensive"])
def test_a_catalog_with_one_kind_of_group_only_still_groups(kind):
    groups = GROUPS[(GROUPS["group_type"] == "comprehensive") == (kind == "comprehensive")]
    cases = pd.DataFrame(
        {"maindiag_code": ["I21.000", "I21.400"], "main_oprn_oprt_code": ["36.0601", ""]}
    )
    expected = {"core": ["A01", ""], "comprehensive": ["Z02", "Z01"]}[kind]
    assert list(dip_group(cases, groups, PROCEDURE_TYPES)["dip_code"]) == expected


def test_ungroupable_reasons_are_in_chinese():
    assert group_one("", "")["trace_text"] == "不能入组：主要诊断缺失"
    assert group_one("K35.800", "")["trace_text"] == "不能入组：该诊断类目无对应治疗方式的综合病种"


def test_it_keeps_the_index_of_the_cases():
    cases = pd.DataFrame(
        {"maindiag_code": ["I21.000", "K35.800"], "main_oprn_oprt_code": ["", ""]}, index=[17, 3]
    )
    result = dip_group(cases, GROUPS, PROCEDURE_TYPES)
    assert list(result.index) == [17, 3]
    assert list(result["dip_code"]) == ["A02", ""]


def test_procedure_types_may_use_the_dip_vocabulary_or_a_series():
    types = pd.Series({"36.0601": "相关手术"})
    assert group_one("I21.400", "36.0601", procedure_types=types)["dip_code"] == "Z02"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda g: g.drop(columns="treatment_type"), "病种目录缺少列：treatment_type"),
        (
            lambda g: g.assign(group_type=g["group_type"].replace("grassroots", "early")),
            "病种目录的病种类型无效：early",
        ),
        (
            lambda g: g.assign(treatment_type=g["treatment_type"].replace("诊断性操作", "检查")),
            "综合病种的治疗方式无效：检查",
        ),
        (lambda g: g.assign(code=g["code"].replace("A02", "A01")), "病种编码重复：A01"),
        (
            lambda g: pd.concat([g, g.iloc[[0]].assign(code="A99")]),
            "病种目录中组合重复：I21.000+36.0601",
        ),
        (
            lambda g: pd.concat([g, g.iloc[[4]].assign(code="Z99")]),
            "病种目录中组合重复：I21×内科诊疗",
        ),
    ],
)
def test_it_refuses_a_group_table_that_breaks_the_contract(change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        group_one("I21.000", "", groups=change(GROUPS))


def test_it_reads_the_stored_treatment_type_values_of_catalogs_choices():
    groups = GROUPS.assign(
        treatment_type=GROUPS["treatment_type"].replace(
            {"内科诊疗": "medical", "相关手术": "surgical"}
        )
    )
    procedure_types = {"36.0601": "surgical", "88.5501": "diagnostic"}
    assert group_one("I21.400", "", groups=groups)["dip_code"] == "Z01"
    assert (
        group_one("I21.400", "36.0601", groups=groups, procedure_types=procedure_types)["dip_code"]
        == "Z02"
    )
    duplicate = pd.concat(
        [
            groups,
            pd.DataFrame([("Z09", "I21", "", "comprehensive", "内科诊疗")], columns=GROUPS.columns),
        ]
    )
    with pytest.raises(ValueError, match="病种目录中组合重复：I21×内科诊疗"):
        group_one("I21.400", "", groups=duplicate)


def test_an_unmapped_procedure_type_may_be_configured_instead_of_ungroupable():
    result = group_one("I63.400", "12.3456", unmapped_procedure_type="therapeutic")
    assert (result["dip_code"], result["treatment_type"]) == ("Z04", "治疗性操作")
    with pytest.raises(ValueError, match="手术操作类型无效：other"):
        group_one("I63.400", "12.3456", unmapped_procedure_type="other")


def test_it_refuses_an_unknown_procedure_type():
    with pytest.raises(ValueError, match="手术操作类型无效：介入"):
        group_one("I21.000", "", procedure_types={"36.0601": "介入"})


def test_it_needs_the_diagnosis_and_procedure_columns():
    with pytest.raises(ValueError, match="病例缺少列：main_oprn_oprt_code"):
        dip_group(pd.DataFrame({"maindiag_code": ["I21.000"]}), GROUPS, PROCEDURE_TYPES)


# --- auxiliary typing (spec §5, E3 and acceptance test 2) -----------------------------------------

SUBTYPES = pd.DataFrame(
    [
        ("A01", "age_band", "65+", "1.30"),
        ("A01", "cci", "2+", "1.80"),
        ("A02", "age_band", "65+", "1.10"),
        ("A02", "cci", "2+", "1.05"),
    ],
    columns=["code", "dimension", "key", "coefficient"],
)


def typed(rows: list[tuple]) -> pd.DataFrame:
    cases = pd.DataFrame(rows, columns=["maindiag_code", "main_oprn_oprt_code", "age", "cci"])
    cases["age_band"] = age_band(cases["age"])
    return dip_group(cases, GROUPS, PROCEDURE_TYPES, subtypes=SUBTYPES)


def test_e3_a_subtype_coefficient_types_the_score():
    result = typed([("I21.000", "36.0601", 70, "0")]).iloc[0]
    assert (result["subtype"], result["typing_coefficient"]) == ("age_band=65+", Decimal("1.30"))
    assert Decimal("1000") * result["typing_coefficient"] == Decimal("1300")


def test_when_several_dimensions_match_the_highest_coefficient_wins():
    result = typed([("I21.000", "36.0601", 70, "2+")]).iloc[0]
    assert (result["subtype"], result["typing_coefficient"]) == ("cci=2+", Decimal("1.80"))


def test_the_highest_coefficient_wins_whatever_the_order_of_the_dimensions():
    result = typed([("I21.000", "", 70, "2+")]).iloc[0]
    assert (result["subtype"], result["typing_coefficient"]) == ("age_band=65+", Decimal("1.10"))


def test_cases_outside_a_subtype_keep_coefficient_one():
    result = typed(
        [
            ("I21.000", "36.0601", 40, "0"),
            ("I21.400", "", 80, "2+"),
            ("", "", 80, "2+"),
            ("I21.000", "", 80, "0"),
        ]
    )
    assert list(result["subtype"]) == ["", "", "", "age_band=65+"]
    assert list(result["typing_coefficient"]) == [
        Decimal(1),
        Decimal(1),
        Decimal(1),
        Decimal("1.10"),
    ]


def test_subtype_keys_may_be_given_beside_the_cases():
    cases = pd.DataFrame(
        {"maindiag_code": ["I21.000", "I21.000"], "main_oprn_oprt_code": ["36.0601", "36.0601"]}
    )
    subtypes = SUBTYPES.replace({"dimension": {"age_band": "age"}})
    keys = {"age": pd.Series(["65+", "18-64"]), "cci": pd.Series(["0", "0"])}
    result = dip_group(cases, GROUPS, PROCEDURE_TYPES, subtypes=subtypes, subtype_keys=keys)
    assert list(result["typing_coefficient"]) == [Decimal("1.30"), Decimal(1)]


def test_a_subtype_of_an_unknown_group_is_refused():
    subtypes = SUBTYPES.assign(code="NOPE")
    with pytest.raises(ValueError, match="辅助分型表无效"):
        dip_group(
            pd.DataFrame(
                {
                    "maindiag_code": ["I21.000"],
                    "main_oprn_oprt_code": [""],
                    "age_band": ["65+"],
                    "cci": [""],
                }
            ),
            GROUPS,
            PROCEDURE_TYPES,
            subtypes=subtypes,
        )


@pytest.mark.parametrize(
    ("age", "days", "band"),
    [
        (0, 0, "0-28d"),
        (0, 28, "0-28d"),
        (0, 29, "29d-1y"),
        (0, None, "29d-1y"),
        (1, None, "1-6"),
        (6, None, "1-6"),
        (7, None, "7-17"),
        (17, None, "7-17"),
        (18, None, ""),
        (64, None, ""),
        (65, None, "65+"),
        (None, None, ""),
    ],
)
def test_age_bands_follow_the_spec(age, days, band):
    assert (
        age_band(pd.Series([age], dtype="Float64"), pd.Series([days], dtype="Float64"))[0] == band
    )


# --- properties -----------------------------------------------------------------------------------

DIAGNOSES = ["I21.000", "I21.400", "I63.900", "I63.400", "I10.x00", "K35.800", "", "I21", "bad"]
PROCEDURES = ["", "36.0601", "88.5501", "99.1001", "39.7400", "81.5100", "12.3456"]


def reference(diagnosis: str, procedure: str) -> tuple[str, str]:
    """The rules of the module docstring, one case at a time."""
    if diagnosis == "":
        return "", "no_diagnosis"
    if not codes.DIAGNOSIS.fullmatch(diagnosis):
        return "", "invalid_diagnosis"
    core = GROUPS[
        (GROUPS["group_type"] != "comprehensive")
        & (GROUPS["diag_code"] == diagnosis)
        & (GROUPS["proc_code"] == procedure)
    ]
    if len(core):
        return core["code"].iloc[0], "core" if procedure else "core_conservative"
    if procedure and procedure not in PROCEDURE_TYPES:
        return "", "unknown_procedure"
    treatment = (
        dip_grouper.PROCEDURE_TYPE_TO_TREATMENT[PROCEDURE_TYPES[procedure]]
        if procedure
        else "内科诊疗"
    )
    fallback = GROUPS[
        (GROUPS["diag_code"] == diagnosis[:3]) & (GROUPS["treatment_type"] == treatment)
    ]
    return (
        (fallback["code"].iloc[0], "comprehensive") if len(fallback) else ("", "no_comprehensive")
    )


cases_strategy = st.lists(
    st.tuples(st.sampled_from(DIAGNOSES), st.sampled_from(PROCEDURES)), min_size=1, max_size=60
)


@settings(max_examples=60, deadline=None)
@given(rows=cases_strategy, data=st.data())
def test_every_case_gets_exactly_one_outcome_and_permuting_rows_permutes_the_result(rows, data):
    cases = pd.DataFrame(rows, columns=["maindiag_code", "main_oprn_oprt_code"])
    result = dip_group(cases, GROUPS, PROCEDURE_TYPES)
    assert list(zip(result["dip_code"], result["trace"])) == [reference(*row) for row in rows]
    grouped = result["dip_code"] != ""
    assert (grouped == ~result["trace"].isin(dip_grouper.UNGROUPABLE_TRACES)).all()
    order = data.draw(st.permutations(range(len(rows))))
    permuted = dip_group(cases.iloc[list(order)], GROUPS, PROCEDURE_TYPES)
    pd.testing.assert_frame_equal(permuted.astype(str), result.iloc[list(order)].astype(str))


# --- code forms (catalogs.codes): a combined code groups as its aetiology (dagger) part ------------------

TB_GROUPS = pd.DataFrame(
    [
        ("T01", "A17.000", "", "core", ""),
        ("T02", "A17.000+G01*", "03.3100", "core", ""),
        ("T09", "A17", "", "comprehensive", "内科诊疗"),
    ],
    columns=GROUPS.columns,
)


@pytest.mark.parametrize(
    ("diagnosis", "procedure", "code", "trace"),
    [
        (
            "A17.000+G01*",
            "",
            "T01",
            "core_conservative",
        ),  # the case's manifestation is kept, not looked up
        (
            "A17.000",
            "03.3100",
            "T02",
            "core",
        ),  # a group keyed by a combined code keys on its dagger part
        (
            "A17.000x001+G01*",
            "",
            "T09",
            "comprehensive",
        ),  # an extension code folds into its category
        ("A17.000+", "", "", "invalid_diagnosis"),
    ],
)
def test_a_combined_main_diagnosis_groups_as_its_dagger_part(diagnosis, procedure, code, trace):
    result = group_one(
        diagnosis, procedure, groups=TB_GROUPS, procedure_types={"03.3100": "诊断性操作"}
    )
    assert (result["dip_code"], result["trace"]) == (code, trace)
