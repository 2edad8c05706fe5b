"""The shared four-eyes steps (workflow.services) on a real series (supervision rule sets), with a Flow
of this test's own words, so that each step's refusals and audit events are seen apart from any series."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from supervision.choices import RuleSetStatus
from supervision.models import RuleSet
from workflow import services as workflow

pytestmark = pytest.mark.django_db

FLOW = workflow.Flow(
    action="thing",
    in_force=RuleSetStatus.IN_FORCE,
    superseded=RuleSetStatus.SUPERSEDED,
    not_draft="不是草稿。",
    not_submitted="不是待审批。",
    self_approval="不能自己审批。",
    reason_required="请写退回原因。",
)
NAMED = workflow.Flow(
    action="thing",
    in_force=RuleSetStatus.IN_FORCE,
    superseded=RuleSetStatus.SUPERSEDED,
    not_draft="不是草稿。",
    not_submitted="不是待审批。",
    self_approval="不能自己审批。",
    submitter_unnamed="须由本人提交。",
    approver_unnamed="须由本人审批。",
    return_reason_field="reason",
)


def version(world, number: int = 1, **fields) -> RuleSet:
    return RuleSet.objects.create(
        region=world.region, version=number, created_by=world.officer, **fields
    )


def events(record) -> list[tuple[str, str]]:
    rows = AuditEvent.objects.filter(
        object_type="supervision.ruleset", object_id=str(record.pk)
    ).order_by("pk")
    return [(e.action, e.message) for e in rows]


def submitted(world, number: int = 1) -> RuleSet:
    return workflow.submit(
        FLOW, actor=world.officer, record=workflow.locked(version(world, number))
    )


def test_submit_moves_a_draft_to_submitted_by_the_actor_and_audits_it(world):
    record = submitted(world)
    record.refresh_from_db()
    assert (record.status, record.submitted_by, record.submitted_at is not None) == (
        "submitted",
        world.officer,
        True,
    )
    event = AuditEvent.objects.get(object_type="supervision.ruleset", object_id=str(record.pk))
    assert (event.action, event.actor, event.before["status"], event.after["status"]) == (
        "thing_submit",
        world.officer,
        "draft",
        "submitted",
    )


def test_submit_refuses_what_is_not_a_draft(world):
    record = submitted(world)
    with pytest.raises(ValidationError, match="不是草稿。"):
        workflow.submit(FLOW, actor=world.officer, record=record)
    assert len(events(record)) == 1


def test_submit_refuses_a_draft_with_nothing_to_review(world):
    empty = version(world)
    with pytest.raises(ValidationError, match="没有内容。"):
        workflow.submit(FLOW, actor=world.officer, record=empty, empty="没有内容。")
    assert RuleSet.objects.get(pk=empty.pk).status == "draft" and events(empty) == []


def test_a_job_cannot_submit_where_the_series_needs_a_named_user(world):
    record = version(world)
    with pytest.raises(ValidationError, match="须由本人提交。"):
        workflow.submit(NAMED, actor="系统任务", record=record)
    assert events(record) == []


def test_return_needs_a_submitted_version_and_a_reason_and_clears_the_submitter(world):
    draft = version(world)
    with pytest.raises(ValidationError, match="不是待审批。"):
        workflow.send_back(FLOW, actor=world.bureau_admin, record=draft, reason="数据有误")
    record = workflow.submit(FLOW, actor=world.officer, record=draft)
    with pytest.raises(ValidationError, match="请写退回原因。"):
        workflow.send_back(FLOW, actor=world.bureau_admin, record=record, reason="  ")
    workflow.send_back(FLOW, actor=world.bureau_admin, record=record, reason=" 数据有误 ")
    record.refresh_from_db()
    assert (record.status, record.submitted_by, record.submitted_at, record.reason) == (
        "draft",
        None,
        None,
        "",
    )
    assert events(record) == [("thing_submit", ""), ("thing_return", "数据有误")]


def test_return_keeps_the_reason_on_the_record_where_the_series_asks(world):
    record = workflow.submit(NAMED, actor=world.officer, record=version(world))
    workflow.send_back(NAMED, actor=world.bureau_admin, record=record, reason="请补充说明")
    assert RuleSet.objects.get(pk=record.pk).reason == "请补充说明"


def test_approver_refuses_the_submitter_a_draft_and_an_unnamed_actor(world):
    draft = version(world)
    with pytest.raises(ValidationError, match="不是待审批。"):
        workflow.approver(FLOW, actor=world.bureau_admin, record=draft)
    record = workflow.submit(FLOW, actor=world.officer, record=draft)
    with pytest.raises(ValidationError, match="不能自己审批。"):
        workflow.approver(FLOW, actor=world.officer, record=record)
    with pytest.raises(ValidationError, match="不能自己审批。"):
        workflow.approver(FLOW, actor="系统任务", record=record)
    with pytest.raises(ValidationError, match="须由本人审批。"):
        workflow.approver(NAMED, actor="系统任务", record=record)
    assert workflow.approver(FLOW, actor=world.bureau_admin, record=record) == world.bureau_admin


def test_the_database_refuses_an_approver_who_submitted_it(world):
    record = submitted(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSet.objects.filter(pk=record.pk).update(
            status=RuleSetStatus.IN_FORCE, approved_by=world.officer
        )


def test_approve_puts_it_in_force_and_supersedes_the_version_before_in_the_same_series(world):
    first = submitted(world)
    workflow.approve(FLOW, actor=world.bureau_admin, record=first, approver=world.bureau_admin)
    second = workflow.submit(FLOW, actor=world.officer, record=version(world, 2))
    carried = []
    workflow.approve(
        FLOW,
        actor=world.bureau_admin,
        record=second,
        approver=world.bureau_admin,
        ending=lambda previous: {"reason": f"止于第{previous.version}版"},
        superseded=carried.append,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.superseded_at is not None, first.reason) == (
        "superseded",
        True,
        "止于第1版",
    )
    assert (second.status, second.approved_by, second.approved_at == first.superseded_at) == (
        "in_force",
        world.bureau_admin,
        True,
    )
    assert carried == [first]
    assert events(first)[-1] == ("thing_supersede", "被第2版替代") and events(second)[-1] == (
        "thing_approve",
        "",
    )


def test_the_verbs_and_timestamp_of_a_published_series_name_its_events(world):
    flow = workflow.Flow(
        action="thing",
        in_force=RuleSetStatus.IN_FORCE,
        superseded=RuleSetStatus.SUPERSEDED,
        approve="publish",
        supersede="retire",
        not_draft="",
        not_submitted="",
        self_approval="",
    )
    first = submitted(world)
    workflow.approve(flow, actor=world.bureau_admin, record=first, approver=world.bureau_admin)
    second = submitted(world, 2)
    workflow.approve(flow, actor=world.bureau_admin, record=second, approver=world.bureau_admin)
    assert events(first)[-2:] == [("thing_publish", ""), ("thing_retire", "被第2版替代")]


def test_a_step_rolled_back_leaves_neither_the_change_nor_its_audit_event(world):
    record = version(world)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        workflow.submit(FLOW, actor=world.officer, record=workflow.locked(record))
        1 / 0  # noqa: B018 — anything failing later in the same transaction
    assert RuleSet.objects.get(pk=record.pk).status == "draft" and events(record) == []


def test_locked_in_and_require_refuse_another_status(world):
    record = version(world)
    assert (
        workflow.locked_in(record, RuleSetStatus.DRAFT, "不是草稿。", "region").region
        == world.region
    )
    with pytest.raises(ValidationError, match="未生效。"):
        workflow.locked_in(record, RuleSetStatus.IN_FORCE, "未生效。")


def test_reason_given_strips_and_refuses_blank():
    assert workflow.reason_given("  有原因 ") == "有原因"
    with pytest.raises(ValidationError, match="请填写原因。"):
        workflow.reason_given(" \n")


def test_series_of_names_the_series_by_column(world):
    assert workflow.series_of(version(world)) == {"region_id": world.region.pk}
