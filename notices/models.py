"""Notices (通知公告) from the bureau to hospitals, with read receipts (已读回执).

A notice goes to every institution of its region or to the institutions chosen for it. Hospital users
read published notices addressed to their institution (``Notice.objects.for_user``); opening one writes
the user's receipt, so the bureau sees who read it and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.choices import Role
from accounts.regions import in_user_regions
from notices.choices import NoticeKind, NoticeStatus
from workflow.models import user_field


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user) -> NoticeQuerySet:
        """Bureau users: the notices of their regions; a hospital user: the published notices addressed to its institution."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.role in Role.bureau():
            return in_user_regions(self, user)
        institution = getattr(user, "institution", None)
        if user.role != Role.HOSPITAL or institution is None:
            return self.none()
        addressed = Q(to_all=True, region_id=institution.region_id) | Q(institutions=institution)
        return self.filter(addressed, status=NoticeStatus.PUBLISHED).distinct()

    def unread_by(self, user) -> NoticeQuerySet:
        return self.exclude(receipts__user=user)


class Notice(models.Model):
    """通知公告 — one announcement of the bureau (a point value, a catalog version, a deadline …)."""

    region = models.ForeignKey(
        "catalogs.Region", on_delete=models.PROTECT, related_name="notices", verbose_name="统筹区"
    )
    kind = models.CharField(
        "类别", max_length=20, choices=NoticeKind.choices, default=NoticeKind.GENERAL
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    link = models.CharField(
        "相关页面", max_length=300, blank=True, help_text="站内链接，如结算单列表。"
    )
    to_all = models.BooleanField("发送给统筹区全部机构", default=True)
    institutions = models.ManyToManyField(
        "catalogs.Institution", blank=True, related_name="notices", verbose_name="指定机构"
    )
    status = models.CharField(
        "状态", max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    created_by = user_field("起草人")
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    published_by = user_field("发布人")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "通知公告"
        verbose_name_plural = "通知公告"
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NoticeReceipt(models.Model):
    """已读回执 — a hospital user opened a notice."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="receipts", verbose_name="通知公告"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="阅读人"
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所属机构",
    )
    read_at = models.DateTimeField("阅读时间", auto_now_add=True)

    class Meta:
        verbose_name = "已读回执"
        verbose_name_plural = "已读回执"
        ordering = ["read_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "user"], name="%(app_label)s_%(class)s_once_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.user_id}"
