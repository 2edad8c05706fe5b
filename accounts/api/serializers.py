from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User


class RoleSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="角色代码：bureau_admin / bureau_officer / expert / hospital"
    )
    label = serializers.CharField(help_text="角色名称")


class InstitutionRefSerializer(serializers.Serializer):
    """A reference to an institution by its national code (定点医药机构编号)."""

    code = serializers.CharField(help_text="定点医药机构编号")
    name = serializers.CharField(help_text="机构名称")


class MeSerializer(serializers.ModelSerializer):
    """当前用户."""

    role = serializers.SerializerMethodField()
    institution = InstitutionRefSerializer(
        allow_null=True, read_only=True, help_text="所属机构；非医疗机构用户为 null"
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "role", "institution"]

    @extend_schema_field(RoleSerializer)
    def get_role(self, user: User) -> dict:
        return {"code": user.role, "label": user.get_role_display()}


class TokenSerializer(serializers.Serializer):
    """新的接口令牌 — shown once; the portal stores only its digest."""

    token = serializers.CharField(help_text="接口令牌；请求头中携带 `Authorization: Token <令牌>`")
    expiry = serializers.DateTimeField(help_text="失效时间")
