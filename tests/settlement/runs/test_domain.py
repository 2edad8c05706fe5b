"""The run layer's pure pieces (no database): the engine frame of grouped cases, ungroupable and
not-in-catalog cases, decisions, case amounts, fingerprints, what a year paid, rerun changes."""

from __future__ import annotations

from decimal import Decimal as D

import numpy as np
import pandas as pd
import pytest

from settlement.engine.params import SpecialOutcome
from settlement.engine.points import case_points
from settlement.runs import domain

GROUPS = pd.DataFrame(
    {
        "code": ["A", "B", "G"],
        "score": [D("1000.0000"), D("500.0000"), D("300.0000")],
        "mean_cost": [D("10000.00"), D("5000.00"), D("3000.00")],
        "level_means": [{"3A": "12000.00", "1": "8000.00"}, {}, {"1": "2500.00"}],
        "is_grassroots": [False, False, True],
        "group_type": ["core", "core", "grassroots"],
    }
)


def frames(rows):
    """rows: (case id, institution, group code, typing coefficient, medfee yuan)."""
    cases = pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "institution_id": [r[1] for r in rows],
            "version": 1,
            "medfee_fen": [int(D(r[4]) * 100) for r in rows],
        }
    )
    grouped = pd.DataFrame(
        {
            "group_code": [r[2] for r in rows],
            "typing_coefficient": [r[3] for r in rows],
            "trace": "core",
        }
    )
    return cases, grouped


def engine(rows, **kwargs):
    cases, grouped = frames(rows)
    options = {
        "kind": "DIP",
        "levels": {1: "3A", 2: "1"},
        "coefficients": {1: D("1.1000")},
        "base_mean": D("8000.00"),
        **kwargs,
    }
    return cases, grouped, domain.engine_cases(cases, grouped, GROUPS, **options)


def test_each_case_gets_its_groups_score_its_levels_mean_and_its_institutions_coefficient():
    _, _, frame = engine(
        [
            (1, 1, "A", None, "12000"),
            (2, 2, "A", "1.2", "8000"),
            (3, 2, "G", None, "2500"),
            (4, 3, "B", None, "5000"),
        ]
    )
    assert list(frame["score_e4"]) == [10_000_000, 10_000_000, 3_000_000, 5_000_000]
    assert list(frame["mean_level_fen"]) == [
        1_200_000,
        800_000,
        250_000,
        0,
    ]  # institution 3: no level known → the group mean
    assert list(frame["level"]) == [3, 1, 1, 0] and list(frame["aux_coef_e4"]) == [
        10_000,
        12_000,
        10_000,
        10_000,
    ]
    assert list(frame["inst_coef_e4"]) == [11_000, 10_000, 10_000, 10_000]  # no coefficient row: 1
    assert list(frame["grassroots"]) == [False, False, True, False]
    points = case_points(frame)
    assert list(points["points_e4"]) == [
        11_000_000,
        12_000_000,
        3_000_000,
        5_000_000,
    ]  # 1000×1.1, 1000×1.2, 300, 500


def test_an_ungroupable_case_earns_nothing_unless_a_decision_pays_it_fee_for_service():
    decisions = [domain.Decision(item_id=9, case_id=2, outcome=SpecialOutcome.FFS)]
    cases, grouped, frame = engine(
        [(1, 1, "", None, "16000"), (2, 1, "", None, "16000")], decisions=decisions
    )
    points = case_points(frame, base_mean=D("8000.00"))
    assert list(points["points_e4"]) == [
        0,
        20_000_000,
    ]  # E13's rule: 16,000 ÷ 8,000 × 1000 = 2000 points
    rows = domain.run_case_rows(
        cases, grouped, frame, points, booked=cases["institution_id"], pv=D("10.000000")
    )
    assert list(rows["deviation"]) == [domain.UNGROUPABLE, domain.UNGROUPABLE] and list(
        rows["special"]
    ) == ["", "ffs"]
    assert list(rows["amount_fen"]) == [0, 2_000_000]


def test_a_group_the_catalog_does_not_list_is_refused_as_an_inconsistent_catalog():
    with pytest.raises(ValueError, match="有 1 个病例的分组在目录中找不到（如 M02100-M）"):
        engine([(1, 1, "M02100-M", None, "100"), (2, 1, "A", None, "100")])


def test_case_amounts_are_points_times_pv_half_up_to_the_fen():
    points = np.array(
        [1_234_567, 5, 10**12], dtype=np.int64
    )  # 123.4567, 0.0005, 100,000,000 points
    assert list(domain.case_amounts_fen(points, D("7.123457"))) == [
        87_944,
        0,
        71_234_570_000,
    ]  # the last beyond int64: exact ints
    assert list(domain.case_amounts_fen(np.array([5_000], dtype=np.int64), D("0.000100"))) == [
        0
    ]  # 0.5 × 0.0001 = 0.00005 → 0.00
    assert list(domain.case_amounts_fen(np.array([50_000], dtype=np.int64), D("0.001000"))) == [
        1
    ]  # 0.005 → 0.01, half-up


def test_the_case_set_hash_changes_with_a_correction_and_not_with_the_order():
    cases = pd.DataFrame({"id": [1, 2, 3], "version": [1, 1, 1]})
    shuffled = cases.iloc[[2, 0, 1]]
    corrected = cases.assign(version=[1, 2, 1])
    assert (
        domain.case_set_hash(cases)
        == domain.case_set_hash(shuffled)
        != domain.case_set_hash(corrected)
    )


def frame(**columns):
    return pd.DataFrame(columns)


def test_a_quarter_with_its_pre_settlement_replaces_its_months_deposits_and_others_keep_theirs():
    months = {
        m: frame(institution=["H1"], deposit=[D("5.00")], paid=[D("95.00")]) for m in range(1, 7)
    }
    quarters = {1: frame(institution=["H1"], deposit=[D("14.00")], payment=[D("-20.00")])}
    paid = domain.year_paid(months, quarters).set_index("institution").loc["H1"]
    # Q1: its deposit 14 and its payment −20 on top of the months' 3 × 95; Q2: three months' 5 and 95
    assert (paid["deposit"], paid["paid_before"]) == (
        D("14.00") + 3 * D("5.00"),
        3 * D("95.00") - D("20.00") + 3 * D("95.00"),
    )


def test_rerun_changes_list_only_the_institutions_whose_amount_moved():
    changes = domain.run_changes(
        {1: D("10.00"), 2: D("5.00"), 3: D("1.00")}, {1: D("10.00"), 2: D("7.50"), 4: D("2.00")}
    )
    assert [(c.institution_id, c.difference) for c in changes] == [
        (2, D("2.50")),
        (3, D("-1.00")),
        (4, D("2.00")),
    ]


def test_a_member_share_is_points_times_pv_rounded_once_and_reconciles_the_per_case_sum():
    # Three cases of 100.0050, 200.0050 and 300.0050 points at PV 1.000000: each case amount 100.005 → 100.01,
    # 200.005 → 200.01, 300.005 → 300.01, Σ 600.03; the member's points × PV = 600.0150 × 1 = 600.015 → 600.02 once.
    share = domain.MemberShare(
        cases=3, points=D("600.0150"), point_value=D("1.000000"), case_amounts=D("600.03")
    )
    assert (share.amount, share.rounding_difference) == (D("600.02"), D("0.01"))
    assert (
        domain.MemberShare(cases=0, points=D(0), point_value=None, case_amounts=D("0.00")).amount
        is None
    )
