"""Publication API: publish a run and read the answers (bureau); confirm or object to a statement (its
hospital, the statement found through ``for_user`` — another institution's is 404)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.regions import region_check
from config.api import IsBureau
from disputes.api.views import refused
from settlement.publication import selectors, services
from settlement.publication.api.serializers import (
    ConfirmSerializer,
    ObjectionSerializer,
    OverviewSerializer,
    PublicationSerializer,
    PublishSerializer,
    ResponseSerializer,
)
from settlement.runs import selectors as run_selectors
from settlement.runs.models import RunInstitution, SettlementRun


def _call(service, **kwargs):
    """A service call whose refusal is the API's 400 (rule) or 403 (role), with the service's Chinese message."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise refused(error) from error
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error)) from error


def _run(user, pk: int) -> SettlementRun:
    try:
        run = run_selectors.run_get(pk)
    except SettlementRun.DoesNotExist:
        raise NotFound from None
    region_check(user, run.region_id)
    return run


class RunPublishView(APIView):
    permission_classes = [IsAuthenticated, IsBureau]

    @extend_schema(
        summary="公示结算单",
        request=PublishSerializer,
        responses={201: PublicationSerializer},
        description="经办机构用户公示一次已完成结算运行的结算单：公示后医疗机构方可查看，并须在结算参数规定的工作日内确认或提出异议；"
        "可同时向相关机构发布公告。未完成、已被替代或已公示的运行返回400。",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        publication = _call(
            services.run_publish,
            actor=request.user,
            run=_run(request.user, pk),
            **data.validated_data,
        )
        return Response(PublicationSerializer(publication).data, status=status.HTTP_201_CREATED)


class RunResponsesView(APIView):
    permission_classes = [IsAuthenticated, IsBureau]

    @extend_schema(
        summary="结算单确认情况",
        responses={200: OverviewSerializer},
        description="一次已公示结算运行中各机构的状态：已确认、已提出异议（含争议申请ID）、待回复、逾期未回复，以及各状态机构数。未公示返回404。",
    )
    def get(self, request: Request, pk: int) -> Response:
        publication = selectors.publication_of(_run(request.user, pk))
        if publication is None:
            raise NotFound
        return Response(
            OverviewSerializer(
                selectors.publication_overview(publication, today=timezone.localdate())
            ).data
        )


def _statement(request: Request, pk: int) -> RunInstitution:
    try:
        return run_selectors.statement_list_for_user(request.user).get(pk=pk)
    except RunInstitution.DoesNotExist:
        raise NotFound from None


class StatementConfirmView(APIView):
    @extend_schema(
        summary="确认结算单",
        request=ConfirmSerializer,
        responses={201: ResponseSerializer},
        description="医疗机构用户在确认期限（工作日）内确认本机构已公示的结算单。逾期、已回复或运行已被替代返回400；其他机构的结算单返回404。",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = _call(
            services.statement_confirm,
            actor=request.user,
            statement=_statement(request, pk),
            **data.validated_data,
        )
        return Response(ResponseSerializer(response).data, status=status.HTTP_201_CREATED)


class StatementObjectView(APIView):
    @extend_schema(
        summary="对结算单提出异议",
        request=ObjectionSerializer,
        responses={201: ResponseSerializer},
        description="医疗机构用户在确认期限（工作日）内对本机构已公示的结算单提出异议：同时提交一项关联该结算运行与结算单的争议申请。"
        "逾期、已回复或运行已被替代返回400；其他机构的结算单返回404。",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = ObjectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = _call(
            services.statement_object,
            actor=request.user,
            statement=_statement(request, pk),
            **data.validated_data,
        )
        return Response(ResponseSerializer(response).data, status=status.HTTP_201_CREATED)
