from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from budgets import selectors
from budgets.api.serializers import (
    BudgetDetailSerializer,
    BudgetQuerySerializer,
    BudgetSerializer,
    InForceQuerySerializer,
)
from budgets.models import Budget
from config.api import ErrorSerializer, IsBureau, query_params

ERR_NONE_IN_FORCE = "该统筹区、年度、险种没有执行中的总额预算。"


@extend_schema_view(
    list=extend_schema(
        summary="总额预算版本列表",
        description="全部统筹区的总额预算版本，可按统筹区、年度、险种、状态筛选。仅经办机构用户可访问。",
    ),
    retrieve=extend_schema(
        summary="总额预算版本详情",
        description="一个预算版本的测算行（收入、备用金、单列支出、点数法预算、细分类别）及各细分类别分月、分季预算。",
    ),
    versions=extend_schema(
        summary="预算版本历史",
        description="与该版本同一统筹区、年度、险种的全部版本（含年中调整），按版本号排序。",
        responses=BudgetSerializer(many=True),
    ),
    in_force=extend_schema(
        summary="执行中的总额预算",
        description="结算使用的预算：指定统筹区、年度、险种当前执行中的版本，含各细分类别的分月、分季预算。没有执行中的版本时返回404。",
        parameters=[InForceQuerySerializer],
        responses={
            200: BudgetDetailSerializer,
            400: OpenApiResponse(ErrorSerializer, description="请求无效：字段错误见 errors"),
        },
    ),
)
class BudgetViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, IsBureau]
    lookup_value_regex = r"\d+"

    @property
    def query_serializer_class(self):
        """The list's filters; the other actions take none (keeps the schema's parameters honest)."""
        return BudgetQuerySerializer if self.action == "list" else None

    def get_serializer_class(self):
        return (
            BudgetDetailSerializer if self.action in ("retrieve", "in_force") else BudgetSerializer
        )

    def get_queryset(self):
        filters = query_params(BudgetQuerySerializer, self.request) if self.action == "list" else {}
        return selectors.budget_list_for_user(self.request.user, **filters)

    def get_object(self) -> Budget:
        return selectors.budget_get(user=self.request.user, pk=self.kwargs["pk"])

    @action(detail=True, pagination_class=None)
    def versions(self, request: Request, pk: str) -> Response:
        return Response(
            BudgetSerializer(selectors.budget_versions(budget=self.get_object()), many=True).data
        )

    @action(detail=False, url_path="in-force", pagination_class=None)
    def in_force(self, request: Request) -> Response:
        budget = selectors.budget_in_force(**query_params(InForceQuerySerializer, request))
        if budget is None:
            raise NotFound(ERR_NONE_IN_FORCE)
        return Response(BudgetDetailSerializer(budget).data)
