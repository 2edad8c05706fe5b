"""Catalog versions and groups in the API (read-only): the bureau reads every version of its regions,
hospitals and experts the published ones; the diff of two versions."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from catalogs.versions import selectors
from catalogs.versions.api.serializers import (
    CatalogDiffSerializer,
    CatalogGroupDetailSerializer,
    CatalogGroupQuerySerializer,
    CatalogGroupSerializer,
    CatalogVersionDetailSerializer,
    CatalogVersionQuerySerializer,
    CatalogVersionSerializer,
    DiffQuerySerializer,
)
from catalogs.versions.models import CatalogGroup, CatalogVersion
from config.api import ErrorSerializer, query_params

VISIBILITY = "经办机构用户可见全部版本；医疗机构和专家用户只能看到已发布的版本（病种与分值依政策公开），其他版本返回404。"


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
        return selectors.catalog_version_list_for_user(self.request.user, **filters)

    def get_object(self) -> CatalogVersion:
        return selectors.catalog_version_get_for_user(self.request.user, self.kwargs["pk"])

    @action(detail=True, pagination_class=None)
    def diff(self, request: Request, pk: str) -> Response:
        new = self.get_object()
        old = selectors.catalog_version_get_for_user(
            request.user, query_params(DiffQuerySerializer, request)["old"]
        )
        diff = selectors.version_diff(old=old, new=new)
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
        version = selectors.catalog_version_get_for_user(self.request.user, filters.pop("version"))
        return selectors.catalog_group_list(version, **filters)

    def get_object(self) -> CatalogGroup:
        return selectors.catalog_group_get_for_user(self.request.user, self.kwargs["pk"])
