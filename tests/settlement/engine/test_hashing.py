"""result_hash: deterministic, independent of row and column order, sensitive to any change."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.engine import result_hash
from settlement.engine.points import case_points
from tests.settlement.engine.cases import case_frame

FRAME = pd.DataFrame(
    {
        "institution": ["A", "B", "C"],
        "points": [D("1.0000"), D("2.5000"), D("0.0000")],
        "cases": [1, 2, 3],
    }
)


def test_same_content_same_hash_whatever_the_order():
    shuffled = FRAME.iloc[[2, 0, 1]][["cases", "points", "institution"]].set_index(
        "institution", drop=False
    )
    assert result_hash(shuffled) == result_hash(FRAME)


def test_any_changed_value_or_precision_changes_the_hash():
    assert result_hash(FRAME.assign(cases=[1, 2, 4])) != result_hash(FRAME)
    assert result_hash(FRAME.assign(points=[D("1.0"), D("2.5000"), D("0.0000")])) != result_hash(
        FRAME
    )
    assert result_hash(FRAME.rename(columns={"cases": "n"})) != result_hash(FRAME)


def test_duplicate_rows_count():
    assert result_hash(pd.concat([FRAME, FRAME.iloc[[0]]])) != result_hash(FRAME)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=20), st.randoms(use_true_random=False))
def test_case_results_hash_the_same_after_permuting_the_input(costs, rnd):
    frame = case_frame(
        *(
            {"institution": f"H{c % 3}", "score": 1000, "medfee": D(c), "mean": D(1000)}
            for c in costs
        )
    )
    shuffled = frame.sample(frac=1, random_state=rnd.randint(0, 2**31))
    assert result_hash(case_points(shuffled)) == result_hash(case_points(frame))
