"""Reads of notices: through ``Notice.objects.for_user`` (a hospital its institution's published notices)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from catalogs.models import Institution
from notices.models import Notice, NoticeReceipt


def notice_list_for_user(user) -> QuerySet[Notice]:
    """Notices the user may read, newest first, each with ``is_read`` (the user's own receipt) and ``readers``."""
    own = NoticeReceipt.objects.filter(notice=OuterRef("pk"), user_id=user.pk)
    notices = Notice.objects.for_user(user).select_related("region").annotate(is_read=Exists(own))
    return notices.annotate(readers=Count("receipts", distinct=True)).order_by(
        "-published_at", "-id"
    )


def notice_get_for_user(user, pk: int) -> Notice:
    return get_object_or_404(notice_list_for_user(user), pk=pk)


def unread_count(user) -> int:
    if not getattr(user, "is_hospital", False):
        return 0
    return Notice.objects.for_user(user).unread_by(user).count()


@dataclass(frozen=True)
class Audience:
    """One addressed institution and its users' receipts (who read, when)."""

    institution: Institution
    receipts: list[NoticeReceipt]


def notice_audience(notice: Notice) -> list[Audience]:
    """The institutions a notice is addressed to, with the receipts of their users (the bureau's view)."""
    institutions = (
        Institution.objects.filter(region=notice.region)
        if notice.to_all
        else notice.institutions.all()
    )
    receipts: dict[int, list[NoticeReceipt]] = {}
    for receipt in notice.receipts.select_related("user"):
        receipts.setdefault(receipt.institution_id, []).append(receipt)
    return [Audience(i, receipts.get(i.pk, [])) for i in institutions.order_by("code")]
