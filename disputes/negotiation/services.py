"""Writes of negotiation records: bureau users only (holding ``disputes.change_meeting``), each write
audited in its own transaction. A closed meeting is the final record: nothing of it changes any more."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from audit.services import audit_record, snapshot
from disputes import domain
from disputes.choices import AgendaStatus, MeetingStatus
from disputes.models import AgendaItem, Meeting, Participant, Position
from disputes.services import ERR_BUREAU_ONLY

ERR_NO_PERMISSION = "您没有登记协商谈判的权限。"
ERR_MEETING_CLOSED = "会议已结束，会议记录不能再修改。"
ERR_NOT_AGREED = "只有达成一致的议题可以关联其形成的参数或目录版本。"
CHANGE = "disputes.change_meeting"


def _require_bureau(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_bureau:
        raise PermissionDenied(ERR_BUREAU_ONLY)
    if not actor.has_perm(CHANGE):
        raise PermissionDenied(ERR_NO_PERMISSION)


def _open(meeting: Meeting) -> Meeting:
    """The meeting locked for a change, or ValidationError once it is closed."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError(ERR_MEETING_CLOSED)
    return meeting


def _save(actor, instance, action: str, *, before=None, message: str = ""):
    instance.full_clean()
    instance.save()
    audit_record(
        actor=actor,
        action=action,
        instance=instance,
        before=before,
        after=snapshot(instance),
        message=message,
    )
    return instance


@transaction.atomic
def meeting_create(
    *, actor, region, year: int, title: str, held_on: date, minutes: str = ""
) -> Meeting:
    _require_bureau(actor)
    meeting = Meeting(
        region=region,
        year=year,
        title=title.strip(),
        held_on=held_on,
        minutes=minutes.strip(),
        created_by=actor,
    )
    return _save(actor, meeting, "meeting_create")


@transaction.atomic
def meeting_update(
    *, actor, meeting: Meeting, title: str, held_on: date, status: str, minutes: str
) -> Meeting:
    """Edit the record and move the status one step forward (planned → held → closed)."""
    _require_bureau(actor)
    meeting = _open(meeting)
    try:
        domain.meeting_status_check(meeting.status, status)
    except domain.DisputeError as error:
        raise ValidationError(error.message) from error
    before = snapshot(meeting)
    meeting.title, meeting.held_on, meeting.status, meeting.minutes = (
        title.strip(),
        held_on,
        status,
        minutes.strip(),
    )
    return _save(actor, meeting, "meeting_update", before=before)


@transaction.atomic
def participant_add(
    *, actor, meeting: Meeting, name: str, role: str, institution=None
) -> Participant:
    _require_bureau(actor)
    return _save(
        actor,
        Participant(meeting=_open(meeting), name=name.strip(), role=role, institution=institution),
        "meeting_participant_add",
    )


@transaction.atomic
def participant_remove(*, actor, participant: Participant) -> None:
    """Take off a participant entered by mistake (with their positions)."""
    _require_bureau(actor)
    _open(participant.meeting)
    audit_record(
        actor=actor,
        action="meeting_participant_remove",
        instance=participant,
        before=snapshot(participant),
    )
    participant.delete()


@transaction.atomic
def agenda_item_add(*, actor, meeting: Meeting, topic: str, proposal: str) -> AgendaItem:
    _require_bureau(actor)
    meeting = _open(meeting)
    order = (meeting.agenda.aggregate(last=Max("order"))["last"] or 0) + 1
    return _save(
        actor,
        AgendaItem(meeting=meeting, order=order, topic=topic, proposal=proposal.strip()),
        "meeting_agenda_add",
    )


@transaction.atomic
def position_record(
    *, actor, agenda_item: AgendaItem, participant: Participant, stance: str, statement: str = ""
) -> Position:
    """A participant's stance on an item (recording it again replaces the earlier one)."""
    _require_bureau(actor)
    _open(agenda_item.meeting)
    position = Position.objects.filter(
        agenda_item=agenda_item, participant=participant
    ).first() or Position(agenda_item=agenda_item, participant=participant)
    before = snapshot(position) if position.pk else None
    position.stance, position.statement = stance, statement.strip()
    return _save(actor, position, "meeting_position_record", before=before)


@transaction.atomic
def agenda_item_conclude(
    *, actor, agenda_item: AgendaItem, status: str, outcome: str
) -> AgendaItem:
    """Record the conclusion; an item no longer agreed loses the links to what it produced."""
    _require_bureau(actor)
    _open(agenda_item.meeting)
    item = AgendaItem.objects.select_for_update().get(pk=agenda_item.pk)
    before = snapshot(item)
    item.status, item.outcome = status, outcome.strip()
    if status != AgendaStatus.AGREED:
        item.parameter_set = item.catalog_version = None
    return _save(actor, item, "meeting_agenda_conclude", before=before)


@transaction.atomic
def agenda_item_link(
    *, actor, agenda_item: AgendaItem, parameter_set=None, catalog_version=None
) -> AgendaItem:
    """Tie an agreed outcome to the parameter set and/or catalog version it produced (same region)."""
    _require_bureau(actor)
    item = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=agenda_item.pk)
    if item.status != AgendaStatus.AGREED:
        raise ValidationError(ERR_NOT_AGREED)
    before = snapshot(item)
    item.parameter_set, item.catalog_version = parameter_set, catalog_version
    return _save(actor, item, "meeting_agenda_link", before=before)
