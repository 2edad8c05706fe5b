from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from catalogs.api.serializers import (
    InstitutionQuerySerializer,
    InstitutionSerializer,
    InstitutionStateSerializer,
    RegionSerializer,
)
from catalogs.models import Institution
from catalogs.register import selectors
from config.api import ErrorSerializer, IsBureau, query_params
from config.api_params import refuse_unknown_params


@extend_schema_view(
    list=extend_schema(
        summary="统筹区列表",
        description="当前用户可见的统筹区（行政区划代码与名称）：绑定的统筹区，省级用户为全部。仅经办机构用户可访问。",
    ),
)
class RegionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = RegionSerializer
    permission_classes = [IsAuthenticated, IsBureau]

    def get_queryset(self):
        return selectors.region_list_for_user(self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary="定点医疗机构列表",
        description="按权限范围返回定点医疗机构：经办机构用户可见全部机构，医疗机构用户仅可见本机构。"
        "可按医院等级、机构类别及编号/名称筛选。",
    ),
    retrieve=extend_schema(
        summary="定点医疗机构详情",
        description="按定点医药机构编号查询一家机构。不在权限范围内的机构返回404。",
    ),
    history=extend_schema(
        summary="机构变更历史",
        description="一家机构登记的各期状态（医院等级、机构类别、基层标识、医共体牵头机构、协议期）及其生效日期，新者在前。"
        "医疗机构用户仅可查看本机构，且不含登记人；不在权限范围内的机构返回404。没有登记过变更的机构返回空列表。",
        responses={
            200: InstitutionStateSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description="不支持的查询参数"),
            404: OpenApiResponse(ErrorSerializer, description="机构不存在或不在权限范围内"),
        },
    ),
)
class InstitutionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = InstitutionSerializer
    query_serializer_class = InstitutionQuerySerializer
    lookup_field = "code"
    lookup_value_regex = r"[A-Z0-9]+"

    def get_queryset(self):
        filters = (
            query_params(self.query_serializer_class, self.request) if self.action == "list" else {}
        )
        return selectors.institution_list_for_user(self.request.user, **filters)

    def get_object(self) -> Institution:
        return selectors.institution_get_for_user(self.request.user, self.kwargs["code"])

    @action(detail=True, pagination_class=None, filter_backends=[])
    def history(self, request: Request, code: str) -> Response:
        refuse_unknown_params(request, known=())
        _institution, states = selectors.institution_history_for_user(request.user, code)
        return Response(
            InstitutionStateSerializer(states, many=True, context={"request": request}).data
        )
