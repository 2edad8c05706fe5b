"""The negotiation meeting list as a declared list page (config.lists): sort, filter, export, scope."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from config import lists
from disputes.negotiation import services
from tests.config.test_lists import csv_rows
from tests.disputes.test_negotiation import meeting, seats  # noqa: F401  (fixtures)

MEETINGS = reverse("disputes:meeting_list")


def test_the_meeting_list_sorts_filters_and_exports_what_the_user_may_see(
    world, client_for, meeting, seats
):
    older = services.meeting_create(
        actor=world.officer,
        region=world.region,
        year=2024,
        title="2024年度协商会",
        held_on=date(2024, 2, 1),
        minutes="",
    )
    officer = client_for(world.officer)
    by_year = [m.pk for m in officer.get(MEETINGS, {"sort": "year"}).context["page"]]
    assert by_year == [older.pk, meeting.pk]
    assert [m.pk for m in officer.get(MEETINGS, {"year": 2024}).context["page"]] == [older.pk]
    rows = csv_rows(officer.get(MEETINGS, {"sort": "-held_on", "export": "csv"}))
    assert rows[0][:4] == ["会议名称", "统筹区", "年度", "会议日期"]
    assert [row[0] for row in rows[1:]] == [meeting.title, older.title]
    # 甲医院 sent a representative to the 2025 meeting only; its export says nothing of the other.
    hospital = csv_rows(client_for(world.user_a).get(MEETINGS, {"export": "csv"}))
    assert [row[0] for row in hospital[1:]] == [meeting.title]


def test_a_refused_meeting_filter_is_a_chinese_error(world, client_for):
    response = client_for(world.officer).get(MEETINGS, {"year": "二〇二五"})
    assert response.status_code == 200 and lists.ERR_FILTER in response.content.decode()
