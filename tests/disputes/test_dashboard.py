"""The officers' dashboard of counts and durations (办理统计): a small scenario built through the services on
chosen days of March 2024 (the 1st is a Friday; no holidays configured), the numbers the page shows, and who may see it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from disputes import selectors, services
from disputes.choices import Decision, ItemKind, ItemStatus, Specialty, Subject, Vote
from disputes.domain import DurationStats
from tests.world import TZ

pytestmark = pytest.mark.django_db

URL = reverse("disputes:dashboard")


@contextmanager
def on(day: int) -> Iterator[None]:
    """Services called inside run on that day of March 2024 (timeline times, deadlines)."""
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime(2024, 3, day, 10, 0, tzinfo=TZ)
    ):
        yield


@pytest.fixture
def scenario(world, special_case, experts):
    """A1: filed 1, submitted Mon 4, accepted Wed 6, screened and panel drawn Mon 11, voted Tue 12, decided Fri 15, applied Tue 19.
    A2: submitted 4, accepted Tue 5, still in screening. A's objection: submitted 4, accepted 5, rejected at screening Fri 8.
    B's objection: submitted 4, still waiting to be accepted."""
    with on(1):
        first = special_case(setl_id="A1")
    with on(4):
        second = special_case(setl_id="A2")
        objection_a = services.item_create(
            actor=world.user_a, kind=ItemKind.OBJECTION, subject=Subject.SCORE, statement="分值偏低"
        )
        objection_b = services.item_create(
            actor=world.user_b,
            kind=ItemKind.OBJECTION,
            subject=Subject.AMOUNT,
            statement="金额有误",
        )
        for item in (first, second, objection_a):
            services.item_submit(actor=world.user_a, item=item)
        services.item_submit(actor=world.user_b, item=objection_b)
    with on(5):
        services.item_accept(actor=world.officer, item=second)
        services.item_accept(actor=world.officer, item=objection_a)
    with on(6):
        services.item_accept(actor=world.officer, item=first)
    with on(8):
        services.item_screen(
            actor=world.officer, item=objection_a, passed=False, note="不属于争议受理范围"
        )
    with on(11):
        services.item_screen(actor=world.officer, item=first, passed=True, note="材料齐全")
        seats = services.panel_draw(
            actor=world.officer, item=first, specialty=Specialty.SURGERY, size=3, seed=7
        )
    with on(12):
        for seat in seats:
            services.expert_vote(
                actor=seat.expert.user, item=first, vote=Vote.APPROVE, opinion="同意"
            )
    with on(15):
        services.item_decide(
            actor=world.officer, item=first, decision=Decision.APPROVED_FFS, reason="专家组一致同意"
        )
    with on(19):
        services.item_mark_applied(actor=world.officer, item=first, note="已在3月结算中执行")
    return first


def stats(
    count: int, mean: str | None = None, median: str | None = None, longest: int | None = None
) -> DurationStats:
    return DurationStats(
        count, Decimal(mean) if mean else None, Decimal(median) if median else None, longest
    )


def rows_of(block) -> dict[str, tuple]:
    return {row.stage: (row.durations, row.current, row.overdue) for row in block.stages}


def test_the_selector_counts_stays_and_durations_in_working_days(world, scenario):
    special, objection, total = selectors.handling_dashboard(world.officer)
    # A1 受理 4 → 6: 2; A2 4 → 5: 1. A1 初审 6 → 11: 3 (7, 8, 11); 专家评审 11 → 15: 4; 执行 15 → 19: 2 (18, 19);
    # submission to decision 4 → 15: 9. Open items are past their 2024 deadlines today.
    assert rows_of(special) == {
        ItemStatus.SUBMITTED: (stats(2, "1.5", "1.5", 2), 0, 0),
        ItemStatus.SCREENING: (stats(1, "3.0", "3.0", 3), 1, 1),
        ItemStatus.EXPERT_REVIEW: (stats(1, "4.0", "4.0", 4), 0, 0),
        ItemStatus.DECIDED: (stats(1, "2.0", "2.0", 2), 0, 0),
    }
    assert special.filing_to_decision == stats(1, "9.0", "9.0", 9)
    # A's objection: 受理 4 → 5: 1, 初审 5 → 8: 3 (6, 7, 8), then rejected; B's waits to be accepted.
    assert rows_of(objection) == {
        ItemStatus.SUBMITTED: (stats(1, "1.0", "1.0", 1), 1, 1),
        ItemStatus.SCREENING: (stats(1, "3.0", "3.0", 3), 0, 0),
        ItemStatus.EXPERT_REVIEW: (stats(0), 0, 0),
        ItemStatus.DECIDED: (stats(0), 0, 0),
    }
    assert objection.filing_to_decision == stats(0)
    assert rows_of(total)[ItemStatus.SUBMITTED] == (stats(3, "1.3", "1.0", 2), 1, 1)  # 2, 1, 1
    assert rows_of(total)[ItemStatus.SCREENING] == (stats(2, "3.0", "3.0", 3), 1, 1)
    assert (special.label, objection.label, total.label) == ("特病单议", "争议", "合计")


def cells(html: str, kind: str, stage: str) -> list[str]:
    table = re.search(rf'data-testid="dashboard-{kind}">(.*?)</table>', html, re.S).group(1)
    row = re.search(rf'<tr data-stage="{stage}">(.*?)</tr>', table, re.S).group(1)
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    ]


def test_the_officer_sees_the_numbers_on_the_page(
    world, scenario, client_for, django_assert_max_num_queries
):
    client = client_for(world.officer)
    with django_assert_max_num_queries(12):  # the same however many items and steps there are
        response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and "<title>特病单议与争议办理统计" in html
    assert cells(html, "special_case", "screening") == ["初审", "1", "3.0", "3.0", "3", "1", "1"]
    assert cells(html, "special_case", "expert_review") == [
        "专家评审（至作出决定）",
        "1",
        "4.0",
        "4.0",
        "4",
        "0",
        "0",
    ]
    assert cells(html, "special_case", "filing_to_decision") == [
        "提交至作出决定",
        "1",
        "9.0",
        "9.0",
        "9",
        "",
    ]
    assert cells(html, "objection", "decided") == [
        "结算执行（已决定→已执行）",
        "0",
        "—",
        "—",
        "—",
        "0",
        "0",
    ]
    assert cells(html, "all", "submitted") == [
        "受理（已提交→受理）",
        "3",
        "1.3",
        "1.0",
        "2",
        "1",
        "1",
    ]


def test_filters_by_submission_year_and_settlement_period(world, scenario, client_for):
    client = client_for(world.officer)
    html = client.get(URL, {"year": 2023}).content.decode()
    assert cells(html, "all", "submitted") == ["受理（已提交→受理）", "0", "—", "—", "—", "0", "0"]
    html = client.get(
        URL, {"year": 2024, "period": world.period.pk}
    ).content.decode()  # objections here name no period
    assert cells(html, "all", "submitted")[1:] == ["2", "1.5", "1.5", "2", "0", "0"]


def test_hospitals_and_experts_are_refused_and_anonymous_sent_to_login(world, client, client_for):
    assert client.get(URL).status_code == 302
    for user in (world.user_a, world.expert):
        assert client_for(user).get(URL).status_code == 403


def test_the_nav_links_the_dashboard_for_the_bureau_only(world, client_for):
    assert URL in client_for(world.officer).get(reverse("disputes:item_list")).content.decode()
    assert URL not in client_for(world.user_a).get(reverse("disputes:item_list")).content.decode()
    assert URL not in client_for(world.expert).get(reverse("disputes:inbox")).content.decode()
