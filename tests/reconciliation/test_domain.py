"""The pure comparison: divergence steps, group/QC/one-side differences, money to the fen, as-national amounts."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
import pytest

from reconciliation import domain
from reconciliation.choices import Divergence

CATALOG = frozenset({"FM19", "FM13", "FR29", "ES21", "I21.0:36.06"})


@pytest.mark.parametrize(
    ("ours", "national", "kind", "national_kind", "step"),
    [
        ("FM19", "FM13", "DRG", "DRG", Divergence.SEVERITY),
        ("FM19", "FR29", "DRG", "DRG", Divergence.PROCEDURE),
        ("FM19", "ES21", "DRG", "DRG", Divergence.MAIN_DIAGNOSIS),
        ("FM19", "ZZ99", "DRG", "DRG", Divergence.VERSION),
        ("", "FM19", "DRG", "DRG", Divergence.UNGROUPABLE),
        ("FM19", "FM13", "DRG", "DIP", Divergence.KIND),
        ("I21.0:36.07", "I21.0:36.06", "DIP", "DIP", Divergence.PROCEDURE),
        ("J18.9", "I21.0:36.06", "DIP", "DIP", Divergence.MAIN_DIAGNOSIS),
    ],
)
def test_divergence_names_the_step_where_ours_leaves_the_national_group(
    ours, national, kind, national_kind, step
):
    assert (
        domain.divergence(
            ours, national, kind=kind, national_kind=national_kind, catalog_codes=CATALOG
        )
        == step
    )


def frame(rows: list[tuple], columns: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split())


def test_group_differences_report_mismatches_and_one_sided_cases():
    ours = frame(
        [
            ("A", 1, 10, "FM19", "t1", "DRG"),
            ("B", 2, 10, "FM13", "t2", "DRG"),
            ("C", 3, 11, "FM19", "t3", "DRG"),
        ],
        "setl_id case_id institution_id group_code trace kind",
    )
    national = frame(
        [
            ("A", 10, "FM19", "n", "DRG"),
            ("B", 10, "FR29", "n2", "DRG"),
            ("D", 11, "FM19", "n", "DRG"),
        ],
        "setl_id institution_id group_code group_name group_kind",
    )
    diffs = domain.group_differences(ours, national, catalog_codes=CATALOG).set_index("setl_id")
    assert dict(diffs["kind"]) == {"B": "group", "C": "ours_only", "D": "national_only"}
    assert (
        diffs.loc["B", "divergence"],
        diffs.loc["B", "our_trace"],
        diffs.loc["D", "case_id"],
    ) == (Divergence.PROCEDURE, "t2", None)


def test_qc_differences_go_both_ways_by_rule_and_national_warnings_do_not_reject():
    cases = frame(
        [("A", 1, 10), ("B", 2, 10), ("C", 3, 10), ("D", 4, 10)], "setl_id case_id institution_id"
    )
    national = frame(
        [
            ("A", 10, "R1", "error", "gend", "m"),
            ("B", 10, "R2", "warning", "age", "w"),
            ("X", 10, "R1", "error", "gend", "x"),
            ("C", 10, "R3", "warning", "act_ipt_days", "c"),
            ("D", 10, "R4", "error", "gend", "d"),
        ],
        "setl_id institution_id rule_code level field message",
    )
    ours = frame(
        [
            ("B", 10, "IQ-LOS", "act_ipt_days", "长住院"),
            ("C", 10, "IQ-LOS", "act_ipt_days", "长住院"),
            ("D", 10, "IQ-SEX-F", "maindiag_code", "性别"),
        ],
        "setl_id institution_id rule_code field message",
    )
    diffs = domain.qc_differences(national, ours, cases)
    # A: national error, ours accept. B: ours flag, national only warns on another field (its code shown).
    # C: both on act_ipt_days (no difference). D: both reject (no difference). X: not a case we hold.
    assert sorted(
        zip(
            diffs["setl_id"],
            diffs["kind"],
            diffs["rule_code"],
            diffs["our_rule_code"],
            diffs["case_id"],
            strict=True,
        )
    ) == [("A", "qc_national", "R1", "", 1), ("B", "qc_ours", "R2", "IQ-LOS", 2)]


def test_our_quality_is_intakes_warnings_per_case_with_our_rule_codes():
    fees = {
        name: pd.array([100, None], dtype="Int64")
        for name in ("fee_drug", "fee_material", "fee_exam", "fee_treatment", "fee_other")
    }
    cases = pd.DataFrame(
        {
            "setl_id": ["A", "B"],
            "institution_id": [10, 11],
            "maindiag_code": ["O80.000", "J18.900"],
            "gend": ["1", "2"],
            "med_type": ["21", "21"],
            "age": pd.array([30, 40], dtype="Int64"),
            "nwb_age": pd.array([None, None], dtype="Int64"),
            "nwb_bir_wt": pd.array([None, None], dtype="Int64"),
            "nwb_adm_wt": pd.array([None, None], dtype="Int64"),
            "act_ipt_days": pd.array([5, 61], dtype="Int64"),
            **fees,
        }
    )
    found = domain.our_quality(cases)
    assert sorted(zip(found["setl_id"], found["rule_code"], found["field"], strict=True)) == [
        ("A", "IQ-SEX-F", "maindiag_code"),
        ("B", "IQ-FEE", "fee_drug"),
        ("B", "IQ-LOS", "act_ipt_days"),
    ]


def test_money_differences_are_exact_to_the_fen():
    ours = frame([(10, 10), (10, 20), (11, 10000)], "institution_id fund_fen")
    bookings = frame(
        [(10, D("0.31"), 2), (12, D("5.00"), 1)], "institution_id fund_paid case_count"
    )
    rows = domain.money_differences(ours, bookings).set_index("institution_id")
    assert rows.loc[10, "fund_difference"] == D("0.01") and rows.loc[10, "fund_ours"] == D("0.30")
    assert (
        rows.loc[11, "fund_difference"],
        rows.loc[12, "fund_difference"],
        rows.loc[12, "cases_ours"],
    ) == (D("-100.00"), D("5.00"), 0)


def test_as_national_amounts_reproduce_the_hand_computed_example():
    # Hand-computed: pv 1.2345; institution 10: ours 1500 points → 1851.75, national 1680 → 2073.96;
    # institution 11: 500 → 617.25 both ways.
    points = frame(
        [(1, 10, 15_000_000, 16_800_000), (2, 11, 5_000_000, 5_000_000)],
        "case_id institution_id points_ours points_national",
    )
    rows = domain.institution_amounts(points, D("1.2345")).set_index("institution_id")
    assert list(rows.loc[10, ["amount_ours", "amount_national", "amount_difference"]]) == [
        D("1851.75"),
        D("2073.96"),
        D("222.21"),
    ]
    assert rows.loc[11, "amount_difference"] == D("0.00")
    assert domain.institution_amounts(points, None)["amount_ours"].isna().all()


def test_as_national_points_price_the_national_group_by_the_engine():
    cases = pd.DataFrame(
        {
            "id": [1],
            "institution_id": [10],
            "medfee_fen": [1_200_000],
            "fund_fen": [0],
            "psn_part_fen": [0],
        }
    )
    groups = pd.DataFrame(
        {
            "code": ["G1", "G2"],
            "score": [D("1500"), D("1200")],
            "mean_cost": [D("12000"), D("5000")],
            "level_means": [{}, {}],
            "is_grassroots": [False, False],
            "group_type": ["core", "core"],
        }
    )
    ours = pd.DataFrame({"group_code": ["G1"], "typing_coefficient": [None]})
    national = pd.DataFrame({"group_code": ["G2"], "typing_coefficient": [None]})
    from settlement.engine.params import DEFAULT_PARAMS

    points = domain.as_national_points(
        cases,
        ours,
        national,
        groups,
        kind="DIP",
        levels={10: "3"},
        coefficients={},
        base_mean=D(1),
        params=DEFAULT_PARAMS,
    )
    # 12000 / 5000 = 2.4 ≥ 2 (high): (2.4 − 2 + 1) × 1200 = 1680; under G1 the case is normal: 1500.
    assert (points.loc[0, "points_ours"], points.loc[0, "points_national"]) == (
        15_000_000,
        16_800_000,
    )  # 0.0001 point
