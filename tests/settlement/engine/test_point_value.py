"""Point value (E6, acceptance test 4), conversions to points (E9), consortium booking, totals."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
import pytest

from settlement.engine.fixed import EngineError
from settlement.engine.params import Basis
from settlement.engine.point_value import (
    book_to_lead,
    budget_point_value,
    capitation_points,
    ffs_points,
    fund_ratio,
    institution_totals,
    per_diem_points,
    point_value,
)
from settlement.engine.points import case_points
from tests.settlement.engine.cases import case_frame

M = D(1_000_000)


def test_e6_budget_point_value_from_time_weighted_history():
    pv = budget_point_value([D(850) * M, D(900) * M, D(960) * M], D(9_500_000), weights=(1, 2, 7))
    assert pv == D("98.631579") and pv.quantize(D("0.01")) == D("98.63")


def test_e6_settlement_point_value_on_total_cost_basis():
    pv = point_value(D(650) * M, D(10_000_000), fund_total=D(65) * M, medfee_total=D(100) * M)
    assert pv == D("100.000000")


def test_fund_ratio_is_exact():
    assert fund_ratio(D("2"), D("3")) * 3 == 2


def test_acceptance_4_vendor_point_value_on_fund_basis():
    assert point_value(D(1000) * M - 0, D(10_000_000), basis=Basis.FUND) == D("100.000000")


def test_point_value_is_rounded_half_up_to_six_decimals():
    assert point_value(D(250) * M, D(2_600_000), basis=Basis.FUND) == D("96.153846")
    assert point_value(D("0.0000005"), D(1), basis=Basis.FUND) == D("0.000001")


def test_pool_zero_gives_point_value_zero():
    assert point_value(D(0), D(1000), basis=Basis.FUND) == 0


@pytest.mark.parametrize(
    "kwargs", [{"basis": Basis.FUND}, {"fund_total": D(1), "medfee_total": D(2)}]
)
def test_zero_points_are_refused(kwargs):
    with pytest.raises(EngineError, match="有效点数合计为零"):
        point_value(D(100), D(0), **kwargs)


def test_total_cost_basis_without_fund_is_refused():
    with pytest.raises(EngineError, match="统筹基金支付或医疗总费用合计为零"):
        point_value(D(100), D(10), fund_total=D(0), medfee_total=D(100))


def test_e9_other_payment_methods_converted_to_points():
    assert per_diem_points(D(300), 40, base=D(10000), scale=100) == D("120.0000")
    assert capitation_points(D(600), 10_000, base=D(10000), scale=100) == D("60000.0000")
    assert ffs_points(D(25000), base=D(10000), scale=100) == D("250.0000")


def test_per_diem_rounds_the_daily_points_before_multiplying_by_days():
    assert per_diem_points(D(1), 3, base=D(3), scale=100) == D("99.9999")  # 3 × 33.3333


def test_consortium_members_are_booked_to_the_lead():
    booked = book_to_lead(pd.Series(["A", "B", "C"]), {"B": "A", "C": "A"})
    assert list(booked) == ["A", "A", "A"]


def test_a_lead_that_is_itself_a_member_is_refused():
    with pytest.raises(EngineError, match="医共体牵头机构 B"):
        book_to_lead(pd.Series(["A"]), {"C": "B", "B": "A"})


def test_institution_totals_sum_points_and_money_per_booked_institution():
    cases = case_frame(
        {
            "institution": "H2",
            "score": 1000,
            "medfee": D("10000"),
            "mean": D("10000"),
            "fund": D("7000"),
            "psn_part": D("3000"),
        },
        {
            "institution": "M1",
            "score": 500,
            "medfee": D("4000"),
            "mean": D("10000"),
            "fund": D("3000.50"),
            "psn_part": D("999.50"),
        },
        {
            "institution": "H1",
            "score": 1000,
            "medfee": D("10000"),
            "mean": D("10000"),
            "fund": D("7000"),
            "psn_part": D("3000"),
        },
    )
    totals = institution_totals(cases, case_points(cases), {"M1": "H2"})
    assert list(totals["institution"]) == ["H1", "H2"]
    assert list(totals["points"]) == [D("1000.0000"), D("1200.0000")]  # 1000 + 0.4 × 500
    assert list(totals["fund"]) == [D("7000.00"), D("10000.50")]
    assert list(totals["psn_part"]) == [D("3000.00"), D("3999.50")]
    assert list(totals["cases"]) == [1, 2]
