"""Province runs in JSON: each part with its run's status and figures, and the province summary; money and
point values as decimal strings."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalogs.choices import Scheme
from settlement.province import selectors
from settlement.province.choices import PartState, ProvinceStatus
from settlement.province.models import ProvinceRun, ProvinceRunPart
from settlement.runs.api.serializers import RUN_TYPE_HELP, SCHEME_HELP
from settlement.runs.choices import RunType

STATE_HELP = "分区状态：" + "；".join(f"{v} {label}" for v, label in PartState.choices)
STATUS_HELP = "总体状态：" + "；".join(f"{v} {label}" for v, label in ProvinceStatus.choices)


def _money(help_text: str, places: int = 2) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=20, decimal_places=places, read_only=True, allow_null=True, help_text=help_text
    )


class PartSerializer(serializers.Serializer):
    """一个分区：统筹区 × 险种 × 细分类别及其最近一次结算运行。"""

    id = serializers.IntegerField(read_only=True, help_text="分区ID（重新运行时使用）")
    region = serializers.CharField(source="region.code", read_only=True, help_text="统筹区代码")
    region_name = serializers.CharField(
        source="region.name", read_only=True, help_text="统筹区名称"
    )
    scheme = serializers.CharField(read_only=True, help_text=SCHEME_HELP)
    category = serializers.CharField(read_only=True, help_text="细分类别")
    run = serializers.IntegerField(
        source="run_id", read_only=True, allow_null=True, help_text="结算运行ID；未能发起为 null"
    )
    attempts = serializers.IntegerField(read_only=True, help_text="发起次数")
    state = serializers.SerializerMethodField(help_text=STATE_HELP)
    case_count = serializers.IntegerField(
        source="run.case_count", read_only=True, allow_null=True, help_text="病例数"
    )
    point_value = _money("点值", places=6)
    total = _money("结算总额（元）")
    error = serializers.SerializerMethodField(help_text="失败或未能发起的原因")

    def get_state(self, part: ProvinceRunPart) -> str:
        return selectors.part_state(part)

    def get_error(self, part: ProvinceRunPart) -> str:
        return part.run.error.splitlines()[0] if part.run and part.run.error else part.error

    def to_representation(self, part: ProvinceRunPart) -> dict:
        data = super().to_representation(part)
        done = selectors.part_state(part) == PartState.COMPLETED
        for name in ("point_value", "total"):
            value = getattr(part.run, name) if done else None
            data[name] = None if value is None else self.fields[name].to_representation(value)
        return data


class SummarySerializer(serializers.Serializer):
    status = serializers.CharField(help_text=STATUS_HELP)
    status_label = serializers.CharField(help_text="总体状态名称")
    parts = serializers.IntegerField(help_text="分区数")
    states = serializers.DictField(child=serializers.IntegerField(), help_text="各状态的分区数")
    cases = serializers.IntegerField(help_text="已完成分区的病例数合计")
    total = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="已完成分区的结算总额合计（元）"
    )
    pool = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="已完成分区的可分配基金合计（元）"
    )
    point_value_min = _money("已完成分区的最低点值", places=6)
    point_value_max = _money("已完成分区的最高点值", places=6)
    failures = serializers.SerializerMethodField(help_text="失败或未能发起的分区数")

    def get_failures(self, summary) -> int:
        return len(summary.failures)


class ProvinceRunSerializer(serializers.ModelSerializer):
    """全省结算：期间、筛选条件、发起人，及权限范围内各分区的汇总。"""

    run_type = serializers.CharField(read_only=True, help_text=RUN_TYPE_HELP)
    scheme = serializers.CharField(read_only=True, help_text=SCHEME_HELP + "；空为全部")
    period_label = serializers.CharField(read_only=True, help_text="期间")
    started_by = serializers.CharField(
        source="started_by.username", read_only=True, allow_null=True, help_text="发起人用户名"
    )
    summary = serializers.SerializerMethodField()

    class Meta:
        model = ProvinceRun
        fields = [
            "id",
            "year",
            "run_type",
            "number",
            "period_label",
            "scheme",
            "category",
            "started_by",
            "created_at",
            "summary",
        ]

    @extend_schema_field(SummarySerializer)
    def get_summary(self, province: ProvinceRun) -> dict:
        return SummarySerializer(selectors.province_summary_of(province)).data


class ProvinceRunDetailSerializer(ProvinceRunSerializer):
    parts = PartSerializer(
        source="visible", many=True, read_only=True, help_text="权限范围内的分区"
    )

    class Meta(ProvinceRunSerializer.Meta):
        fields = [*ProvinceRunSerializer.Meta.fields, "parts"]


class ProvinceRunStartSerializer(serializers.Serializer):
    regions = serializers.ListField(
        child=serializers.CharField(max_length=12),
        required=False,
        help_text="统筹区代码；不填为您权限范围内的全部统筹区",
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="年度")
    run_type = serializers.ChoiceField(choices=RunType.values, help_text=RUN_TYPE_HELP)
    number = serializers.IntegerField(
        min_value=0, max_value=12, default=0, help_text="月份或季度；年度结算与年终清算为0"
    )
    scheme = serializers.ChoiceField(
        choices=Scheme.values, required=False, help_text=SCHEME_HELP + "；不填为全部"
    )
    category = serializers.CharField(
        max_length=20, required=False, default="", help_text="细分类别；不填为全部"
    )


class PartRerunSerializer(serializers.Serializer):
    part = serializers.IntegerField(min_value=1, help_text="要重新运行的分区ID")
