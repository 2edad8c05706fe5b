"""Negotiation meetings over the API: the bureau reads every meeting with its agenda, positions,
outcomes and linked versions; a hospital reads only the meetings its institution attended (another
is 404, not listed); experts get 403; the bureau records meetings and conclusions through the services."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from disputes.choices import AgendaStatus, Stance
from disputes.models import AgendaItem, Meeting
from disputes.negotiation import services
from tests.api.conftest import token_headers  # noqa: F401  (the fixture, shared with tests/api)
from tests.disputes.test_negotiation import agenda_item, meeting, parameter_set, seats  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/meetings/"


def detail(meeting: Meeting, action: str = "") -> str:
    return reverse("api:meeting-detail", args=[meeting.pk]) + (f"{action}/" if action else "")


@pytest.fixture
def api(client, token_headers):  # noqa: F811
    def bound(user):
        headers = token_headers(user)
        return (
            lambda path, **kw: client.get(path, **headers, **kw),
            lambda path, data, **kw: client.post(
                path, data, content_type="application/json", **headers, **kw
            ),
        )

    return bound


@pytest.fixture
def concluded(world, seats, agenda_item, parameter_set):  # noqa: F811
    """The coefficient item: 甲医院 objects, the bureau agrees; agreed and linked to a parameter set."""
    services.position_record(
        actor=world.officer,
        agenda_item=agenda_item,
        participant=seats["a"],
        stance=Stance.OBJECT,
        statement="降幅过大",
    )
    services.position_record(
        actor=world.officer,
        agenda_item=agenda_item,
        participant=seats["bureau"],
        stance=Stance.AGREE,
    )
    services.agenda_item_conclude(
        actor=world.officer,
        agenda_item=agenda_item,
        status=AgendaStatus.AGREED,
        outcome="调为 1.04",
    )
    return services.agenda_item_link(
        actor=world.officer, agenda_item=agenda_item, parameter_set=parameter_set
    )


@pytest.fixture
def other_meeting(world) -> Meeting:
    """A meeting only 乙医院 attended."""
    other = services.meeting_create(
        actor=world.officer,
        region=world.region,
        year=2025,
        title="二级医院座谈",
        held_on=date(2025, 2, 1),
        minutes="",
    )
    services.participant_add(
        actor=world.officer,
        meeting=other,
        name="钱院长",
        role="representative",
        institution=world.hospital_b,
    )
    return other


def test_anonymous_gets_401(client, world):
    assert client.get(LIST).status_code == 401


def test_experts_get_403(world, meeting, api):
    get, _ = api(world.expert)
    assert get(LIST).status_code == 403
    assert get(detail(meeting)).status_code == 403


def test_the_bureau_lists_every_meeting_with_counts(world, seats, agenda_item, other_meeting, api):
    get, _ = api(world.officer)
    rows = get(LIST).json()["results"]
    assert [(r["title"], r["participant_count"], r["agenda_count"]) for r in rows] == [
        ("二级医院座谈", 1, 0),
        ("2025年度DIP协商会", 2, 1),
    ]
    assert get(LIST + "?year=2024").json()["results"] == []
    assert get(LIST + "?year=abc").status_code == 400


def test_the_detail_holds_agenda_positions_outcome_and_linked_version(
    world, meeting, concluded, parameter_set, api
):  # noqa: F811
    get, _ = api(world.officer)
    body = get(detail(meeting)).json()
    assert (body["minutes"], [p["name"] for p in body["participants"]]) == (
        "一、审议机构系数调整方案。",
        ["张院长", "李科长"],
    )
    assert (
        body["participants"][0]["fixmedins_code"] == world.hospital_a.code
        and body["participants"][1]["fixmedins_code"] is None
    )
    (item,) = body["agenda"]
    assert (item["topic"], item["status"], item["outcome"]) == (
        "coefficients",
        "agreed",
        "调为 1.04",
    )
    assert [(p["participant"], p["stance"], p["statement"]) for p in item["positions"]] == [
        ("张院长", "object", "降幅过大"),
        ("李科长", "agree", ""),
    ]
    assert item["parameter_set"] == {"id": parameter_set.pk, "label": str(parameter_set)}
    assert item["catalog_version"] is None


def test_a_hospital_reads_only_the_meetings_its_institution_attended(
    world, meeting, seats, other_meeting, api
):
    get_a, _ = api(world.user_a)
    assert [r["id"] for r in get_a(LIST).json()["results"]] == [meeting.pk]
    assert get_a(detail(meeting)).status_code == 200
    assert get_a(detail(other_meeting)).status_code == 404
    get_b, _ = api(world.user_b)
    assert [r["id"] for r in get_b(LIST).json()["results"]] == [other_meeting.pk]
    assert get_b(detail(meeting)).status_code == 404


def test_the_bureau_records_a_meeting_audited(world, api):
    _, post = api(world.officer)
    response = post(
        LIST,
        {"region": world.region.code, "year": 2025, "title": "年中协商", "held_on": "2025-06-30"},
    )
    assert response.status_code == 201, response.json()
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert (meeting.title, response.json()["status"]) == ("年中协商", "planned")
    assert AuditEvent.objects.filter(action="meeting_create", object_id=str(meeting.pk)).exists()
    assert post(
        LIST, {"region": "999999", "year": 2025, "title": "x", "held_on": "2025-06-30"}
    ).json() == {"detail": "统筹区不存在。"}


@pytest.mark.parametrize("who", ["user_a", "expert"])
def test_only_the_bureau_writes(world, meeting, agenda_item, seats, who, api):  # noqa: F811
    _, post = api(getattr(world, who))
    assert (
        post(
            LIST, {"region": world.region.code, "year": 2025, "title": "x", "held_on": "2025-06-30"}
        ).status_code
        == 403
    )
    assert (
        post(
            detail(meeting, "conclude"),
            {"agenda_item_id": agenda_item.pk, "status": "agreed", "outcome": "x"},
        ).status_code
        == 403
    )
    assert Meeting.objects.count() == 1 and AgendaItem.objects.get().status == AgendaStatus.OPEN


def test_the_bureau_concludes_an_item_and_rules_are_400(world, meeting, agenda_item, api):  # noqa: F811
    _, post = api(world.officer)
    refused = post(
        detail(meeting, "conclude"),
        {"agenda_item_id": agenda_item.pk, "status": "agreed", "outcome": ""},
    )
    assert refused.status_code == 400 and "协商结果" in refused.json()["detail"]
    assert (
        post(
            detail(meeting, "conclude"), {"agenda_item_id": agenda_item.pk, "status": "bogus"}
        ).status_code
        == 400
    )
    done = post(
        detail(meeting, "conclude"),
        {"agenda_item_id": agenda_item.pk, "status": "not_agreed", "outcome": "下次再议"},
    )
    assert done.status_code == 200 and done.json()["agenda"][0]["status"] == "not_agreed"
    assert AuditEvent.objects.filter(
        action="meeting_agenda_conclude", object_id=str(agenda_item.pk)
    ).exists()


def test_meeting_list_query_count_is_flat(
    world, meeting, seats, other_meeting, api, django_assert_max_num_queries
):
    get, _ = api(world.officer)
    with django_assert_max_num_queries(6):
        assert get(LIST).status_code == 200
