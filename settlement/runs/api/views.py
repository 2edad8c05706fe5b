"""Runs (bureau only), statements (through ``for_user``: a hospital its own), consortium members' shares
(a member its own) and a case's points explanation (the case through ``for_user``: another institution's case is 404)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated

from accounts.regions import in_user_regions, region_ids_for_user
from config.api import IsBureau, query_params
from settlement import selectors as case_selectors
from settlement.runs import selectors
from settlement.runs.api.serializers import (
    CasePointsSerializer,
    MemberShareQuerySerializer,
    MemberShareSerializer,
    RunDetailSerializer,
    RunQuerySerializer,
    RunSerializer,
    StatementQuerySerializer,
    StatementSerializer,
)
from settlement.runs.models import RunCase, RunInstitution, SettlementRun


@extend_schema_view(
    list=extend_schema(
        summary="结算运行列表",
        description="当前用户所属统筹区的结算运行，按年度、险种、类别、运行类型、状态筛选。仅经办机构用户可访问。",
    ),
    retrieve=extend_schema(
        summary="结算运行详情",
        description="一次结算运行冻结的输入版本与指纹、点值、总额、偏差分布及与被替代运行的差异。仅经办机构用户可访问；其他统筹区的运行返回404。",
    ),
)
class RunViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, IsBureau]
    query_serializer_class = RunQuerySerializer
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        return RunSerializer if self.action == "list" else RunDetailSerializer

    def get_queryset(self):
        runs = selectors.run_list(
            **query_params(self.query_serializer_class, self.request)
            if self.action == "list"
            else {}
        )
        return in_user_regions(runs, self.request.user)

    def get_object(self) -> SettlementRun:
        try:
            run = selectors.run_get(self.kwargs["pk"])
        except SettlementRun.DoesNotExist:
            raise NotFound from None
        ids = region_ids_for_user(self.request.user)
        if ids is not None and run.region_id not in ids:
            raise NotFound
        return run


@extend_schema_view(
    list=extend_schema(
        summary="结算单列表",
        description="按权限范围返回结算单：医疗机构用户仅本机构，经办机构用户全部机构；金额为两位小数字符串。",
    ),
    retrieve=extend_schema(
        summary="结算单详情",
        description="一个机构在一次结算运行中的点数构成、点值、结算金额、预付、保证金、清算分担与扣减。不在权限范围内返回404。",
    ),
)
class StatementViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StatementSerializer
    query_serializer_class = StatementQuerySerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        filters = (
            query_params(self.query_serializer_class, self.request) if self.action == "list" else {}
        )
        return selectors.statement_list_for_user(self.request.user, **filters)

    def get_object(self) -> RunInstitution:
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except RunInstitution.DoesNotExist:
            raise NotFound from None


ERR_RUN_REQUIRED = "经办机构用户请按结算运行（run）查询医共体成员份额。"


@extend_schema(
    summary="医共体成员份额",
    description="医共体成员机构的病例计入牵头机构结算；此处为成员机构在各次结算运行中的份额："
    "病例数、点数、点值、折算金额（点数×点值，四舍五入到分）及逐例折算金额合计与舍入差异。医疗机构用户仅可查看本机构的份额；"
    "经办机构用户须指定 run，查看该运行全部成员机构的份额。",
)
class MemberShareView(generics.ListAPIView):
    serializer_class = MemberShareSerializer
    query_serializer_class = MemberShareQuerySerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema: no user to read shares for
            return RunCase.objects.none()
        filters = query_params(self.query_serializer_class, self.request)
        if getattr(self.request.user, "is_bureau", False) and not filters.get("run"):
            raise ValidationError({"run": [ERR_RUN_REQUIRED]})
        return selectors.member_share_list_for_user(
            self.request.user, run_id=filters.get("run"), year=filters.get("year")
        )


@extend_schema(
    summary="病例点数明细",
    description="一条结算清单在每次结算运行中的入组、基准分值、偏差比与偏差类型、系数、点数、点值与折算金额；"
    "医疗机构用户仅可查看本机构病例，其他返回404。",
)
class CasePointsView(generics.ListAPIView):
    serializer_class = CasePointsSerializer
    pagination_class = None
    queryset = RunCase.objects.none()  # for the schema; get_queryset reads through for_user

    def get_queryset(self):
        case = case_selectors.case_get_for_user(self.request.user, self.kwargs["pk"])
        return selectors.case_results_for_user(self.request.user, case_id=case.pk)
