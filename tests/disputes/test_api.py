"""Disputes over the API: the same services and tenancy as the pages, errors as JSON."""

from __future__ import annotations

import pytest
from django.urls import reverse

from disputes import services
from disputes.choices import Decision, ItemStatus, Vote
from disputes.models import DisputeItem
from tests.api.conftest import token_headers  # noqa: F401  (the fixture, shared with tests/api)
from tests.disputes.conftest import pdf

pytestmark = pytest.mark.django_db

LIST = "/api/v1/disputes/"


def detail(item, action: str = "") -> str:
    return reverse("api:dispute-detail", args=[item.pk]) + (f"{action}/" if action else "")


@pytest.fixture
def api(client, token_headers):
    """``api(user)``: (get, post) bound to that user's token."""

    def bound(user):
        headers = token_headers(user)
        return (
            lambda path, **kw: client.get(path, **headers, **kw),
            lambda path, data=None, **kw: client.post(path, data or {}, **headers, **kw),
        )

    return bound


def test_anonymous_gets_401(client, world):
    assert client.get(LIST).status_code == 401
    assert client.post(LIST, {}, content_type="application/json").status_code == 401


def test_a_hospital_files_submits_and_reads_back(world, cases, api):
    get, post = api(world.user_a)
    created = post(
        LIST,
        {
            "kind": "special_case",
            "setl_id": "A1",
            "reasons": ["high_cost"],
            "statement": "费用超标",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["setl_id"], body["fixmedins_code"], body["reasons"]) == (
        "draft",
        "A1",
        "H37080200001",
        ["high_cost"],
    )
    item = DisputeItem.objects.get(pk=body["id"])
    submitted = post(
        detail(item, "submit"), {"note": "请审核"}, content_type="application/json"
    ).json()
    assert (submitted["status"], submitted["timeline"][-1]["note"]) == (
        ItemStatus.SUBMITTED,
        "请审核",
    )
    assert [row["id"] for row in get(LIST).json()["results"]] == [item.pk]


def test_quota_refusal_is_a_400_with_the_chinese_message(world, special_case, api):
    special_case(setl_id="A1")
    special_case(setl_id="A2")
    _, post = api(world.user_a)
    response = post(
        LIST,
        {"kind": "special_case", "setl_id": "A3", "reasons": ["long_stay"], "statement": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "2024年3月特病单议名额已用完：本机构名额 2 例，已申请 2 例，剩余 0 例。"
    }


def test_bad_fields_are_400_with_errors(world, cases, api):
    _, post = api(world.user_a)
    response = post(LIST, {"kind": "nonsense", "statement": ""}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind", "statement"}
    get, _ = api(world.officer)
    assert get(LIST + "?status=bogus").status_code == 400


def test_an_objection_with_a_period_of_another_region_is_refused(world, cases, api):
    _, post = api(world.user_a)
    ok = post(
        LIST,
        {
            "kind": "objection",
            "subject": "score",
            "statement": "分值偏低",
            "period_id": world.period.pk,
        },
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["period_id"] == world.period.pk
    bad = post(
        LIST,
        {"kind": "objection", "subject": "score", "statement": "x", "period_id": 99999},
        content_type="application/json",
    )
    assert bad.json() == {"detail": "结算期间不存在或不属于本统筹区。"}


@pytest.mark.parametrize("who", ["officer", "expert"])
def test_only_hospitals_create(world, cases, api, who):
    _, post = api(getattr(world, who))
    response = post(
        LIST,
        {"kind": "objection", "subject": "score", "statement": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_hospital_b_never_reaches_a_filing_of_a(world, special_case, api):
    item = special_case()
    services.attachment_add(actor=world.user_a, item=item, upload=pdf())
    get, post = api(world.user_b)
    assert get(LIST).json()["results"] == []
    assert get(detail(item)).status_code == 404
    assert post(detail(item, "submit"), content_type="application/json").status_code == 404
    assert post(detail(item, "withdraw"), content_type="application/json").status_code == 404
    assert post(detail(item, "attachments"), {"file": pdf()}).status_code == 404


def test_attachment_upload_checks_the_content(world, special_case, api):
    item = special_case()
    _, post = api(world.user_a)
    created = post(detail(item, "attachments"), {"file": pdf()})
    assert created.status_code == 201 and created.json()["content_type"] == "application/pdf"
    refused = post(detail(item, "attachments"), {"file": pdf("fake.pdf", b"GIF89a....")})
    assert refused.status_code == 400 and "PDF、JPEG 或 PNG" in refused.json()["detail"]
    get, _ = api(world.user_a)
    assert [a["original_name"] for a in get(detail(item)).json()["attachments"]] == ["病历.pdf"]


def test_withdrawing_a_decided_item_is_refused(world, reviewing, api):
    for seat in reviewing.panel.select_related("expert__user"):
        services.expert_vote(actor=seat.expert.user, item=reviewing, vote=Vote.REJECT)
    services.item_decide(
        actor=world.officer, item=reviewing, decision=Decision.REJECTED, reason="不符合"
    )
    _, post = api(world.user_a)
    response = post(
        detail(reviewing, "withdraw"), {"note": "撤回"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "当前状态为「已决定」，不能执行「撤回」。"}


def test_experts_list_only_their_assignments(world, reviewing, special_case, experts, api):
    special_case(setl_id="A2")
    seated = reviewing.panel.select_related("expert__user").first().expert.user
    get, _ = api(seated)
    assert [row["id"] for row in get(LIST).json()["results"]] == [reviewing.pk]
    get, _ = api(experts.from_a.user)
    assert get(LIST).json()["results"] == []


def test_bureau_lists_all_and_filters(world, special_case, api):
    special_case()
    services.item_submit(actor=world.user_b, item=special_case(world.user_b, "B1"))
    get, _ = api(world.officer)
    assert get(LIST).json()["count"] == 2
    assert [row["fixmedins_code"] for row in get(LIST + "?status=submitted").json()["results"]] == [
        "H37080200002"
    ]


def test_the_bureau_cannot_submit_for_a_hospital(world, special_case, api):
    item = special_case()
    _, post = api(world.officer)
    response = post(detail(item, "submit"), content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": "「提交」只能由申请机构办理。"}
