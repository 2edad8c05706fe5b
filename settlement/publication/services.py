"""Writes of statement publication: publishing a run (公示), a hospital's confirmation (确认) or objection
(提出异议) within the window, and the holiday calendar. Each writes its audit event in its transaction.

An objection opens a dispute through ``disputes.services`` (filed and submitted at once), linked to the
run and to the statement, so it follows the disputes' own lifecycle from there.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record, snapshot
from disputes import services as dispute_services
from disputes.choices import ItemKind, Subject
from notices.choices import NoticeKind
from notices.services import notice_create
from settlement.models import SettlementPeriod
from settlement.parameters.domain import CONFIRM_DAYS, confirm_days
from settlement.publication import selectors
from settlement.publication.choices import ResponseKind
from settlement.publication.domain import working_deadline
from settlement.publication.models import Holiday, StatementPublication, StatementResponse
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.models import RunInstitution, SettlementRun

PUBLISH = "settlement.add_statementpublication"
ERR_BUREAU_ONLY = "只有经办机构用户可以公示结算单或维护节假日。"
ERR_NO_PERMISSION = "您没有公示结算单的权限。"
ERR_NOT_COMPLETED = "只有已完成且未被替代的结算运行可以公示（本运行状态：{status}）。"
ERR_ALREADY_PUBLISHED = "该结算运行已于 {when} 公示，不能重复公示。"
ERR_HOSPITAL_ONLY = "只有医疗机构用户可以确认结算单或提出异议。"
ERR_NOT_YOURS = "只能确认本机构的结算单或对其提出异议。"
ERR_NOT_PUBLISHED = "该结算单尚未公示，不能确认或提出异议。"
ERR_SUPERSEDED = "该结算运行已被新的运行替代，请对新的结算单确认或提出异议。"
ERR_WINDOW_CLOSED = "结算单确认期限已于 {deadline} 截止（公示后 {days} 个工作日），不能再确认或提出异议；如有疑问请联系医保经办机构。"
ERR_ANSWERED = "本机构已于 {when} 对该结算单作出回复（{kind}），不能重复回复。"
ERR_REASON = "提出异议请填写异议理由。"
ERR_SUBJECT = "请选择争议事项。"
ERR_HOLIDAY_EXISTS = "{day} 已在节假日表中（{name}）。"
NOTICE_TITLE = "{run}结算单公示"
NOTICE_BODY = "{run}结算单已公示，点值 {point_value}。请于 {deadline}（含）前登录平台查看本机构结算单，确认或提出异议；逾期视为未回复。"


def _require_bureau(actor, permission: str = PUBLISH) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_bureau:
        raise PermissionDenied(ERR_BUREAU_ONLY)
    if not actor.has_perm(permission):
        raise PermissionDenied(ERR_NO_PERMISSION)


def _run_label(run: SettlementRun) -> str:
    return f"{run.region.name}{run.period_label}{run.get_scheme_display()}{run.category}{run.get_run_type_display()}"


def _notice(actor, run: SettlementRun, deadline: date):
    """The publication's notice (公告) to the run's institutions and their consortium members."""
    ids = {
        pk
        for institution_id, members in run.institutions.values_list("institution_id", "members")
        for pk in [institution_id, *members]
    }
    audience = list(run.region.institutions.filter(pk__in=ids))
    label = _run_label(run)
    body = NOTICE_BODY.format(
        run=label,
        point_value=run.point_value if run.point_value is not None else "—",
        deadline=deadline,
    )
    return notice_create(
        actor=actor,
        region=run.region,
        kind=NoticeKind.STATEMENT,
        title=NOTICE_TITLE.format(run=label),
        body=body,
        link=reverse("settlement:statement_list"),
        to_all=False,
        institutions=audience,
        publish=True,
    )


@transaction.atomic
def run_publish(
    *, actor, run: SettlementRun, note: str = "", today: date | None = None, notify: bool = True
) -> StatementPublication:
    """Publish a completed run's statements (公示): hospitals see them from now on and answer within the
    parameter set's number of working days; ``notify`` sends the institutions a notice (公告)."""
    _require_bureau(actor)
    run = (
        SettlementRun.objects.select_for_update(of=("self",))
        .select_related("region", "parameter_set")
        .get(pk=run.pk)
    )
    if run.status != RunStatus.COMPLETED:
        raise ValidationError(ERR_NOT_COMPLETED.format(status=run.get_status_display()))
    existing = selectors.publication_of(run)
    if existing is not None:
        raise ValidationError(
            ERR_ALREADY_PUBLISHED.format(
                when=timezone.localtime(existing.published_at).strftime("%Y-%m-%d %H:%M")
            )
        )
    days = confirm_days(run.parameter_set.values) if run.parameter_set else CONFIRM_DAYS
    holidays, workdays = selectors.holiday_calendar()
    deadline = working_deadline(
        today or timezone.localdate(), days, holidays=holidays, workdays=workdays
    )
    publication = StatementPublication(
        run=run,
        published_by=actor,
        published_at=timezone.now(),
        window_days=days,
        deadline=deadline,
        note=note.strip(),
        notice=_notice(actor, run, deadline) if notify else None,
    )
    publication.full_clean()
    publication.save()
    audit_record(
        actor=actor,
        action="run_publish",
        instance=publication,
        after=snapshot(publication),
        message=note.strip(),
    )
    return publication


def _open_publication(actor, statement: RunInstitution, today: date) -> StatementPublication:
    """The statement's publication if the actor may still answer it: own institution, published, current, in time, unanswered."""
    if actor is None or not actor.is_authenticated or not actor.is_hospital:
        raise PermissionDenied(ERR_HOSPITAL_ONLY)
    if statement.institution_id != actor.institution_id:
        raise PermissionDenied(ERR_NOT_YOURS)
    publication = selectors.publication_of(statement.run)
    if publication is None:
        raise ValidationError(ERR_NOT_PUBLISHED)
    if statement.run.status != RunStatus.COMPLETED:
        raise ValidationError(ERR_SUPERSEDED)
    if today > publication.deadline:
        raise ValidationError(
            ERR_WINDOW_CLOSED.format(deadline=publication.deadline, days=publication.window_days)
        )
    answered = selectors.response_of(statement)
    if answered is not None:
        when = timezone.localtime(answered.responded_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(ERR_ANSWERED.format(when=when, kind=answered.get_kind_display()))
    return publication


def _respond(
    actor, statement: RunInstitution, kind: str, note: str, today: date | None
) -> StatementResponse:
    statement = (
        RunInstitution.objects.select_for_update()
        .select_related("run", "run__region")
        .get(pk=statement.pk)
    )
    publication = _open_publication(actor, statement, today or timezone.localdate())
    response = StatementResponse(
        publication=publication,
        statement=statement,
        kind=kind,
        note=note.strip(),
        responded_by=actor,
        responded_at=timezone.now(),
    )
    response.full_clean()
    response.save()
    audit_record(
        actor=actor,
        action=f"statement_{kind}",
        instance=response,
        after=snapshot(response),
        message=note.strip(),
    )
    return response


@transaction.atomic
def statement_confirm(
    *, actor, statement: RunInstitution, note: str = "", today: date | None = None
) -> StatementResponse:
    """The hospital confirms its published statement (确认) within the window."""
    return _respond(actor, statement, ResponseKind.CONFIRMED, note, today)


def _period(run: SettlementRun) -> SettlementPeriod | None:
    if run.run_type != RunType.MONTHLY:
        return None
    return SettlementPeriod.objects.filter(
        region=run.region, year=run.year, month=run.number
    ).first()


@transaction.atomic
def statement_object(
    *,
    actor,
    statement: RunInstitution,
    reason: str,
    subject: str = Subject.AMOUNT,
    today: date | None = None,
) -> StatementResponse:
    """The hospital objects to its published statement (提出异议) within the window: the answer is recorded
    and a dispute (争议) is filed and submitted, linked to the run and to this statement."""
    if not reason.strip():
        raise ValidationError({"reason": ERR_REASON})
    if subject not in Subject.values:
        raise ValidationError({"subject": ERR_SUBJECT})
    response = _respond(actor, statement, ResponseKind.OBJECTED, reason, today)
    run = response.statement.run
    item = dispute_services.item_create(
        actor=actor,
        kind=ItemKind.OBJECTION,
        subject=subject,
        statement=reason,
        subject_ref=f"结算运行#{run.pk}",
        period=_period(run),
        run=run,
        statement_line=response.statement,
    )
    dispute_services.item_submit(actor=actor, item=item, note="对公示结算单提出异议")
    return response


@transaction.atomic
def holiday_add(*, actor, day: date, name: str, workday: bool = False) -> Holiday:
    """A holiday (不计工作日) or a make-up working day (调休上班日) of the working-day calendar."""
    _require_bureau(actor, "settlement.add_holiday")
    existing = Holiday.objects.filter(day=day).first()
    if existing is not None:
        raise ValidationError({"day": ERR_HOLIDAY_EXISTS.format(day=day, name=existing.name)})
    holiday = Holiday(day=day, name=name.strip(), workday=workday)
    holiday.full_clean()
    holiday.save()
    audit_record(actor=actor, action="holiday_add", instance=holiday, after=snapshot(holiday))
    return holiday


@transaction.atomic
def holiday_remove(*, actor, holiday: Holiday) -> None:
    _require_bureau(actor, "settlement.change_holiday")
    before = snapshot(holiday)
    audit_record(actor=actor, action="holiday_remove", instance=holiday, before=before)
    holiday.delete()
