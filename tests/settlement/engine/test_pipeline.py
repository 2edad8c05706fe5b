"""The whole pure pipeline on a small region: cases → points → totals → annual settlement → clearing."""

from __future__ import annotations

from decimal import Decimal as D

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.engine import result_hash
from settlement.engine.amounts import annual_settlement
from settlement.engine.clearing import clear_year
from settlement.engine.point_value import category_total, institution_totals
from settlement.engine.points import case_points

LEADS = {"H4": "H0"}


def region(seed: int, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    medfee = rng.integers(50_000, 5_000_000, n)
    fund = medfee * rng.integers(50, 80, n) // 100
    return pd.DataFrame(
        {
            "institution": np.array(["H0", "H1", "H2", "H3", "H4"])[rng.integers(0, 5, n)],
            "kind": "DIP",
            "level": rng.integers(1, 4, n),
            "score_e4": rng.integers(1_000_000, 30_000_000, n),
            "inst_coef_e4": rng.integers(9_000, 13_000, n),
            "grassroots": rng.random(n) < 0.1,
            "medfee_fen": medfee,
            "mean_fen": rng.integers(200_000, 2_000_000, n),
            "fund_fen": fund,
            "psn_part_fen": medfee - fund,
        }
    )


def year_end(cases: pd.DataFrame):
    totals = institution_totals(cases, case_points(cases), LEADS)
    settled = annual_settlement(totals, pool=D("3000000.00"), reserve_share=D("100000.00"))
    due = settled.institutions.assign(actual=settled.institutions["fund"])
    return settled, clear_year(due, adjustment_fund=D("20000.00"))


def test_institution_amounts_sum_to_the_category_total_and_members_are_booked_to_the_lead():
    cases = region(1)
    settled, clearing = year_end(cases)
    frame = settled.institutions
    assert "H4" not in set(frame["institution"])
    # total-cost basis: the institutions share (pool + reserve share) ÷ r_fund exactly, each near points × PV
    total = category_total(
        D("3100000.00"),
        fund_total=D(int(cases["fund_fen"].sum())) / 100,
        medfee_total=D(int(cases["medfee_fen"].sum())) / 100,
    )
    assert sum(frame["settlement"]) == total
    assert all(
        abs(s - p * settled.point_value) < D("0.02") + p / 10**6
        for s, p in zip(frame["settlement"], frame["points"])
    )
    assert all(isinstance(value, D) for value in clearing.institutions["payment"])


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6), st.randoms(use_true_random=False))
def test_permuting_the_cases_changes_nothing(seed, rnd):
    cases = region(seed)
    shuffled = cases.sample(frac=1, random_state=rnd.randint(0, 2**31))
    (a, ca), (b, cb) = year_end(cases), year_end(shuffled)
    assert a.point_value == b.point_value
    assert result_hash(ca.institutions) == result_hash(cb.institutions)
