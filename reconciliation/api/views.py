"""/api/v1/reconciliation/: national uploads (bureau: list, POST a file) and reconciliations, read-only,
mirroring the pages — a hospital sees published reconciliations and its own institution's rows only."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.regions import region_check
from config.api import IsBureau, query_params
from reconciliation import selectors, services
from reconciliation.api.serializers import (
    DiffQuerySerializer,
    DiffSerializer,
    InstitutionRowSerializer,
    ReconciliationSerializer,
    UploadQuerySerializer,
    UploadRequestSerializer,
    UploadSerializer,
)
from reconciliation.models import ReconCase, Reconciliation, ReconInstitution


@extend_schema_view(
    get=extend_schema(
        summary="国家平台文件列表",
        description="已上传的国家分组、质控、记账文件（含已被替代的历史版本）。仅经办机构用户。",
    ),
    post=extend_schema(
        summary="上传国家平台文件",
        request={"multipart/form-data": UploadRequestSerializer},
        responses={201: UploadSerializer},
        description="整份文件校验通过才写入；否则400，errors.file 列出每个出错的行与列（中文）。",
    ),
)
class UploadListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated, IsBureau]
    serializer_class = UploadSerializer
    query_serializer_class = UploadQuerySerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        if self.request.method != "GET":
            return None
        return selectors.upload_list_for_user(
            self.request.user, **query_params(self.query_serializer_class, self.request)
        )

    def post(self, request, *args, **kwargs) -> Response:
        form = UploadRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data, file = form.validated_data, form.validated_data["file"]
        region_check(request.user, data["region"].pk)
        try:
            upload = services.national_upload(
                actor=request.user,
                region=data["region"],
                year=data["year"],
                month=data["month"],
                kind=data["kind"],
                name=file.name,
                content=file.read(),
            )
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
        return Response(UploadSerializer(upload).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="对账列表", description="经办机构：全部对账；医疗机构：已发布的对账。"
    ),
    retrieve=extend_schema(
        summary="对账详情", description="对账的状态与结果摘要。不在权限范围内返回404。"
    ),
)
class ReconciliationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReconciliationSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.reconciliation_list_for_user(self.request.user)


def _recon(view) -> Reconciliation:
    return get_object_or_404(
        selectors.reconciliation_list_for_user(view.request.user), pk=view.kwargs["pk"]
    )


@extend_schema(
    summary="对账差异（病例）",
    description="分组不一致、质控差异、单边病例；可按机构、差异类型、病组筛选。医疗机构仅本机构。",
)
class DiffListView(generics.ListAPIView):
    serializer_class = DiffSerializer
    query_serializer_class = DiffQuerySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReconCase.objects.none()
        return selectors.diff_list_for_user(
            self.request.user, _recon(self), **query_params(DiffQuerySerializer, self.request)
        )


@extend_schema(
    summary="对账差异（机构）",
    description="各机构统筹基金支出（本地与国家）、按国家分组重算的点数与金额及差额。医疗机构仅本机构。",
)
class InstitutionListView(generics.ListAPIView):
    serializer_class = InstitutionRowSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReconInstitution.objects.none()
        return selectors.institution_list_for_user(self.request.user, _recon(self))
