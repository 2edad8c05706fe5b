"""Year-end clearing: E12, the tier boundaries, the quota-era rule (acceptance test 5), the adjustment fund."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.engine.clearing import band_labels, clear_year, deposit_deduction, share_surplus
from settlement.engine.fixed import EngineError
from settlement.engine.params import DEFAULT_PARAMS, OverspendSlice, SharingRule, SurplusBand

DEFAULT = DEFAULT_PARAMS.sharing
QUOTA_ERA = SharingRule(
    surplus=(SurplusBand(D("1.00"), D("0.30"), cap=D("0.03")),),
    overspend=(OverspendSlice(D("1.20"), D("0.50")),),
)


def test_e12_clearing_with_sharing_violations_and_assessed_deposit():
    frame = pd.DataFrame(
        [
            {
                "institution": "H1",
                "fund_due": D(8_200_000),
                "actual": D(8_500_000),
                "violations": D(50_000),
                "deposit": D(425_000),
                "assessment_score": D(90),
                "paid_before": D(8_075_000),
            }
        ]
    )
    row = clear_year(frame).institutions.iloc[0]
    assert row["ratio"] == D("1.0366") and row["band"] == "超支（100%–110%）"
    assert (row["compensation"], row["deposit_deduction"]) == (D("150000.00"), D("42500.00"))
    assert (row["final"], row["payment"]) == (D("8257500.00"), D("182500.00"))


@pytest.mark.parametrize(
    ("actual", "payable", "requested", "band"),
    [
        (D("500"), D("800.00"), D("0"), "结余（0%–70%）"),  # 500 + 60 % × 500
        (D("699.99"), D("880.00"), D("0"), "结余（0%–70%）"),  # 879.996 half-up
        (D("700"), D("1000"), D("0"), "结余（70%–100%）"),
        (D("1000"), D("1000"), D("0"), "结余（70%–100%）"),
        (D("1050"), D("1000"), D("25.00"), "超支（100%–110%）"),
        (D("1100"), D("1000"), D("50.00"), "超支（100%–110%）"),
        (D("1100.01"), D("1000"), D("50.00"), "超支（>110%）"),
        (D("2000"), D("1000"), D("50.00"), "超支（>110%）"),
    ],
)
def test_default_tiers_and_their_boundaries(actual, payable, requested, band):
    sharing = share_surplus(D("1000"), actual, DEFAULT)
    assert (sharing.payable, sharing.requested, sharing.band) == (payable, requested, band)


@pytest.mark.parametrize(
    ("spend", "paid"), [(D("1.1"), D("1.05")), (D("1.3"), D("1.10")), (D("0.8"), D("0.83"))]
)
def test_acceptance_5_quota_era_sharing_rule(spend, paid):
    quota = D(1_000_000)
    sharing = share_surplus(quota, spend * quota, QUOTA_ERA)
    assert sharing.payable + sharing.requested == paid * quota


def test_band_labels_follow_the_rule():
    assert band_labels(QUOTA_ERA) == (["结余（0%–100%）"], ["超支（100%–120%）", "超支（>120%）"])


def test_an_institution_with_nothing_due_gets_no_sharing():
    sharing = share_surplus(D("-5.00"), D("100"), DEFAULT)
    assert (sharing.ratio, sharing.payable, sharing.requested) == (None, D("-5.00"), D(0))


def test_a_short_adjustment_fund_is_pro_rated_and_spent_exactly():
    frame = pd.DataFrame(
        {
            "institution": ["A", "B", "C"],
            "fund_due": [D(1000), D(1000), D(1000)],
            "actual": [D(1100), D(1050), D(900)],
        }
    )
    result = clear_year(frame, adjustment_fund=D("50.00"))
    assert list(result.institutions["requested"]) == [D("50.00"), D("25.00"), D("0")]
    assert list(result.institutions["compensation"]) == [D("33.33"), D("16.67"), D("0.00")]
    assert (result.adjustment_fund_used, result.adjustment_fund_left) == (D("50.00"), D("0.00"))


def test_a_sufficient_adjustment_fund_pays_every_request():
    frame = pd.DataFrame({"institution": ["A"], "fund_due": [D(1000)], "actual": [D(1100)]})
    result = clear_year(frame, adjustment_fund=D("80.00"))
    assert result.institutions["compensation"][0] == D(
        "50.00"
    ) and result.adjustment_fund_left == D("30.00")


def test_an_empty_adjustment_fund_pays_no_compensation():
    frame = pd.DataFrame({"institution": ["A"], "fund_due": [D(1000)], "actual": [D(1100)]})
    assert clear_year(frame, adjustment_fund=D("0.00")).institutions["final"][0] == D(1000)


def test_negative_adjustment_fund_is_refused():
    frame = pd.DataFrame({"institution": ["A"], "fund_due": [D(1000)], "actual": [D(1100)]})
    with pytest.raises(EngineError):
        clear_year(frame, adjustment_fund=D("-1"))


def test_low_ratio_is_flagged_for_review_and_revolving_fund_is_offset():
    frame = pd.DataFrame(
        {
            "institution": ["A"],
            "fund_due": [D(1000)],
            "actual": [D(600)],
            "revolving_fund": [D(100)],
        }
    )
    row = clear_year(frame).institutions.iloc[0]
    assert row["review"] and (row["final"], row["payment"]) == (D("840.00"), D("740.00"))


@pytest.mark.parametrize(
    ("score", "deduction"),
    [
        (D(100), D("0.00")),
        (D(90), D("42500.00")),
        (D(0), D(425_000)),
        (D(120), D("0.00")),
        (D("87.5"), D("53125.00")),
    ],
)
def test_deposit_deduction_by_assessment_score(score, deduction):
    assert deposit_deduction(D(425_000), score) == deduction


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 10**9), st.integers(0, 2 * 10**9)), min_size=1, max_size=25),
    st.integers(0, 10**8),
    st.randoms(use_true_random=False),
)
def test_clearing_is_order_independent_and_never_overspends_the_fund(rows, fund_fen, rnd):
    frame = pd.DataFrame(
        {
            "institution": [f"H{i:03d}" for i in range(len(rows))],
            "fund_due": [D(due).scaleb(-2) for due, _ in rows],
            "actual": [D(actual).scaleb(-2) for _, actual in rows],
        }
    )
    fund = D(fund_fen).scaleb(-2)
    result = clear_year(frame, adjustment_fund=fund)
    assert result.adjustment_fund_used == min(fund, sum(result.institutions["requested"]))
    assert all(
        c <= r
        for c, r in zip(result.institutions["compensation"], result.institutions["requested"])
    )
    shuffled = frame.sample(frac=1, random_state=rnd.randint(0, 2**31))
    pd.testing.assert_frame_equal(
        clear_year(shuffled, adjustment_fund=fund).institutions, result.institutions
    )


def test_parameters_change_the_tiers():
    params = replace(DEFAULT_PARAMS, sharing=QUOTA_ERA)
    frame = pd.DataFrame({"institution": ["A"], "fund_due": [D(1000)], "actual": [D(1300)]})
    assert clear_year(frame, params).institutions["final"][0] == D("1100.00")
