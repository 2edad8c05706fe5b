from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from catalogs import selectors
from catalogs.api.serializers import InstitutionQuerySerializer, InstitutionSerializer, RegionSerializer
from catalogs.models import Institution
from config.api import IsBureau, query_params


@extend_schema_view(
    list=extend_schema(summary="统筹区列表", description="全部统筹区（行政区划代码与名称）。仅经办机构用户可访问。"),
)
class RegionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = RegionSerializer
    permission_classes = [IsAuthenticated, IsBureau]

    def get_queryset(self):
        return selectors.region_list()


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
)
class InstitutionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = InstitutionSerializer
    query_serializer_class = InstitutionQuerySerializer
    lookup_field = "code"
    lookup_value_regex = r"[A-Z0-9]+"

    def get_queryset(self):
        filters = query_params(self.query_serializer_class, self.request) if self.action == "list" else {}
        return selectors.institution_list_for_user(self.request.user, **filters)

    def get_object(self) -> Institution:
        return selectors.institution_get_for_user(self.request.user, self.kwargs["code"])
