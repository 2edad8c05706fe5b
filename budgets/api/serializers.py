"""Budgets in JSON (read-only): versions, their derivation lines, and each category's months and quarters.
Money is a string with two decimals (DRF's DecimalField), never a float."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from budgets import selectors
from budgets.choices import BudgetStatus
from budgets.models import Budget, BudgetLine
from catalogs.choices import Scheme

ERR_STATUS = "状态应为 " + "、".join(BudgetStatus.values) + " 之一。"
ERR_SCHEME = "险种应为 " + "、".join(Scheme.values) + " 之一。"
# "status" and "scheme" are plain strings in the schema: other models have a status with other
# choices, and the scheme choices are already published as the case record's insutype enum, so
# enums here would collide in the schema's component names.
STATUS_HELP = "状态：" + "；".join(f"{value} {label}" for value, label in BudgetStatus.choices)
SCHEME_HELP = "险种：" + "；".join(f"{value} {label}" for value, label in Scheme.choices)


def _one_of(value: str, allowed: list[str], message: str) -> str:
    if value and value not in allowed:
        raise serializers.ValidationError(message)
    return value


_MONEY = {"max_digits": 18, "decimal_places": 2, "read_only": True}


class BudgetSerializer(serializers.ModelSerializer):
    """总额预算版本."""

    region = serializers.CharField(
        source="region.code", read_only=True, help_text="统筹区行政区划代码"
    )
    scheme_label = serializers.CharField(
        source="get_scheme_display", read_only=True, help_text="险种名称"
    )
    scheme = serializers.CharField(read_only=True, help_text=SCHEME_HELP)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="状态名称"
    )
    based_on = serializers.IntegerField(
        source="based_on_id", read_only=True, allow_null=True, help_text="年中调整所依据的版本ID"
    )
    created_by = serializers.StringRelatedField(help_text="编制人")
    submitted_by = serializers.StringRelatedField(help_text="提交人")
    approved_by = serializers.StringRelatedField(help_text="审批人")

    class Meta:
        model = Budget
        fields = [
            "id",
            "region",
            "year",
            "scheme",
            "scheme_label",
            "version",
            "status",
            "status_label",
            "based_on",
            "reason",
            "risk_reserve_rate",
            "settlement_share",
            "phasing_method",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "superseded_at",
        ]


class BudgetLineSerializer(serializers.ModelSerializer):
    """预算行: the derived amount and the inputs it came from."""

    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="类型名称"
    )
    method_label = serializers.CharField(
        source="get_method_display", read_only=True, help_text="测算方法名称"
    )

    class Meta:
        model = BudgetLine
        fields = [
            "kind",
            "kind_label",
            "code",
            "name",
            "method",
            "method_label",
            "amount",
            "entered_amount",
            "base",
            "rate",
            "per_capita",
            "count",
        ]


class PhasingSerializer(serializers.Serializer):
    """细分类别的分月、分季预算 — what settlement divides by points, period by period."""

    code = serializers.CharField(help_text="细分类别编码")
    name = serializers.CharField(help_text="细分类别名称")
    amount = serializers.DecimalField(help_text="全年预算（元）", **_MONEY)
    months = serializers.ListField(
        child=serializers.DecimalField(**_MONEY), help_text="1-12月预算（元）"
    )
    quarters = serializers.ListField(
        child=serializers.DecimalField(**_MONEY), help_text="1-4季度预算（元）"
    )


class BudgetDetailSerializer(BudgetSerializer):
    """总额预算版本（详情）: with its lines and the phasing of its categories."""

    lines = serializers.SerializerMethodField(help_text="预算测算行，按测算顺序")
    phasing = serializers.SerializerMethodField(help_text="各细分类别分月、分季预算")

    class Meta(BudgetSerializer.Meta):
        fields = [*BudgetSerializer.Meta.fields, "lines", "phasing"]

    @extend_schema_field(BudgetLineSerializer(many=True))
    def get_lines(self, budget: Budget) -> list[dict]:
        return BudgetLineSerializer(selectors.budget_lines(budget=budget), many=True).data

    @extend_schema_field(PhasingSerializer(many=True))
    def get_phasing(self, budget: Budget) -> list[dict]:
        return PhasingSerializer(selectors.budget_phasing(budget=budget), many=True).data


class BudgetQuerySerializer(serializers.Serializer):
    """预算列表的查询条件."""

    region = serializers.CharField(
        source="region_code",
        required=False,
        allow_blank=True,
        max_length=6,
        help_text="统筹区行政区划代码",
    )
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="年度"
    )
    scheme = serializers.CharField(
        required=False, allow_blank=True, max_length=3, help_text=SCHEME_HELP
    )
    status = serializers.CharField(
        required=False, allow_blank=True, max_length=12, help_text=STATUS_HELP
    )

    def validate_scheme(self, value: str) -> str:
        return _one_of(value, Scheme.values, ERR_SCHEME)

    def validate_status(self, value: str) -> str:
        return _one_of(value, BudgetStatus.values, ERR_STATUS)


class InForceQuerySerializer(serializers.Serializer):
    """执行中预算的查询条件（统筹区、年度、险种均必填）."""

    region = serializers.CharField(
        source="region_code", max_length=6, help_text="统筹区行政区划代码"
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="年度")
    scheme = serializers.CharField(max_length=3, help_text=SCHEME_HELP)

    def validate_scheme(self, value: str) -> str:
        return _one_of(value, Scheme.values, ERR_SCHEME)
