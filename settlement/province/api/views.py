"""Province runs (全省结算), bureau only: list and read (the parts in the caller's regions and their summary),
start one over the caller's regions, rerun one part alone."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.decorators import ERR_NO_PERMISSION
from accounts.regions import region_list_for_user
from config.api import IsBureau, refused
from settlement.province import selectors, services
from settlement.province.api.serializers import (
    PartRerunSerializer,
    ProvinceRunDetailSerializer,
    ProvinceRunSerializer,
    ProvinceRunStartSerializer,
)
from settlement.province.models import ProvinceRun, ProvinceRunPart

START = "settlement.add_settlementrun"
ERR_REGION = "统筹区 {code} 不存在或不在您的权限范围内。"


@extend_schema_view(
    list=extend_schema(
        summary="全省结算列表",
        description="涉及当前用户统筹区的全省结算及其汇总（仅计权限范围内的分区）。仅经办机构用户可访问。",
    ),
    retrieve=extend_schema(
        summary="全省结算详情",
        description="各分区（统筹区 × 险种 × 细分类别）的结算运行、状态、点值、结算总额与失败原因，及汇总。",
    ),
    create=extend_schema(
        summary="发起全省结算",
        description="为所选统筹区（不填为权限范围内全部）每个已批准结算参数的险种和细分类别各发起一个结算运行，"
        "各自作为独立后台任务并行计算；不能发起的分区列明原因。需要发起结算运行的权限。",
        request=ProvinceRunStartSerializer,
        responses={201: ProvinceRunDetailSerializer},
    ),
    rerun=extend_schema(
        summary="重新运行一个分区",
        description="单独重新发起一个分区的结算运行（如失败后）；该分区的运行仍在排队或计算中时返回400。",
        request=PartRerunSerializer,
        responses={200: ProvinceRunDetailSerializer},
    ),
)
class ProvinceRunViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, IsBureau]
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        return ProvinceRunSerializer if self.action == "list" else ProvinceRunDetailSerializer

    def get_queryset(self):
        return selectors.province_run_list_for_user(self.request.user)

    def get_object(self) -> ProvinceRun:
        try:
            return selectors.province_run_get_for_user(self.request.user, self.kwargs["pk"])
        except ProvinceRun.DoesNotExist:
            raise NotFound from None

    def _detail(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        province = selectors.province_run_get_for_user(self.request.user, pk)
        return Response(ProvinceRunDetailSerializer(province).data, status=code)

    def _may_start(self) -> None:
        if not self.request.user.has_perm(START):
            raise PermissionDenied(ERR_NO_PERMISSION)

    def create(self, request: Request, *args, **kwargs) -> Response:
        self._may_start()
        data = ProvinceRunStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {"scheme": "", **data.validated_data}
        scope = {region.code: region for region in region_list_for_user(request.user)}
        codes = fields.pop("regions", None) or list(scope)
        unknown = [code for code in codes if code not in scope]
        if unknown:
            raise NotFound(ERR_REGION.format(code="、".join(unknown)))
        try:
            province = services.province_run_start(
                actor=request.user, regions=[scope[code] for code in codes], **fields
            )
        except DjangoValidationError as error:
            raise refused(error) from error
        return self._detail(province.pk, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def rerun(self, request: Request, pk: str) -> Response:
        self._may_start()
        province = self.get_object()
        data = PartRerunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            part = selectors.part_get_for_user(
                request.user, province=province, pk=data.validated_data["part"]
            )
        except ProvinceRunPart.DoesNotExist:
            raise NotFound from None
        try:
            services.province_part_rerun(actor=request.user, part=part)
        except DjangoValidationError as error:
            raise refused(error) from error
        return self._detail(province.pk)
