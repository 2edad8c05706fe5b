"""Serializers of the catalog versions in the API: a version, its groups and subtypes, the diff of two
versions, and the query parameters."""

from __future__ import annotations

from rest_framework import serializers

from catalogs.api.serializers import choice_codes, one_of
from catalogs.choices import (
    CatalogKind,
    CatalogStatus,
    GroupType,
    SubtypeDimension,
    TreatmentType,
)
from catalogs.versions.models import CatalogGroup, CatalogVersion, GroupSubtype
from catalogs.versions.selectors import GROUP_FLAGS

KIND_HELP = "目录类别：" + choice_codes(CatalogKind.choices)


CATALOG_STATUS_HELP = "状态：" + choice_codes(CatalogStatus.choices)


GROUP_TYPE_HELP = "病种类型：" + choice_codes(GroupType.choices)


FLAG_HELP = "标识：is_grassroots 基层病种；is_tcm 中医优势病种；is_day_surgery 日间手术病种"


class CatalogVersionSerializer(serializers.ModelSerializer):
    """目录版本."""

    region = serializers.CharField(
        source="region.code", read_only=True, help_text="统筹区行政区划代码"
    )
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    status = serializers.CharField(read_only=True, help_text=CATALOG_STATUS_HELP)
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="状态名称"
    )
    based_on = serializers.IntegerField(
        source="based_on_id", read_only=True, allow_null=True, help_text="复制自的版本ID"
    )
    submitted_by = serializers.StringRelatedField(help_text="提交人")
    approved_by = serializers.StringRelatedField(help_text="审核发布人")

    class Meta:
        model = CatalogVersion
        fields = [
            "id",
            "region",
            "kind",
            "year",
            "version",
            "name",
            "status",
            "status_label",
            "effective_from",
            "effective_to",
            "based_on",
            "submitted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "retired_at",
        ]


class CatalogVersionDetailSerializer(CatalogVersionSerializer):
    """目录版本（详情）: with the parameters and summary of its build from history."""

    build_params = serializers.DictField(
        read_only=True, help_text="测算参数（catalogs.dip.catalog.DipConfig）"
    )
    build_summary = serializers.DictField(
        read_only=True, help_text="测算结果摘要：病例数、病种数、基准均值、年度权重等"
    )
    groups = serializers.IntegerField(source="groups.count", read_only=True, help_text="病种数")

    class Meta(CatalogVersionSerializer.Meta):
        fields = [*CatalogVersionSerializer.Meta.fields, "build_params", "build_summary", "groups"]


class CatalogVersionQuerySerializer(serializers.Serializer):
    """目录版本列表的查询条件."""

    region = serializers.CharField(
        source="region_code",
        required=False,
        allow_blank=True,
        max_length=6,
        help_text="统筹区行政区划代码",
    )
    kind = serializers.CharField(
        required=False, allow_blank=True, max_length=3, help_text=KIND_HELP
    )
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="适用年度"
    )
    status = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text=CATALOG_STATUS_HELP
    )

    def validate_kind(self, value: str) -> str:
        return one_of(value, CatalogKind.choices, "目录类别")

    def validate_status(self, value: str) -> str:
        return one_of(value, CatalogStatus.choices, "状态")


class CatalogGroupSerializer(serializers.ModelSerializer):
    """病种: code, name, type and score, with the statistics behind the score."""

    group_type = serializers.CharField(read_only=True, help_text=GROUP_TYPE_HELP)
    treatment_type = serializers.CharField(
        read_only=True, help_text="治疗方式：" + choice_codes(TreatmentType.choices)
    )
    case_counts = serializers.DictField(
        child=serializers.IntegerField(), read_only=True, help_text="各年度病例数"
    )
    level_means = serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text="各级别机构加权平均费用（元）"
    )

    class Meta:
        model = CatalogGroup
        fields = [
            "id",
            "version",
            "code",
            "name",
            "group_type",
            "diag_code",
            "proc_code",
            "treatment_type",
            "score",
            "mean_cost",
            "cv",
            "case_counts",
            "level_means",
            "grassroots_share",
            "is_grassroots",
            "is_tcm",
            "is_day_surgery",
        ]


class GroupSubtypeSerializer(serializers.ModelSerializer):
    """辅助分型."""

    dimension = serializers.CharField(
        read_only=True, help_text="分型维度：" + choice_codes(SubtypeDimension.choices)
    )

    class Meta:
        model = GroupSubtype
        fields = ["dimension", "key", "cases", "mean_cost", "coefficient"]


class CatalogGroupDetailSerializer(CatalogGroupSerializer):
    """病种（详情）: with its auxiliary subtypes."""

    subtypes = GroupSubtypeSerializer(many=True, read_only=True, help_text="辅助分型及调整系数")

    class Meta(CatalogGroupSerializer.Meta):
        fields = [*CatalogGroupSerializer.Meta.fields, "subtypes"]


class CatalogGroupQuerySerializer(serializers.Serializer):
    """病种列表的查询条件（目录版本必填）."""

    version = serializers.IntegerField(min_value=1, help_text="目录版本ID")
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="按病种编码或名称模糊查询"
    )
    group_type = serializers.CharField(
        required=False, allow_blank=True, max_length=14, help_text=GROUP_TYPE_HELP
    )
    flag = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text=FLAG_HELP
    )

    def validate_group_type(self, value: str) -> str:
        return one_of(value, GroupType.choices, "病种类型")

    def validate_flag(self, value: str) -> str:
        return one_of(value, [(flag, flag) for flag in GROUP_FLAGS], "标识")


class DiffQuerySerializer(serializers.Serializer):
    """版本对比的查询条件."""

    old = serializers.IntegerField(min_value=1, help_text="对比的原版本ID（新版本为路径中的版本）")


class ScoreChangeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="病种编码")
    old = serializers.DecimalField(max_digits=12, decimal_places=4, help_text="原分值")
    new = serializers.DecimalField(max_digits=12, decimal_places=4, help_text="新分值")
    delta = serializers.DecimalField(max_digits=12, decimal_places=4, help_text="变化（新−原）")


class CatalogDiffSerializer(serializers.Serializer):
    """两个目录版本之间新增、删除和分值变化的病种."""

    old = serializers.IntegerField(help_text="原版本ID")
    new = serializers.IntegerField(help_text="新版本ID")
    added = serializers.ListField(child=serializers.CharField(), help_text="新增病种编码")
    removed = serializers.ListField(child=serializers.CharField(), help_text="删除病种编码")
    changed = ScoreChangeSerializer(many=True, help_text="分值变化的病种")
