"""catalogs.coefficients: institution coefficients (spec §7, E5)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogs.coefficients.domain import (
    case_coefficients,
    combined,
    institution_coefficients,
    level_coefficient_suggestion,
    payable_points,
)

BASIC = {"3A": "1.20", "2A": "1.00", "1": "0.90"}
BONUSES = {"key_discipline": "0.05", "is_tcm": "0.03", "is_grassroots": "0.10"}


def institutions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("H1", "3A", True, False, False),
            ("H2", "2A", False, True, False),
            ("H3", "1", False, False, True),
            ("H4", "3A", True, True, False),
        ],
        columns=["code", "level", "key_discipline", "is_tcm", "is_grassroots"],
    )


def test_e5_suggestion_tertiary_12000_over_city_10000_is_1_20():
    history = pd.DataFrame(
        {
            "level": ["3A", "3A", "2A", "2A"],
            "medfee_sumamt": [1_200_000, 1_200_000, 800_000, 800_000],
        }
    )
    suggestion = level_coefficient_suggestion(history).set_index("level")["coefficient"]
    assert (suggestion["3A"], suggestion["2A"]) == (Decimal("1.2000"), Decimal("0.8000"))


def test_the_suggestion_per_group_compares_each_level_with_the_group_mean():
    history = pd.DataFrame(
        {
            "dip_code": ["A", "A", "B", "B"],
            "level": ["3A", "2A", "3A", "2A"],
            "year": [2024] * 4,
            "medfee_sumamt": [1_500_000, 500_000, 300_000, 300_000],
        }
    )
    suggestion = level_coefficient_suggestion(history, group="dip_code").set_index(
        ["dip_code", "level"]
    )["coefficient"]
    assert suggestion.to_dict() == {
        ("A", "2A"): Decimal("0.5000"),
        ("A", "3A"): Decimal("1.5000"),
        ("B", "2A"): Decimal("1.0000"),
        ("B", "3A"): Decimal("1.0000"),
    }


def test_the_suggestion_weights_years():
    history = pd.DataFrame(
        {
            "level": ["3A", "2A", "3A", "2A"],
            "year": [2023, 2023, 2024, 2024],
            "medfee_sumamt": [1_000_000, 1_000_000, 1_500_000, 500_000],
        }
    )
    suggestion = level_coefficient_suggestion(history, year_weights={2023: 2, 2024: 8}).set_index(
        "level"
    )["coefficient"]
    # 3A: 0.2 x 10,000 + 0.8 x 15,000 = 14,000 over 0.2 x 10,000 + 0.8 x 10,000 = 10,000
    assert suggestion["3A"] == Decimal("1.4000")


def test_e5_additive_basic_1_20_plus_key_discipline_0_05_is_1_25_and_1000_points_pay_1250():
    table = institution_coefficients(institutions(), basic=BASIC, bonuses=BONUSES).set_index("code")
    assert table.loc["H1", "coefficient"] == Decimal("1.2500")
    assert payable_points(Decimal("1000"), table.loc["H1", "coefficient"]) == Decimal("1250.0000")
    assert table["coefficient"].to_dict() == {
        "H1": Decimal("1.2500"),
        "H2": Decimal("1.0300"),
        "H3": Decimal("1.0000"),
        "H4": Decimal("1.2800"),
    }
    assert table.loc["H4", "bonus"] == Decimal("0.08")


def test_e5_multiplicative_is_1_26():
    table = institution_coefficients(
        institutions(), basic=BASIC, bonuses=BONUSES, combination="multiplicative"
    ).set_index("code")
    assert table.loc["H1", "coefficient"] == Decimal("1.2600")
    assert table.loc["H4", "coefficient"] == Decimal("1.2978")  # 1.20 x 1.05 x 1.03 = 1.29780


def test_e5_a_grassroots_disease_keeps_coefficient_1_everywhere():
    table = institution_coefficients(institutions(), basic=BASIC, bonuses=BONUSES)
    cases = pd.DataFrame(
        {"institution_code": ["H1", "H1", "H3", "H2"], "dip_code": ["A01", "G01", "A01", "G01"]}
    )
    coefficients = case_coefficients(cases, table, grassroots_groups={"G01"})
    assert list(coefficients) == [Decimal("1.2500"), Decimal(1), Decimal("1.0000"), Decimal(1)]
    assert payable_points(Decimal("1000"), coefficients.iloc[1]) == Decimal("1000.0000")


def test_an_institution_without_coefficient_is_refused_unless_its_case_is_a_grassroots_disease():
    table = institution_coefficients(institutions(), basic=BASIC)
    grassroots = pd.DataFrame({"institution_code": ["H9"], "dip_code": ["G01"]})
    assert list(case_coefficients(grassroots, table, grassroots_groups={"G01"})) == [Decimal(1)]
    with pytest.raises(ValueError, match="以下机构没有机构系数：H9"):
        case_coefficients(grassroots.assign(dip_code="A01"), table, grassroots_groups={"G01"})


def test_a_level_without_basic_coefficient_is_refused():
    with pytest.raises(ValueError, match="以下医院等级没有基本系数：2A"):
        institution_coefficients(institutions(), basic={"3A": "1.2", "1": "0.9"})


def test_an_unknown_combination_is_refused():
    with pytest.raises(ValueError, match="系数组合方式无效"):
        combined(Decimal("1.2"), [Decimal("0.05")], "max")


decimals = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.3"), places=2)


@settings(max_examples=60, deadline=None)
@given(
    basic=st.decimals(min_value=Decimal("0.5"), max_value=Decimal("2"), places=2),
    bonuses=st.lists(decimals, max_size=3),
)
def test_combinations_agree_without_bonus_and_multiplicative_is_never_below_additive(
    basic, bonuses
):
    additive, multiplicative = (
        combined(basic, bonuses, "additive"),
        combined(basic, bonuses, "multiplicative"),
    )
    if not any(bonuses):
        assert additive == multiplicative == basic.quantize(Decimal("0.0001"))
    elif basic >= 1:
        assert multiplicative >= additive
    assert additive == (basic + sum(bonuses)).quantize(Decimal("0.0001"))


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["H1", "H2", "H3", "H4"]), st.sampled_from(["A01", "G01"])),
        min_size=1,
        max_size=30,
    ),
    data=st.data(),
)
def test_case_coefficients_follow_the_rows(rows, data):
    table = institution_coefficients(institutions(), basic=BASIC, bonuses=BONUSES)
    cases = pd.DataFrame(rows, columns=["institution_code", "dip_code"])
    result = case_coefficients(cases, table, grassroots_groups={"G01"})
    expected = table.set_index("code")["coefficient"]
    assert list(result) == [
        Decimal(1) if group == "G01" else expected[code] for code, group in rows
    ]
    order = list(data.draw(st.permutations(range(len(rows)))))
    assert list(case_coefficients(cases.iloc[order], table, grassroots_groups={"G01"})) == [
        list(result)[i] for i in order
    ]
