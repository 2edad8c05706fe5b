"""Writes of notices: draft, publish, and a hospital user's read receipt. Each records its audit event."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record, snapshot
from catalogs.models import Institution, Region
from notices.choices import NoticeKind, NoticeStatus
from notices.models import Notice, NoticeReceipt

ERR_BUREAU_ONLY = "只有经办机构用户可以起草或发布通知公告。"
ERR_NO_AUDIENCE = "请选择接收机构，或勾选“发送给统筹区全部机构”。"
ERR_OTHER_REGION = "接收机构{names}不属于统筹区“{region}”。"
ERR_PUBLISHED = "该通知公告已发布，不能重复发布。"
ERR_NOT_HOSPITAL = "只有医疗机构用户记录已读回执。"


def _require_bureau(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_bureau:
        raise PermissionDenied(ERR_BUREAU_ONLY)


def _check_audience(region: Region, to_all: bool, institutions: Sequence[Institution]) -> None:
    if not to_all and not institutions:
        raise ValidationError({"institutions": ERR_NO_AUDIENCE})
    outside = [i.name for i in institutions if i.region_id != region.pk]
    if outside:
        raise ValidationError(
            {"institutions": ERR_OTHER_REGION.format(names="、".join(outside), region=region.name)}
        )


@transaction.atomic
def notice_create(
    *,
    actor,
    region: Region,
    title: str,
    body: str,
    kind: str = NoticeKind.GENERAL,
    link: str = "",
    to_all: bool = True,
    institutions: Sequence[Institution] = (),
    publish: bool = False,
) -> Notice:
    """A draft notice (草稿) to all institutions of the region or to chosen ones; ``publish`` sends it at once."""
    _require_bureau(actor)
    institutions = list(institutions)
    _check_audience(region, to_all, institutions)
    notice = Notice(
        region=region,
        kind=kind,
        title=title.strip(),
        body=body.strip(),
        link=link,
        to_all=to_all,
        created_by=actor,
    )
    notice.full_clean()
    notice.save()
    notice.institutions.set(institutions)
    audit_record(actor=actor, action="notice_create", instance=notice, after=snapshot(notice))
    return notice_publish(actor=actor, notice=notice) if publish else notice


@transaction.atomic
def notice_publish(*, actor, notice: Notice) -> Notice:
    _require_bureau(actor)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status == NoticeStatus.PUBLISHED:
        raise ValidationError(ERR_PUBLISHED)
    before = snapshot(notice)
    notice.status, notice.published_by, notice.published_at = (
        NoticeStatus.PUBLISHED,
        actor,
        timezone.now(),
    )
    notice.save(update_fields=["status", "published_by", "published_at"])
    audit_record(
        actor=actor, action="notice_publish", instance=notice, before=before, after=snapshot(notice)
    )
    return notice


@transaction.atomic
def notice_mark_read(*, user, notice: Notice) -> NoticeReceipt | None:
    """The hospital user's receipt (written once, at the first opening); bureau users leave none."""
    if not getattr(user, "is_hospital", False):
        return None
    receipt, created = NoticeReceipt.objects.get_or_create(
        notice=notice, user=user, defaults={"institution_id": user.institution_id}
    )
    if created:
        audit_record(actor=user, action="notice_read", instance=receipt, after=snapshot(receipt))
    return receipt
