from __future__ import annotations

from rest_framework import serializers

from notices.models import Notice


class NoticeSerializer(serializers.ModelSerializer):
    """通知公告 — what a hospital reads; who drafted or published it is not shown."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)
    is_read = serializers.BooleanField(read_only=True, help_text="当前用户是否已读")

    class Meta:
        model = Notice
        fields = [
            "id",
            "region",
            "kind",
            "kind_label",
            "title",
            "body",
            "link",
            "status",
            "published_at",
            "is_read",
        ]
        read_only_fields = fields


class NoticeQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, help_text="仅未读")
