"""Year-end point-value forecast from month-to-date points and prior years' monthly pattern."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.engine.fixed import EngineError
from settlement.engine.forecast import ERR_MONTHS, ERR_NO_HISTORY, forecast_point_value

EVEN = [D(100)] * 12  # 1,200 a year, 1/12 a month
FRONT = [D(150)] * 6 + [D(50)] * 6  # 1,200 a year, 3/4 by June


def test_one_even_prior_year_projects_linearly():
    result = forecast_point_value(
        cost_pool=D(1_200_000), months_to_date=[D(110)] * 3, prior_years=[EVEN]
    )
    assert result.shares == (D("0.2500"),)
    assert result.points == result.points_low == result.points_high == D("1320.0000")  # 330 ÷ 0.25
    assert result.point_value == D("909.090909")  # 1,200,000 ÷ 1,320


def test_two_different_patterns_give_a_range_around_the_mean_share():
    # By June: the even year had 1/2, the front-loaded year 3/4; mean 5/8.
    result = forecast_point_value(
        cost_pool=D(1_000_000), months_to_date=[D(100)] * 6, prior_years=[EVEN, FRONT]
    )
    assert result.shares == (D("0.5000"), D("0.7500"))
    assert (result.points_low, result.points, result.points_high) == (
        D("800.0000"),
        D("960.0000"),
        D("1200.0000"),
    )
    assert (result.point_value_low, result.point_value, result.point_value_high) == (
        D("833.333333"),
        D("1041.666667"),
        D("1250.000000"),
    )


@pytest.mark.parametrize("months", [0, 12])
def test_the_months_done_must_leave_something_to_forecast(months):
    with pytest.raises(EngineError, match=ERR_MONTHS):
        forecast_point_value(cost_pool=D(1), months_to_date=[D(1)] * months, prior_years=[EVEN])


def test_history_is_required_and_must_be_twelve_months():
    with pytest.raises(EngineError, match=ERR_NO_HISTORY):
        forecast_point_value(cost_pool=D(1), months_to_date=[D(1)], prior_years=[])
    with pytest.raises(EngineError, match=ERR_NO_HISTORY):
        forecast_point_value(cost_pool=D(1), months_to_date=[D(1)], prior_years=[[D(1)] * 11])


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 11),
    st.lists(st.lists(st.integers(1, 10_000), min_size=12, max_size=12), min_size=1, max_size=4),
    st.lists(st.integers(1, 10_000), min_size=11, max_size=11),
)
def test_the_central_estimate_lies_within_the_range_and_order_of_years_does_not_matter(
    done, years, current
):
    history = [[D(v) for v in year] for year in years]
    months = [D(v) for v in current[:done]]
    result = forecast_point_value(
        cost_pool=D(10_000_000), months_to_date=months, prior_years=history
    )
    assert result.point_value_low <= result.point_value <= result.point_value_high
    reversed_years = forecast_point_value(
        cost_pool=D(10_000_000), months_to_date=months, prior_years=history[::-1]
    )
    assert (
        reversed_years.shares == result.shares[::-1]
    )  # one share per prior year, in the order given
    assert replace(reversed_years, shares=()) == replace(result, shares=())
