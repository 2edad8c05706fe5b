"""The pure validation of settlement lists: every rule of the column contract with a failing row."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.intake import domain
from settlement.intake.columns import COLUMNS
from tests.settlement.intake_rows import valid_row

KNOWN = {"H37080200001": 1, "H37080200002": 2}
HOSPITAL_B = "H37080200002"


def validate(rows: list[dict], **options) -> domain.IntakeResult:
    options.setdefault("known_institutions", KNOWN)
    return domain.cases_validate(pd.DataFrame(rows, dtype=str), **options)


def errors_of(result: domain.IntakeResult) -> set[tuple[int, str, str]]:
    return set(result.errors[["row", "column", "message"]].itertuples(index=False, name=None))


def test_a_valid_row_passes_and_is_typed():
    result = validate(
        [
            valid_row(
                "S1",
                scs_cutd_sum_dura="2/5/30",
                medfee_sumamt="30000.1",
                psn_part_amt="9000.10",
                fee_other="5000.10",
            )
        ]
    )
    assert result.ok and result.warnings.empty
    case = result.cases.iloc[0]
    assert (
        case["row"],
        case["medfee_sumamt"],
        case["psn_part_amt"],
        case["scs_cutd_sum_dura"],
    ) == (2, 3000010, 900010, 3210)
    assert (
        str(case["adm_time"]) == "2024-03-01 08:30:00+08:00"
        and case["otherdiag_codes"] == "I10.x00;E11.900"
    )


CHOICE = "不在字典取值范围内"

RULES = [
    # (overrides, column, message or its start)
    ({"setl_id": ""}, "setl_id", domain.ERR_REQUIRED),
    ({"setl_id": "X" * 31}, "setl_id", domain.ERR_TOO_LONG.format(n=30)),
    ({"psn_no": ""}, "psn_no", domain.ERR_REQUIRED),
    ({"fixmedins_code": "h-1"}, "fixmedins_code", domain.ERR_INSTITUTION_FORMAT),
    ({"fixmedins_code": "H99999999999"}, "fixmedins_code", domain.ERR_INSTITUTION_UNKNOWN),
    ({"insutype": "320"}, "insutype", CHOICE),
    ({"med_type": "99"}, "med_type", CHOICE),
    ({"gend": "3"}, "gend", CHOICE),
    ({"age": "151"}, "age", domain.ERR_INT.format(lo=0, hi=150)),
    ({"age": "六十"}, "age", domain.ERR_INT.format(lo=0, hi=150)),
    ({"age": "0", "nwb_age": "400"}, "nwb_age", domain.ERR_INT.format(lo=0, hi=365)),
    ({"age": "0", "nwb_age": ""}, "nwb_age", domain.ERR_NEWBORN_AGE),
    ({"adm_time": ""}, "adm_time", domain.ERR_REQUIRED_INPATIENT),
    ({"dscg_way": ""}, "dscg_way", domain.ERR_REQUIRED_INPATIENT),
    ({"act_ipt_days": ""}, "act_ipt_days", domain.ERR_REQUIRED_INPATIENT),
    ({"dscg_way": "7"}, "dscg_way", CHOICE),
    ({"adm_time": "2024-13-01"}, "adm_time", domain.ERR_DATETIME),
    ({"setl_time": "2024-02-30 12:00"}, "setl_time", domain.ERR_DATETIME),
    ({"setl_time": ""}, "setl_time", domain.ERR_REQUIRED),
    ({"dscg_time": "2024-02-28 10:00"}, "dscg_time", domain.ERR_DISCHARGE_BEFORE_ADMISSION),
    ({"act_ipt_days": "5"}, "act_ipt_days", "实际住院天数与出入院日期不符（按日期应为7天）。"),
    (
        {"dscg_time": "2024-03-01 18:00", "act_ipt_days": "2"},
        "act_ipt_days",
        domain.ERR_DAYS_MISMATCH_SAME_DAY,
    ),
    ({"maindiag_code": "XYZ"}, "maindiag_code", domain.ERR_ICD10),
    ({"opsp_dise_code": "高血压"}, "opsp_dise_code", domain.ERR_CHRONIC_DISEASE_CODE),
    ({"opsp_dise_code": "M0390"}, "opsp_dise_code", domain.ERR_CHRONIC_DISEASE_CODE),
    ({"maindiag_code": ""}, "maindiag_code", domain.ERR_REQUIRED),
    ({"otherdiag_codes": "I10.x00;bad"}, "otherdiag_codes", domain.ERR_ICD10_LIST),
    ({"main_oprn_oprt_code": "A36.06"}, "main_oprn_oprt_code", domain.ERR_ICD9),
    ({"other_oprn_oprt_codes": "36.0601,zz"}, "other_oprn_oprt_codes", domain.ERR_ICD9_LIST),
    ({"med_type": "14", "opsp_dise_code": ""}, "opsp_dise_code", domain.ERR_CHRONIC_DISEASE),
    ({"scs_cutd_sum_dura": "2/25/0"}, "scs_cutd_sum_dura", domain.ERR_DURATION),
    ({"vent_used_dura": "12小时"}, "vent_used_dura", domain.ERR_DURATION),
    ({"days_rinp_flag_31": "3"}, "days_rinp_flag_31", CHOICE),
    ({"acct_pay": "-5.00"}, "acct_pay", domain.ERR_MONEY_NEGATIVE),
    ({"acct_pay": "5.001"}, "acct_pay", domain.ERR_MONEY_DECIMALS),
    ({"acct_pay": "五元"}, "acct_pay", domain.ERR_MONEY),
    ({"medfee_sumamt": ""}, "medfee_sumamt", domain.ERR_REQUIRED),
    (
        {"fund_pay_sumamt": "30000.01", "hifp_pay": "21000.00", "psn_part_amt": "0"},
        "fund_pay_sumamt",
        domain.ERR_FUND_OVER_TOTAL,
    ),
    ({"hifp_pay": "21000.01"}, "hifp_pay", domain.ERR_HIFP_OVER_FUND),
    ({"psn_part_amt": "8999.00"}, "medfee_sumamt", domain.ERR_TOTAL_MISMATCH.format(diff="1.00")),
    ({"fee_other": "4000.00"}, "fee_other", domain.ERR_FEE_BREAKDOWN_SUM.format(diff="1000.00")),
]


@pytest.mark.parametrize(
    ("overrides", "column", "message"), RULES, ids=[f"{r[1]}-{i}" for i, r in enumerate(RULES)]
)
def test_each_rule_rejects_its_failing_row(overrides, column, message):
    result = validate([valid_row("S1"), valid_row("S2", **overrides)])
    assert not result.ok
    assert set(result.errors["row"]) == {3}, result.errors.to_dict("records")
    found = result.errors[result.errors["column"] == column]
    assert len(found) == 1 and found["message"].iloc[0].startswith(message), result.errors.to_dict(
        "records"
    )


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    RULES[:8] + RULES[-6:],
    ids=[f"{r[1]}-{i}" for i, r in enumerate(RULES[:8] + RULES[-6:])],
)
def test_object_text_gives_the_same_cases_errors_and_warnings(overrides, column, message):
    """``object_text`` (the preview's plain Python strings) changes the text columns' dtype only: one failing row, a
    valid one and a newborn one give the same cells, errors and warnings either way."""
    newborn = valid_row(
        "S3", maindiag_code="P07.300", age="0", nwb_age="3", nwb_bir_wt="", nwb_adm_wt=""
    )
    for rows in (
        [valid_row("S2", **overrides)],
        [valid_row("S1"), valid_row("S2", **overrides), newborn],
    ):
        arrow, plain = validate(rows), validate(rows, object_text=True)
        assert plain.errors.to_dict("records") == arrow.errors.to_dict("records")
        assert plain.warnings.to_dict("records") == arrow.warnings.to_dict("records")
        assert plain.cases.astype(object).fillna("∅").to_dict("records") == arrow.cases.astype(
            object
        ).fillna("∅").to_dict("records")
        assert not plain.ok and column in set(plain.errors["column"])


def test_an_error_names_row_column_and_value():
    error = validate([valid_row("S1", gend="3")]).errors.iloc[0]
    assert (error["row"], error["column"], error["value"]) == (2, "gend", "3")


def test_tolerance_of_one_fen_is_accepted():
    assert validate([valid_row("S1", psn_part_amt="9000.01", fee_other="4999.99")]).ok


def test_a_hospital_may_send_only_its_own_rows():
    result = validate(
        [valid_row("S1"), valid_row("S2", institution=HOSPITAL_B)], own_institution="H37080200001"
    )
    assert errors_of(result) == {(3, "fixmedins_code", domain.ERR_INSTITUTION_NOT_OWN)}


def test_duplicates_inside_the_file_point_to_the_first_row():
    result = validate(
        [valid_row("S1"), valid_row("S2"), valid_row("S1"), valid_row("S1", institution=HOSPITAL_B)]
    )
    assert errors_of(result) == {(4, "setl_id", "文件内重复：与第2行的机构编号和结算ID相同。")}


@pytest.mark.parametrize(
    "text", ["2024-03-01 08:30", "2024/3/1 8:30", "2024年3月1日 08:30", "2024-03-01T08:30:00"]
)
def test_accepted_datetime_formats(text):
    result = validate([valid_row("S1", adm_time=text)])
    assert result.ok and str(result.cases["adm_time"].iloc[0]) == "2024-03-01 08:30:00+08:00"


@pytest.mark.parametrize("text", ["2024/3/1", "2024年3月1日", "2024-3-1"])
def test_a_date_without_time_is_midnight(text):
    assert (
        str(validate([valid_row("S1", adm_time=text)]).cases["adm_time"].iloc[0])
        == "2024-03-01 00:00:00+08:00"
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**14 - 1))
def test_money_parses_to_the_exact_fen(fen):
    text = f"{fen // 100}.{fen % 100:02d}"
    result = validate([valid_row("S1", acct_pay=text)])
    assert int(result.cases["acct_pay"].iloc[0]) == fen


def test_headers_may_be_code_chinese_name_or_both():
    row = valid_row("S1")
    headers = {}
    for position, column in enumerate(COLUMNS):
        headers[column.code] = (
            column.code,
            column.name,
            column.header,
            f"  {column.name}\u3000{column.code} ",
        )[position % 4]
    result = validate([{headers[code]: value for code, value in row.items()}])
    assert result.ok and result.cases["setl_id"].iloc[0] == "S1"


def test_missing_and_duplicated_columns_are_file_errors_and_unknown_columns_warnings():
    row = valid_row("S1")
    del row["setl_time"]
    frame = pd.DataFrame([row], dtype=str)
    frame["结算ID"] = "S1"
    frame["备注"] = "x"
    result = domain.cases_validate(frame, known_institutions=KNOWN)
    assert set(result.errors["message"]) == {
        domain.ERR_HEADER_MISSING.format(label="结算时间(setl_time)"),
        domain.ERR_HEADER_DUPLICATE.format(label="结算ID(setl_id)"),
    }
    assert set(result.errors["row"]) == {1}
    assert list(result.warnings["message"]) == [domain.WARN_HEADER_UNKNOWN.format(header="备注")]


def test_blank_rows_are_skipped_and_row_numbers_kept():
    blank = dict.fromkeys(valid_row(), "")
    result = validate([valid_row("S1"), blank, valid_row("S3", gend="x")])
    assert list(result.cases["row"]) == [2, 4] and set(result.errors["row"]) == {4}


def test_an_empty_file_is_an_error():
    assert list(validate([dict.fromkeys(valid_row(), "")]).errors["message"]) == [
        domain.ERR_NO_ROWS
    ]


WARNINGS = [
    ({"gend": "1", "maindiag_code": "O80.000"}, "maindiag_code", domain.WARN_FEMALE_DIAGNOSIS),
    ({"gend": "2", "maindiag_code": "N40.x00"}, "maindiag_code", domain.WARN_MALE_DIAGNOSIS),
    ({"age": "45", "maindiag_code": "P07.300"}, "maindiag_code", domain.WARN_NEWBORN_ON_ADULT),
    (
        {"dscg_time": "2024-05-10 10:00", "act_ipt_days": "70", "setl_time": "2024-05-10 12:00"},
        "act_ipt_days",
        domain.WARN_LOS_OUTLIER.format(days=domain.LOS_OUTLIER_DAYS),
    ),
    ({"fee_exam": ""}, "fee_drug", domain.WARN_FEE_BREAKDOWN_MISSING),
]


@pytest.mark.parametrize(("overrides", "column", "message"), WARNINGS)
def test_plausibility_warnings_do_not_block(overrides, column, message):
    result = validate([valid_row("S1", **overrides)])
    assert result.ok, result.errors.to_dict("records")
    assert set(
        result.warnings[["row", "column", "message"]].itertuples(index=False, name=None)
    ) == {(2, column, message)}


def test_a_newborn_code_on_an_infant_is_not_a_warning():
    assert validate(
        [
            valid_row(
                "S1",
                age="0",
                nwb_age="3",
                maindiag_code="P07.300",
                nwb_bir_wt="1800",
                nwb_adm_wt="1750",
            )
        ]
    ).warnings.empty


def test_api_rows_number_from_one_and_take_json_values():
    row = valid_row(
        "S1",
        age=60,
        medfee_sumamt=30000,
        fund_pay_sumamt=21000.5,
        hifp_pay=None,
        psn_part_amt=8999.5,
    )
    result = domain.cases_validate(
        pd.DataFrame.from_records([row]).astype(object), known_institutions=KNOWN, first_row=1
    )
    assert errors_of(result) == {(1, "hifp_pay", domain.ERR_REQUIRED)}
    assert int(result.cases["fund_pay_sumamt"].iloc[0]) == 2100050


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789.-e \x00５", max_size=18), min_size=1, max_size=20))
def test_the_fast_money_shape_check_agrees_with_the_pattern(cells):
    values = pd.Series(cells, dtype=str)
    assert (
        domain._money_shape(values).tolist()
        == values.str.fullmatch(domain._MONEY).astype(bool).tolist()
    )


# --- code forms (catalogs.codes) and infants (4101) -----------------------------------------------------

CODE_FORMS = [
    # (column, as sent, as stored)
    ("maindiag_code", "A00.000", "A00.000"),
    ("maindiag_code", "J18.900x001", "J18.900x001"),
    ("maindiag_code", "A17.000+G01*", "A17.000+G01*"),
    ("maindiag_code", "a17.000†G01＊", "A17.000+G01*"),
    ("otherdiag_codes", "A17.000+G01*, J18.900x001", "A17.000+G01*;J18.900x001"),
    ("main_oprn_oprt_code", "36.0601", "36.0601"),
    ("main_oprn_oprt_code", "17.91100", "17.91100"),
    ("main_oprn_oprt_code", "17.912a0", "17.912A0"),
    ("other_oprn_oprt_codes", "17.91100;17.912A0", "17.91100;17.912A0"),
]


@pytest.mark.parametrize(("column", "sent", "stored"), CODE_FORMS)
def test_every_national_code_form_is_taken_with_its_full_text(column, sent, stored):
    result = validate([valid_row("S1", **{column: sent})])
    assert result.ok, result.errors.to_dict("records")
    assert result.cases.iloc[0][column] == stored


@pytest.mark.parametrize(
    ("column", "sent", "message"),
    [
        ("maindiag_code", "A17.000+", domain.ERR_ICD10),
        ("maindiag_code", "I21", domain.ERR_ICD10),
        ("otherdiag_codes", "I10.x00;A17.000+", domain.ERR_ICD10_LIST),
        ("main_oprn_oprt_code", "17.9110000", domain.ERR_ICD9),
        ("other_oprn_oprt_codes", "36.0601;17.912AA", domain.ERR_ICD9_LIST),
    ],
)
def test_a_bad_code_form_is_refused_naming_row_and_column(column, sent, message):
    assert errors_of(validate([valid_row("S1"), valid_row("S2", **{column: sent})])) == {
        (3, column, message)
    }


def infant(setl_id: str = "S1", **overrides) -> dict:
    """A newborn's stay as 4101 sends it: age blank, nwb_age in days, weights in grams."""
    return valid_row(
        setl_id,
        **{
            "age": "",
            "nwb_age": "5",
            "nwb_bir_wt": "3250.00",
            "nwb_adm_wt": "3100",
            "maindiag_code": "P59.900",
            "otherdiag_codes": "",
            "main_oprn_oprt_code": "",
            **overrides,
        },
    )


def test_an_infant_with_blank_age_and_nwb_age_is_taken_as_0_years():
    result = validate([infant()])
    assert result.ok and result.warnings.empty, (
        result.errors.to_dict("records"),
        result.warnings.to_dict("records"),
    )
    case = result.cases.iloc[0]
    assert (case["age"], case["nwb_age"], case["nwb_bir_wt"], case["nwb_adm_wt"]) == (
        0,
        5,
        3250,
        3100,
    )


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"nwb_age": ""}, "age", domain.ERR_AGE_OR_NEWBORN_AGE),
        ({"nwb_bir_wt": "150"}, "nwb_bir_wt", domain.ERR_GRAMS.format(lo=200, hi=9999)),
        ({"nwb_adm_wt": "12000"}, "nwb_adm_wt", domain.ERR_GRAMS.format(lo=200, hi=9999)),
        ({"nwb_bir_wt": "3250.5"}, "nwb_bir_wt", domain.ERR_GRAMS.format(lo=200, hi=9999)),
        ({"nwb_adm_wt": "三千克"}, "nwb_adm_wt", domain.ERR_GRAMS.format(lo=200, hi=9999)),
    ],
)
def test_infant_fields_are_validated(overrides, column, message):
    assert errors_of(validate([infant("S1"), infant("S2", **overrides)])) == {(3, column, message)}


@pytest.mark.parametrize(
    ("overrides", "warnings"),
    [
        (
            {"nwb_bir_wt": "", "nwb_adm_wt": ""},
            {
                ("nwb_bir_wt", domain.WARN_NEWBORN_WEIGHT_MISSING),
                ("nwb_adm_wt", domain.WARN_NEWBORN_WEIGHT_MISSING),
            },
        ),
        (
            {"nwb_adm_wt": "", "maindiag_code": "P07.300+H35.1*"},
            {("nwb_adm_wt", domain.WARN_NEWBORN_WEIGHT_MISSING)},
        ),
        (
            {"nwb_bir_wt": "", "nwb_adm_wt": "", "nwb_age": "40"},
            set(),
        ),  # past the first 28 days: no newborn weights asked
        (
            {"nwb_bir_wt": "", "nwb_adm_wt": "", "maindiag_code": "J18.900"},
            set(),
        ),  # not a newborn code
        (
            {"age": "3", "nwb_age": ""},
            {("nwb_age", domain.WARN_NEWBORN_FIELDS_OVER_ONE)},
        ),  # weights on a 3-year-old
        (
            {"maindiag_code": "Z38.000", "nwb_age": "60"},
            {("maindiag_code", domain.WARN_LIVE_BORN_LATE)},
        ),
        ({"maindiag_code": "Z38.000"}, set()),
        (
            {"age": "30", "nwb_age": "", "nwb_bir_wt": "", "nwb_adm_wt": ""},
            {("maindiag_code", domain.WARN_NEWBORN_ON_ADULT)},
        ),
    ],
)
def test_the_plausibility_warnings_understand_newborn_codes(overrides, warnings):
    result = validate([infant("S1", **overrides)])
    assert result.ok, result.errors.to_dict("records")
    assert (
        set(result.warnings[["column", "message"]].itertuples(index=False, name=None)) == warnings
    )


def test_a_single_case_validated_again_gives_the_same_answer():
    """Small columns are parsed once per distinct cells (``_parse_distinct``): a repeated bad cell is refused
    each time with its own row number, the good cells of those columns still pass, and JSON numbers and
    booleans are read as their text."""
    bad = [valid_row("S1", gend="X", medfee_sumamt="12.345")]
    first, second = validate(bad, first_row=1), validate(bad, first_row=7)
    assert {(column, message) for _, column, message in errors_of(first)} == {
        (column, message) for _, column, message in errors_of(second)
    }
    assert {row for row, _, _ in errors_of(second)} == {7} and {"gend", "medfee_sumamt"} <= {
        c for _, c, _ in errors_of(second)
    }
    assert validate([valid_row("S2")]).ok
    typed = {**valid_row("S3"), "act_ipt_days": 7, "age": 60}
    for age, read in ((60, 60), (True, 1), (60, 60)):
        result = domain.cases_validate(
            pd.DataFrame.from_records([{**typed, "age": age}]).astype(object),
            known_institutions=KNOWN,
        )
        assert result.cases.iloc[0]["age"] == read
