"""Pure budget computations: the spec's worked example E1, edge cases, and exact allocations."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budgets.choices import LineKind, LineMethod, PhasingMethod
from budgets.domain import (
    BudgetError,
    BudgetInput,
    DerivedLine,
    LineInput,
    YearEndLine,
    allocate_largest_remainder,
    derive_budget,
    forecast_amount,
    line_differences,
    phase_months,
    quarters,
    reserve_statement,
    waterfall,
)
from budgets.templatetags.budget_format import percent

M = D(1_000_000)

E1_CARVE_OUTS = (
    LineInput("GP", "普通门诊统筹", amount=120 * M),
    LineInput("CHRONIC", "门诊慢性病", amount=80 * M),
    LineInput("OFFSITE", "异地联网结算和零星报销", amount=100 * M),
    LineInput("OTHER", "其他付费方式", amount=50 * M),
)
E1 = BudgetInput(
    income=LineInput("INCOME", "统筹基金收入", amount=1000 * M),
    carve_outs=E1_CARVE_OUTS,
    categories=(LineInput("DIP", "住院DIP", method=LineMethod.REMAINDER),),
)


def test_e1_derives_the_550m_dip_budget():
    derivation = derive_budget(E1)
    assert derivation.income == D("1000000000.00")
    assert derivation.reserve == D("100000000.00")
    assert derivation.pool == D("550000000.00")
    assert [line.amount for line in derivation.of_kind(LineKind.CATEGORY)] == [D("550000000.00")]


@pytest.mark.parametrize(
    "actuals, cover, remaining, to_settlement, adjustment_fund, settlement_total",
    [
        # E1: items 1–4 cost 370M against 350M -> cover 20M, remaining 80M -> 56M / 24M, total 606M.
        ((140, 80, 100, 50), 20, 80, 56, 24, 606),
        # no overspend: the whole reserve is split.
        ((120, 80, 100, 50), 0, 100, 70, 30, 620),
        # an underspent line does not finance an overspent one.
        ((140, 60, 100, 50), 20, 80, 56, 24, 606),
        # overspend beyond the reserve: everything covers, nothing to split.
        ((250, 80, 100, 50), 100, 0, 0, 0, 550),
    ],
)
def test_year_end_reserve_statement(
    actuals, cover, remaining, to_settlement, adjustment_fund, settlement_total
):
    lines = [
        YearEndLine(c.code, c.name, c.amount, actual * M)
        for c, actual in zip(E1_CARVE_OUTS, actuals)
    ]
    statement = reserve_statement(reserve=100 * M, pool=550 * M, lines=lines)
    assert (statement.cover, statement.remaining) == (cover * M, remaining * M)
    assert (statement.to_settlement, statement.adjustment_fund) == (
        to_settlement * M,
        adjustment_fund * M,
    )
    assert statement.settlement_total == settlement_total * M


def test_reserve_beyond_its_means_reports_the_shortfall():
    lines = [YearEndLine("GP", "普通门诊统筹", 120 * M, 250 * M)]
    assert reserve_statement(reserve=100 * M, pool=550 * M, lines=lines).shortfall == 30 * M


def test_the_split_share_is_configurable_and_exact_to_the_fen():
    statement = reserve_statement(
        reserve=D("100.01"), pool=D("0"), lines=[], settlement_share=D("0.6")
    )
    assert statement.to_settlement == D("60.01")  # 60.006 half-up
    assert statement.to_settlement + statement.adjustment_fund == D("100.01")


@pytest.mark.parametrize(
    "line, expected",
    [
        (LineInput("I", "收入", amount=D("10.005")), D("10.01")),
        (LineInput("I", "收入", method=LineMethod.GROWTH, base=900 * M, rate=D("0.05")), 945 * M),
        (
            LineInput("I", "收入", method=LineMethod.GROWTH, base=D("100"), rate=D("-0.1")),
            D("90.00"),
        ),
        (
            LineInput(
                "GP",
                "普通门诊",
                method=LineMethod.PER_CAPITA,
                per_capita=D("120.50"),
                count=1_000_000,
            ),
            D("120500000.00"),
        ),
    ],
)
def test_forecast_amounts(line, expected):
    assert forecast_amount(line) == expected


def test_a_carve_out_that_overdraws_is_named():
    inp = BudgetInput(
        income=E1.income,
        carve_outs=(*E1_CARVE_OUTS, LineInput("CI", "大病保险", amount=600 * M)),
        categories=E1.categories,
    )
    with pytest.raises(BudgetError) as error:
        derive_budget(inp)
    assert error.value.line_code == "CI"
    assert "大病保险" in error.value.message and "50,000,000.00" in error.value.message


@pytest.mark.parametrize(
    "categories, expected",
    [
        (
            (
                LineInput("DIP", "住院", method=LineMethod.SHARE, rate=D("0.8")),
                LineInput("APG", "门诊慢特病", method=LineMethod.SHARE, rate=D("0.2")),
            ),
            [440 * M, 110 * M],
        ),
        (
            (
                LineInput("APG", "门诊慢特病", amount=50 * M),
                LineInput("DIP", "住院", method=LineMethod.REMAINDER),
            ),
            [50 * M, 500 * M],
        ),
        (
            (
                LineInput("A", "甲", method=LineMethod.SHARE, rate=D("1") / 3),
                LineInput("B", "乙", method=LineMethod.REMAINDER),
            ),
            [D("183333333.33"), D("366666666.67")],
        ),
    ],
)
def test_the_pool_splits_into_categories(categories, expected):
    derivation = derive_budget(
        BudgetInput(income=E1.income, carve_outs=E1_CARVE_OUTS, categories=categories)
    )
    assert [line.amount for line in derivation.of_kind(LineKind.CATEGORY)] == expected


@pytest.mark.parametrize(
    "categories, code, text",
    [
        (
            (
                LineInput("APG", "门诊慢特病", amount=600 * M),
                LineInput("DIP", "住院", method=LineMethod.REMAINDER),
            ),
            "APG",
            "透支 50,000,000.00",
        ),
        ((LineInput("DIP", "住院", amount=500 * M),), "", "差额 50,000,000.00"),
        (
            (
                LineInput("A", "甲", method=LineMethod.REMAINDER),
                LineInput("B", "乙", method=LineMethod.REMAINDER),
            ),
            "B",
            "只能有一个",
        ),
        ((), "", "至少需要一个细分类别"),
        ((LineInput("GP", "重复", method=LineMethod.REMAINDER),), "GP", "重复"),
        ((LineInput("DIP", "住院", method=LineMethod.SHARE),), "DIP", "缺少"),
    ],
)
def test_bad_categories_are_refused_with_the_line_named(categories, code, text):
    with pytest.raises(BudgetError) as error:
        derive_budget(
            BudgetInput(income=E1.income, carve_outs=E1_CARVE_OUTS, categories=categories)
        )
    assert error.value.line_code == code and text in error.value.message


def test_negative_inputs_are_refused():
    with pytest.raises(BudgetError, match="不能为负数"):
        forecast_amount(LineInput("X", "某项", amount=D("-1")))


def test_the_waterfall_ends_where_the_pool_is():
    steps = waterfall(derive_budget(E1))
    assert [step.name for step in steps][:2] == ["统筹基金收入", "风险备用金"]
    assert steps[1].base == 900 * M
    assert steps[5].base == 550 * M  # after the last carve-out
    assert steps[6].kind == LineKind.POOL and steps[6].amount == 550 * M
    assert steps[7].base == 0


@pytest.mark.parametrize(
    "total, weights, expected",
    [
        (D("100.00"), [1, 1, 1], [D("33.34"), D("33.33"), D("33.33")]),
        (D("0.02"), [1, 1, 1], [D("0.01"), D("0.01"), D("0.00")]),
        (D("10.00"), [D("0.7"), D("0.3")], [D("7.00"), D("3.00")]),
        (D("-1.00"), [1, 2], [D("-0.33"), D("-0.67")]),
        (D("5.00"), [0, 1], [D("0.00"), D("5.00")]),
    ],
)
def test_allocate_largest_remainder_examples(total, weights, expected):
    assert allocate_largest_remainder(total, weights) == expected


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_allocate_refuses_bad_weights(weights):
    with pytest.raises(BudgetError):
        allocate_largest_remainder(D("1.00"), weights)


@given(
    cents=st.integers(min_value=-(10**14), max_value=10**14),
    weights=st.lists(
        st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False),
        min_size=1,
        max_size=24,
    ).filter(lambda w: sum(w) > 0),
)
def test_allocated_parts_always_sum_to_the_total(cents, weights):
    total = D(cents) / 100
    parts = allocate_largest_remainder(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    assert all(part == part.quantize(D("0.01")) for part in parts)
    exact = [total * w / sum(weights) for w in weights]
    assert all(abs(part - quota) < D("0.01") for part, quota in zip(parts, exact))


@given(
    cents=st.integers(min_value=0, max_value=10**13),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=12, max_size=12).filter(
        any
    ),
)
def test_phasing_by_pattern_sums_exactly_to_the_pool(cents, weights):
    total = D(cents) / 100
    months = phase_months(total, PhasingMethod.PATTERN, weights=weights)
    assert sum(months) == total and sum(quarters(months)) == total


def test_equal_phasing_of_e1_and_quarters():
    months = phase_months(550 * M, PhasingMethod.EQUAL)
    assert months[0] == D("45833333.34") and months[-1] == D("45833333.33")
    assert sum(months) == 550 * M
    assert quarters(months)[0] == D("137500000.02") and sum(quarters(months)) == 550 * M


def test_entered_phasing_must_sum_to_the_pool():
    assert (
        phase_months(D("12.00"), PhasingMethod.ENTERED, entered=[D("1")] * 12) == [D("1.00")] * 12
    )
    with pytest.raises(BudgetError, match="差额 1.00"):
        phase_months(D("13.00"), PhasingMethod.ENTERED, entered=[D("1")] * 12, name="住院DIP")
    with pytest.raises(BudgetError, match="12 个月"):
        phase_months(D("13.00"), PhasingMethod.PATTERN, weights=[1] * 11)


def test_line_differences_match_lines_by_kind_and_code():
    before = [
        DerivedLine(LineKind.POOL, "POOL", "点数法", 550 * M),
        DerivedLine(LineKind.CARVE_OUT, "GP", "普通门诊", 120 * M),
    ]
    after = [
        DerivedLine(LineKind.CARVE_OUT, "GP", "普通门诊", 130 * M),
        DerivedLine(LineKind.POOL, "POOL", "点数法", 540 * M),
        DerivedLine(LineKind.CATEGORY, "APG", "门诊", 40 * M),
    ]
    diffs = line_differences(before, after)
    assert [(d.code, d.delta) for d in diffs] == [
        ("GP", 10 * M),
        ("POOL", -10 * M),
        ("APG", 40 * M),
    ]
    assert diffs[2].before is None


@pytest.mark.parametrize(
    "value, expected", [(D("0.1000"), "10%"), (D("0.0525"), "5.25%"), (D("0"), "0%"), (None, "")]
)
def test_rates_display_as_percentages(value, expected):
    assert percent(value) == expected
