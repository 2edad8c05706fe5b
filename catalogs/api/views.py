from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from catalogs.api.serializers import (
    CatalogDiffSerializer,
    CatalogGroupDetailSerializer,
    CatalogGroupQuerySerializer,
    CatalogGroupSerializer,
    CatalogVersionDetailSerializer,
    CatalogVersionQuerySerializer,
    CatalogVersionSerializer,
    DiffQuerySerializer,
    InstitutionQuerySerializer,
    InstitutionSerializer,
    InstitutionStateSerializer,
    RegionSerializer,
)
from catalogs.models import Institution
from catalogs.register import selectors
from catalogs.versions import selectors as version_selectors
from catalogs.versions.models import CatalogGroup, CatalogVersion
from config.api import ErrorSerializer, IsBureau, query_params
from config.api_params import refuse_unknown_params

VISIBILITY = "经办机构用户可见全部版本；医疗机构和专家用户只能看到已发布的版本（病种与分值依政策公开），其他版本返回404。"


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


@extend_schema_view(
    list=extend_schema(
        summary="目录版本列表",
        description="DIP/DRG/APG目录版本，可按统筹区、目录类别、年度、状态筛选。" + VISIBILITY,
    ),
    retrieve=extend_schema(
        summary="目录版本详情", description="一个目录版本及其测算参数与测算结果摘要。" + VISIBILITY
    ),
    diff=extend_schema(
        summary="目录版本对比",
        description="从原版本（old）到本版本新增、删除和分值变化的病种，按病种编码排序。两个版本都须在权限范围内。",
        parameters=[DiffQuerySerializer],
        responses={
            200: CatalogDiffSerializer,
            400: OpenApiResponse(ErrorSerializer, description="请求无效：字段错误见 errors"),
        },
    ),
)
class CatalogVersionViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"\d+"

    @property
    def query_serializer_class(self):
        return CatalogVersionQuerySerializer if self.action == "list" else None

    def get_serializer_class(self):
        return (
            CatalogVersionDetailSerializer
            if self.action == "retrieve"
            else CatalogVersionSerializer
        )

    def get_queryset(self):
        filters = (
            query_params(CatalogVersionQuerySerializer, self.request)
            if self.action == "list"
            else {}
        )
        return version_selectors.catalog_version_list_for_user(self.request.user, **filters)

    def get_object(self) -> CatalogVersion:
        return version_selectors.catalog_version_get_for_user(self.request.user, self.kwargs["pk"])

    @action(detail=True, pagination_class=None)
    def diff(self, request: Request, pk: str) -> Response:
        new = self.get_object()
        old = version_selectors.catalog_version_get_for_user(
            request.user, query_params(DiffQuerySerializer, request)["old"]
        )
        diff = version_selectors.version_diff(old=old, new=new)
        data = {
            "old": old.pk,
            "new": new.pk,
            "added": diff.added,
            "removed": diff.removed,
            "changed": diff.changed,
        }
        return Response(CatalogDiffSerializer(data).data)


@extend_schema_view(
    list=extend_schema(
        summary="病种列表",
        description="一个目录版本（version 必填）的病种，可按编码/名称、病种类型、标识筛选。"
        + VISIBILITY,
    ),
    retrieve=extend_schema(
        summary="病种详情",
        description="一个病种的分值、统计数据及辅助分型。所属版本不在权限范围内时返回404。",
    ),
)
class CatalogGroupViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"\d+"

    @property
    def query_serializer_class(self):
        return CatalogGroupQuerySerializer if self.action == "list" else None

    def get_serializer_class(self):
        return CatalogGroupDetailSerializer if self.action == "retrieve" else CatalogGroupSerializer

    def get_queryset(self):
        if getattr(
            self, "swagger_fake_view", False
        ):  # schema generation: no request to read the version from
            return CatalogGroup.objects.none()
        filters = dict(query_params(CatalogGroupQuerySerializer, self.request))
        version = version_selectors.catalog_version_get_for_user(
            self.request.user, filters.pop("version")
        )
        return version_selectors.catalog_group_list(version, **filters)

    def get_object(self) -> CatalogGroup:
        return version_selectors.catalog_group_get_for_user(self.request.user, self.kwargs["pk"])
