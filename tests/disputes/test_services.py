"""Disputes services: quota, lifecycle, panels, decisions, attachments — each audited, timelined and notified."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from audit.models import AuditEvent
from catalogs.models import Region
from disputes import selectors, services
from disputes.choices import Decision, ItemKind, ItemStatus, PanelRule, Specialty, Subject, Vote
from disputes.models import (
    Attachment,
    Comment,
    DisputeItem,
    Notification,
    PanelAssignment,
    TimelineEntry,
)
from settlement.models import SettlementPeriod
from tests.disputes.conftest import PDF, PNG, pdf

pytestmark = pytest.mark.django_db


def events(item) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="disputes.disputeitem", object_id=str(item.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def inbox(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("message", flat=True)
    )


def vote_all(item, votes):
    for seat, vote in zip(item.panel.select_related("expert__user"), votes, strict=True):
        services.expert_vote(actor=seat.expert.user, item=item, vote=vote, opinion="意见")


# --------------------------------------------------------------------------- filing and quota


def test_a_hospital_files_a_special_case_for_its_own_case_as_a_draft(world, special_case):
    item = special_case()
    assert (item.kind, item.status, item.institution, item.period, item.case.setl_id) == (
        ItemKind.SPECIAL_CASE,
        ItemStatus.DRAFT,
        world.hospital_a,
        world.period,
        "A1",
    )
    assert events(item) == ["dispute_create"]
    assert list(item.timeline.values_list("note", flat=True)) == ["创建申请草稿"]


def test_another_institutions_case_cannot_be_filed(world, special_case):
    with pytest.raises(ValidationError, match="本机构没有结算清单号为「B1」的结算清单"):
        special_case(world.user_a, "B1")


def test_only_hospital_users_file(world, cases):
    for user in (world.officer, world.expert):
        with pytest.raises(PermissionDenied):
            services.item_create(
                actor=user, kind=ItemKind.OBJECTION, subject=Subject.SCORE, statement="x"
            )


def test_quota_is_enforced_with_used_and_remaining_in_the_message(world, special_case):
    # Region: 6 DIP discharges (the chronic outpatient case is not one) × 0.5 → 3 places; A has 4 of 6 → 2.
    status = selectors.quota_status(institution_id=world.hospital_a.pk, period=world.period)
    assert (
        status.region_discharges,
        status.region_quota,
        status.discharges,
        status.quota,
        status.used,
    ) == (6, 3, 4, 2, 0)
    special_case(setl_id="A1")
    special_case(setl_id="A2")
    with pytest.raises(ValidationError) as refused:
        special_case(setl_id="A3")
    assert refused.value.messages == [
        "2024年3月特病单议名额已用完：本机构名额 2 例，已申请 2 例，剩余 0 例。"
    ]


def test_a_withdrawn_filing_frees_its_quota_place(world, special_case):
    first = special_case(setl_id="A1")
    special_case(setl_id="A2")
    services.item_withdraw(actor=world.user_a, item=first, reason="材料不全")
    assert (
        selectors.quota_status(institution_id=world.hospital_a.pk, period=world.period).remaining
        == 1
    )
    special_case(setl_id="A3")


def test_default_quota_is_5_per_mille(world, special_case, settings):
    del settings.DISPUTES_SPECIAL_CASE_QUOTA_RATE
    with pytest.raises(ValidationError, match="本机构名额 0 例"):
        special_case()


def test_one_case_one_review(world, special_case):
    special_case(setl_id="A1")
    with pytest.raises(ValidationError, match="一例一议"):
        special_case(setl_id="A1")


def test_an_objection_needs_a_subject(world, cases):
    with pytest.raises(ValidationError, match="争议必须选择争议事项"):
        services.item_create(actor=world.user_a, kind=ItemKind.OBJECTION, statement="分组有误")
    item = services.item_create(
        actor=world.user_a,
        kind=ItemKind.OBJECTION,
        subject=Subject.GROUPING,
        subject_ref="I21.0-DIP",
        statement="分组有误",
        period=world.period,
    )
    assert (item.case, item.subject_ref) == (None, "I21.0-DIP")


def test_unknown_reasons_are_refused(world, cases):
    with pytest.raises(ValidationError, match="未知的申请理由"):
        services.item_create(
            actor=world.user_a,
            kind=ItemKind.SPECIAL_CASE,
            setl_id="A1",
            reasons=["vip"],
            statement="x",
        )


# --------------------------------------------------------------------------- lifecycle


def test_submit_sets_the_deadline_notifies_officers_and_audits(world, special_case):
    item = services.item_submit(actor=world.user_a, item=special_case(), note="请审核")
    assert (item.status, item.submitted_at is not None, item.due_on is not None) == (
        ItemStatus.SUBMITTED,
        True,
        True,
    )
    assert events(item) == ["dispute_create", "dispute_submit"]
    entry = item.timeline.last()
    assert (entry.from_status, entry.to_status, entry.actor, entry.note) == (
        ItemStatus.DRAFT,
        ItemStatus.SUBMITTED,
        world.user_a,
        "请审核",
    )
    assert inbox(world.officer) == [f"{item} 提交：已提交待受理（请审核）"]
    assert inbox(world.user_a) == []  # never to the actor


def test_mail_is_off_by_default_and_when_on_follows_the_inbox_after_commit(
    world, special_case, settings, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=world.officer.pk).update(email="officer@ybj.example.gov.cn")
    User.objects.filter(pk=world.user_a.pk).update(email="yibao@hospital-a.example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        services.item_submit(actor=world.user_a, item=special_case())
    assert mailoutbox == []
    settings.DISPUTES_EMAIL_NOTIFICATIONS = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = services.item_accept(actor=world.officer, item=DisputeItem.objects.get())
    assert (
        mailoutbox == [] and len(callbacks) == 1
    )  # the hospital's mail waits for the commit (here: never runs)
    with django_capture_on_commit_callbacks(execute=True):
        services.item_withdraw(actor=world.user_a, item=item, reason="已与经办机构沟通")
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (
            ["officer@ybj.example.gov.cn"],
            f"【医保支付方式管理平台】申请 {item.number} 有新的办理进展",
        )
    ]
    assert inbox(world.officer)[-1] in mailoutbox[0].body  # the latest inbox message, word for word


def test_a_failing_mail_server_is_logged_and_the_change_stands(
    world, special_case, settings, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    settings.DISPUTES_EMAIL_NOTIFICATIONS = True
    User.objects.filter(pk=world.officer.pk).update(email="officer@ybj.example.gov.cn")

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("no SMTP relay")

    monkeypatch.setattr(services, "send_mass_mail", refused)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.item_submit(actor=world.user_a, item=special_case())
    assert DisputeItem.objects.get(pk=item.pk).status == ItemStatus.SUBMITTED
    assert "not sent" in caplog.text


def test_another_hospital_cannot_act_on_the_item(world, special_case):
    item = special_case()
    with pytest.raises(PermissionDenied):
        services.item_submit(actor=world.user_b, item=item)
    with pytest.raises(PermissionDenied):
        services.comment_add(actor=world.user_b, item=item, body="?")


@pytest.mark.parametrize("who", ["user_a", "expert"])
def test_only_the_bureau_accepts_and_screens(world, special_case, who):
    item = services.item_submit(actor=world.user_a, item=special_case())
    with pytest.raises(PermissionDenied):
        services.item_accept(actor=getattr(world, who), item=item)


def test_a_bureau_user_cannot_take_the_hospitals_steps(world, special_case):
    with pytest.raises(PermissionDenied, match="「提交」只能由申请机构办理"):
        services.item_submit(actor=world.officer, item=special_case())


def test_illegal_transitions_are_refused_and_leave_no_trace(world, special_case):
    item = special_case()
    with pytest.raises(ValidationError, match="当前状态为「草稿」，不能执行「受理」"):
        services.item_accept(actor=world.officer, item=item)
    with pytest.raises(ValidationError, match="不能执行「作出决定」"):
        services.item_decide(actor=world.officer, item=item, decision=Decision.REJECTED, reason="x")
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
    assert events(item) == ["dispute_create"]


def test_screen_rejection_needs_a_reason_and_tells_the_hospital(world, special_case):
    item = services.item_accept(
        actor=world.officer, item=services.item_submit(actor=world.user_a, item=special_case())
    )
    with pytest.raises(ValidationError, match="请填写理由"):
        services.item_screen(actor=world.officer, item=item, passed=False, note=" ")
    item = services.item_screen(
        actor=world.officer, item=item, passed=False, note="不属于特病单议范围"
    )
    assert (item.status, item.screen_note, item.screened_by, item.due_on) == (
        ItemStatus.REJECTED,
        "不属于特病单议范围",
        world.officer,
        None,
    )
    assert inbox(world.user_a)[-1] == f"{item} 初审不予受理：初审不予受理（不属于特病单议范围）"
    assert events(item)[-1] == "dispute_screen_reject"


def test_the_full_path_is_audited_per_transition(world, reviewing):
    vote_all(reviewing, [Vote.APPROVE, Vote.APPROVE, Vote.REJECT])
    services.item_decide(
        actor=world.officer,
        item=reviewing,
        decision=Decision.ADJUSTED_SCORE,
        value=Decimal("1500"),
        reason="专家组多数同意",
    )
    item = services.item_mark_applied(actor=None, item=reviewing, note="2024年3月结算")
    assert item.status == ItemStatus.APPLIED
    assert events(item) == [
        "dispute_create",
        "dispute_submit",
        "dispute_accept",
        "dispute_screen_pass",
        "dispute_panel_draw",
        "dispute_decide",
        "dispute_apply",
    ]
    assert AuditEvent.objects.filter(action="dispute_expert_vote").count() == 3
    statuses = [s for s in item.timeline.values_list("to_status", flat=True) if s]
    assert statuses == ["draft", "submitted", "screening", "expert_review", "decided", "applied"]


def test_a_decided_item_cannot_be_withdrawn(world, reviewing):
    vote_all(reviewing, [Vote.REJECT] * 3)
    services.item_decide(
        actor=world.officer, item=reviewing, decision=Decision.REJECTED, reason="不符合条件"
    )
    with pytest.raises(ValidationError, match="当前状态为「已决定」，不能执行「撤回」"):
        services.item_withdraw(actor=world.user_a, item=reviewing)


# --------------------------------------------------------------------------- panel


def test_the_draw_never_seats_an_expert_of_the_filing_institution(world, special_case, experts):
    for n, setl_id in enumerate(["A1", "A2"]):
        item = special_case(setl_id=setl_id)
        services.item_submit(actor=world.user_a, item=item)
        services.item_accept(actor=world.officer, item=item)
        services.item_screen(actor=world.officer, item=item, passed=True)
        seats = services.panel_draw(
            actor=world.officer, item=item, specialty=Specialty.SURGERY, size=3, seed=n
        )
        assert experts.from_a not in {seat.expert for seat in seats}
        item.refresh_from_db()
        assert (item.panel_seed, sorted(item.panel_pool), item.panel_rule) == (
            n,
            sorted([experts.world_expert.pk, experts.from_b1.pk, experts.from_b2.pk]),
            PanelRule.MAJORITY,
        )


def test_the_draw_is_recorded_and_the_experts_are_notified(world, reviewing, experts):
    seated = {seat.expert.user for seat in reviewing.panel.all()}
    assert len(seated) == 3 and experts.from_a.user not in seated
    for user in seated:
        assert "邀请您参加专家评审" in inbox(user)[-1]
    event = AuditEvent.objects.get(action="dispute_panel_draw")
    assert event.message.startswith("种子 7，候选 3 位")


def test_too_few_eligible_experts_is_refused(world, special_case, experts):
    item = special_case()
    services.item_submit(actor=world.user_a, item=item)
    services.item_accept(actor=world.officer, item=item)
    services.item_screen(actor=world.officer, item=item, passed=True)
    with pytest.raises(
        ValidationError, match="符合条件的专家只有 3 位（已回避申请机构的专家），不足 4 位"
    ):
        services.panel_draw(actor=world.officer, item=item, specialty=Specialty.SURGERY, size=4)
    with pytest.raises(ValidationError, match="只有 0 位"):
        services.panel_draw(actor=world.officer, item=item, specialty=Specialty.ONCOLOGY, size=1)


def test_a_panel_is_drawn_once(world, reviewing):
    with pytest.raises(ValidationError, match="已抽取专家组"):
        services.panel_draw(
            actor=world.officer, item=reviewing, specialty=Specialty.SURGERY, size=3
        )


def test_only_an_assigned_expert_votes(world, reviewing, experts):
    with pytest.raises(PermissionDenied):
        services.expert_vote(actor=experts.from_a.user, item=reviewing, vote=Vote.APPROVE)
    with pytest.raises(PermissionDenied):
        services.expert_vote(actor=world.officer, item=reviewing, vote=Vote.APPROVE)


def test_the_last_vote_notifies_the_officers(world, reviewing):
    vote_all(reviewing, [Vote.APPROVE, Vote.REJECT, Vote.APPROVE])
    assert inbox(world.officer)[-1] == f"{reviewing} 专家组已全部表决，请作出处理决定。"


# --------------------------------------------------------------------------- decision


def test_no_decision_before_every_expert_voted(world, reviewing):
    seat = reviewing.panel.select_related("expert__user").first()
    services.expert_vote(actor=seat.expert.user, item=reviewing, vote=Vote.APPROVE)
    with pytest.raises(ValidationError, match=r"专家组尚未全部表决（1/3）"):
        services.item_decide(
            actor=world.officer, item=reviewing, decision=Decision.APPROVED_FFS, reason="x"
        )


def test_the_decision_follows_the_majority(world, reviewing):
    vote_all(reviewing, [Vote.APPROVE, Vote.REJECT, Vote.ABSTAIN])
    with pytest.raises(
        ValidationError, match="专家组表决结果为「不同意」，处理决定应为：不予支持。"
    ):
        services.item_decide(
            actor=world.officer, item=reviewing, decision=Decision.APPROVED_FFS, reason="x"
        )
    item = services.item_decide(
        actor=world.officer, item=reviewing, decision=Decision.REJECTED, reason="未获多数同意"
    )
    assert (item.status, item.decision, item.decided_by) == (
        ItemStatus.DECIDED,
        Decision.REJECTED,
        world.officer,
    )
    assert "已决定" in inbox(world.user_a)[-1]


def test_a_unanimous_rule_is_kept_from_the_draw(world, special_case, experts, settings):
    settings.DISPUTES_PANEL_RULE = PanelRule.UNANIMOUS
    item = special_case()
    services.item_submit(actor=world.user_a, item=item)
    services.item_accept(actor=world.officer, item=item)
    services.item_screen(actor=world.officer, item=item, passed=True)
    services.panel_draw(actor=world.officer, item=item, specialty=Specialty.SURGERY, size=3, seed=1)
    vote_all(item, [Vote.APPROVE, Vote.APPROVE, Vote.REJECT])
    with pytest.raises(ValidationError, match="专家组表决结果为「不同意」"):
        services.item_decide(actor=world.officer, item=item, decision=Decision.PARTLY, reason="x")


def test_an_adjusted_score_needs_its_value(world, reviewing):
    vote_all(reviewing, [Vote.APPROVE] * 3)
    with pytest.raises(ValidationError, match="调整后的分值"):
        services.item_decide(
            actor=world.officer, item=reviewing, decision=Decision.ADJUSTED_SCORE, reason="x"
        )


# --------------------------------------------------------------------------- attachments, comments, inbox


def test_attachment_is_stored_with_its_hash_type_and_size(world, special_case):
    item = special_case()
    attachment = services.attachment_add(actor=world.user_a, item=item, upload=pdf())
    assert (
        attachment.original_name,
        attachment.content_type,
        attachment.size,
        len(attachment.sha256),
    ) == ("病历.pdf", "application/pdf", len(PDF), 64)
    assert attachment.file.name.endswith(".pdf")
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert AuditEvent.objects.filter(action="dispute_attachment_add").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("伪装.pdf", b"PK\x03\x04 a zip in disguise", "附件只能是 PDF、JPEG 或 PNG 文件"),
        ("script.png", b"<script>alert(1)</script>", "附件只能是 PDF、JPEG 或 PNG 文件"),
        ("empty.pdf", b"", "附件是空文件"),
    ],
)
def test_attachment_type_is_checked_by_content(world, special_case, name, content, message):
    with pytest.raises(ValidationError, match=message):
        services.attachment_add(
            actor=world.user_a, item=special_case(), upload=SimpleUploadedFile(name, content)
        )


def test_attachment_size_limit_is_configurable(world, special_case, settings):
    settings.DISPUTES_ATTACHMENT_MAX_BYTES = 1024 * 1024
    services.attachment_add(
        actor=world.user_a,
        item=special_case(),
        upload=SimpleUploadedFile("a.png", PNG + b"\x00" * 1000),
    )
    with pytest.raises(ValidationError, match="附件不能超过 1 MB"):
        services.attachment_add(
            actor=world.user_a,
            item=special_case(setl_id="A2"),
            upload=SimpleUploadedFile("big.png", PNG + b"\x00" * (1024 * 1024)),
        )


def test_no_attachments_once_decided(world, reviewing):
    vote_all(reviewing, [Vote.APPROVE] * 3)
    services.item_decide(
        actor=world.officer, item=reviewing, decision=Decision.APPROVED_FFS, reason="同意"
    )
    with pytest.raises(ValidationError, match="已办结"):
        services.attachment_add(actor=world.user_a, item=reviewing, upload=pdf())


def test_a_comment_notifies_everyone_concerned_but_its_author(world, reviewing):
    services.comment_add(actor=world.user_a, item=reviewing, body="补充说明：患者为多发伤。")
    experts = [
        seat.expert.user
        for seat in PanelAssignment.objects.filter(item=reviewing).select_related("expert__user")
    ]
    for user in [world.officer, world.bureau_admin, *experts]:
        assert inbox(user)[-1] == f"{reviewing} hosp_a 发表了意见：补充说明：患者为多发伤。"
    assert not any("发表了意见" in m for m in inbox(world.user_a))
    assert not any("发表了意见" in m for m in inbox(world.user_b))


def test_notifications_are_marked_read_in_ones_own_inbox_only(world, special_case):
    services.item_submit(actor=world.user_a, item=special_case())
    mine = Notification.objects.get(user=world.officer)
    assert services.notification_mark_read(user=world.bureau_admin, pk=mine.pk) == 0
    assert services.notification_mark_read(user=world.officer, pk=mine.pk) == 1
    assert selectors.unread_count(world.officer) == 0


def test_timeline_comments_and_attachments_follow_the_items_tenancy(world, reviewing, experts):
    services.comment_add(actor=world.user_a, item=reviewing, body="说明")
    services.attachment_add(actor=world.user_a, item=reviewing, upload=pdf())
    seated = reviewing.panel.select_related("expert__user").first().expert.user
    for model in (TimelineEntry, Comment, Attachment):
        assert model.objects.for_user(world.user_b).count() == 0
        assert model.objects.for_user(experts.from_a.user).count() == 0
        assert (
            model.objects.for_user(world.user_a).count()
            == model.objects.for_user(seated).count()
            == model.objects.count()
            > 0
        )


def test_a_bureau_user_without_the_model_permission_cannot_handle_items(world, special_case):
    item = services.item_submit(actor=world.user_a, item=special_case())
    world.officer.groups.clear()
    officer = type(world.officer).objects.get(pk=world.officer.pk)  # a fresh permission cache
    with pytest.raises(PermissionDenied, match="没有办理特病单议与争议的权限"):
        services.item_accept(actor=officer, item=item)


def test_an_objection_names_a_period_of_its_own_region(world, cases):
    elsewhere = SettlementPeriod.objects.create(
        region=Region.objects.create(code="220100", name="长春"), year=2024, month=3
    )
    with pytest.raises(ValidationError, match="结算期间不属于申请机构所在统筹区"):
        services.item_create(
            actor=world.user_a,
            kind=ItemKind.OBJECTION,
            subject=Subject.COEFFICIENT,
            statement="x",
            period=elsewhere,
        )
