"""Assessment scoring (audit/assessment/domain.py): worked examples, no database."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from supervision.assessment import domain
from supervision.assessment.domain import DEDUCTION, MANUAL, METRIC, QUALITY, Item, Month


@pytest.mark.parametrize(
    ("value", "median", "p90", "expected"),
    [
        ("90", "100", "150", "1"),  # below the median: full marks
        ("100", "100", "150", "1"),  # at the median: full marks
        ("125", "100", "150", "0.5"),  # halfway to P90: half
        ("140", "100", "150", "0.2"),
        ("150", "100", "150", "0"),  # at P90: nothing
        ("300", "100", "150", "0"),
        ("120", None, None, "1"),  # no regional benchmark: nothing to hold against it
        ("101", "100", "100", "0"),  # P90 equal to the median: above the median is at P90
    ],
)
def test_a_metric_month_earns_full_marks_to_the_median_and_none_from_p90(
    value, median, p90, expected
):
    month = Month(D(value), None if median is None else D(median), None if p90 is None else D(p90))
    assert domain.metric_fraction(month) == D(expected)


def test_a_metric_item_scores_the_mean_of_its_months():
    months = [
        Month(D("100"), D("100"), D("150")),
        Month(D("125"), D("100"), D("150")),
        Month(D("150"), D("100"), D("150")),
    ]
    assert domain.metric_points(months, D(20)) == (
        D("10.00"),
        "3个月平均得分率50.00%，2个月高于全区中位数",
    )
    two_of_three = [Month(D(1), D(2), D(3)), Month(D(1), D(2), D(3)), Month(D(5), D(2), D(3))]
    assert domain.metric_points(two_of_three, D(10))[0] == D("6.67")  # 10 × 2/3, half-up
    assert domain.metric_points([], D(15)) == (D("15.00"), domain.NO_DATA)


@pytest.mark.parametrize(
    ("findings", "expected"), [(0, "20.00"), (1, "15.00"), (3, "5.00"), (4, "0.00"), (9, "0.00")]
)
def test_a_deduction_item_loses_points_per_confirmed_finding_down_to_zero(findings, expected):
    points, basis = domain.deduction_points(findings, D(5), D(20))
    assert points == D(expected) and basis == f"确认违规{findings}条，每条扣5分"


def test_a_quality_item_is_its_weight_times_the_mean_monthly_score():
    assert domain.quality_points([D("90"), D("80")], D(15)) == (
        D("12.75"),
        "2个月数据质量平均85.00分",
    )
    assert domain.quality_points([D("100")] * 12, D(15))[0] == D("15.00")
    assert domain.quality_points([], D(15))[0] == D("15.00")


def test_a_manual_score_must_lie_within_the_items_weight():
    assert domain.manual_points(D("8.5"), D(10)) == D("8.50")
    assert domain.manual_points(D(0), D(10)) == D("0.00")
    for bad in (D("10.01"), D("-1")):
        with pytest.raises(ValueError, match="0到10分"):
            domain.manual_points(bad, D(10))


SCHEME = [
    Item("COST", "次均费用", METRIC, D(40), indicator="cost_per_stay"),
    Item("SPLIT", "分解住院", DEDUCTION, D(30), per_finding=D(10), rule="split_admission"),
    Item("QUALITY", "数据质量", QUALITY, D(20)),
    Item("ONSITE", "现场考核", MANUAL, D(10)),
]


def test_every_item_of_every_institution_is_scored_and_totals_add_up():
    metrics = [
        (
            1,
            "cost_per_stay",
            Month(D("9000"), D("10000"), D("14000")),
        ),  # hospital 1: at or below the median
        (1, "cost_per_stay", Month(D("10000"), D("10000"), D("14000"))),
        (
            2,
            "cost_per_stay",
            Month(D("12000"), D("10000"), D("14000")),
        ),  # hospital 2: halfway, then at P90
        (2, "cost_per_stay", Month(D("14000"), D("10000"), D("14000"))),
        (2, "avg_stay", Month(D("99"), D("1"), D("2"))),  # not an item of this scheme
    ]
    findings = [
        (2, "split_admission", 2),
        (2, "upcoding", 5),
        (1, "upcoding", 1),
    ]  # only split admissions count here
    quality = [(1, D("95")), (1, D("85")), (2, D("70"))]
    scores = domain.score_institutions(
        SCHEME,
        [1, 2],
        metrics=metrics,
        findings=findings,
        quality=quality,
        manual={(1, "ONSITE"): D("9")},
    )
    table = {(s.institution, s.code): s.points for s in scores}
    assert table == {
        (1, "COST"): D("40.00"),
        (1, "SPLIT"): D("30.00"),
        (1, "QUALITY"): D("18.00"),
        (1, "ONSITE"): D("9"),
        (2, "COST"): D("10.00"),
        (2, "SPLIT"): D("10.00"),
        (2, "QUALITY"): D("14.00"),
        (2, "ONSITE"): None,
    }
    assert domain.total(table[(1, code)] for code in ["COST", "SPLIT", "QUALITY", "ONSITE"]) == D(
        "97.00"
    )
    assert domain.total(table[(2, code)] for code in ["COST", "SPLIT", "QUALITY", "ONSITE"]) == D(
        "34.00"
    )  # manual not entered: 0
    assert [s.basis for s in scores if s.institution == 2 and s.code == "ONSITE"] == ["待录入"]


def test_a_deduction_item_without_a_rule_counts_every_confirmed_finding():
    item = Item("ALL", "违规", DEDUCTION, D(100), per_finding=D("2.5"))
    [score] = domain.score_institutions(
        [item], [7], metrics=[], findings=[(7, "upcoding", 3), (7, "shirking", 1)], quality=[]
    )
    assert score.points == D("90.00")


def test_the_default_scheme_is_valid_and_worth_100_points():
    assert domain.scheme_errors(domain.DEFAULT_SCHEME) == []
    assert sum(item.weight for item in domain.DEFAULT_SCHEME) == 100


@pytest.mark.parametrize(
    ("items", "error"),
    [
        ([], domain.ERR_NO_ITEMS),
        ([Item("A", "甲", MANUAL, D(90))], domain.ERR_WEIGHT_SUM.format(total="90")),
        (
            [Item("A", "甲", MANUAL, D(50)), Item("A", "乙", MANUAL, D(50))],
            domain.ERR_CODE_DUPLICATE.format(code="A"),
        ),
        (
            [Item("A", "甲", METRIC, D(100), indicator="no_such")],
            domain.ERR_INDICATOR.format(name="甲"),
        ),
        ([Item("A", "甲", DEDUCTION, D(100))], domain.ERR_PER_FINDING.format(name="甲")),
        (
            [Item("A", "甲", MANUAL, D(0)), Item("B", "乙", MANUAL, D(100))],
            domain.ERR_WEIGHT_RANGE.format(name="甲"),
        ),
        ([Item("A", "甲", "bonus", D(100))], domain.ERR_KIND.format(name="甲")),
    ],
)
def test_a_scheme_is_refused_with_the_reason(items, error):
    assert error in domain.scheme_errors(items)


def test_an_item_survives_its_json_snapshot():
    for item in SCHEME:
        assert Item.from_json(item.to_json()) == item
