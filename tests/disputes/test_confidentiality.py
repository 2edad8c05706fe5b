"""Hospitals never learn who reviewed them: the filing hospital sees the bureau as 医保经办机构 and each panel
expert as 专家 1/2/3 (numbered by seat, stable per item) on the page, in the API, in the letter and in its
notifications, while the bureau keeps seeing names."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from io import BytesIO
from types import SimpleNamespace

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import User
from disputes import services
from disputes.choices import Decision, ParticipantRole, Vote
from disputes.models import DisputeItem, Notification
from disputes.negotiation import services as negotiation
from disputes.presenters import ActorNames
from tests.disputes.conftest import pdf

pytestmark = pytest.mark.django_db

#: Distinctive names for everyone who reviews an item: (username, display name, family name, given name).
REVIEWERS = {
    "officer": ("ybj_wangfang", "王芳芳", "欧阳", "芳菲"),
    "expert": ("zj_lijianguo", "李建国", "司马", "建国"),
    "exp_b1": ("zj_chenxiaoming", "陈晓明", "诸葛", "晓明"),
    "exp_b2": ("zj_zhoudeming", "周德明", "上官", "德明"),
    "exp_a": ("zj_huangwei", "黄伟伟", "东方", "伟伟"),
}


@pytest.fixture
def named(world, experts) -> list[str]:
    """Give the officer and every expert a distinctive username, display name and full name; return every
    string that would identify one of them."""
    secrets = []
    for old, (username, display, last, first) in REVIEWERS.items():
        User.objects.filter(username=old).update(
            username=username, display_name=display, last_name=last, first_name=first
        )
        user = User.objects.get(username=username)
        secrets += [username, display, user.get_full_name(), f"{last}{first}"]
    world.officer.refresh_from_db()
    return secrets


@pytest.fixture
def reviewed(world, named, reviewing, settings, django_capture_on_commit_callbacks) -> DisputeItem:
    """The reviewing item taken to a decision with every reviewer showing up: an expert's comment, the votes
    (in reverse seat order), the bureau's attachment and comment, the decision; mail notifications on."""
    settings.DISPUTES_EMAIL_NOTIFICATIONS = True
    User.objects.filter(pk=world.user_a.pk).update(email="yibao@hospital-a.example.cn")
    seats = list(reviewing.panel.select_related("expert__user").order_by("id"))
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(
            actor=seats[0].expert.user, item=reviewing, body="请补充 ICU 护理记录。"
        )
        for seat in reversed(seats):
            services.expert_vote(
                actor=seat.expert.user, item=reviewing, vote=Vote.APPROVE, opinion="同意"
            )
        services.attachment_add(
            actor=world.officer, item=reviewing, upload=pdf("经办机构核查意见.pdf")
        )
        services.comment_add(actor=world.officer, item=reviewing, body="已收到补充材料。")
        services.item_decide(
            actor=world.officer,
            item=reviewing,
            decision=Decision.APPROVED_FFS,
            reason="专家组一致同意",
        )
    return reviewing


def leaked(text: str, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret in text]


def page(client, user, item) -> str:
    client.force_login(user)
    return client.get(reverse("disputes:item_detail", args=[item.pk])).content.decode()


def api_detail(client, user, item) -> tuple[str, dict]:
    """The item's API detail as the user reads it: the body's text (raw, and with any escaping undone) and its JSON."""
    client.force_login(user)
    response = client.get(reverse("api:dispute-detail", args=[item.pk]))
    assert response.status_code == 200
    data = response.json()
    return response.content.decode() + json.dumps(data, ensure_ascii=False), data


def letter_cells(client, user, item) -> str:
    client.force_login(user)
    response = client.get(reverse("disputes:item_letter", args=[item.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(BytesIO(response.content))
    return "\n".join(
        str(cell)
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def test_the_filing_hospitals_page_names_no_reviewer(client, world, named, reviewed):
    html = page(client, world.user_a, reviewed)
    assert leaked(html, named) == []
    assert "专家 1 · " in html and "医保经办机构 · " in html  # the comments' authors
    assert "· 专家 3</small>" in html and "· 医保经办机构</small>" in html  # the timeline's actors


def test_the_bureau_page_keeps_the_names(client, world, named, reviewed):
    html = page(client, world.officer, reviewed)
    assert "王芳芳" in html and "李建国" in html


def test_the_api_gives_the_hospital_roles_numbered_by_seat(client, world, named, reviewed):
    body, data = api_detail(client, world.user_a, reviewed)
    assert leaked(body, named) == []
    timeline = data["timeline"]
    votes = [row["actor"] for row in timeline if row["note"] == "专家已表决"]
    assert votes == [
        "专家 3",
        "专家 2",
        "专家 1",
    ]  # voted in reverse seat order: the numbers follow the seats
    assert timeline[-1]["actor"] == "医保经办机构"


def test_the_api_gives_the_bureau_names(client, world, named, reviewed):
    timeline = api_detail(client, world.officer, reviewed)[1]["timeline"]
    seats = reviewed.panel.select_related("expert__user").order_by("id")
    assert [row["actor"] for row in timeline if row["note"] == "专家已表决"] == [
        str(seat.expert.user) for seat in reversed(seats)
    ]
    assert timeline[-1]["actor"] == "王芳芳"


def test_the_hospitals_letter_names_no_reviewer(client, world, named, reviewed):
    cells = letter_cells(client, world.user_a, reviewed)
    assert leaked(cells, named) == []
    assert "医保经办机构" in cells
    assert "王芳芳" in letter_cells(client, world.officer, reviewed)


def test_the_hospitals_notifications_name_no_reviewer(world, named, reviewed, mailoutbox):
    inbox = list(
        Notification.objects.filter(user=world.user_a)
        .order_by("id")
        .values_list("message", flat=True)
    )
    mails = [
        f"{mail.subject}\n{mail.body}"
        for mail in mailoutbox
        if mail.to == ["yibao@hospital-a.example.cn"]
    ]
    assert (
        len(mails) == 3
    )  # mail is on from the expert's comment: the two comments and the decision
    assert all(any(message in mail for message in inbox) for mail in mails)
    assert leaked("\n".join(inbox + mails), named) == []
    assert any("专家 1 发表了意见" in message for message in inbox)
    assert any("医保经办机构 发表了意见" in mail for mail in mails)


def test_the_bureaus_notifications_name_the_expert(world, named, reviewed):
    expert = reviewed.panel.select_related("expert__user").order_by("id").first().expert.user
    inbox = Notification.objects.filter(user=world.officer).values_list("message", flat=True)
    assert any(f"{expert} 发表了意见" in message for message in inbox)


def test_the_numbers_are_fixed_by_the_seats_for_every_hospital_user(client, world, named, reviewed):
    colleague = User.objects.create_user(
        username="hosp_a2", password="x", role=world.user_a.role, institution=world.hospital_a
    )
    first, second = (
        api_detail(client, user, reviewed)[1]["timeline"] for user in (world.user_a, colleague)
    )
    assert [row["actor"] for row in first] == [row["actor"] for row in second]


def test_the_meeting_page_names_no_bureau_clerk(client, world, named):
    meeting = negotiation.meeting_create(
        actor=world.officer,
        region=world.region,
        year=2024,
        title="2024年度分值协商会",
        held_on=date(2024, 3, 5),
    )
    negotiation.participant_add(
        actor=world.officer,
        meeting=meeting,
        name="甲医院代表",
        role=ParticipantRole.REPRESENTATIVE,
        institution=world.hospital_a,
    )
    client.force_login(world.user_a)
    html = client.get(reverse("disputes:meeting_detail", args=[meeting.pk])).content.decode()
    assert leaked(html, named) == [] and "登记人 医保经办机构" in html


class Person(SimpleNamespace):
    def __str__(self) -> str:
        return self.name


COLLEAGUE = Person(pk=1, name="hosp_a2", is_hospital=True, is_expert=False, institution_id=10)
OFFICER = Person(pk=2, name="王芳芳", is_hospital=False, is_expert=False, institution_id=None)
SEATED = Person(pk=3, name="李建国", is_hospital=False, is_expert=True, institution_id=None)
UNSEATED = Person(pk=4, name="陈晓明", is_hospital=False, is_expert=True, institution_id=None)


@pytest.mark.parametrize(
    ("actor", "to_hospital", "to_bureau"),
    [
        (None, "系统", "系统"),
        (COLLEAGUE, "hosp_a2", "hosp_a2"),
        (OFFICER, "医保经办机构", "王芳芳"),
        (SEATED, "专家 2", "李建国"),
        (UNSEATED, "专家组", "陈晓明"),
    ],
)
def test_actors_are_roles_to_the_hospital_and_names_to_the_bureau(actor, to_hospital, to_bureau):
    names = ActorNames(by_name=False, institution_id=10, seats={9: 1, SEATED.pk: 2})
    assert (names(actor), replace(names, by_name=True)(actor)) == (to_hospital, to_bureau)
