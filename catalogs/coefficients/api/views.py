"""The coefficient tables in the API (read-only): the bureau reads every table of its regions, a hospital
the tables in force with its own row only; experts get 403."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.permissions import IsAuthenticated

from catalogs.coefficients import selectors
from catalogs.coefficients.api.serializers import (
    CoefficientTableDetailSerializer,
    CoefficientTableQuerySerializer,
    CoefficientTableSerializer,
)
from catalogs.coefficients.models import CoefficientTable
from config.api import query_params

ERR_NO_COEFFICIENTS = "专家用户不能查看机构系数。"


class IsBureauOrHospital(permissions.BasePermission):
    """Coefficient tables: bureau users and hospital users (who see their own row); experts 403."""

    message = ERR_NO_COEFFICIENTS

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_bureau or user.is_hospital))


@extend_schema_view(
    list=extend_schema(
        summary="机构系数表列表",
        description="机构系数表版本，可按统筹区、年度、状态筛选。经办机构用户可见全部版本；医疗机构用户只能看到执行中的版本；专家用户403。",
    ),
    retrieve=extend_schema(
        summary="机构系数表详情",
        description="一个机构系数表及其各机构系数（基本系数、加成系数、机构系数、历史建议值）。医疗机构用户只能看到执行中的版本中本机构的一行。",
    ),
)
class CoefficientTableViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, IsBureauOrHospital]
    lookup_value_regex = r"\d+"

    @property
    def query_serializer_class(self):
        return CoefficientTableQuerySerializer if self.action == "list" else None

    def get_serializer_class(self):
        return (
            CoefficientTableDetailSerializer
            if self.action == "retrieve"
            else CoefficientTableSerializer
        )

    def get_queryset(self):
        filters = (
            query_params(CoefficientTableQuerySerializer, self.request)
            if self.action == "list"
            else {}
        )
        return selectors.coefficient_table_list_for_user(self.request.user, **filters)

    def get_object(self) -> CoefficientTable:
        return selectors.coefficient_table_get_for_user(self.request.user, self.kwargs["pk"])
