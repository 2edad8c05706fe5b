"""audit/charging.py (pure): a finding's default charge from its evidence cases."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
import pytest

from supervision.charging import categories_by_med_type, finding_charges

MED_TYPES = {"DIP": {"21", "22"}, "APG": {"14"}}
SETS = [("310", "DIP", "DIP"), ("390", "DIP", "DIP"), ("310", "APG", "APG")]


def cases(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["institution", "setl_id", "scheme", "med_type", "medfee"])


def test_each_medical_type_of_a_scheme_maps_to_the_category_that_pays_it():
    assert categories_by_med_type(SETS, MED_TYPES) == {
        ("310", "21"): "DIP",
        ("310", "22"): "DIP",
        ("390", "21"): "DIP",
        ("390", "22"): "DIP",
        ("310", "14"): "APG",
    }


def test_a_medical_type_two_categories_would_pay_decides_nothing():
    assert ("310", "21") not in categories_by_med_type(
        [*SETS, ("310", "DRG", "DRG")], {**MED_TYPES, "DRG": {"21"}}
    )


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (["A", "B"], ("310", "DIP")),  # one pair
        (["A", "C"], ("390", "DIP")),  # 390 holds 500.00 against 100.00
        (
            ["A", "D"],
            ("310", "APG"),
        ),  # equal amounts, one case each: the lower code, APG before DIP
        (["A", "B", "E"], ("310", "DIP")),  # E (ordinary outpatient) belongs to no category
        (["E", "X"], None),  # nothing decides: no default
        ([], None),
    ],
)
def test_the_pair_holding_the_largest_evidence_amount_is_the_default(evidence, expected):
    frame = cases(
        (1, "A", "310", "21", D("100.00")),
        (1, "B", "310", "22", D("50.00")),
        (1, "C", "390", "21", D("500.00")),
        (1, "D", "310", "14", D("100.00")),
        (1, "E", "390", "11", D("9999.00")),
        (2, "X", "390", "21", D("1.00")),
    )  # X is another institution's setl_id
    findings = pd.DataFrame({"institution": [1], "evidence": [evidence]})
    assert finding_charges(findings, frame, categories_by_med_type(SETS, MED_TYPES)) == [expected]
