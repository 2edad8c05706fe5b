"""Pure rules of disputes, with the spec's worked example E13 and tables — no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from disputes import domain
from disputes.choices import ItemStatus, PanelRule, Vote
from disputes.domain import BUREAU, HOSPITAL, Candidate, DisputeError


def test_e13_quota_is_5_per_mille_of_region_discharges_allocated_pro_rata():
    allocation = domain.special_case_quota({1: 20_000, 2: 180_000})
    assert (allocation.discharges, allocation.total, allocation.by_institution) == (
        200_000,
        1_000,
        {1: 100, 2: 900},
    )


@pytest.mark.parametrize(
    ("discharges", "rate", "total", "parts"),
    [
        ({1: 1, 2: 1, 3: 1}, Decimal("1"), 3, {1: 1, 2: 1, 3: 1}),
        (
            {1: 5, 2: 3, 3: 2},
            Decimal("0.4"),
            4,
            {1: 2, 2: 1, 3: 1},
        ),  # 2.0 / 1.2 / 0.8: the last place to the 0.8
        ({1: 1, 2: 1}, Decimal("0.5"), 1, {1: 1, 2: 0}),  # a tie goes to the smaller id
        ({1: 199}, Decimal("0.005"), 0, {1: 0}),  # ⌊0.995⌋: never above 5‰
        ({}, Decimal("0.005"), 0, {}),
    ],
)
def test_quota_allocation_sums_to_the_total_by_largest_remainder(discharges, rate, total, parts):
    allocation = domain.special_case_quota(discharges, rate)
    assert (allocation.total, allocation.by_institution) == (total, parts)
    assert sum(allocation.by_institution.values()) == allocation.total


def test_quota_rate_outside_0_1_is_refused():
    with pytest.raises(DisputeError):
        domain.special_case_quota({1: 10}, Decimal("1.5"))


@pytest.mark.parametrize(
    ("action", "status", "actor", "target"),
    [
        ("submit", ItemStatus.DRAFT, HOSPITAL, ItemStatus.SUBMITTED),
        ("accept", ItemStatus.SUBMITTED, BUREAU, ItemStatus.SCREENING),
        ("screen_pass", ItemStatus.SCREENING, BUREAU, ItemStatus.EXPERT_REVIEW),
        ("screen_reject", ItemStatus.SCREENING, BUREAU, ItemStatus.REJECTED),
        ("decide", ItemStatus.EXPERT_REVIEW, BUREAU, ItemStatus.DECIDED),
        ("apply", ItemStatus.DECIDED, BUREAU, ItemStatus.APPLIED),
        ("withdraw", ItemStatus.EXPERT_REVIEW, HOSPITAL, ItemStatus.WITHDRAWN),
    ],
)
def test_legal_transitions(action, status, actor, target):
    assert domain.transition_target(action, status=status, actor=actor) == target


@pytest.mark.parametrize(
    ("action", "status", "actor", "message"),
    [
        ("withdraw", ItemStatus.DECIDED, HOSPITAL, "当前状态为「已决定」，不能执行「撤回」。"),
        (
            "submit",
            ItemStatus.SUBMITTED,
            HOSPITAL,
            "当前状态为「已提交待受理」，不能执行「提交」。",
        ),
        ("decide", ItemStatus.SCREENING, BUREAU, "当前状态为「初审中」，不能执行「作出决定」。"),
        (
            "apply",
            ItemStatus.EXPERT_REVIEW,
            BUREAU,
            "当前状态为「专家评审中」，不能执行「结算执行」。",
        ),
        ("accept", ItemStatus.SUBMITTED, HOSPITAL, "「受理」只能由经办机构办理。"),
        ("submit", ItemStatus.DRAFT, BUREAU, "「提交」只能由申请机构办理。"),
    ],
)
def test_illegal_transitions_are_refused_with_a_chinese_message(action, status, actor, message):
    with pytest.raises(DisputeError) as refused:
        domain.transition_target(action, status=status, actor=actor)
    assert refused.value.message == message


def test_the_wrong_side_is_a_distinct_refusal():
    with pytest.raises(domain.WrongSideError):
        domain.transition_target("withdraw", status=ItemStatus.DRAFT, actor=BUREAU)


def test_nothing_leaves_a_final_status():
    for final in (ItemStatus.APPLIED, ItemStatus.WITHDRAWN, ItemStatus.REJECTED):
        assert (
            domain.actions_allowed(status=final, actor=HOSPITAL)
            == domain.actions_allowed(status=final, actor=BUREAU)
            == []
        )


def test_actions_offered_follow_the_table():
    assert domain.actions_allowed(status=ItemStatus.SCREENING, actor=BUREAU) == [
        "screen_pass",
        "screen_reject",
    ]
    assert domain.actions_allowed(status=ItemStatus.DRAFT, actor=HOSPITAL) == ["submit", "withdraw"]


@pytest.mark.parametrize(
    ("start", "days", "holidays", "due"),
    [
        (date(2024, 3, 4), 5, (), date(2024, 3, 11)),  # Monday + 5 → next Monday
        (date(2024, 3, 8), 1, (), date(2024, 3, 11)),  # Friday + 1 → Monday
        (date(2024, 3, 9), 1, (), date(2024, 3, 11)),  # Saturday + 1 → Monday
        (date(2024, 3, 4), 0, (), date(2024, 3, 4)),
        (
            date(2024, 9, 27),
            3,
            (date(2024, 10, 1), date(2024, 10, 2), date(2024, 10, 3)),
            date(2024, 10, 7),
        ),
    ],
)
def test_working_day_deadlines_skip_weekends_and_holidays(start, days, holidays, due):
    assert domain.add_working_days(start, days, holidays) == due


def test_stage_due_uses_the_stage_table_and_final_stages_have_none():
    table = {ItemStatus.SUBMITTED: 5}
    assert domain.stage_due(
        ItemStatus.SUBMITTED, entered=date(2024, 3, 4), working_days=table
    ) == date(2024, 3, 11)
    assert (
        domain.stage_due(ItemStatus.DECIDED, entered=date(2024, 3, 4), working_days=table) is None
    )


A, R, X = Vote.APPROVE, Vote.REJECT, Vote.ABSTAIN


@pytest.mark.parametrize(
    ("votes", "rule", "outcome"),
    [
        ([A, A, R], PanelRule.MAJORITY, A),
        ([A, R, X], PanelRule.MAJORITY, R),  # an abstention is not approval
        ([A, A, R, R], PanelRule.MAJORITY, R),  # a tie does not carry
        ([A, A, A], PanelRule.UNANIMOUS, A),
        ([A, A, R], PanelRule.UNANIMOUS, R),
        ([A, A, None], PanelRule.MAJORITY, None),
        ([A, ""], PanelRule.MAJORITY, None),
        ([], PanelRule.MAJORITY, None),
    ],
)
def test_panel_outcome(votes, rule, outcome):
    assert domain.panel_outcome(votes, rule) == outcome


CANDIDATES = [
    Candidate(1, 10),
    Candidate(2, None),
    Candidate(3, 20),
    Candidate(4, 10),
    Candidate(5, 20),
    Candidate(6, None),
]


def test_panel_draw_never_picks_an_expert_of_the_filing_institution():
    for seed in range(200):
        draw = domain.panel_draw(CANDIDATES, filing_institution_id=10, size=3, seed=seed)
        assert draw.pool == (2, 3, 5, 6)
        assert not {1, 4} & set(draw.chosen)
        assert len(set(draw.chosen)) == 3


def test_panel_draw_is_replayable_from_its_seed():
    first = domain.panel_draw(CANDIDATES, filing_institution_id=10, size=2, seed=42)
    again = domain.panel_draw(list(reversed(CANDIDATES)), filing_institution_id=10, size=2, seed=42)
    assert first == again
    assert first.seed == 42


def test_panel_draw_refuses_a_pool_smaller_than_the_panel():
    with pytest.raises(DisputeError, match="符合条件的专家只有 4 位"):
        domain.panel_draw(CANDIDATES, filing_institution_id=10, size=5, seed=1)
    with pytest.raises(DisputeError):
        domain.panel_draw(CANDIDATES, filing_institution_id=10, size=0, seed=1)


@pytest.mark.parametrize(
    ("head", "content_type"),
    [
        (b"%PDF-1.4 ...", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"PK\x03\x04", None),  # a .docx / .xlsx renamed to .pdf
        (b"GIF89a", None),
        (b"", None),
    ],
)
def test_attachments_are_recognised_by_their_first_bytes(head, content_type):
    assert domain.sniff_content_type(head) == content_type


# --------------------------------------------------------------------------- handling durations (办理时长统计)


@pytest.mark.parametrize(
    ("start", "end", "holidays", "days"),
    [
        (date(2024, 3, 4), date(2024, 3, 4), (), 0),  # same day
        (date(2024, 3, 8), date(2024, 3, 11), (), 1),  # Fri → Mon: the weekend does not count
        (date(2024, 3, 9), date(2024, 3, 10), (), 0),  # Sat → Sun
        (date(2024, 3, 11), date(2024, 3, 15), (date(2024, 3, 12),), 3),
        (date(2024, 3, 15), date(2024, 3, 11), (), 0),  # backwards: nothing
    ],
)
def test_working_days_between_counts_the_working_days_after_the_start(start, end, holidays, days):
    assert domain.working_days_between(start, end, holidays) == days


@pytest.mark.parametrize("days", [0, 1, 4, 5, 9, 23])
def test_working_days_between_is_the_inverse_of_the_deadline_rule(days):
    holidays = {date(2024, 4, 4), date(2024, 4, 5)}
    start = date(2024, 3, 29)
    assert (
        domain.working_days_between(start, domain.add_working_days(start, days, holidays), holidays)
        == days
    )


def step(item: int, source: str, target: str, day: int) -> domain.Step:
    """A status change of the worked example, in March 2024."""
    return domain.Step(item, source, target, date(2024, 3, day))


def stats(count: int, mean: str, median: str, longest: int) -> domain.DurationStats:
    return domain.DurationStats(count, Decimal(mean), Decimal(median), longest)


D, SUB, SCR, EXP, DEC, APP = (
    ItemStatus.DRAFT,
    ItemStatus.SUBMITTED,
    ItemStatus.SCREENING,
    ItemStatus.EXPERT_REVIEW,
    ItemStatus.DECIDED,
    ItemStatus.APPLIED,
)


def test_worked_example_of_handling_durations():
    """March 2024 (the 1st is a Friday), with Tuesday 12 March a holiday.

    item 1: submitted Mon 4 → accepted Wed 6 (5, 6: 2) → screened Mon 11 (7, 8, 11: 3) → decided Fri 15 (13, 14, 15: 3)
            → applied Tue 19 (18, 19: 2); submission to decision 4 → 15: 5, 6, 7, 8, 11, 13, 14, 15 = 8.
    item 2: submitted Fri 8 → accepted the same day (0) → rejected at screening Fri 15 (11, 13, 14, 15: 4).
    item 3: submitted Mon 11 → accepted Mon 18 (13, 14, 15, 18: 4) and still in screening: no screening stay.
    item 4: submitted Tue 5 → withdrawn Wed 6 (1); a step without a status change (a vote, a comment) is ignored.

    受理 stays 2, 0, 4, 1: 4 of them, mean 7/4 = 1.75 → 1.8, median (1 + 2)/2 = 1.5, longest 4.
    初审 stays 3, 4: mean 3.5, median 3.5, longest 4.   专家评审 3.   结算执行 2.
    """
    steps = [
        step(1, D, SUB, 4),
        step(1, SUB, SCR, 6),
        step(1, SCR, EXP, 11),
        step(1, EXP, DEC, 15),
        step(1, DEC, APP, 19),
        step(2, D, SUB, 8),
        step(2, SUB, SCR, 8),
        step(2, SCR, ItemStatus.REJECTED, 15),
        step(3, D, SUB, 11),
        step(3, SUB, SCR, 18),
        step(4, D, SUB, 5),
        step(4, "", "", 5),
        step(4, SUB, ItemStatus.WITHDRAWN, 6),
    ]
    result = domain.handling_durations(steps, {date(2024, 3, 12)})
    assert result.stages == {
        SUB: stats(4, "1.8", "1.5", 4),
        SCR: stats(2, "3.5", "3.5", 4),
        EXP: stats(1, "3.0", "3.0", 3),
        DEC: stats(1, "2.0", "2.0", 2),
    }
    assert result.filing_to_decision == stats(1, "8.0", "8.0", 8)


def test_durations_of_no_items_are_empty():
    result = domain.handling_durations([])
    assert set(result.stages) == set(domain.MEASURED_STAGES)
    assert all(
        stats == domain.DurationStats(0)
        for stats in [*result.stages.values(), result.filing_to_decision]
    )


@pytest.mark.parametrize(
    ("days", "mean", "median"),
    [
        ([1, 2], "1.5", "1.5"),
        ([1, 1, 2], "1.3", "1.0"),
        ([2, 3, 3], "2.7", "3.0"),
        ([0], "0.0", "0.0"),
        ([1, 2, 2, 2], "1.8", "2.0"),
    ],
)
def test_mean_and_median_are_rounded_half_up_to_one_decimal(days, mean, median):
    stats = domain.duration_stats(days)
    assert (stats.count, stats.mean, stats.median, stats.max) == (
        len(days),
        Decimal(mean),
        Decimal(median),
        max(days),
    )
