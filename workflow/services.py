"""The four-eyes lifecycle every versioned series shares: lock, status checks, submit, return (退回),
approve or publish (by someone other than the submitter), and supersede the version in force before.

A series describes how it speaks the lifecycle in one ``Flow`` (its audit action prefix, its closed
statuses and its Chinese refusals); its own services lock the version, check what only it checks
(e.g. a budget needs lines, a catalog's golden cases must pass, an assessment needs permissions) and
call these steps inside their transaction. Every transition is ``audit.services.audited_update``: one
audit event with before/after snapshots, in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from audit.services import audited_update
from workflow.models import DRAFT, SUBMITTED

ERR_REASON = "请填写原因。"

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Flow:
    """How one series names the lifecycle.

    ``action`` prefixes its audit actions (``budget`` → ``budget_submit``, ``budget_return``,
    ``budget_approve``, ``budget_supersede``); ``approve``/``supersede`` are the verbs of the transition
    into force and out of it (a catalog ``publish``es and ``retire``s), ``superseded_at`` the timestamp
    column of the latter. ``submitter_unnamed``/``approver_unnamed`` refuse a job or command (an actor
    that is not a user) as submitter/approver; when empty, the submitter is the actor as given and an
    unnamed approver meets the self-approval refusal. ``return_reason_field`` keeps the return reason
    on the record as well as in the audit event.
    """

    action: str
    in_force: str
    superseded: str
    not_draft: str
    not_submitted: str
    self_approval: str
    approve: str = "approve"
    supersede: str = "supersede"
    superseded_at: str = "superseded_at"
    reason_required: str = ERR_REASON
    submitter_unnamed: str = ""
    approver_unnamed: str = ""
    return_reason_field: str = ""


def user_of(actor):
    """The user behind an actor; ``None`` for a system actor (a command or a job, named by a string)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def locked(record: M, *related: str) -> M:
    """The row again, locked for update until the transaction ends (``related`` joined in)."""
    rows = type(record).objects.select_for_update()
    return (rows.select_related(*related) if related else rows).get(pk=record.pk)


def require(record: models.Model, status: str, message: str) -> None:
    """Refuse (``message``) unless the record is in ``status``."""
    if record.status != status:
        raise ValidationError(message)


def locked_in(record: M, status: str, message: str, *related: str) -> M:
    """``locked`` and then ``require``."""
    record = locked(record, *related)
    require(record, status, message)
    return record


def reason_given(reason: str, message: str = ERR_REASON) -> str:
    """The stripped reason; refused (``message``) when blank."""
    if not reason.strip():
        raise ValidationError(message)
    return reason.strip()


def series_of(record: models.Model) -> dict:
    """The filter naming the record's series (its ``SERIES`` fields, foreign keys by id)."""
    return {
        record._meta.get_field(name).attname: getattr(record, record._meta.get_field(name).attname)
        for name in record.SERIES
    }


def submit(flow: Flow, *, actor, record: models.Model, empty: str = "", **fields) -> models.Model:
    """Draft → submitted (record locked by the caller). ``empty`` is the refusal when the record has
    nothing to review; ``fields`` are set in the same update."""
    require(record, DRAFT, flow.not_draft)
    if empty:
        raise ValidationError(empty)
    submitter = actor
    if flow.submitter_unnamed:
        submitter = user_of(actor)
        if submitter is None:  # four eyes need a named submitter
            raise ValidationError(flow.submitter_unnamed)
    return audited_update(
        actor=actor,
        instance=record,
        action=f"{flow.action}_submit",
        status=SUBMITTED,
        submitted_by=submitter,
        submitted_at=timezone.now(),
        **fields,
    )


def send_back(flow: Flow, *, actor, record: models.Model, reason: str) -> models.Model:
    """Submitted → draft again (退回) with the reason, which the audit event keeps (record locked by the caller)."""
    require(record, SUBMITTED, flow.not_submitted)
    reason = reason_given(reason, flow.reason_required)
    kept = {flow.return_reason_field: reason} if flow.return_reason_field else {}
    return audited_update(
        actor=actor,
        instance=record,
        action=f"{flow.action}_return",
        message=reason,
        status=DRAFT,
        submitted_by=None,
        submitted_at=None,
        **kept,
    )


def approver(flow: Flow, *, actor, record: models.Model):
    """The approving user of a submitted record: refused when it is the submitter, or not a user (四眼原则)."""
    require(record, SUBMITTED, flow.not_submitted)
    user = user_of(actor)
    if user is None and flow.approver_unnamed:
        raise ValidationError(flow.approver_unnamed)
    if user is None or user.pk == record.submitted_by_id:
        raise ValidationError(flow.self_approval)
    return user


def supersede(
    flow: Flow, *, actor, previous: models.Model, by: models.Model, now, **fields
) -> models.Model:
    """The version in force before ``by`` leaves force (``fields``: e.g. its end date)."""
    return audited_update(
        actor=actor,
        instance=previous,
        action=f"{flow.action}_{flow.supersede}",
        message=f"被第{by.version}版替代",
        status=flow.superseded,
        **{flow.superseded_at: now},
        **fields,
    )


def approve(
    flow: Flow,
    *,
    actor,
    record: models.Model,
    approver,
    ending: Callable[[models.Model], Mapping] | None = None,
    superseded: Callable[[models.Model], None] | None = None,
) -> models.Model:
    """Put a submitted record (checked by ``approver``) in force; each version of its series in force
    before it is superseded first — ``ending(previous)`` gives extra fields to set on it, and
    ``superseded(previous)`` runs after (e.g. carrying its data over)."""
    now = timezone.now()
    for previous in (
        type(record).objects.select_for_update().filter(**series_of(record), status=flow.in_force)
    ):
        supersede(
            flow,
            actor=actor,
            previous=previous,
            by=record,
            now=now,
            **(ending(previous) if ending else {}),
        )
        if superseded:
            superseded(previous)
    return audited_update(
        actor=actor,
        instance=record,
        action=f"{flow.action}_{flow.approve}",
        status=flow.in_force,
        approved_by=approver,
        approved_at=now,
    )
