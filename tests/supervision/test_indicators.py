"""audit/indicators.py: supervision indicators per institution × month, exact from integer sums."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
import pytest

from supervision.indicators import indicators_by_month, readmissions, regional_benchmarks

COLUMNS = [
    "institution",
    "year",
    "month",
    "med_type",
    "psn_no",
    "adm_time",
    "dscg_time",
    "act_ipt_days",
    "dscg_way",
    "days_rinp_flag_31",
    "medfee",
    "psn_part",
    "fulamt_ownpay",
    "fee_exam",
    "fee_drug",
    "fee_material",
]


def stay(
    institution,
    psn,
    adm,
    dscg,
    days,
    way="1",
    medfee=100_000,
    psn_part=0,
    planned="1",
    year=2024,
    month=3,
    **fees,
):
    return [
        institution,
        year,
        month,
        "21",
        psn,
        pd.Timestamp(adm),
        pd.Timestamp(dscg),
        days,
        way,
        planned,
        medfee,
        psn_part,
        fees.get("self_pay", 0),
        fees.get("exam", 0),
        fees.get("drug", 0),
        fees.get("material", 0),
    ]


def visit(institution, psn, medfee, psn_part=0, year=2024, month=3):
    return [
        institution,
        year,
        month,
        "14",
        psn,
        pd.NaT,
        pd.NaT,
        None,
        "",
        "",
        medfee,
        psn_part,
        0,
        0,
        0,
        0,
    ]


def frame(rows):
    return pd.DataFrame(rows, columns=COLUMNS)


MARCH = [
    stay(
        "A",
        "P1",
        "2024-03-01 08:00",
        "2024-03-05 10:00",
        4,
        medfee=1_000_000,
        psn_part=300_000,
        self_pay=50_000,
        exam=200_000,
        drug=300_000,
        material=100_000,
    ),
    stay(
        "A",
        "P1",
        "2024-03-15 08:00",
        "2024-03-20 10:00",
        5,
        way="2",
        medfee=500_000,
        psn_part=100_000,
        exam=50_000,
        drug=100_000,
    ),
    stay(
        "A",
        "P2",
        "2024-03-02 08:00",
        "2024-03-03 10:00",
        1,
        way="5",
        medfee=250_000,
        psn_part=50_000,
        drug=50_000,
    ),
    visit("A", "P3", 50_000, psn_part=10_000),
    stay("A", "P4", "2024-03-01 08:00", "2024-03-02 10:00", 1, medfee=200_000, psn_part=40_000),
    stay(
        "A",
        "P4",
        "2024-03-10 08:00",
        "2024-03-12 10:00",
        2,
        medfee=200_000,
        psn_part=40_000,
        planned="2",
    ),
    stay(
        "B", "P2", "2024-03-05 08:00", "2024-03-06 10:00", 1, medfee=100_000
    ),  # another institution: no readmission for A
    stay("A", "P9", "2023-03-01 08:00", "2023-03-04 10:00", 3, medfee=1_100_000, year=2023),
]


def a_march():
    result = indicators_by_month(frame(MARCH))
    return result[(result["institution"] == "A") & (result["year"] == 2024)].iloc[0]


def test_counts_money_and_stay_indicators_of_one_month():
    row = a_march()
    assert (row.cases, row.stays, row.deaths) == (6, 5, 1)
    assert row.cost_per_case == D("3666.67") and row.cost_per_stay == D(
        "4300.00"
    )  # 22,000.00 / 6 and 21,500.00 / 5
    assert row.avg_stay == D("2.60")
    assert row.transfer_out_rate == D("0.2000")


def test_an_unplanned_return_within_15_days_is_a_readmission_a_planned_one_or_another_institution_is_not():
    assert a_march().readmission_rate == D("0.2000")  # P1 only; P4 returned planned; P2 went to B
    followed = readmissions(frame(MARCH))
    assert followed.tolist() == [True, False, False, False, False, False, False, False]


def test_the_window_is_configurable_and_counts_against_the_earlier_discharge_month():
    rows = [
        stay("A", "P5", "2024-03-28 08:00", "2024-03-30 10:00", 2),
        stay("A", "P5", "2024-04-12 08:00", "2024-04-14 10:00", 2, month=4),
    ]
    by_month = indicators_by_month(frame(rows)).set_index("month")["readmission_rate"]
    assert by_month[3] == D("1.0000") and by_month[4] == D("0.0000")
    assert indicators_by_month(frame(rows), readmission_days=10).set_index("month")[
        "readmission_rate"
    ][3] == D("0.0000")


def test_shares_are_of_total_cost_rounded_half_up_to_four_places():
    row = a_march()
    assert (row.personal_share, row.self_pay_share) == (
        D("0.2455"),
        D("0.0227"),
    )  # 540,000 and 50,000 of 2,200,000 fen
    assert (row.exam_share, row.drug_share, row.material_share) == (
        D("0.1136"),
        D("0.2045"),
        D("0.0455"),
    )


def test_growth_is_against_the_same_month_a_year_earlier_and_empty_without_it():
    result = indicators_by_month(frame(MARCH))
    assert (a_march().cases_growth, a_march().cost_growth) == (
        D("5.0000"),
        D("1.0000"),
    )  # 1 → 6 cases; 11,000 → 22,000
    b = result[result["institution"] == "B"].iloc[0]
    assert b.cases_growth is None and b.cost_growth is None


def test_a_month_without_stays_has_no_stay_indicators():
    row = indicators_by_month(frame([visit("C", "P1", 10_000)])).iloc[0]
    assert (
        row.stays == 0
        and row.avg_stay is None
        and row.readmission_rate is None
        and row.cost_per_case == D("100.00")
    )


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [3, 1, 0, 2]])
def test_the_regional_median_and_p90_are_percentile_inc_whatever_the_order(order):
    values = [D("0.1000"), D("0.2000"), D("0.3000"), D("0.4000")]
    indicators = pd.DataFrame(
        {
            "institution": list("ABCD"),
            "year": 2024,
            "month": 3,
            "readmission_rate": [values[i] for i in order],
        }
    )
    for code in [
        "cases",
        "stays",
        "cost_per_case",
        "cost_per_stay",
        "avg_stay",
        "transfer_out_rate",
        "deaths",
        "personal_share",
        "self_pay_share",
        "exam_share",
        "drug_share",
        "material_share",
        "cases_growth",
        "cost_growth",
    ]:
        indicators[code] = None
    bench = regional_benchmarks(indicators).set_index("indicator")
    assert list(bench.index) == ["readmission_rate"]
    assert bench.loc["readmission_rate", "median"] == D("0.2500") and bench.loc[
        "readmission_rate", "p90"
    ] == D("0.3700")
