"""Parameter sets in JSON (read-only, bureau users): versions with their labelled values, and the
version in force for a category on a date — what a run uses."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.regions import in_user_regions
from catalogs.choices import Scheme
from config.api import ErrorSerializer, IsBureau, query_params, region_in_scope
from settlement.parameters import domain, selectors
from settlement.parameters.models import ParameterSet, ParameterStatus

ERR_NONE_IN_FORCE = "该统筹区、年度、险种、类别在该日期没有执行中的结算参数。"
STATUS_HELP = "状态：" + "；".join(f"{value} {label}" for value, label in ParameterStatus.choices)
SCHEME_HELP = "险种：" + "；".join(f"{value} {label}" for value, label in Scheme.choices)


class ParameterValueSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="参数代码")
    label = serializers.CharField(help_text="参数项")
    value = serializers.CharField(allow_blank=True, help_text="参数值（文本，数字为十进制字符串）")


class ParameterSetSerializer(serializers.ModelSerializer):
    """结算参数版本."""

    region = serializers.CharField(
        source="region.code", read_only=True, help_text="统筹区行政区划代码"
    )
    scheme = serializers.CharField(read_only=True, help_text=SCHEME_HELP)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    based_on = serializers.IntegerField(
        source="based_on_id", read_only=True, allow_null=True, help_text="调整所依据的版本ID"
    )
    values = serializers.SerializerMethodField(help_text="全部参数项，按显示顺序")

    class Meta:
        model = ParameterSet
        fields = [
            "id",
            "region",
            "year",
            "scheme",
            "category",
            "kind",
            "version",
            "status",
            "status_label",
            "effective_from",
            "effective_to",
            "based_on",
            "reason",
            "approved_at",
            "values",
        ]

    def get_values(self, obj: ParameterSet) -> list[dict]:
        return ParameterValueSerializer(
            [
                {"key": f.key, "label": f.label, "value": obj.values.get(f.key, "")}
                for f in domain.FIELDS
            ],
            many=True,
        ).data


class ParameterQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="年度"
    )
    scheme = serializers.ChoiceField(choices=Scheme.values, required=False, help_text=SCHEME_HELP)
    category = serializers.CharField(
        required=False, max_length=20, help_text="细分类别编码，如 DIP"
    )


class InForceQuerySerializer(serializers.Serializer):
    region = serializers.CharField(max_length=6, help_text="统筹区行政区划代码")
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="年度")
    scheme = serializers.ChoiceField(choices=Scheme.values, help_text=SCHEME_HELP)
    category = serializers.CharField(max_length=20, help_text="细分类别编码")
    on = serializers.DateField(required=False, help_text="日期（默认：当前执行中的版本）")


@extend_schema_view(
    list=extend_schema(
        summary="结算参数版本列表",
        description="全部结算参数版本，可按年度、险种、类别筛选。仅经办机构用户可访问。",
    ),
    retrieve=extend_schema(
        summary="结算参数版本详情", description="一个参数版本的全部参数项及生效日期。"
    ),
    in_force=extend_schema(
        summary="执行中的结算参数",
        description="结算使用的参数：指定统筹区、年度、险种、类别在指定日期（默认今天执行中的版本）生效的版本。没有时返回404。",
        parameters=[InForceQuerySerializer],
        responses={
            200: ParameterSetSerializer,
            400: OpenApiResponse(ErrorSerializer, description="请求无效：字段错误见 errors"),
        },
    ),
)
class ParameterSetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ParameterSetSerializer
    permission_classes = [IsAuthenticated, IsBureau]
    lookup_value_regex = r"\d+"

    @property
    def query_serializer_class(self):
        return ParameterQuerySerializer if self.action == "list" else None

    def get_queryset(self):
        filters = (
            query_params(ParameterQuerySerializer, self.request) if self.action == "list" else {}
        )
        return in_user_regions(selectors.parameter_set_list(**filters), self.request.user)

    @action(detail=False, url_path="in-force", pagination_class=None)
    def in_force(self, request: Request) -> Response:
        query = query_params(InForceQuerySerializer, request)
        region = region_in_scope(request.user, query.pop("region"))
        found = selectors.parameter_set_in_force(region=region, **query)
        if found is None:
            raise NotFound(ERR_NONE_IN_FORCE)
        return Response(ParameterSetSerializer(found).data)
