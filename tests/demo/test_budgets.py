"""demo/budgets.py: the demo's budgets are sized so that the pools meet the cases they will pay."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from budgets.choices import LineKind, PhasingMethod
from budgets.domain import BudgetInput, derive_budget
from demo.budgets import INPATIENT_COVER, demo_budget, fund_by_scheme_year


def derive(inputs):
    return derive_budget(
        BudgetInput(
            income=inputs.income, carve_outs=inputs.carve_outs, categories=inputs.categories
        )
    )


@pytest.mark.parametrize("scheme", ["310", "390"])
def test_the_dip_remainder_lands_on_its_target_and_apg_is_the_chronic_spend(scheme):
    inpatient, chronic = D("123456789.12"), D("9876543.21")
    derivation = derive(demo_budget(scheme=scheme, inpatient_fund=inpatient, chronic_fund=chronic))
    categories = {line.code: line.amount for line in derivation.of_kind(LineKind.CATEGORY)}
    assert categories["APG"] == D("9880000.00")  # rounded to 万元
    target = (inpatient * INPATIENT_COVER / 10000).quantize(D(1)) * 10000
    assert (
        target <= categories["DIP"] <= target + D("20000")
    )  # income is rounded up to 万元, never down
    assert derivation.reserve == (derivation.income * D("0.10")).quantize(D("0.01"))
    assert derivation.pool == categories["APG"] + categories["DIP"]


def test_phasing_follows_last_year_when_there_is_one():
    months = [D(m) for m in range(1, 13)]
    assert (
        demo_budget(scheme="310", inpatient_fund=D("1e6"), chronic_fund=D("1e5")).phasing_method
        == PhasingMethod.EQUAL
    )
    patterned = demo_budget(
        scheme="310", inpatient_fund=D("1e6"), chronic_fund=D("1e5"), last_year_months=months
    )
    assert patterned.phasing_method == PhasingMethod.PATTERN and patterned.phasing_weights == tuple(
        months
    )


def test_fund_is_folded_per_year_and_scheme_with_chronic_apart():
    rows = [
        {"year": 2024, "month": 1, "insutype": "310", "med_type": "21", "fund": D("100.00")},
        {"year": 2024, "month": 1, "insutype": "310", "med_type": "14", "fund": D("7.00")},
        {"year": 2024, "month": 3, "insutype": "310", "med_type": "22", "fund": D("50.00")},
        {"year": 2024, "month": 3, "insutype": "390", "med_type": "21", "fund": None},
    ]
    folded = fund_by_scheme_year(rows)
    assert folded[(2024, "310")]["inpatient"] == D("150.00") and folded[(2024, "310")][
        "chronic"
    ] == D("7.00")
    assert folded[(2024, "310")]["months"][0] == D("107.00") and folded[(2024, "310")]["months"][
        2
    ] == D("50.00")
    assert folded[(2024, "390")]["inpatient"] == D("0.00")
