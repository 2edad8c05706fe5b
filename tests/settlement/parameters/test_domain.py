"""settlement/parameters/domain.py: the flat parameter schema, its validation and its engine translation."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from settlement.engine.params import DEFAULT_PARAMS, Basis, Kind
from settlement.parameters import domain


@pytest.mark.parametrize("kind", list(Kind))
def test_the_defaults_validate_and_translate_into_the_engine_defaults(kind):
    values = domain.defaults(kind)
    cleaned, errors = domain.validate(values)
    assert errors == {} and cleaned == values
    assert domain.to_engine(values, kind) == DEFAULT_PARAMS


def test_drg_defaults_carry_the_tertiary_high_threshold_and_scale_100():
    values = domain.defaults("DRG")
    assert (values["scale"], values["high_ratio"], values["high_ratio_tertiary"]) == ("100", "2", "3")
    assert domain.defaults("DIP")["high_ratio_tertiary"] == "" and domain.defaults("DIP")["scale"] == "1000"


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
    _, errors = domain.validate({**domain.defaults("DRG"), "high_ratio_tertiary": "6"})  # above extreme 5
    assert set(errors) == {"high_ratio"}
    _, errors = domain.validate({**domain.defaults("DIP"), "colour": "red"})
    assert errors == {"colour": domain.ERR_UNKNOWN_KEY}


def test_edited_values_reach_the_engine():
    values = {**domain.defaults("DIP"), "low_ratio": "0.4", "high_ratio": "2.5", "basis": "fund", "surplus_share": "0.5",
              "deposit_rate": "0.1"}  # fmt: skip
    params = domain.to_engine(values, "DIP")
    rule = params.deviation[Kind.DIP]
    assert (rule.low, rule.high, rule.extreme) == (D("0.4"), D("2.5"), D("5"))
    assert params.basis == Basis.FUND and params.deposit_rate == D("0.1")
    assert params.sharing.surplus[0].share == D("0.5") and params.deviation[Kind.DRG] == DEFAULT_PARAMS.deviation[Kind.DRG]


def test_differences_list_changed_fields_in_display_order():
    before = domain.defaults("DIP")
    after = {**before, "deposit_rate": "0.08", "scale": "100"}
    assert [(f.key, old, new) for f, old, new in domain.differences(before, after)] == [("scale", "1000", "100"), ("deposit_rate", "0.05", "0.08")]
