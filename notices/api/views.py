"""Notices through ``Notice.objects.for_user`` (a hospital: published notices to its institution)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import query_params
from notices import selectors, services
from notices.api.serializers import NoticeQuerySerializer, NoticeSerializer
from notices.models import Notice


@extend_schema_view(
    list=extend_schema(
        summary="通知公告列表",
        description="医疗机构用户：发给本机构的已发布通知公告（is_read 表示本人是否已读），可用 unread=true 仅看未读；经办机构用户：全部。",
    ),
    retrieve=extend_schema(
        summary="通知公告详情",
        description="读取一条通知公告；医疗机构用户读取即记录本人的已读回执（与页面打开相同，重复读取不重复记录）。"
        "不在权限范围内返回404。",
    ),
)
class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NoticeSerializer
    lookup_value_regex = r"\d+"

    @property
    def query_serializer_class(self):
        return NoticeQuerySerializer if self.action == "list" else None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notice.objects.none()
        notices = selectors.notice_list_for_user(self.request.user)
        if self.action == "list" and query_params(NoticeQuerySerializer, self.request).get(
            "unread"
        ):
            notices = notices.filter(is_read=False)
        return notices

    def get_object(self) -> Notice:
        return selectors.notice_get_for_user(self.request.user, self.kwargs["pk"])

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        services.notice_mark_read(user=request.user, notice=self.get_object())
        return Response(self.get_serializer(self.get_object()).data)
