from __future__ import annotations

from rest_framework import serializers

from catalogs.choices import (
    InstitutionLevel,
    InstitutionType,
)
from catalogs.models import Institution, InstitutionState, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class InstitutionSerializer(serializers.ModelSerializer):
    region = serializers.CharField(
        source="region.code", read_only=True, help_text="统筹区行政区划代码"
    )
    level_label = serializers.CharField(
        source="get_level_display", read_only=True, help_text="医院等级名称"
    )
    type_label = serializers.CharField(
        source="get_type_display", read_only=True, help_text="机构类别名称"
    )
    consortium_lead = serializers.CharField(
        source="consortium_lead.code",
        read_only=True,
        allow_null=True,
        help_text="医共体牵头机构编号",
    )

    class Meta:
        model = Institution
        fields = [
            "code",
            "name",
            "region",
            "level",
            "level_label",
            "type",
            "type_label",
            "is_grassroots",
            "consortium_lead",
            "active_from",
            "active_to",
        ]


class InstitutionStateSerializer(serializers.ModelSerializer):
    """机构状态: one state of the register's history with its dates; who recorded it only for the bureau."""

    level_label = serializers.CharField(
        source="get_level_display", read_only=True, help_text="医院等级名称"
    )
    type_label = serializers.CharField(
        source="get_type_display", read_only=True, help_text="机构类别名称"
    )
    consortium_lead = serializers.CharField(
        source="consortium_lead.code",
        read_only=True,
        allow_null=True,
        help_text="医共体牵头机构编号",
    )
    changed = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="本次变更项（字段名）"
    )
    recorded_by = serializers.CharField(
        source="recorded_by.username",
        read_only=True,
        allow_null=True,
        help_text="登记人用户名（仅经办机构用户可见）",
    )

    class Meta:
        model = InstitutionState
        fields = [
            "valid_from",
            "valid_to",
            "level",
            "level_label",
            "type",
            "type_label",
            "is_grassroots",
            "consortium_lead",
            "agreement_from",
            "agreement_to",
            "changed",
            "reason",
            "recorded_by",
            "recorded_at",
        ]

    def to_representation(self, instance: InstitutionState) -> dict:
        data = super().to_representation(instance)
        if not getattr(self.context["request"].user, "is_bureau", False):
            data.pop("recorded_by")
            data.pop("recorded_at")
        return data


class InstitutionQuerySerializer(serializers.Serializer):
    """机构列表的查询条件."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="按机构编号或名称模糊查询"
    )
    level = serializers.ChoiceField(
        choices=InstitutionLevel.choices, required=False, allow_blank=True, help_text="医院等级"
    )
    type = serializers.ChoiceField(
        choices=InstitutionType.choices, required=False, allow_blank=True, help_text="机构类别"
    )


# --- catalog versions and groups ------------------------------------------------------------------
# Choice fields are plain strings with their codes listed in the help text (as in budgets.api): other
# models use the same enum names with other values, and enums would collide in the schema.


def choice_codes(choices) -> str:
    return "；".join(f"{value} {label}" for value, label in choices)


def one_of(value: str, choices, field: str) -> str:
    allowed = [code for code, _ in choices]
    if value and value not in allowed:
        raise serializers.ValidationError(
            ERR_CHOICE.format(field=field, allowed="、".join(allowed))
        )
    return value


ERR_CHOICE = "{field}应为 {allowed} 之一。"


# --- institution coefficients ---------------------------------------------------------------------
