"""Writes of special-case reviews and disputes.

Every transition goes through ``_move``: it checks the lifecycle table (``domain.TRANSITIONS``) for
the actor's side, sets the next stage's deadline, and in the same transaction writes the timeline
entry, the audit event and the notifications of the users it concerns. Page and API call the same
services, so both have the same rules.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from smtplib import SMTPException

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from audit.services import audit_record, snapshot
from catalogs.models import Institution
from catalogs.versions.models import CatalogGroup
from disputes import conf, domain, presenters, selectors
from disputes.choices import Decision, ItemKind, ItemStatus, PanelRule, Vote
from disputes.models import (
    Attachment,
    Comment,
    DisputeItem,
    Expert,
    Notification,
    PanelAssignment,
    TimelineEntry,
)
from disputes.presenters import ActorNames
from settlement.runs.models import RunInstitution, SettlementRun

ERR_HOSPITAL_ONLY = "只有医疗机构用户可以提出特病单议或争议申请。"
ERR_BUREAU_ONLY = "只有经办机构用户可以办理此事项。"
ERR_ROLE = "您的角色不能办理此事项。"
ERR_NO_PERMISSION = "您没有办理特病单议与争议的权限。"
ERR_NOT_YOURS = "只能办理本机构的申请。"
ERR_CASE_NOT_FOUND = "本机构没有结算清单号为「{setl_id}」的结算清单。"
ERR_QUOTA = (
    "{period}特病单议名额已用完：本机构名额 {quota} 例，已申请 {used} 例，剩余 {remaining} 例。"
)
ERR_REASON_REQUIRED = "请填写理由。"
ERR_NOT_REVIEWING = "只有专家评审中的申请可以抽取专家或表决。"
ERR_PANEL_EXISTS = "该申请已抽取专家组。"
ERR_NO_PANEL = "请先抽取专家组。"
ERR_NOT_ASSIGNED = "您不是该申请的评审专家。"
ERR_VOTES_PENDING = "专家组尚未全部表决（{voted}/{size}），不能作出决定。"
ERR_DECISION_AGAINST_PANEL = "专家组表决结果为「{outcome}」，处理决定应为：{allowed}。"
ERR_CLOSED = "已办结的申请不能再上传附件。"
ERR_FILE_TYPE = "附件只能是 PDF、JPEG 或 PNG 文件（按文件内容识别）。"
ERR_FILE_SIZE = "附件不能超过 {limit} MB。"
ERR_FILE_EMPTY = "附件是空文件。"
ERR_EMPTY_COMMENT = "请填写意见内容。"
ERR_KIND = "请选择申请类型。"
ERR_BATCH_ROW = "第 {line} 行{case}：{message}"
ERR_RUN_UNKNOWN = "结算批次不存在，或本机构在该批次中没有可查看的结算单。"
ERR_GROUP_UNKNOWN = "病种/病组不存在，或其目录版本尚未发布。"
ERR_GROUP_CODE = "目录版本「{version}」中没有编码为「{code}」的病种/病组，或该目录版本尚未发布。"

CHANGE = "disputes.change_disputeitem"
MAIL_SUBJECT = "【医保支付方式管理平台】申请 {number} 有新的办理进展"
MAIL_BODY = "{message}\n\n请登录医保支付方式管理平台查看详情。本邮件由系统自动发送，请勿回复。"

logger = logging.getLogger(__name__)

#: A notification's text, or (when it names an actor) the text made from the names its recipient may read.
Message = str | Callable[[ActorNames], str]


# --------------------------------------------------------------------------- helpers


def _side(actor) -> str:
    """Which side of the lifecycle table the actor is on."""
    if actor is not None and actor.is_authenticated and actor.is_hospital:
        return domain.HOSPITAL
    if actor is not None and actor.is_authenticated and actor.is_bureau:
        return domain.BUREAU
    raise PermissionDenied(ERR_ROLE)


def _require_bureau(actor) -> None:
    """A bureau user holding the model permission (the role's group grants it; it can be withdrawn per user)."""
    if actor is None or not actor.is_authenticated or not actor.is_bureau:
        raise PermissionDenied(ERR_BUREAU_ONLY)
    if not actor.has_perm(CHANGE):
        raise PermissionDenied(ERR_NO_PERMISSION)


def _require_own(actor, item: DisputeItem) -> None:
    if actor.is_hospital and item.institution_id != actor.institution_id:
        raise PermissionDenied(ERR_NOT_YOURS)


def _locked(item: DisputeItem) -> DisputeItem:
    return DisputeItem.objects.select_for_update().get(pk=item.pk)


def _hospital_users(item: DisputeItem) -> list[User]:
    return list(
        User.objects.filter(role=Role.HOSPITAL, institution_id=item.institution_id, is_active=True)
    )


def _bureau_users() -> list[User]:
    return list(User.objects.filter(role__in=Role.bureau(), is_active=True))


def _panel_users(item: DisputeItem) -> list[User]:
    return [seat.expert.user for seat in item.panel.select_related("expert__user")]


def _notify(item: DisputeItem, users: Iterable[User], message: Message, *, exclude=None) -> None:
    """One inbox message per user concerned (never to the actor who caused it); with e-mail notifications
    on, the same message by mail to those with an address, sent once the transaction commits. A message
    that names an actor is a function of the names, so each recipient reads them as it may see them
    (a hospital: 医保经办机构, 专家 1 — ``disputes.presenters``)."""
    recipients = {user.pk: user for user in users if user.pk != getattr(exclude, "pk", None)}
    names = presenters.actor_names(None, item) if callable(message) else None
    texts = {
        pk: message(names.for_viewer(user)) if names else message
        for pk, user in sorted(recipients.items())
    }
    Notification.objects.bulk_create(
        Notification(user_id=pk, item=item, message=text[:300]) for pk, text in texts.items()
    )
    mails = sorted(
        (user.email, texts[pk]) for pk, user in recipients.items() if user.is_active and user.email
    )
    if conf.email_notifications() and mails:
        transaction.on_commit(lambda: _mail(item, mails))


def _mail(item: DisputeItem, mails: Sequence[tuple[str, str]]) -> None:
    """One mail per (address, message); a mail server that fails is logged, it does not undo the committed change."""
    subject = MAIL_SUBJECT.format(number=item.number)
    try:
        send_mass_mail(
            [
                (subject, MAIL_BODY.format(message=message), None, [address])
                for address, message in mails
            ]
        )
    except (OSError, SMTPException):
        logger.exception("dispute notification mail for %s not sent", item.number)


def _entry(
    item: DisputeItem, actor, note: str, *, from_status: str = "", to_status: str = ""
) -> None:
    TimelineEntry.objects.create(
        item=item,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _validated(error: domain.DisputeError) -> ValidationError:
    return ValidationError(error.message)


def _move(
    actor,
    item: DisputeItem,
    action: str,
    *,
    side: str,
    note: str = "",
    notify: Sequence[User] = (),
    **fields,
) -> DisputeItem:
    """Apply one lifecycle action to a locked item: status, deadline, fields, timeline, audit, inbox."""
    try:
        target = domain.transition_target(action, status=item.status, actor=side)
    except domain.WrongSideError as error:
        raise PermissionDenied(error.message) from error
    except domain.DisputeError as error:
        raise _validated(error) from error
    before, source = snapshot(item), item.status
    fields = {"status": target, "due_on": conf.due_on(target), **fields}
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean()
    item.save(update_fields=[*fields, "updated_at"])
    label = domain.TRANSITIONS[action].label
    _entry(item, actor, note or label, from_status=source, to_status=target)
    audit_record(
        actor=actor,
        action=f"dispute_{action}",
        instance=item,
        before=before,
        after=snapshot(item),
        message=note,
    )
    _notify(
        item,
        notify,
        f"{item} {label}：{item.get_status_display()}" + (f"（{note}）" if note else ""),
        exclude=actor,
    )
    return item


# --------------------------------------------------------------------------- hospital


def _check_quota(institution: Institution, case) -> None:
    status = selectors.quota_status(institution_id=institution.pk, period=case.period)
    if status.used >= status.quota:
        raise ValidationError(
            ERR_QUOTA.format(
                period=case.period, quota=status.quota, used=status.used, remaining=status.remaining
            )
        )


def _check_links(actor, *, run: SettlementRun | None, group: CatalogGroup | None) -> None:
    """The run and group must be ones the filer may read; an unreadable one is refused as if it did not exist."""
    if run is not None and not selectors.run_list_for_filing(actor).filter(pk=run.pk).exists():
        raise ValidationError({"run": ERR_RUN_UNKNOWN})
    if (
        group is not None
        and not selectors.group_list_for_filing(actor).filter(pk=group.pk).exists()
    ):
        raise ValidationError({"group": ERR_GROUP_UNKNOWN})


def group_for_filing(actor, *, version_id: int | None, code: str) -> CatalogGroup | None:
    """The group a filer names by catalog version and code (page and API alike), or None when no version is
    named; a code the version lacks, or a version the filer cannot read, is refused under ``group_code``."""
    if version_id is None:
        return None
    group = selectors.group_for_filing(actor, version_id=version_id, code=code)
    if group is None:
        version = selectors.catalog_version_list_for_filing(actor).filter(pk=version_id).first()
        raise ValidationError(
            {"group_code": ERR_GROUP_CODE.format(version=version or version_id, code=code.strip())}
        )
    return group


@transaction.atomic
def item_create(
    *,
    actor,
    kind: str,
    statement: str,
    reasons: Sequence[str] = (),
    setl_id: str = "",
    subject: str = "",
    subject_ref: str = "",
    period=None,
    run: SettlementRun | None = None,
    group: CatalogGroup | None = None,
    statement_line: RunInstitution | None = None,
) -> DisputeItem:
    """A hospital files a draft: a special case for one of its own cases (within the period's quota), or an objection.
    Either may name the settlement run (结算批次) and the catalog group (病种/病组) it concerns."""
    if _side(actor) != domain.HOSPITAL:
        raise PermissionDenied(ERR_HOSPITAL_ONLY)
    if kind not in ItemKind.values:
        raise ValidationError(ERR_KIND)
    _check_links(actor, run=run, group=group)
    # Lock the institution so two filings at once cannot both take the last quota place.
    institution = Institution.objects.select_for_update().get(pk=actor.institution_id)
    item = DisputeItem(
        kind=kind,
        institution=institution,
        statement=statement.strip(),
        reasons=list(dict.fromkeys(reasons)),
        subject_ref=subject_ref.strip(),
        run=run,
        group=group,
        statement_line=statement_line,
        created_by=actor,
    )
    if kind == ItemKind.SPECIAL_CASE:
        case = selectors.case_for_filing(actor, setl_id=setl_id)
        if case is None:
            raise ValidationError(ERR_CASE_NOT_FOUND.format(setl_id=setl_id.strip()))
        _check_quota(institution, case)
        item.case, item.period = case, case.period
    else:
        item.subject, item.period = subject, period
    item.full_clean()
    item.save()
    _entry(item, actor, "创建申请草稿", to_status=item.status)
    audit_record(actor=actor, action="dispute_create", instance=item, after=snapshot(item))
    return item


@transaction.atomic
def item_submit(*, actor, item: DisputeItem, note: str = "") -> DisputeItem:
    item = _locked(item)
    _require_own(actor, item)
    return _move(
        actor,
        item,
        "submit",
        side=_side(actor),
        note=note.strip(),
        notify=_bureau_users(),
        submitted_at=timezone.now(),
    )


@transaction.atomic
def item_withdraw(*, actor, item: DisputeItem, reason: str = "") -> DisputeItem:
    """The hospital takes back an item not yet decided; a withdrawn special case frees its quota place."""
    item = _locked(item)
    _require_own(actor, item)
    return _move(
        actor,
        item,
        "withdraw",
        side=_side(actor),
        note=reason.strip(),
        notify=[*_bureau_users(), *_panel_users(item)],
    )


# --------------------------------------------------------------------------- bureau


@transaction.atomic
def item_accept(*, actor, item: DisputeItem) -> DisputeItem:
    """受理: the bureau takes a submitted item into screening."""
    _require_bureau(actor)
    return _move(actor, _locked(item), "accept", side=domain.BUREAU, notify=_hospital_users(item))


@transaction.atomic
def item_screen(*, actor, item: DisputeItem, passed: bool, note: str = "") -> DisputeItem:
    """初审: pass to expert review, or reject with a reason."""
    _require_bureau(actor)
    if not passed and not note.strip():
        raise ValidationError(ERR_REASON_REQUIRED)
    action = "screen_pass" if passed else "screen_reject"
    return _move(
        actor,
        _locked(item),
        action,
        side=domain.BUREAU,
        note=note.strip(),
        notify=_hospital_users(item),
        screen_note=note.strip(),
        screened_by=actor,
        screened_at=timezone.now(),
    )


@transaction.atomic
def panel_draw(
    *,
    actor,
    item: DisputeItem,
    specialty: str,
    size: int | None = None,
    seed: int | None = None,
    rule: str | None = None,
) -> list[PanelAssignment]:
    """抽取专家: ``size`` experts of the specialty at random, never from the filing institution; the pool
    and seed are kept on the item so the draw can be replayed."""
    _require_bureau(actor)
    item = _locked(item)
    if item.status != ItemStatus.EXPERT_REVIEW:
        raise ValidationError(ERR_NOT_REVIEWING)
    if item.panel.exists():
        raise ValidationError(ERR_PANEL_EXISTS)
    seed = secrets.randbits(48) if seed is None else seed
    try:
        draw = domain.panel_draw(
            selectors.expert_candidates(specialty=specialty),
            filing_institution_id=item.institution_id,
            size=size or conf.panel_size(),
            seed=seed,
        )
    except domain.DisputeError as error:
        raise _validated(error) from error
    before = snapshot(item)
    item.panel_seed, item.panel_pool, item.panel_rule = (
        draw.seed,
        list(draw.pool),
        rule or conf.panel_rule(),
    )
    item.full_clean()
    item.save(update_fields=["panel_seed", "panel_pool", "panel_rule", "updated_at"])
    seats = [
        PanelAssignment.objects.create(item=item, expert_id=pk, drawn_by=actor)
        for pk in draw.chosen
    ]
    names = "、".join(str(seat.expert.user) for seat in seats)
    _entry(item, actor, f"抽取评审专家 {len(seats)} 位")
    audit_record(
        actor=actor,
        action="dispute_panel_draw",
        instance=item,
        before=before,
        after=snapshot(item),
        message=f"种子 {draw.seed}，候选 {len(draw.pool)} 位，抽中：{names}",
    )
    _notify(
        item,
        [seat.expert.user for seat in seats],
        f"{item} 邀请您参加专家评审，请在 {item.due_on or '规定时限'} 前表决。",
    )
    return seats


@transaction.atomic
def expert_vote(*, actor, item: DisputeItem, vote: str, opinion: str = "") -> PanelAssignment:
    """An expert of the panel records (or changes, until the decision) their opinion and vote."""
    item = _locked(item)
    seat = (
        PanelAssignment.objects.select_for_update().filter(item=item, expert__user=actor).first()
        if actor
        else None
    )
    if seat is None:
        raise PermissionDenied(ERR_NOT_ASSIGNED)
    if item.status != ItemStatus.EXPERT_REVIEW:
        raise ValidationError(ERR_NOT_REVIEWING)
    before = snapshot(seat)
    seat.vote, seat.opinion, seat.voted_at = vote, opinion.strip(), timezone.now()
    seat.full_clean()
    seat.save(update_fields=["vote", "opinion", "voted_at"])
    _entry(item, actor, "专家已表决")
    audit_record(
        actor=actor,
        action="dispute_expert_vote",
        instance=seat,
        before=before,
        after=snapshot(seat),
    )
    votes = list(item.panel.values_list("vote", flat=True))
    if domain.panel_outcome(votes, item.panel_rule) is not None:
        _notify(item, _bureau_users(), f"{item} 专家组已全部表决，请作出处理决定。")
    return seat


def _check_against_panel(item: DisputeItem, decision: str) -> None:
    votes = list(item.panel.values_list("vote", flat=True))
    if not votes:
        raise ValidationError(ERR_NO_PANEL)
    outcome = domain.panel_outcome(votes, item.panel_rule or PanelRule.MAJORITY)
    if outcome is None:
        raise ValidationError(
            ERR_VOTES_PENDING.format(voted=sum(1 for v in votes if v), size=len(votes))
        )
    allowed = Decision.approving() if outcome == Vote.APPROVE else [Decision.REJECTED]
    if decision not in allowed:
        raise ValidationError(
            ERR_DECISION_AGAINST_PANEL.format(
                outcome=Vote(outcome).label, allowed="、".join(Decision(d).label for d in allowed)
            )
        )


@transaction.atomic
def item_decide(
    *, actor, item: DisputeItem, decision: str, reason: str, value: Decimal | None = None
) -> DisputeItem:
    """处理决定: recorded by the bureau, in line with the panel's vote under the item's rule."""
    _require_bureau(actor)
    item = _locked(item)
    if not reason.strip():
        raise ValidationError(ERR_REASON_REQUIRED)
    if item.status == ItemStatus.EXPERT_REVIEW:
        _check_against_panel(item, decision)
    return _move(
        actor,
        item,
        "decide",
        side=domain.BUREAU,
        note=Decision(decision).label if decision in Decision.values else "",
        notify=[*_hospital_users(item), *_panel_users(item)],
        decision=decision,
        decision_value=value,
        decision_reason=reason.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
    )


@transaction.atomic
def item_mark_applied(*, actor, item: DisputeItem, note: str = "") -> DisputeItem:
    """Settlement applied the decision (called by the settlement run; ``actor`` None is the system)."""
    side = domain.BUREAU if actor is None else _side(actor)
    return _move(
        actor,
        _locked(item),
        "apply",
        side=side,
        note=note.strip(),
        notify=_hospital_users(item),
        applied_at=timezone.now(),
    )


# --------------------------------------------------------------------------- comments, attachments, inbox


def _visible(actor, item: DisputeItem) -> DisputeItem:
    """The item as the actor may see it, or PermissionDenied."""
    visible = (
        selectors.item_list_for_user(actor).filter(pk=item.pk).first()
        if actor is not None
        else None
    )
    if visible is None:
        raise PermissionDenied(ERR_NOT_YOURS)
    return visible


@transaction.atomic
def comment_add(*, actor, item: DisputeItem, body: str) -> Comment:
    item = _visible(actor, item)
    if not body.strip():
        raise ValidationError(ERR_EMPTY_COMMENT)
    comment = Comment(item=item, author=actor, body=body.strip())
    comment.full_clean()
    comment.save()
    audit_record(
        actor=actor, action="dispute_comment_add", instance=comment, after=snapshot(comment)
    )
    concerned = [*_hospital_users(item), *_bureau_users(), *_panel_users(item)]
    _notify(
        item,
        concerned,
        lambda names: f"{item} {names(actor)} 发表了意见：{comment.body[:60]}",
        exclude=actor,
    )
    return comment


def _file_facts(upload: UploadedFile) -> tuple[str, str]:
    """The content type proven by the first bytes, and the SHA-256, or ValidationError."""
    limit = conf.attachment_max_bytes()
    if upload.size is None or upload.size == 0:
        raise ValidationError(ERR_FILE_EMPTY)
    if upload.size > limit:
        raise ValidationError(ERR_FILE_SIZE.format(limit=f"{limit / 1024 / 1024:g}"))
    upload.seek(0)
    content_type = domain.sniff_content_type(upload.read(16))
    if content_type is None:
        raise ValidationError(ERR_FILE_TYPE)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


@transaction.atomic
def attachment_add(*, actor, item: DisputeItem, upload: UploadedFile) -> Attachment:
    """Evidence from the filing hospital or the bureau while the item is open: PDF/JPEG/PNG, within the size limit."""
    item = _visible(actor, item)
    _side(actor)
    if item.status not in ItemStatus.open():
        raise ValidationError(ERR_CLOSED)
    content_type, sha256 = _file_facts(upload)
    name = upload.name.rsplit("/", 1)[-1][:255]
    attachment = Attachment(
        item=item,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=sha256,
        uploaded_by=actor,
    )
    attachment.file.save(f"{sha256[:16]}{domain.EXTENSIONS[content_type]}", upload, save=False)
    attachment.full_clean()
    attachment.save()
    _entry(item, actor, f"上传附件「{name}」")
    audit_record(
        actor=actor,
        action="dispute_attachment_add",
        instance=attachment,
        after=snapshot(attachment),
    )
    return attachment


@transaction.atomic
def notification_mark_read(*, user, pk: int | None = None) -> int:
    """Mark one (or every) unread message of the user's own inbox as read. Inbox state is the reader's
    own, not a record of the process, so it is not audited."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


# --------------------------------------------------------------------------- batch filing


@transaction.atomic
def item_batch_file(
    *, actor, rows: Sequence[domain.BatchRow], errors: Sequence[tuple[int, str]] = ()
) -> list[DisputeItem]:
    """批量申报: one special-case draft per row through ``item_create``, in one transaction. Any row's error
    (including the (line, message) ``errors`` found while reading the file) files nothing; all errors come
    back together, by line. Rows are filed in order, so the row that would pass the quota is the one reported."""
    if _side(actor) != domain.HOSPITAL:
        raise PermissionDenied(ERR_HOSPITAL_ONLY)
    found, items = [(line, "", message) for line, message in errors], []
    for row in rows:
        try:
            items.append(
                item_create(
                    actor=actor,
                    kind=ItemKind.SPECIAL_CASE,
                    setl_id=row.setl_id,
                    reasons=row.reasons,
                    statement=row.statement,
                )
            )
        except ValidationError as error:
            found += [(row.line, f"（{row.setl_id}）", message) for message in error.messages]
    if found:
        found.sort(key=lambda error: error[0])
        raise ValidationError(
            [
                ERR_BATCH_ROW.format(line=line, case=case, message=message)
                for line, case, message in found
            ]
        )
    return items


@transaction.atomic
def expert_register(
    *, actor, user: User, specialty: str, institution: Institution | None = None, title: str = ""
) -> Expert:
    """Enter an expert user in the expert library (专家库): the specialty panels are drawn by, and the
    institution whose filings the expert must not judge."""
    expert = Expert(user=user, specialty=specialty, institution=institution, title=title)
    expert.full_clean()
    expert.save()
    audit_record(
        actor=actor,
        action="expert_register",
        instance=expert,
        after=snapshot(expert),
        message=f"{user} 入库：{expert.get_specialty_display()}",
    )
    return expert
