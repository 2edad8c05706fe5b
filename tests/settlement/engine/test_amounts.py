"""Institution amounts, monthly advance (E10), quarterly pre-settlement (E11), annual settlement."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.engine.amounts import (
    annual_settlement,
    monthly_advance,
    quarterly_presettlement,
    settlement_amounts,
)
from settlement.engine.fixed import EngineError, allocate_largest_remainder, to_fen
from settlement.engine.params import DEFAULT_PARAMS, AdvanceVariant, Basis

M = D(1_000_000)


def institutions(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["institution", "points", "fund", "psn_part", "medfee"][: len(rows[0])]
    )


def test_settlement_amount_is_points_times_point_value_and_fund_subtracts_the_burden():
    frame = settlement_amounts(institutions(("H1", D(120_000), D(0), D(3_800_000))), D(100))
    assert (frame["settlement"][0], frame["fund_due"][0]) == (D("12000000.00"), D("8200000.00"))


def test_institution_amounts_sum_exactly_to_the_rounded_total():
    frame = settlement_amounts(
        institutions(*((f"H{i}", D("0.0001"), D(0), D(0)) for i in range(3))), D("33.333333")
    )
    assert list(frame["settlement"]) == [
        D("0.01"),
        D("0.00"),
        D("0.00"),
    ]  # total 0.01: one fen, to the first on a tie


def test_an_explicit_total_is_allocated_by_points():
    frame = settlement_amounts(
        institutions(("B", D(1), D(0), D(0)), ("A", D(2), D(0), D(0))), D(1), total=D("100.00")
    )
    assert list(frame["institution"]) == ["A", "B"] and list(frame["settlement"]) == [
        D("66.67"),
        D("33.33"),
    ]


def test_zero_points_allocate_zero_but_refuse_a_positive_total():
    frame = institutions(("A", D(0), D(0), D(10)))
    assert list(settlement_amounts(frame, D(100))["fund_due"]) == [D("-10.00")]
    with pytest.raises(EngineError):
        settlement_amounts(frame, D(100), total=D("5.00"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 10**12), min_size=1, max_size=40).filter(any),
    st.integers(1, 10**9).map(lambda u: D(u).scaleb(-6)),
    st.randoms(use_true_random=False),
)
def test_amounts_sum_exactly_and_do_not_depend_on_row_order(points_e4, pv, rnd):
    frame = institutions(
        *((f"H{i:03d}", D(p).scaleb(-4), D(0), D(0)) for i, p in enumerate(points_e4))
    )
    result = settlement_amounts(frame, pv)
    total = to_fen(
        sum(frame["points"]) * pv
    )  # half-up, the one rounding rule (not Decimal's default half-even)
    assert sum(result["settlement"]) == total
    assert all(
        abs(s - p * pv) < D("0.015") for s, p in zip(result["settlement"], result["points"])
    )  # rounding of total + part
    shuffled = frame.sample(frac=1, random_state=rnd.randint(0, 2**31))
    pd.testing.assert_frame_equal(settlement_amounts(shuffled, pv), result)


def test_e10_monthly_advance_variant_a_share_of_the_city_budget():
    month = pd.DataFrame({"institution": ["H1", "OTHERS"], "fund": [D(6) * M, D(49) * M]})
    params = replace(DEFAULT_PARAMS, advance_variant=AdvanceVariant.BUDGET_SHARE)
    result = monthly_advance(month, params, city_budget=D(50) * M).set_index("institution")
    assert result.loc["H1", "advance"] == D("5454545.45")
    assert result.loc["H1", "paid"] == D("5181818.18")
    assert sum(result["advance"]) == D(50) * M


def test_monthly_advance_variant_a_pays_the_booked_amount_within_budget():
    month = pd.DataFrame({"institution": ["H1"], "fund": [D(6) * M]})
    params = replace(DEFAULT_PARAMS, advance_variant=AdvanceVariant.BUDGET_SHARE)
    assert monthly_advance(month, params, city_budget=D(50) * M)["advance"][0] == D(6) * M


def test_monthly_advance_default_variant_b_withholds_five_percent_deposit():
    result = monthly_advance(pd.DataFrame({"institution": ["H1"], "fund": [D("8500000.00")]}))
    assert (result["deposit"][0], result["paid"][0]) == (D("425000.00"), D("8075000.00"))


def test_monthly_advance_variant_c_points_times_budget_point_value_minus_burden():
    month = institutions(("H1", D(1000), D(0), D("20000.00")))
    result = monthly_advance(
        month, replace(DEFAULT_PARAMS, advance_variant=AdvanceVariant.POINTS), pv_budget=D("98.63")
    )
    assert (result["advance"][0], result["paid"][0]) == (D("78630.00"), D("74698.50"))


def test_e11_quarterly_pre_settlement_tops_up_the_advances():
    quarter = institutions(
        ("H1", D(30_000), D(0), D(950_000)), ("OTHERS", D(2_570_000), D(0), D(0))
    )
    quarter["advances_paid"] = [D(1_900_000), D(0)]
    params = replace(DEFAULT_PARAMS, basis=Basis.FUND, quarterly_deposit_rate=D(0))
    result = quarterly_presettlement(quarter, pool=D(250) * M, params=params)
    h1 = result.institutions.set_index("institution").loc["H1"]
    assert result.point_value == D("96.153846")
    assert (h1["settlement"], h1["fund_due"], h1["payment"]) == (
        D("2884615.38"),
        D("1934615.38"),
        D("34615.38"),
    )


def test_quarterly_pre_settlement_with_the_default_deposit_recovers_the_overpayment():
    quarter = institutions(
        ("H1", D(30_000), D(0), D(950_000)), ("OTHERS", D(2_570_000), D(0), D(0))
    )
    quarter["advances_paid"] = [D(1_900_000), D(0)]
    result = quarterly_presettlement(
        quarter, pool=D(250) * M, params=replace(DEFAULT_PARAMS, basis=Basis.FUND)
    )
    h1 = result.institutions.set_index("institution").loc["H1"]
    assert (h1["deposit"], h1["payment"]) == (D("96730.77"), D("-62115.39"))


def test_annual_settlement_adds_the_reserve_share_to_the_pool_on_total_cost_basis():
    year = institutions(
        ("H1", D(6_000_000), D(390) * M, D(0), D(600) * M),
        ("H2", D(4_000_000), D(260) * M, D(0), D(400) * M),
    )
    result = annual_settlement(year, pool=D(600) * M, reserve_share=D(50) * M)
    assert result.point_value == D("100.000000")  # (650M ÷ 0.65) ÷ 10M
    assert list(result.institutions["settlement"]) == [D(600) * M, D(400) * M]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(-(10**12), 10**12),
    st.lists(st.integers(0, 10**9).map(lambda u: D(u).scaleb(-4)), min_size=1, max_size=30).filter(
        any
    ),
)
def test_the_allocation_equals_hamiltons_method_computed_the_plain_way(total_fen, weights):
    total = D(total_fen).scaleb(-2)
    assert allocate_largest_remainder(total, weights) == hamilton(total, weights)


def hamilton(total: D, weights) -> list[D]:
    """Reference: exact quotas as Fractions, floors, leftover fen to the largest remainders (ties: earlier)."""
    from fractions import Fraction

    units = int(total * 100)
    sign, units = (-1 if units < 0 else 1), abs(units)
    quotas = [units * Fraction(w) / sum(Fraction(x) for x in weights) for w in weights]
    parts = [q.numerator // q.denominator for q in quotas]
    for i in sorted(range(len(parts)), key=lambda i: (-(quotas[i] - parts[i]), i))[
        : units - sum(parts)
    ]:
        parts[i] += 1
    return [sign * D(p) / 100 for p in parts]


def test_allocation_of_thousands_of_parts_is_fast_and_exact():
    weights = [D(i % 997 + 1).scaleb(-4) for i in range(20_000)]
    parts = allocate_largest_remainder(D("123456789.01"), weights)
    assert sum(parts) == D("123456789.01")


@pytest.mark.parametrize(
    ("total", "weights"), [(D("1.001"), [D(1)]), (D(1), [D(0)]), (D(1), [D(-1), D(2)]), (D(1), [])]
)
def test_allocation_refuses_bad_input(total, weights):
    with pytest.raises(EngineError):
        allocate_largest_remainder(total, weights)
