from __future__ import annotations

from rest_framework import serializers

from catalogs.choices import InstitutionLevel, InstitutionType
from catalogs.models import Institution, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class InstitutionSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code", read_only=True, help_text="统筹区行政区划代码")
    level_label = serializers.CharField(source="get_level_display", read_only=True, help_text="医院等级名称")
    type_label = serializers.CharField(source="get_type_display", read_only=True, help_text="机构类别名称")
    consortium_lead = serializers.CharField(
        source="consortium_lead.code", read_only=True, allow_null=True, help_text="医共体牵头机构编号"
    )

    class Meta:
        model = Institution
        fields = [
            "code", "name", "region", "level", "level_label", "type", "type_label",
            "is_grassroots", "consortium_lead", "active_from", "active_to",
        ]


class InstitutionQuerySerializer(serializers.Serializer):
    """机构列表的查询条件."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="按机构编号或名称模糊查询")
    level = serializers.ChoiceField(choices=InstitutionLevel.choices, required=False, allow_blank=True, help_text="医院等级")
    type = serializers.ChoiceField(choices=InstitutionType.choices, required=False, allow_blank=True, help_text="机构类别")
