"""Negotiation (协商谈判): coverage and status rules (pure), the audited bureau-only services, and the
pages — the bureau edits; a hospital whose institution attended reads (read-only); any other
hospital gets 404; experts have no negotiation pages (403)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from catalogs.models import Institution, Region
from catalogs.versions.models import CatalogVersion
from config.spreadsheets.responses import content_disposition
from disputes import domain
from disputes.choices import AgendaStatus, AgendaTopic, MeetingStatus, ParticipantRole, Stance
from disputes.models import AgendaItem, Meeting, Position
from disputes.negotiation import selectors, services
from settlement.parameters.services import parameter_set_create

# --------------------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("represented", "expected"),
    [
        (
            set(),
            [
                ("level", "3A", 2, 0),
                ("level", "2", 1, 0),
                ("type", "general", 2, 0),
                ("type", "tcm", 1, 0),
            ],
        ),
        (
            {1},
            [
                ("level", "3A", 2, 1),
                ("level", "2", 1, 0),
                ("type", "general", 2, 1),
                ("type", "tcm", 1, 0),
            ],
        ),
        (
            {1, 2, 3},
            [
                ("level", "3A", 2, 2),
                ("level", "2", 1, 1),
                ("type", "general", 2, 2),
                ("type", "tcm", 1, 1),
            ],
        ),
    ],
)
def test_coverage_counts_represented_institutions_by_level_and_type(represented, expected):
    institutions = [(1, "3A", "general"), (2, "3A", "tcm"), (3, "2", "general")]
    rows = domain.representation_coverage(institutions, represented)
    assert [(r.dimension, r.key, r.total, r.represented) for r in rows] == expected
    assert [r.covered for r in rows] == [n > 0 for *_, n in expected]


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("planned", "planned", True),
        ("planned", "held", True),
        ("held", "closed", True),
        ("planned", "closed", False),
        ("held", "planned", False),
        ("closed", "held", False),
    ],
)
def test_a_meeting_moves_one_step_forward_only(source, target, allowed):
    if allowed:
        domain.meeting_status_check(source, target)
    else:
        with pytest.raises(domain.DisputeError, match="会议状态不能从"):
            domain.meeting_status_check(source, target)


# --------------------------------------------------------------------------- services


@pytest.fixture
def meeting(world) -> Meeting:
    return services.meeting_create(
        actor=world.officer,
        region=world.region,
        year=2025,
        title="2025年度DIP协商会",
        held_on=date(2025, 1, 10),
        minutes="一、审议机构系数调整方案。",
    )


@pytest.fixture
def seats(world, meeting):
    """甲医院's representative and the bureau's."""
    return {
        "a": services.participant_add(
            actor=world.officer,
            meeting=meeting,
            name="张院长",
            role=ParticipantRole.REPRESENTATIVE,
            institution=world.hospital_a,
        ),
        "bureau": services.participant_add(
            actor=world.officer, meeting=meeting, name="李科长", role=ParticipantRole.BUREAU
        ),
    }


@pytest.fixture
def agenda_item(world, meeting) -> AgendaItem:
    return services.agenda_item_add(
        actor=world.officer,
        meeting=meeting,
        topic=AgendaTopic.COEFFICIENTS,
        proposal="三级医院系数 1.05 调为 1.03",
    )


@pytest.fixture
def parameter_set(world):
    return parameter_set_create(
        actor=world.officer,
        region=world.region,
        year=2025,
        scheme="310",
        category="DIP",
        kind="DIP",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["user_a", "expert"])
def test_only_the_bureau_records_meetings(world, who):
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=getattr(world, who),
            region=world.region,
            year=2025,
            title="x",
            held_on=date(2025, 1, 1),
        )
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_an_officer_without_the_permission_is_refused(world):
    world.officer.groups.clear()
    officer = type(world.officer).objects.get(pk=world.officer.pk)  # drop the permission cache
    with pytest.raises(PermissionDenied, match=services.ERR_NO_PERMISSION):
        services.meeting_create(
            actor=officer, region=world.region, year=2025, title="x", held_on=date(2025, 1, 1)
        )


@pytest.mark.django_db
def test_a_representative_must_name_an_institution_of_the_region(world, meeting):
    with pytest.raises(ValidationError, match="医疗机构代表必须选择所代表的机构"):
        services.participant_add(
            actor=world.officer, meeting=meeting, name="王", role=ParticipantRole.REPRESENTATIVE
        )
    elsewhere = Institution.objects.create(
        region=Region.objects.create(code="110000", name="外地"),
        code="H11",
        name="外地医院",
        level="2",
        type="general",
    )
    with pytest.raises(ValidationError, match="不属于会议所在统筹区"):
        services.participant_add(
            actor=world.officer,
            meeting=meeting,
            name="王",
            role=ParticipantRole.REPRESENTATIVE,
            institution=elsewhere,
        )


@pytest.mark.django_db
def test_recording_a_position_again_replaces_it(world, seats, agenda_item):
    services.position_record(
        actor=world.officer,
        agenda_item=agenda_item,
        participant=seats["a"],
        stance=Stance.OBJECT,
        statement="降幅过大",
    )
    services.position_record(
        actor=world.officer, agenda_item=agenda_item, participant=seats["a"], stance=Stance.AGREE
    )
    assert list(Position.objects.values_list("stance", "statement")) == [(Stance.AGREE, "")]


@pytest.mark.django_db
def test_a_position_must_come_from_a_participant_of_the_meeting(world, seats, agenda_item):
    other = services.meeting_create(
        actor=world.officer,
        region=world.region,
        year=2025,
        title="另一次会议",
        held_on=date(2025, 2, 1),
    )
    stranger = services.participant_add(
        actor=world.officer, meeting=other, name="赵", role=ParticipantRole.EXPERT
    )
    with pytest.raises(ValidationError, match="必须是本次会议的参会人员"):
        services.position_record(
            actor=world.officer, agenda_item=agenda_item, participant=stranger, stance=Stance.AGREE
        )


@pytest.mark.django_db
def test_an_agreed_item_needs_its_outcome(world, agenda_item):
    with pytest.raises(ValidationError, match="必须填写协商结果"):
        services.agenda_item_conclude(
            actor=world.officer, agenda_item=agenda_item, status=AgendaStatus.AGREED, outcome=" "
        )


@pytest.mark.django_db
def test_an_agreed_outcome_links_to_the_versions_it_produced(world, agenda_item, parameter_set):
    version = CatalogVersion.objects.create(
        region=world.region, kind="DIP", year=2025, version=1, name="2025版"
    )
    with pytest.raises(ValidationError, match="只有达成一致的议题"):
        services.agenda_item_link(
            actor=world.officer, agenda_item=agenda_item, parameter_set=parameter_set
        )
    services.agenda_item_conclude(
        actor=world.officer,
        agenda_item=agenda_item,
        status=AgendaStatus.AGREED,
        outcome="三级医院系数调为 1.03",
    )
    item = services.agenda_item_link(
        actor=world.officer,
        agenda_item=agenda_item,
        parameter_set=parameter_set,
        catalog_version=version,
    )
    assert (item.parameter_set, item.catalog_version) == (parameter_set, version)
    assert list(parameter_set.negotiation_outcomes.all()) == [item] and list(
        version.negotiation_outcomes.all()
    ) == [item]

    services.agenda_item_conclude(
        actor=world.officer, agenda_item=item, status=AgendaStatus.NOT_AGREED, outcome="复议"
    )
    item.refresh_from_db()
    assert (item.parameter_set, item.catalog_version) == (None, None)


@pytest.mark.django_db
def test_a_link_to_another_regions_version_is_refused(world, agenda_item):
    elsewhere = parameter_set_create(
        actor=world.officer,
        region=Region.objects.create(code="110000", name="外地"),
        year=2025,
        scheme="310",
        category="DIP",
        kind="DIP",
    )
    services.agenda_item_conclude(
        actor=world.officer, agenda_item=agenda_item, status=AgendaStatus.AGREED, outcome="同意"
    )
    with pytest.raises(ValidationError, match="不属于会议所在统筹区"):
        services.agenda_item_link(
            actor=world.officer, agenda_item=agenda_item, parameter_set=elsewhere
        )


@pytest.mark.django_db
def test_a_closed_meeting_is_final_but_its_outcomes_can_still_be_linked(
    world, meeting, seats, agenda_item, parameter_set
):
    services.agenda_item_conclude(
        actor=world.officer, agenda_item=agenda_item, status=AgendaStatus.AGREED, outcome="同意"
    )
    for status in (MeetingStatus.HELD, MeetingStatus.CLOSED):
        services.meeting_update(
            actor=world.officer,
            meeting=meeting,
            title=meeting.title,
            held_on=meeting.held_on,
            status=status,
            minutes=meeting.minutes,
        )
    with pytest.raises(ValidationError, match=services.ERR_MEETING_CLOSED):
        services.agenda_item_add(
            actor=world.officer, meeting=meeting, topic=AgendaTopic.OTHER, proposal="x"
        )
    with pytest.raises(ValidationError, match=services.ERR_MEETING_CLOSED):
        services.position_record(
            actor=world.officer,
            agenda_item=agenda_item,
            participant=seats["a"],
            stance=Stance.AGREE,
        )
    with pytest.raises(ValidationError, match=services.ERR_MEETING_CLOSED):
        services.participant_remove(actor=world.officer, participant=seats["a"])
    # The parameter version an outcome produced is approved after the meeting: linking stays open.
    services.agenda_item_link(
        actor=world.officer, agenda_item=agenda_item, parameter_set=parameter_set
    )


@pytest.mark.django_db
def test_a_meeting_cannot_skip_from_planned_to_closed(world, meeting):
    with pytest.raises(ValidationError, match="会议状态不能从「计划召开」改为「已结束」"):
        services.meeting_update(
            actor=world.officer,
            meeting=meeting,
            title="x",
            held_on=meeting.held_on,
            status=MeetingStatus.CLOSED,
            minutes="",
        )


@pytest.mark.django_db
def test_every_write_is_audited(world, seats, agenda_item):
    services.position_record(
        actor=world.officer, agenda_item=agenda_item, participant=seats["a"], stance=Stance.AGREE
    )
    services.agenda_item_conclude(
        actor=world.officer, agenda_item=agenda_item, status=AgendaStatus.AGREED, outcome="同意"
    )
    services.participant_remove(actor=world.officer, participant=seats["bureau"])
    actions = list(
        AuditEvent.objects.filter(action__startswith="meeting_")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "meeting_create",
        "meeting_participant_add",
        "meeting_participant_add",
        "meeting_agenda_add",
        "meeting_position_record",
        "meeting_agenda_conclude",
        "meeting_participant_remove",
    ]
    assert AuditEvent.objects.get(action="meeting_participant_remove").before["name"] == "李科长"


@pytest.mark.django_db
def test_hospitals_see_only_the_meetings_their_institution_attended(world, meeting, seats):
    services.participant_add(
        actor=world.officer,
        meeting=meeting,
        name="张副院长",
        role=ParticipantRole.REPRESENTATIVE,
        institution=world.hospital_a,
    )  # two seats of 甲医院: still one meeting
    assert list(selectors.meeting_list_for_user(world.user_a)) == [meeting]
    assert list(selectors.meeting_list_for_user(world.user_b)) == []
    assert list(selectors.meeting_list_for_user(world.expert)) == []
    assert list(selectors.meeting_list_for_user(world.officer)) == [meeting]


@pytest.mark.django_db
def test_coverage_of_the_meeting(world, meeting, seats):
    rows = {
        (dimension, label): (row.total, row.represented)
        for dimension, label, row in selectors.coverage_for(meeting)
    }
    assert rows == {
        ("医院等级", "三级甲等"): (1, 1),
        ("医院等级", "二级"): (1, 0),
        ("机构类别", "综合"): (2, 1),
    }


# --------------------------------------------------------------------------- pages


def url(name: str, *args) -> str:
    return reverse(f"disputes:{name}", args=args)


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client, world, meeting):
    for target in (
        url("meeting_list"),
        url("meeting_detail", meeting.pk),
        url("meeting_minutes", meeting.pk),
    ):
        response = client.get(target)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_an_attending_hospital_reads_the_meeting_without_edit_forms(
    world, meeting, seats, agenda_item, client_for
):
    client = client_for(world.user_a)
    assert meeting.title in client.get(url("meeting_list")).content.decode()
    html = client.get(url("meeting_detail", meeting.pk)).content.decode()
    assert "张院长" in html and "三级医院系数" in html
    assert (
        'data-testid="agenda-form"' not in html
        and 'data-testid="position-form"' not in html
        and "修改会议记录" not in html
    )
    assert client.get(url("meeting_minutes", meeting.pk)).status_code == 200
    assert client.get(url("meeting_edit", meeting.pk)).status_code == 403
    response = client.post(url("agenda_add", meeting.pk), {"topic": "other", "proposal": "x"})
    assert response.status_code == 403 and meeting.agenda.count() == 1


@pytest.mark.django_db
def test_a_hospital_that_did_not_attend_gets_404(world, meeting, seats, agenda_item, client_for):
    client = client_for(world.user_b)
    assert meeting.title not in client.get(url("meeting_list")).content.decode()
    for target in (url("meeting_detail", meeting.pk), url("meeting_minutes", meeting.pk)):
        assert client.get(target).status_code == 404
    assert (
        client.post(
            url("position_record", meeting.pk, agenda_item.pk),
            {"participant": seats["a"].pk, "stance": "agree"},
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_experts_have_no_negotiation_pages(world, meeting, client_for):
    client = client_for(world.expert)
    assert client.get(url("meeting_list")).status_code == 403
    assert client.get(url("meeting_detail", meeting.pk)).status_code == 404


@pytest.mark.django_db
def test_an_officer_records_a_meeting_through_the_pages(world, parameter_set, client_for):
    client = client_for(world.officer)
    response = client.post(
        url("meeting_create"),
        {
            "region": world.region.pk,
            "year": 2025,
            "title": "年度协商会",
            "held_on": "2025-01-10",
            "minutes": "纪要",
        },
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == url("meeting_detail", meeting.pk)
    client.post(
        url("participant_add", meeting.pk),
        {"name": "张院长", "role": "representative", "institution": world.hospital_a.pk},
    )
    client.post(url("agenda_add", meeting.pk), {"topic": "growth_rates", "proposal": "增长率 5%"})
    item, seat = meeting.agenda.get(), meeting.participants.get()
    client.post(
        url("position_record", meeting.pk, item.pk),
        {"participant": seat.pk, "stance": "agree", "statement": "可以"},
    )
    client.post(
        url("agenda_conclude", meeting.pk, item.pk),
        {"status": "agreed", "outcome": "增长率定为 5%"},
    )
    client.post(url("agenda_link", meeting.pk, item.pk), {"parameter_set": parameter_set.pk})
    client.post(
        url("meeting_edit", meeting.pk),
        {
            "title": "年度协商会",
            "held_on": "2025-01-10",
            "status": "held",
            "minutes": "纪要（定稿）",
        },
    )
    item.refresh_from_db()
    meeting.refresh_from_db()
    assert (item.status, item.outcome, item.parameter_set, meeting.status) == (
        "agreed",
        "增长率定为 5%",
        parameter_set,
        "held",
    )
    html = client.get(url("meeting_detail", meeting.pk)).content.decode()
    assert "张院长（甲医院）：<strong>同意</strong>（可以）" in html and str(parameter_set) in html
    detail = client.get(
        reverse("settlement:parameter_detail", args=[parameter_set.pk])
    ).content.decode()
    assert (
        'data-testid="negotiation-source"' in detail
        and "源自协商会议" in detail
        and "年度协商会" in detail
    )


@pytest.mark.django_db
def test_the_page_reports_a_refused_action(world, meeting, agenda_item, client_for):
    response = client_for(world.officer).post(
        url("agenda_conclude", meeting.pk, agenda_item.pk),
        {"status": "agreed", "outcome": ""},
        follow=True,
    )
    assert "达成一致的议题必须填写协商结果" in response.content.decode()


@pytest.mark.django_db
def test_meeting_list_query_count_is_flat(world, client_for, django_assert_max_num_queries):
    for n in range(5):
        services.meeting_create(
            actor=world.officer,
            region=world.region,
            year=2025,
            title=f"会议{n}",
            held_on=date(2025, 1, n + 1),
        )
    client = client_for(world.officer)
    with django_assert_max_num_queries(8):
        assert client.get(url("meeting_list")).status_code == 200


@pytest.mark.django_db
def test_the_minutes_workbook_holds_the_record_and_quotes_formulas(
    world, meeting, seats, agenda_item, client_for
):
    services.position_record(
        actor=world.officer,
        agenda_item=agenda_item,
        participant=seats["a"],
        stance=Stance.OBJECT,
        statement='=HYPERLINK("http://x")',
    )
    services.agenda_item_conclude(
        actor=world.officer,
        agenda_item=agenda_item,
        status=AgendaStatus.AGREED,
        outcome="系数调为 1.03",
    )
    response = client_for(world.officer).get(url("meeting_minutes", meeting.pk))
    assert response["Content-Disposition"] == content_disposition(
        f"meeting-{meeting.pk}-minutes.xlsx"
    )
    book = openpyxl.load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["会议纪要", "参会人员", "议题"]
    assert book["会议纪要"]["A1"].value == "2025年 2025年度DIP协商会 会议纪要"
    assert book["会议纪要"]["B8"].value == "一、审议机构系数调整方案。"
    people = [row for row in book["参会人员"].iter_rows(min_row=4, values_only=True) if row[0]]
    assert people[:2] == [
        ("张院长", "医疗机构代表", "甲医院", "三级甲等", "综合"),
        ("李科长", "医保经办机构", "—", None, None),
    ]
    assert ("医院等级", "二级", 1, 0, "否") in people
    agenda = book["议题"]
    assert (
        agenda["B4"].value == "机构系数"
        and agenda["E4"].value == "达成一致"
        and agenda["F4"].value == "系数调为 1.03"
    )
    assert (
        agenda["D4"].value == '张院长（甲医院）：反对（=HYPERLINK("http://x")）'
    )  # not at the start: left as text
    assert all(
        not str(cell.value).startswith("=")
        for row in agenda.iter_rows()
        for cell in row
        if cell.value
    )


@pytest.mark.django_db
def test_the_link_form_shows_the_current_link(
    world, meeting, agenda_item, parameter_set, client_for
):
    services.agenda_item_conclude(
        actor=world.officer, agenda_item=agenda_item, status=AgendaStatus.AGREED, outcome="同意"
    )
    services.agenda_item_link(
        actor=world.officer, agenda_item=agenda_item, parameter_set=parameter_set
    )
    html = client_for(world.officer).get(url("meeting_detail", meeting.pk)).content.decode()
    assert f'<option value="{parameter_set.pk}" selected>{parameter_set}</option>' in html


@pytest.mark.django_db
def test_meeting_detail_query_count_is_flat(
    world, meeting, seats, client_for, django_assert_max_num_queries
):
    for n in range(4):
        item = services.agenda_item_add(
            actor=world.officer, meeting=meeting, topic=AgendaTopic.SCORES, proposal=f"方案{n}"
        )
        for seat in seats.values():
            services.position_record(
                actor=world.officer, agenda_item=item, participant=seat, stance=Stance.AGREE
            )
    client = client_for(world.officer)
    with django_assert_max_num_queries(13):  # + the user's regions (the header's region scope)
        assert client.get(url("meeting_detail", meeting.pk)).status_code == 200
