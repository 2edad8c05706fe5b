"""Case points: the spec's worked examples E4, E5, E7, E13, acceptance test 1, and exactness properties."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.engine.fixed import EngineError, from_units, quantize, to_units
from settlement.engine.params import DEFAULT_PARAMS, DeviationRule, Kind, SettlementParams
from settlement.engine.points import case_points
from tests.settlement.engine.cases import case_frame


def points_of(
    *rows: dict, params: SettlementParams = DEFAULT_PARAMS, base_mean: Fraction | D | None = None
) -> pd.DataFrame:
    result = case_points(case_frame(*rows), params, base_mean=base_mean)
    return result.assign(
        points=from_units(result["points_e4"], 4), ratio=from_units(result["ratio_e4"], 4)
    )


@pytest.mark.parametrize(
    ("cost", "ratio", "deviation", "points", "review"),
    [
        (D("25000"), D("2.5"), "high", D("1500"), False),
        (D("4000"), D("0.4"), "low", D("400"), False),
        (D("8000"), D("0.8"), "normal", D("1000"), False),
        (D("60000"), D("6"), "extreme", D("5000"), True),
    ],
)
def test_e4_dip_deviation_cases(cost, ratio, deviation, points, review):
    row = points_of({"score": 1000, "medfee": cost, "mean": D("10000")}).iloc[0]
    assert (row["ratio"], row["deviation"], row["points"], row["needs_review"]) == (
        ratio,
        deviation,
        points,
        review,
    )


def test_deviation_thresholds_are_inclusive():
    result = points_of(
        *(
            {"score": 1000, "medfee": cost, "mean": D("10000")}
            for cost in (D("5000"), D("20000"), D("50000"))
        )
    )
    assert list(result["deviation"]) == ["low", "high", "extreme"]
    assert list(result["points"]) == [D("500"), D("1000"), D("4000")]


@pytest.mark.parametrize(
    ("cost", "level", "deviation"),
    [
        (D("30001"), 3, "high"),
        (D("25000"), 3, "normal"),
        (D("20001"), 2, "high"),
        (D("29999"), 3, "normal"),
    ],
)
def test_acceptance_1_drg_high_cost_threshold_depends_on_level(cost, level, deviation):
    row = points_of(
        {"kind": "DRG", "score": 100, "medfee": cost, "mean": D("10000"), "level": level}
    ).iloc[0]
    assert row["deviation"] == deviation


def test_drg_high_points_start_from_the_level_threshold():
    row = points_of(
        {"kind": "DRG", "score": 300, "medfee": D("120000"), "mean": D("30000"), "level": 3}
    ).iloc[0]
    assert (row["ratio"], row["points"]) == (D("4"), D("600"))  # (4 − 3 + 1) × 300


def test_e5_coefficient_applies_except_to_grassroots_groups():
    # The coefficient itself (1.20 + 0.05 = 1.25) is catalogs.coefficients' computation.
    base = {"score": 1000, "medfee": D("10000"), "mean": D("10000"), "inst_coef": D("1.25")}
    result = points_of(base, {**base, "grassroots": True})
    assert list(result["points"]) == [D("1250"), D("1000")]


def test_e7_drg_points_with_cost_coefficient_and_incomplete_stay():
    complete = {
        "kind": "DRG",
        "score": 300,
        "medfee": D("33000"),
        "mean": D("30000"),
        "inst_coef": D("1.10"),
    }
    incomplete = {"kind": "DRG", "score": 300, "medfee": D("12000"), "mean": D("30000")}
    result = points_of(complete, incomplete)
    assert list(result["points"]) == [D("330"), D("120")]
    assert result["points"][0] * 100 == D("33000")  # at PV 100


def test_same_level_mean_is_preferred_and_group_mean_is_the_fallback():
    result = points_of(
        {"score": 1000, "medfee": D("25000"), "mean_level": D("12500"), "mean": D("10000")},
        {"score": 1000, "medfee": D("25000"), "mean_level": D("0"), "mean": D("10000")},
    )
    assert list(result["ratio"]) == [D("2"), D("2.5")]


def test_auxiliary_coefficient_multiplies_the_score():
    row = points_of(
        {"score": D("1234.5678"), "aux_coef": D("1.1"), "medfee": D("100"), "mean": D("100")}
    ).iloc[0]
    assert row["points"] == D("1358.0246")  # 1358.02458 half-up


def test_e13_special_case_paid_fee_for_service_as_points():
    case = {"score": 1000, "medfee": D("150000"), "mean": D("10000")}
    result = points_of(
        case,
        {**case, "special_outcome": "ffs"},
        {**case, "special_outcome": "points", "special_points": D("12000")},
        base_mean=D("10000"),
    )
    assert list(result["points"]) == [D("14000"), D("15000"), D("12000")]
    assert list(result["needs_review"]) == [True, False, False]
    assert list(result["special"]) == [False, True, True]


@pytest.mark.parametrize(
    ("base_mean", "points"),
    [
        # M = 13,885.4964 exactly (to the fen 13,885.50): 48,000,000 ÷ 13,885.4964 = 3,456.84436… → 3,456.8444
        # (the rounded M would give 48,000,000 ÷ 13,885.50 = 3,456.84347… → 3,456.8435).
        (Fraction("13885.4964"), D("3456.8444")),
        # M = (10,000.00 + 10,000.00 + 10,000.01) ÷ 3 = 3,000,001/300 = 10,000.00333… (to the fen 10,000.00):
        # 48,000 × 1000 × 300 ÷ 3,000,001 = 4,799.99840000053… → 4,799.9984 (the rounded M: 4,800.0000).
        (Fraction(3_000_001, 300), D("4799.9984")),
    ],
)
def test_fee_for_service_points_divide_by_the_exact_all_case_mean(base_mean, points):
    row = points_of(
        {"score": 1000, "medfee": D("48000.00"), "mean": D("10000"), "special_outcome": "ffs"},
        base_mean=base_mean,
    )
    assert row.iloc[0]["points"] == points


def test_ffs_special_case_without_base_is_refused():
    with pytest.raises(EngineError, match="缺少全部病例次均费用"):
        points_of(
            {"score": 1000, "medfee": D("150000"), "mean": D("10000"), "special_outcome": "ffs"}
        )


# r = 50,000.05 ÷ 100,000.00 = 0.5000005 and r = 39,999.00 ÷ 20,000.00 = 1.99995: both round (half-up, 4 places) onto
# a threshold (0.5000 ≤ 0.5 low; 2.0000 ≥ 2 high) while the exact ratios lie strictly between the thresholds (normal).
BOUNDARY = [
    {"score": 1000, "medfee": D("50000.05"), "mean": D("100000")},
    {"score": 1000, "medfee": D("39999"), "mean": D("20000")},
]


@pytest.mark.parametrize(
    ("places", "deviations", "points"),
    [
        (None, ["normal", "normal"], [D("1000"), D("1000")]),
        # rounded: low pays 0.5000 × 1000 = 500.0000; high pays (2.0000 − 2 + 1) × 1000 = 1000.0000
        (4, ["low", "high"], [D("500"), D("1000")]),
    ],
)
def test_the_deviation_ratio_is_banded_exactly_unless_the_parameters_round_it(
    places, deviations, points
):
    result = points_of(*BOUNDARY, params=SettlementParams(ratio_places=places))
    assert list(result["deviation"]) == deviations and list(result["points"]) == points
    assert list(result["ratio"]) == [D("0.5000"), D("2.0000")]  # shown to 4 places either way


@pytest.mark.parametrize(
    ("places", "points"),
    [
        # exact: 1000 × 3,000 ÷ 7,000 = 428.571428… → 428.5714; 1000 × (15,000 ÷ 7,000 − 2 + 1) = 1,142.857142… → 1,142.8571
        (None, [D("428.5714"), D("1142.8571")]),
        # rounded first: r = 0.4286 → 428.6000; r = 2.1429 → (2.1429 − 2 + 1) × 1000 = 1,142.9000
        (4, [D("428.6000"), D("1142.9000")]),
    ],
)
def test_low_and_high_points_use_the_exact_ratio_unless_the_parameters_round_it(places, points):
    result = points_of(
        {"score": 1000, "medfee": D("3000"), "mean": D("7000")},
        {"score": 1000, "medfee": D("15000"), "mean": D("7000")},
        params=SettlementParams(ratio_places=places),
    )
    assert list(result["deviation"]) == ["low", "high"] and list(result["points"]) == points


def test_missing_group_mean_is_refused():
    with pytest.raises(EngineError, match="1 个病例缺少病组次均费用"):
        points_of({"score": 1000, "medfee": D("1000"), "mean": D("0")})


def test_unknown_kind_is_refused():
    with pytest.raises(EngineError, match="未知的付费方式：XYZ"):
        points_of({"kind": "XYZ", "score": 1000, "medfee": D("1000"), "mean": D("1000")})


def test_to_units_refuses_floats_and_extra_decimals():
    with pytest.raises(EngineError):
        to_units([1.5], 2)
    with pytest.raises(EngineError):
        to_units([D("1.005")], 2)


def test_zero_cost_and_zero_score_give_zero_points():
    result = points_of(
        {"score": 1000, "medfee": D("0"), "mean": D("10000")},
        {"score": 0, "medfee": D("9000"), "mean": D("10000")},
    )
    assert list(result["points"]) == [D("0"), D("0")]


def test_points_beyond_int64_are_refused():
    with pytest.raises(EngineError, match="点数超出可计算范围"):
        points_of(
            {
                "score": D("100000000"),
                "aux_coef": 3,
                "inst_coef": 3,
                "medfee": D("10000000"),
                "mean": D("0.01"),
            }
        )


def test_empty_frame_gives_an_empty_result():
    empty = case_frame({"score": 1, "medfee": D(1), "mean": D(1)}).iloc[:0]
    assert case_points(empty).empty


# --------------------------------------------------------------------------- exactness


def reference_points(
    score: D,
    aux: D,
    coef: D,
    cost: D,
    mean: D,
    rule: DeviationRule,
    level: int,
    places: int | None = None,
) -> tuple[D, str]:
    """The straightforward rational computation the vectorised engine must equal: the exact ratio, or
    the ratio rounded half-up to ``places`` first."""
    ratio = Fraction(cost) / Fraction(mean)
    if places is not None:
        ratio = Fraction(quantize(ratio, places))
    high, extreme, low = (
        Fraction(value) for value in (rule.high_for(level), rule.extreme, rule.low)
    )
    if ratio >= high:
        factor, kind = ratio - high + 1, ("extreme" if ratio >= extreme else "high")
    elif ratio <= low:
        factor, kind = ratio, "low"
    else:
        factor, kind = Fraction(1), "normal"
    return quantize(Fraction(score) * Fraction(aux) * Fraction(coef) * factor, 4), kind


def e4(max_value: int, min_value: int = 0):
    return st.integers(min_value, max_value).map(lambda units: D(units).scaleb(-4))


def fen(max_value: int, min_value: int = 0):
    return st.integers(min_value, max_value).map(lambda units: D(units).scaleb(-2))


CASE = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["DIP", "DRG", "APG"]),
        "level": st.integers(0, 3),
        "score": e4(10**9),
        "aux_coef": e4(3 * 10**4, 5000),
        "inst_coef": e4(3 * 10**4, 5000),
        "medfee": fen(10**9),
        "mean": fen(10**8, 100),
    }
)
# Too large for the int64 split: the engine falls back to Python ints.
HUGE_CASE = CASE.map(
    lambda case: {
        **case,
        "score": case["score"] * 1000,
        "medfee": min(case["medfee"], 4 * case["mean"]),
    }
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(CASE, CASE, CASE, HUGE_CASE), min_size=1, max_size=30),
    st.sampled_from([None, 4, 2]),
)
def test_vectorised_points_equal_rational_arithmetic(rows, places):
    result = case_points(case_frame(*rows), SettlementParams(ratio_places=places))
    for row, points_e4, deviation in zip(rows, result["points_e4"], result["deviation"]):
        rule = DEFAULT_PARAMS.deviation[Kind(row["kind"])]
        expected = reference_points(
            row["score"],
            row["aux_coef"],
            row["inst_coef"],
            row["medfee"],
            row["mean"],
            rule,
            row["level"],
            places,
        )
        assert (D(int(points_e4)).scaleb(-4), deviation) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(CASE, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_permuting_cases_changes_no_case_result(rows, rnd):
    frame = case_frame(*rows)
    order = list(frame.index)
    rnd.shuffle(order)
    pd.testing.assert_frame_equal(
        case_points(frame.loc[order]).loc[frame.index], case_points(frame)
    )


@settings(max_examples=100, deadline=None)
@given(CASE, st.integers(1, 50))
def test_points_scale_linearly_with_score_up_to_one_rounding(case, k):
    single, scaled = case_points(case_frame(case, {**case, "score": case["score"] * k}))[
        "points_e4"
    ]
    assert abs(int(scaled) - k * int(single)) <= (k + 1) // 2


@settings(max_examples=50, deadline=None)
@given(CASE, st.integers(1, 50))
def test_points_of_normal_cases_with_unit_coefficients_are_exactly_linear(case, k):
    case = {**case, "aux_coef": D(1), "inst_coef": D(1), "medfee": case["mean"]}
    single, scaled = case_points(case_frame(case, {**case, "score": case["score"] * k}))[
        "points_e4"
    ]
    assert int(scaled) == k * int(single)


def test_large_frames_on_the_int64_path_equal_python_integer_arithmetic():
    rng = np.random.default_rng(7)
    n = 20_000
    frame = pd.DataFrame(
        {
            "kind": "DIP",
            "score_e4": rng.integers(0, 10**8, n),
            "aux_coef_e4": rng.integers(8000, 15000, n),
            "inst_coef_e4": rng.integers(8000, 15000, n),
            "medfee_fen": rng.integers(0, 10**8, n),
            "mean_fen": rng.integers(10**4, 10**7, n),
        }
    )
    result = case_points(
        frame, SettlementParams(ratio_places=4)
    )  # a rounded ratio: every factor is a whole e4
    product = (
        frame["score_e4"].to_numpy().astype(object)
        * frame["aux_coef_e4"].to_numpy()
        * frame["inst_coef_e4"].to_numpy()
    )
    exact = (product * result["factor_e4"].to_numpy() + 5 * 10**11) // 10**12
    assert (result["points_e4"].to_numpy() == exact.astype(np.int64)).all()


def test_deviation_rules_must_be_ordered():
    with pytest.raises(ValueError, match="低倍率 < 高倍率"):
        DeviationRule(low=D("2"), high=D("2"))
