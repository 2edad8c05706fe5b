from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from config.api import IsBureau, query_params
from config.pagination import KeysetPagination
from settlement import selectors
from settlement.api.serializers import (
    CaseDetailSerializer,
    CaseListSerializer,
    CaseQuerySerializer,
    PeriodSerializer,
)
from settlement.models import CaseRecord


@extend_schema_view(
    list=extend_schema(
        summary="结算期间列表",
        description="当前用户可见统筹区的结算期间（年度、月份、开放/已关账）。仅经办机构用户可访问。",
    ),
)
class PeriodViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PeriodSerializer
    permission_classes = [IsAuthenticated, IsBureau]

    def get_queryset(self):
        return selectors.period_list(self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary="结算清单列表",
        description="按权限范围返回结算清单：经办机构用户可见全部机构，医疗机构用户仅可见本机构，专家不可见。"
        "字段名为国家结算清单字段代码；金额为保留两位小数的字符串。"
        "按结算期间、机构、结算ID排序，以游标翻页（next / previous 链接）；count 超过 10,000 条时为估计值（count_exact 为 false）。",
    ),
    retrieve=extend_schema(
        summary="结算清单详情",
        description="一条结算清单的全部字段；重症监护与呼吸机使用时长以分钟计。不在权限范围内的记录返回404。",
    ),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    query_serializer_class = CaseQuerySerializer
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseDetailSerializer

    pagination_class = KeysetPagination

    def get_queryset(self):
        self.filters = (
            query_params(self.query_serializer_class, self.request) if self.action == "list" else {}
        )
        return selectors.case_list_for_user(self.request.user, **self.filters)

    def get_keyset_ordering(self) -> tuple[str, ...]:
        return selectors.case_list_ordering(self.request.user, **self.filters)

    def get_object(self) -> CaseRecord:
        return selectors.case_get_for_user(self.request.user, self.kwargs["pk"])
