"""catalogs.apg.grouper: outpatient chronic/special disease APG grouping and points (spec §10, E8)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogs.apg import grouper as apg_grouper
from catalogs.apg.grouper import apg_group, apg_points, apg_units

PROCEDURE_TYPES = {"39.9501": "治疗性操作", "88.3800": "诊断性操作", "13.4100": "手术"}


def settlements(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (opsp_dise_code, maindiag_code, main procedure, year, cost in fen)."""
    return pd.DataFrame(
        rows,
        columns=["opsp_dise_code", "maindiag_code", "main_oprn_oprt_code", "year", "medfee_sumamt"],
    )


def e8_history() -> pd.DataFrame:
    """Group M03900: 1,200 (Y-2) and 1,300 (Y-1) yuan; all settlements: 500 and 520 yuan."""
    y2 = [("M03900", "I10.x00", "", 2023, 120_000)] * 4 + [
        ("M01600", "E11.900", "", 2023, 10_000)
    ] * 7
    y1 = [("M03900", "I10.x00", "", 2024, 130_000)] + [("M01600", "E11.900", "", 2024, 26_000)] * 3
    return settlements(y2 + y1)


def test_e8_points_are_the_2_8_weighted_group_mean_over_the_all_sample_mean_times_100():
    history = e8_history()
    points = apg_points(history, apg_group(history)).set_index("apg_code")
    assert points.loc["M03900-M", "mean"] == Decimal("1280.00")  # 0.2 x 1,200 + 0.8 x 1,300
    assert points.loc["M03900-M", "points"] == Decimal("248.0620")  # 1,280 / 516 x 100
    assert points.loc["M03900-M", "points"].quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    ) == Decimal("248.06")
    assert points.loc["M03900-M", "units"] == 5


def test_only_the_two_latest_years_count_by_default():
    older = settlements([("M03900", "I10.x00", "", 2022, 99_900_000)])
    history = pd.concat([e8_history(), older], ignore_index=True)
    assert apg_points(history, apg_group(history)).set_index("apg_code").loc[
        "M03900-M", "points"
    ] == Decimal("248.0620")


def test_explicit_year_weights_replace_the_default():
    history = e8_history()
    points = apg_points(history, apg_group(history), year_weights={2023: 1, 2024: 1}).set_index(
        "apg_code"
    )
    # (1,200 + 1,300) / 2 = 1,250 over (500 + 520) / 2 = 510 -> 245.0980...
    assert points.loc["M03900-M", "points"] == Decimal("245.0980")


def test_one_year_of_history_is_not_enough():
    history = e8_history().query("year == 2024")
    with pytest.raises(ValueError, match="至少两个年度"):
        apg_points(history, apg_group(history))


@pytest.mark.parametrize(
    ("row", "code", "trace"),
    [
        (("M07800", "N18.500", "39.9501"), "M07800-T", "by_disease"),
        (("M07800", "N18.500", ""), "M07800-M", "by_disease"),
        ((" M03900 ", "I10.x00", "88.3800"), "M03900-D", "by_disease"),
        (("", "H25.900", "13.4100"), "H25.900-S", "by_diagnosis"),
        ((None, "E11.900", None), "E11.900-M", "by_diagnosis"),
        (("", "", ""), "", "no_disease"),
        (("M03900", "I10.x00", "99.9999"), "", "unknown_procedure"),
    ],
)
def test_it_groups_by_special_disease_or_main_diagnosis_and_treatment_pattern(row, code, trace):
    result = apg_group(settlements([(*row, 2024, 100)]), PROCEDURE_TYPES).iloc[0]
    assert (result["apg_code"], result["trace"], result["trace_text"]) == (
        code,
        trace,
        apg_grouper.TRACE_TEXT[trace],
    )


def test_without_procedure_types_any_procedure_is_pattern_p():
    result = apg_group(
        settlements([("M07800", "N18.500", "39.9501", 2024, 1), ("M07800", "N18.500", "", 2024, 1)])
    )
    assert list(result["apg_code"]) == ["M07800-P", "M07800-M"]


def patient_months() -> pd.DataFrame:
    frame = settlements(
        [("M03900", "I10.x00", "", 2024, 10_000)] * 3 + [("M01600", "E11.900", "", 2024, 40_000)]
    )
    frame["psn_no"] = ["P1", "P1", "P1", "P2"]
    frame["setl_time"] = pd.to_datetime(["2024-03-01", "2024-03-20", "2024-04-02", "2024-03-05"])
    return frame.drop(columns="year")


def test_a_patient_month_sums_the_settlements_of_one_patient_in_one_month_and_group():
    frame = patient_months()
    units = apg_units(frame, apg_group(frame), unit="patient_month").astype({"apg_code": str})
    units = units.sort_values(["apg_code", "cost"]).reset_index(drop=True)
    assert units.to_dict("records") == [
        {"apg_code": "M01600-M", "year": 2024, "cost": 40_000},
        {"apg_code": "M03900-M", "year": 2024, "cost": 10_000},
        {"apg_code": "M03900-M", "year": 2024, "cost": 20_000},
    ]


def test_the_unit_changes_the_points():
    frame = patient_months()
    groups = apg_group(frame)
    by_settlement = apg_points(frame, groups, year_weights={2024: 1}).set_index("apg_code")[
        "points"
    ]
    by_month = apg_points(frame, groups, unit="patient_month", year_weights={2024: 1}).set_index(
        "apg_code"
    )["points"]
    assert by_settlement["M03900-M"] == Decimal("57.1429")  # 100 / 175 x 100
    assert by_month["M03900-M"] == Decimal("64.2857")  # 150 / 233.33 x 100


def test_an_unknown_unit_is_refused():
    frame = e8_history()
    with pytest.raises(ValueError, match="APG计量单位无效：visit"):
        apg_units(frame, apg_group(frame), unit="visit")


def test_ungroupable_settlements_are_left_out_of_the_units():
    frame = settlements([("", "", "", 2024, 500), ("M03900", "I10.x00", "", 2024, 100)])
    assert list(apg_units(frame, apg_group(frame))["cost"]) == [100]


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["", "M03900", "M07800"]),
            st.sampled_from(["", "I10.x00", "N18.500"]),
            st.sampled_from(["", "39.9501", "88.3800", "99.9999"]),
        ),
        min_size=1,
        max_size=40,
    ),
    data=st.data(),
)
def test_every_settlement_gets_one_outcome_and_permuting_rows_permutes_the_result(rows, data):
    frame = settlements([(*row, 2024, 100) for row in rows])
    result = apg_group(frame, PROCEDURE_TYPES)
    assert (
        (result["apg_code"] != "") == ~result["trace"].isin(apg_grouper.UNGROUPABLE_TRACES)
    ).all()
    order = list(data.draw(st.permutations(range(len(rows)))))
    permuted = apg_group(frame.iloc[order], PROCEDURE_TYPES)
    pd.testing.assert_frame_equal(permuted.astype(str), result.iloc[order].astype(str))


def test_a_combined_main_diagnosis_is_the_disease_of_its_dagger_part():
    result = apg_group(
        settlements(
            [("", "N18.500+D63.8*", "39.9501", 2024, 1), ("", "N18.500", "39.9501", 2024, 1)]
        ),
        PROCEDURE_TYPES,
    )
    assert list(result["apg_code"]) == ["N18.500-T", "N18.500-T"]
