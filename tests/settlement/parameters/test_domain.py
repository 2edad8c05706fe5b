"""settlement/parameters/domain.py: the flat parameter schema, its validation and its engine translation."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from settlement.engine.params import DEFAULT_PARAMS, Basis, Kind
from settlement.engine.points import case_points
from settlement.parameters import domain
from tests.settlement.engine.cases import case_frame


@pytest.mark.parametrize("kind", list(Kind))
def test_the_defaults_validate_and_translate_into_the_engine_defaults(kind):
    values = domain.defaults(kind)
    cleaned, errors = domain.validate(values)
    assert errors == {} and cleaned == values
    assert domain.to_engine(values, kind) == DEFAULT_PARAMS


def test_drg_defaults_carry_the_tertiary_high_threshold_and_scale_100():
    values = domain.defaults("DRG")
    assert (values["scale"], values["high_ratio"], values["high_ratio_tertiary"]) == (
        "100",
        "2",
        "3",
    )
    assert (
        domain.defaults("DIP")["high_ratio_tertiary"] == ""
        and domain.defaults("DIP")["scale"] == "1000"
    )


@pytest.mark.parametrize(
    ("key", "value", "error"),
    [
        ("scale", "", domain.ERR_REQUIRED),
        ("scale", "10.5", domain.ERR_INTEGER),
        ("deposit_rate", "百分之五", domain.ERR_NUMBER),
        ("deposit_rate", "1.5", domain.ERR_RANGE.format(low=0, high=1)),
        ("low_ratio", "NaN", domain.ERR_NUMBER),
        ("basis", "cash", "可选值：total_cost 总费用口径、fund 基金口径。"),
    ],
)
def test_each_bad_value_is_named_in_chinese(key, value, error):
    _, errors = domain.validate({**domain.defaults("DIP"), key: value})
    assert errors == {key: error}


def test_thresholds_must_be_ordered_and_unknown_keys_are_refused():
    _, errors = domain.validate(
        {**domain.defaults("DRG"), "high_ratio_tertiary": "6"}
    )  # above extreme 5
    assert set(errors) == {"high_ratio"}
    _, errors = domain.validate({**domain.defaults("DIP"), "colour": "red"})
    assert errors == {"colour": domain.ERR_UNKNOWN_KEY}


def test_edited_values_reach_the_engine():
    values = {
        **domain.defaults("DIP"),
        "low_ratio": "0.4",
        "high_ratio": "2.5",
        "basis": "fund",
        "surplus_share": "0.5",
        "deposit_rate": "0.1",
    }
    params = domain.to_engine(values, "DIP")
    rule = params.deviation[Kind.DIP]
    assert (rule.low, rule.high, rule.extreme) == (D("0.4"), D("2.5"), D("5"))
    assert params.basis == Basis.FUND and params.deposit_rate == D("0.1")
    assert (
        params.sharing.surplus[0].share == D("0.5")
        and params.deviation[Kind.DRG] == DEFAULT_PARAMS.deviation[Kind.DRG]
    )


def test_differences_list_changed_fields_in_display_order():
    before = domain.defaults("DIP")
    after = {**before, "deposit_rate": "0.08", "scale": "100"}
    assert [(f.key, old, new) for f, old, new in domain.differences(before, after)] == [
        ("scale", "1000", "100"),
        ("deposit_rate", "0.05", "0.08"),
    ]


def test_a_set_compares_the_exact_deviation_ratio_unless_it_chooses_a_rounded_rule():
    assert domain.defaults("DIP")["ratio_rounding"] == domain.RATIO_EXACT
    assert domain.to_engine(domain.defaults("DIP"), "DIP").ratio_places is None
    rounded = domain.to_engine({**domain.defaults("DIP"), "ratio_rounding": "4"}, "DIP")
    # r = 50,000.05 ÷ 100,000.00 = 0.5000005: exactly above the 0.5 low threshold (normal, 1000 points);
    # rounded to 4 places it is 0.5000 ≤ 0.5, low, paid 0.5000 × 1000 = 500 points.
    case = case_frame({"score": 1000, "medfee": D("50000.05"), "mean": D("100000")})
    exact_row, rounded_row = (
        case_points(case, domain.to_engine(domain.defaults("DIP"), "DIP")),
        case_points(case, rounded),
    )
    assert (exact_row["deviation"][0], int(exact_row["points_e4"][0])) == ("normal", 10_000_000)
    assert (rounded_row["deviation"][0], int(rounded_row["points_e4"][0])) == ("low", 5_000_000)


def test_an_unknown_ratio_rounding_is_named_in_chinese():
    _, errors = domain.validate({**domain.defaults("DIP"), "ratio_rounding": "3"})
    assert errors == {
        "ratio_rounding": domain.ERR_CHOICE.format(
            choices="、".join(
                f"{v} {label}" for v, label in domain.BY_KEY["ratio_rounding"].choices
            )
        )
    }
