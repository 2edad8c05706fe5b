"""Publishing a run (公示), answering within the working-day window, objections opening disputes, the
bureau's overview, superseding runs, and tenancy."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from catalogs.models import Institution
from disputes.choices import ItemKind, ItemStatus, Subject
from disputes.models import DisputeItem
from notices.models import Notice
from settlement.publication import selectors, services
from settlement.publication.choices import ResponseState
from settlement.publication.models import Holiday
from settlement.runs.choices import RunStatus
from settlement.runs.models import RunCase, RunInstitution, SettlementRun
from settlement.runs.selectors import case_results_for_user, statement_list_for_user
from tests.settlement.publication.conftest import FRIDAY, run_create, statement_of

pytestmark = pytest.mark.django_db
TUESDAY, WEDNESDAY = date(2024, 3, 5), date(2024, 3, 6)


def publish(world, run: SettlementRun, **kwargs):
    return services.run_publish(actor=world.officer, run=run, today=FRIDAY, **kwargs)


def test_an_unpublished_run_is_invisible_to_hospitals_and_visible_once_published(
    world, run, case_row
):
    assert not statement_list_for_user(world.user_a).exists()
    assert not case_results_for_user(world.user_a, case_id=case_row.case_id).exists()
    assert statement_list_for_user(world.officer).count() == 2
    publish(world, run)
    assert list(statement_list_for_user(world.user_a)) == [statement_of(run, world.hospital_a)]
    assert list(case_results_for_user(world.user_a, case_id=case_row.case_id)) == [case_row]
    assert not RunCase.objects.for_user(world.user_b).exists()


def test_publishing_sets_the_deadline_in_working_days_audits_and_notifies_the_runs_institutions(
    world, run
):
    publication = publish(world, run, note="3月预付结算单")
    assert (publication.window_days, publication.deadline) == (2, TUESDAY)
    event = AuditEvent.objects.get(action="run_publish")
    assert event.actor == world.officer and event.message == "3月预付结算单"
    notice = Notice.objects.get()
    assert (
        publication.notice == notice
        and notice.status == "published"
        and "2024-03-05" in notice.body
    )
    assert set(notice.institutions.all()) == {world.hospital_a, world.hospital_b}


def test_a_holiday_moves_the_deadline(world, run):
    services.holiday_add(actor=world.officer, day=date(2024, 3, 4), name="调整休息日")
    assert publish(world, run).deadline == WEDNESDAY
    assert AuditEvent.objects.filter(action="holiday_add").exists()


def test_a_run_is_published_once_and_only_when_completed(world, run):
    publish(world, run)
    with pytest.raises(ValidationError, match="已于 .* 公示，不能重复公示"):
        publish(world, run)
    failed = run_create(world, number=4)
    SettlementRun.objects.filter(pk=failed.pk).update(status=RunStatus.FAILED)
    with pytest.raises(ValidationError, match="只有已完成且未被替代的结算运行可以公示"):
        publish(world, failed)


def test_hospitals_cannot_publish(world, run):
    with pytest.raises(PermissionDenied):
        services.run_publish(actor=world.user_a, run=run)


def test_a_hospital_confirms_inside_the_window_over_a_weekend(world, run):
    publish(world, run)
    statement = statement_of(run, world.hospital_a)
    response = services.statement_confirm(
        actor=world.user_a, statement=statement, note="无异议", today=TUESDAY
    )
    assert (
        response.kind == "confirmed"
        and AuditEvent.objects.filter(action="statement_confirmed", actor=world.user_a).exists()
    )
    with pytest.raises(ValidationError, match="不能重复回复"):
        services.statement_object(
            actor=world.user_a, statement=statement, reason="金额有误", today=TUESDAY
        )


def test_answers_after_the_window_are_refused_in_chinese(world, run):
    publish(world, run)
    statement = statement_of(run, world.hospital_a)
    with pytest.raises(ValidationError) as refused:
        services.statement_confirm(actor=world.user_a, statement=statement, today=WEDNESDAY)
    assert refused.value.messages == [services.ERR_WINDOW_CLOSED.format(deadline=TUESDAY, days=2)]
    with pytest.raises(ValidationError, match="已于 2024-03-05 截止"):
        services.statement_object(
            actor=world.user_a, statement=statement, reason="金额有误", today=WEDNESDAY
        )
    assert not DisputeItem.objects.exists()


def test_an_objection_opens_a_submitted_dispute_linked_to_the_run_and_the_statement(world, run):
    publish(world, run)
    statement = statement_of(run, world.hospital_b)
    response = services.statement_object(
        actor=world.user_b,
        statement=statement,
        reason="点数少算",
        subject=Subject.SCORE,
        today=FRIDAY,
    )
    item = DisputeItem.objects.get()
    assert (item.kind, item.status, item.subject, item.run, item.statement_line) == (
        ItemKind.OBJECTION,
        ItemStatus.SUBMITTED,
        Subject.SCORE,
        run,
        statement,
    )
    assert (
        item.institution == world.hospital_b
        and item.period == world.period
        and item.statement == "点数少算"
    )
    assert response.kind == "objected" and selectors.objection_of(statement) == item


def test_an_objection_needs_a_reason(world, run):
    publish(world, run)
    with pytest.raises(ValidationError, match="请填写异议理由"):
        services.statement_object(
            actor=world.user_a,
            statement=statement_of(run, world.hospital_a),
            reason="  ",
            today=FRIDAY,
        )


def test_a_hospital_cannot_answer_another_institutions_statement_or_an_unpublished_one(world, run):
    with pytest.raises(ValidationError, match="尚未公示"):
        services.statement_confirm(
            actor=world.user_a, statement=statement_of(run, world.hospital_a), today=FRIDAY
        )
    publish(world, run)
    with pytest.raises(PermissionDenied):
        services.statement_confirm(
            actor=world.user_a, statement=statement_of(run, world.hospital_b), today=FRIDAY
        )
    with pytest.raises(PermissionDenied):
        services.statement_confirm(
            actor=world.officer, statement=statement_of(run, world.hospital_b), today=FRIDAY
        )


def test_the_overview_counts_confirmed_objected_pending_and_lapsed(world, run):
    third = Institution.objects.create(
        region=world.region, code="H37080200003", name="丙医院", level="1", type="general"
    )
    RunInstitution.objects.create(run=run, institution=third, cases=1)
    publication = publish(world, run)
    services.statement_confirm(
        actor=world.user_a, statement=statement_of(run, world.hospital_a), today=FRIDAY
    )
    services.statement_object(
        actor=world.user_b,
        statement=statement_of(run, world.hospital_b),
        reason="有误",
        today=FRIDAY,
    )
    during = selectors.publication_overview(publication, today=TUESDAY)
    assert during.counts == {"confirmed": 1, "objected": 1, "pending": 1, "lapsed": 0}
    after = selectors.publication_overview(publication, today=WEDNESDAY)
    assert after.counts == {"confirmed": 1, "objected": 1, "pending": 0, "lapsed": 1}
    assert [(row.statement.institution.code, row.state) for row in after.rows] == [
        (world.hospital_a.code, ResponseState.CONFIRMED),
        (world.hospital_b.code, ResponseState.OBJECTED),
        (third.code, ResponseState.LAPSED),
    ]
    assert after.rows[1].dispute == DisputeItem.objects.get()


def test_a_superseding_run_needs_publishing_again_and_the_old_publication_stays(world, run):
    old = publish(world, run)
    services.statement_confirm(
        actor=world.user_a, statement=statement_of(run, world.hospital_a), today=FRIDAY
    )
    SettlementRun.objects.filter(pk=run.pk).update(status=RunStatus.SUPERSEDED)
    new = run_create(world, supersedes=run)
    assert [row.run_id for row in statement_list_for_user(world.user_a)] == [
        run.pk
    ]  # the old one stays as history
    with pytest.raises(ValidationError, match="已被新的运行替代"):
        services.statement_confirm(
            actor=world.user_b, statement=statement_of(run, world.hospital_b), today=FRIDAY
        )
    publish(world, new)
    assert {row.run_id for row in statement_list_for_user(world.user_a)} == {run.pk, new.pk}
    assert selectors.publication_overview(old, today=FRIDAY).counts["confirmed"] == 1
    services.statement_confirm(
        actor=world.user_a, statement=statement_of(new, world.hospital_a), today=FRIDAY
    )


def test_the_holiday_calendar_refuses_a_day_twice(world):
    services.holiday_add(actor=world.officer, day=date(2024, 10, 1), name="国庆节")
    with pytest.raises(ValidationError, match="已在节假日表中"):
        services.holiday_add(actor=world.officer, day=date(2024, 10, 1), name="国庆")
    services.holiday_add(actor=world.officer, day=date(2024, 9, 29), name="国庆调休", workday=True)
    assert selectors.holiday_calendar() == ({date(2024, 10, 1)}, {date(2024, 9, 29)})
    services.holiday_remove(actor=world.officer, holiday=Holiday.objects.get(day=date(2024, 10, 1)))
    assert not Holiday.objects.filter(day=date(2024, 10, 1)).exists()


def test_the_command_publishes_and_refuses_twice(world, run):
    out = StringIO()
    call_command("run_publish", str(run.pk), "--user", "officer", "--no-notice", stdout=out)
    assert "已公示" in out.getvalue() and run.publication.notice is None
    with pytest.raises(CommandError, match="不能重复公示"):
        call_command("run_publish", str(run.pk), "--user", "officer")
    with pytest.raises(CommandError, match="不是经办机构用户"):
        call_command("run_publish", str(run.pk), "--user", "hosp_a")
