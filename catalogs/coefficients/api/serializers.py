"""Serializers of the coefficient tables in the API: a table, its rows, and the query parameters."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalogs.api.serializers import choice_codes, one_of
from catalogs.choices import CoefficientStatus, Combination
from catalogs.coefficients import selectors
from catalogs.coefficients.models import CoefficientTable, InstitutionCoefficient

COEFFICIENT_STATUS_HELP = "状态：" + choice_codes(CoefficientStatus.choices)


class CoefficientTableSerializer(serializers.ModelSerializer):
    """机构系数表."""

    region = serializers.CharField(
        source="region.code", read_only=True, help_text="统筹区行政区划代码"
    )
    status = serializers.CharField(read_only=True, help_text=COEFFICIENT_STATUS_HELP)
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="状态名称"
    )
    combination = serializers.CharField(
        read_only=True, help_text="组合方式：" + choice_codes(Combination.choices)
    )
    based_on = serializers.IntegerField(
        source="based_on_id", read_only=True, allow_null=True, help_text="调整自的版本ID"
    )
    submitted_by = serializers.StringRelatedField(help_text="提交人")
    approved_by = serializers.StringRelatedField(help_text="审批人")

    class Meta:
        model = CoefficientTable
        fields = [
            "id",
            "region",
            "year",
            "version",
            "status",
            "status_label",
            "combination",
            "effective_from",
            "effective_to",
            "based_on",
            "reason",
            "submitted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "superseded_at",
        ]


class InstitutionCoefficientSerializer(serializers.ModelSerializer):
    """医疗机构系数: the inputs and the combined coefficient of one institution."""

    institution = serializers.CharField(
        source="institution.code", read_only=True, help_text="定点医药机构编号"
    )
    institution_name = serializers.CharField(
        source="institution.name", read_only=True, help_text="机构名称"
    )
    level = serializers.CharField(
        source="institution.level", read_only=True, help_text="医院等级代码"
    )

    class Meta:
        model = InstitutionCoefficient
        fields = [
            "institution",
            "institution_name",
            "level",
            "level_basic",
            "bonus_grassroots",
            "bonus_tcm",
            "bonus_key_discipline",
            "combined",
            "suggestion",
            "note",
        ]


class CoefficientTableDetailSerializer(CoefficientTableSerializer):
    """机构系数表（详情）: the rows the caller may read (a hospital: its own)."""

    rows = serializers.SerializerMethodField(help_text="各机构系数，按机构编号排序")

    class Meta(CoefficientTableSerializer.Meta):
        fields = [*CoefficientTableSerializer.Meta.fields, "rows"]

    @extend_schema_field(InstitutionCoefficientSerializer(many=True))
    def get_rows(self, table: CoefficientTable) -> list[dict]:
        rows = selectors.coefficient_rows_for_user(self.context["request"].user, table)
        return InstitutionCoefficientSerializer(rows, many=True).data


class CoefficientTableQuerySerializer(serializers.Serializer):
    """机构系数表列表的查询条件."""

    region = serializers.CharField(
        source="region_code",
        required=False,
        allow_blank=True,
        max_length=6,
        help_text="统筹区行政区划代码",
    )
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="适用年度"
    )
    status = serializers.CharField(
        required=False, allow_blank=True, max_length=12, help_text=COEFFICIENT_STATUS_HELP
    )

    def validate_status(self, value: str) -> str:
        return one_of(value, CoefficientStatus.choices, "状态")
