"""Dispute pages: who sees what (tenancy, roles), the workflow through the forms, the letter, the inbox."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from config import lists
from disputes import services
from disputes.choices import Decision, ItemStatus, Vote
from disputes.models import DisputeItem, Notification
from tests.config.test_lists import csv_rows
from tests.disputes.conftest import pdf

pytestmark = pytest.mark.django_db


def url(name: str, item=None) -> str:
    return reverse(f"disputes:{name}", args=[item.pk] if item is not None else [])


def decided(world, item) -> DisputeItem:
    for seat in item.panel.select_related("expert__user"):
        services.expert_vote(actor=seat.expert.user, item=item, vote=Vote.APPROVE, opinion="同意")
    return services.item_decide(
        actor=world.officer,
        item=item,
        decision=Decision.APPROVED_FFS,
        reason="专家组一致同意按项目付费",
    )


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(url("item_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_nav_item_leads_to_the_list(world, client_for):
    html = client_for(world.user_a).get(reverse("portal:home")).content.decode()
    assert f'href="{url("item_list")}"' in html


def test_hospital_list_shows_own_items_and_quota(world, special_case, client_for):
    mine = special_case()
    theirs = special_case(world.user_b, "B1")
    response = client_for(world.user_a).get(url("item_list"))
    html = response.content.decode()
    assert mine.number in html and theirs.number not in html
    assert (
        response.context["quota"].quota,
        response.context["quota"].used,
        response.context["quota"].remaining,
    ) == (2, 1, 1)
    assert "我的申请" in html and 'data-testid="quota-remaining">1<' in html


def test_officer_queue_marks_overdue_items(world, special_case, client_for):
    item = services.item_submit(actor=world.user_a, item=special_case())
    DisputeItem.objects.filter(pk=item.pk).update(due_on="2020-01-01")
    response = client_for(world.officer).get(url("item_list") + "?status=overdue")
    assert item.number in response.content.decode()
    assert 'data-testid="overdue"' in response.content.decode()
    assert response.context["queues"][ItemStatus.SUBMITTED] == {"total": 1, "overdue": 1}


def test_item_list_query_count_is_flat(
    world, cases, client_for, django_assert_max_num_queries, settings
):
    settings.DISPUTES_SPECIAL_CASE_QUOTA_RATE = "1"
    for n in range(1, 5):
        services.item_submit(
            actor=world.user_a,
            item=services.item_create(
                actor=world.user_a,
                kind="special_case",
                setl_id=f"A{n}",
                reasons=["long_stay"],
                statement="x",
            ),
        )
    client = client_for(world.officer)
    with django_assert_max_num_queries(8):
        assert client.get(url("item_list")).status_code == 200


def test_hospital_files_through_the_form_with_an_attachment(world, cases, client_for):
    response = client_for(world.user_a).post(
        url("item_create"),
        {
            "kind": "special_case",
            "setl_id": "A2",
            "reasons": ["high_cost", "new_technology"],
            "statement": "使用新型耗材。",
            "attachment": pdf(),
        },
    )
    item = DisputeItem.objects.get()
    assert response.status_code == 302 and response["Location"] == url("item_detail", item)
    assert (item.case.setl_id, item.reasons, item.attachments.count()) == (
        "A2",
        ["high_cost", "new_technology"],
        1,
    )


def test_the_form_shows_the_quota_refusal(world, special_case, client_for):
    special_case(setl_id="A1")
    special_case(setl_id="A2")
    response = client_for(world.user_a).post(
        url("item_create"),
        {"kind": "special_case", "setl_id": "A3", "reasons": ["long_stay"], "statement": "x"},
    )
    assert response.status_code == 200
    assert "本机构名额 2 例，已申请 2 例，剩余 0 例" in response.content.decode()


@pytest.mark.parametrize("who", ["officer", "expert"])
def test_only_hospitals_open_the_filing_form(world, client_for, who):
    assert client_for(getattr(world, who)).get(url("item_create")).status_code == 403


def test_hospital_b_never_sees_a_filing_of_a(world, special_case, client_for):
    item = special_case()
    attachment = services.attachment_add(actor=world.user_a, item=item, upload=pdf())
    client = client_for(world.user_b)
    assert client.get(url("item_detail", item)).status_code == 404
    assert client.get(url("attachment_download", attachment)).status_code == 404
    assert client.post(url("item_submit", item)).status_code == 404
    assert client.post(url("comment_add", item), {"body": "?"}).status_code == 404


def test_hospital_b_never_downloads_the_letter_of_a(world, reviewing, client_for):
    decided(world, reviewing)
    assert client_for(world.user_b).get(url("item_letter", reviewing)).status_code == 404


def test_experts_see_only_items_assigned_to_them(
    world, reviewing, special_case, experts, client_for
):
    other = special_case(setl_id="A2")
    seated = reviewing.panel.select_related("expert__user").first().expert.user
    client = client_for(seated)
    assert client.get(url("item_detail", reviewing)).status_code == 200
    assert client.get(url("item_detail", other)).status_code == 404
    assert client_for(experts.from_a.user).get(url("item_detail", reviewing)).status_code == 404
    html = client_for(seated).get(url("review_list")).content.decode()
    assert reviewing.number in html and other.number not in html


def test_the_expert_list_redirects_and_others_cannot_open_review_tasks(world, client_for):
    assert client_for(world.expert).get(url("item_list"))["Location"] == url("review_list")
    assert client_for(world.user_a).get(url("review_list")).status_code == 403


def test_detail_shows_timeline_comments_and_attachments(world, special_case, client_for):
    item = services.item_submit(actor=world.user_a, item=special_case())
    services.comment_add(actor=world.officer, item=item, body="请补充 ICU 记录。")
    services.attachment_add(actor=world.user_a, item=item, upload=pdf("ICU记录.pdf"))
    html = client_for(world.user_a).get(url("item_detail", item)).content.decode()
    assert (
        "创建申请草稿" in html
        and "已提交待受理" in html
        and "请补充 ICU 记录。" in html
        and "ICU记录.pdf" in html
    )


def test_the_attachment_downloads_with_its_content(world, special_case, client_for):
    attachment = services.attachment_add(actor=world.user_a, item=special_case(), upload=pdf())
    response = client_for(world.officer).get(url("attachment_download", attachment))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_forged_attachment_is_refused_on_the_page(world, special_case, client_for):
    item = special_case()
    response = client_for(world.user_a).post(
        url("attachment_add", item), {"file": pdf("x.pdf", b"MZ\x90\x00 an exe")}, follow=True
    )
    assert "附件只能是 PDF、JPEG 或 PNG 文件" in response.content.decode()
    assert item.attachments.count() == 0


def test_the_workflow_through_the_pages(world, special_case, experts, client_for):
    item = special_case()
    client_for(world.user_a).post(url("item_submit", item), {"note": ""})
    officer = client_for(world.officer)
    officer.post(url("item_accept", item))
    officer.post(url("item_screen", item), {"passed": "1", "note": "材料齐全"})
    officer.post(
        url("panel_draw", item),
        {"specialty": "surgery", "size": "3", "rule": "majority", "seed": "3"},
    )
    item.refresh_from_db()
    assert (item.status, item.panel.count(), item.panel_seed) == (ItemStatus.EXPERT_REVIEW, 3, 3)
    for seat in item.panel.select_related("expert__user"):
        client_for(seat.expert.user).post(
            url("expert_vote", item), {"vote": "approve", "opinion": "符合单议条件"}
        )
    response = client_for(world.officer).post(
        url("item_decide", item),
        {"decision": "adjusted_score", "value": "1500", "reason": "同意调整"},
        follow=True,
    )
    item.refresh_from_db()
    assert (item.status, item.decision, str(item.decision_value)) == (
        ItemStatus.DECIDED,
        Decision.ADJUSTED_SCORE,
        "1500.0000",
    )
    assert "已作出处理决定" in response.content.decode()


def test_an_illegal_step_on_the_page_is_a_message_not_an_error(world, special_case, client_for):
    item = special_case()
    response = client_for(world.officer).post(url("item_accept", item), follow=True)
    assert "当前状态为「草稿」，不能执行「受理」" in response.content.decode()


def test_a_hospital_cannot_post_bureau_steps(world, special_case, client_for):
    item = services.item_submit(actor=world.user_a, item=special_case())
    assert client_for(world.user_a).post(url("item_accept", item)).status_code == 403


def test_the_letter_is_a_decision_sheet_for_hospital_and_bureau(world, reviewing, client_for):
    decided(world, reviewing)
    for user in (world.user_a, world.officer):
        response = client_for(user).get(url("item_letter", reviewing))
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(BytesIO(response.content))["决定书"]
        rows = {
            row[0]: row[1]
            for row in sheet.iter_rows(min_row=3, max_col=2, values_only=True)
            if row[0]
        }
        assert sheet["A1"].value == "特病单议处理决定书"
        assert (rows["申请编号"], rows["结算清单号"], rows["处理决定"], rows["专家组表决"]) == (
            reviewing.number,
            "A1",
            "同意，按项目付费",
            "同意 3 票",
        )
    assert client_for(world.expert).get(url("item_letter", reviewing)).status_code == 403


def test_no_letter_before_the_decision(world, reviewing, client_for):
    assert client_for(world.user_a).get(url("item_letter", reviewing)).status_code == 404


def test_inbox_lists_and_marks_read_with_the_unread_badge(world, special_case, client_for):
    services.item_submit(actor=world.user_a, item=special_case())
    client = client_for(world.officer)
    html = client.get(url("inbox")).content.decode()
    assert "提交：已提交待受理" in html and 'data-testid="unread-count">1<' in html
    client.post(url("inbox"))
    assert not Notification.objects.filter(user=world.officer, read_at__isnull=True).exists()


def test_each_side_is_offered_only_its_own_steps(world, special_case, experts, client_for):
    item = special_case()
    page = lambda user: client_for(user).get(url("item_detail", item)).content.decode()  # noqa: E731
    assert url("item_submit", item) in page(world.user_a) and url("item_accept", item) not in page(
        world.user_a
    )
    services.item_submit(actor=world.user_a, item=item)
    assert url("item_accept", item) in page(world.officer)
    services.item_accept(actor=world.officer, item=item)
    assert 'data-testid="screen-form"' in page(
        world.officer
    ) and 'data-testid="screen-form"' not in page(world.user_a)
    services.item_screen(actor=world.officer, item=item, passed=True)
    assert 'data-testid="draw-form"' in page(world.officer)
    services.panel_draw(actor=world.officer, item=item, specialty="surgery", size=3, seed=5)
    officer_page = page(world.officer)
    assert 'data-testid="draw-form"' not in officer_page and 'data-testid="panel"' in officer_page
    assert 'data-testid="decide-form"' in officer_page
    seated = item.panel.select_related("expert__user").first().expert.user
    assert 'data-testid="vote-form"' in page(seated)
    hospital_page = page(world.user_a)
    assert 'data-testid="panel"' not in hospital_page  # the hospital sees the tally, not who sat
    assert seated.username not in hospital_page


def test_the_list_shows_the_latest_step(world, special_case, client_for):
    services.item_submit(actor=world.user_a, item=special_case(), note="请尽快审核")
    assert "请尽快审核" in client_for(world.user_a).get(url("item_list")).content.decode()


# --- the review list as a declared list page (config.lists) --------------------------------------


def test_the_review_list_sorts_filters_and_exports_the_experts_own_seats(
    world, reviewing, special_case, client_for
):
    special_case(setl_id="A2")
    seated = reviewing.panel.select_related("expert__user").first().expert.user
    client = client_for(seated)
    reviews = url("review_list")
    assert [s.item_id for s in client.get(reviews, {"sort": "-number"}).context["page"]] == [
        reviewing.pk
    ]
    assert list(client.get(reviews, {"status": "withdrawn"}).context["page"]) == []
    rows = csv_rows(client.get(reviews, {"status": reviewing.status, "export": "csv"}))
    assert rows[0] == ["编号", "类型", "申请机构", "状态", "办理时限", "我的表决", "抽取时间"]
    assert [row[0] for row in rows[1:]] == [reviewing.number]
    assert rows[1][5] == "待表决"
    refused = client.get(reviews, {"status": "nonsense"})
    assert refused.context["filter_error"] == lists.ERR_FILTER
    assert client_for(world.user_a).get(reviews, {"export": "csv"}).status_code == 403
