from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import Refused, query_params, refused
from disputes import selectors, services
from disputes.api.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    DisputeItemDetailSerializer,
    DisputeItemSerializer,
    ItemCreateSerializer,
    ItemQuerySerializer,
    NoteSerializer,
)
from disputes.models import DisputeItem

ERR_PERIOD = "结算期间不存在或不属于本统筹区。"


@extend_schema_view(
    list=extend_schema(
        summary="特病单议/争议申请列表",
        description="按权限范围返回申请：医疗机构用户仅见本机构的申请，专家仅见分配给本人评审的申请，经办机构用户可见全部。可按类型、状态筛选。",
    ),
    retrieve=extend_schema(
        summary="申请详情",
        description="一项申请的内容、状态、办理时限、决定、附件与办理记录。不在权限范围内的申请返回404。",
    ),
    create=extend_schema(
        summary="新建申请（草稿）",
        description="医疗机构用户新建特病单议（须为本机构的结算清单，占用该期间本机构名额）或争议申请，保存为草稿；名额用完或规则不符时返回400。",
        request=ItemCreateSerializer,
        responses={201: DisputeItemDetailSerializer},
    ),
    submit=extend_schema(
        summary="提交申请",
        description="医疗机构用户提交本机构的草稿，进入受理环节并通知经办机构；状态不允许时返回400。",
        request=NoteSerializer,
        responses={200: DisputeItemDetailSerializer},
    ),
    withdraw=extend_schema(
        summary="撤回申请",
        description="医疗机构用户撤回本机构尚未作出决定的申请；撤回的特病单议释放名额。",
        request=NoteSerializer,
        responses={200: DisputeItemDetailSerializer},
    ),
    attachments=extend_schema(
        summary="上传附件",
        description="为本机构尚在办理中的申请上传附件：仅限 PDF、JPEG、PNG（按文件内容识别），大小不超过系统限制。",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    ),
)
class DisputeItemViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @property
    def query_serializer_class(self):
        return ItemQuerySerializer if self.action == "list" else None

    def get_serializer_class(self):
        return DisputeItemSerializer if self.action == "list" else DisputeItemDetailSerializer

    def get_queryset(self):
        filters = query_params(ItemQuerySerializer, self.request) if self.action == "list" else {}
        return selectors.item_list_for_user(self.request.user, **filters)

    def get_object(self) -> DisputeItem:
        return selectors.item_get_for_user(self.request.user, self.kwargs["pk"])

    def _detail(self, item: DisputeItem, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            DisputeItemDetailSerializer(item, context=self.get_serializer_context()).data,
            status=code,
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = ItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        period_id, run_id = fields.pop("period_id"), fields.pop("run_id")
        period = self._period(period_id) if period_id else None
        run = self._run(run_id) if run_id else None
        version_id, code = fields.pop("catalog_version_id"), fields.pop("group_code")
        try:
            group = services.group_for_filing(request.user, version_id=version_id, code=code)
            item = services.item_create(
                actor=request.user, period=period, run=run, group=group, **fields
            )
        except DjangoValidationError as error:
            raise refused(error) from error
        return self._detail(item, status.HTTP_201_CREATED)

    def _run(self, run_id: int):
        run = selectors.run_list_for_filing(self.request.user).filter(pk=run_id).first()
        if run is None:
            raise Refused(services.ERR_RUN_UNKNOWN)
        return run

    def _period(self, period_id: int):
        user = self.request.user
        region_id = user.institution.region_id if user.institution_id else None
        period = (
            selectors.period_list_for_region(region_id).filter(pk=period_id).first()
            if region_id
            else None
        )
        if period is None:
            raise Refused(ERR_PERIOD)
        return period

    def _note(self, request: Request) -> str:
        note = NoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        return note.validated_data["note"]

    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        item, note = self.get_object(), self._note(request)
        try:
            return self._detail(services.item_submit(actor=request.user, item=item, note=note))
        except DjangoValidationError as error:
            raise refused(error) from error

    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        item, note = self.get_object(), self._note(request)
        try:
            return self._detail(services.item_withdraw(actor=request.user, item=item, reason=note))
        except DjangoValidationError as error:
            raise refused(error) from error

    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request: Request, pk: str) -> Response:
        item = self.get_object()
        upload = AttachmentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            attachment = services.attachment_add(
                actor=request.user, item=item, upload=upload.validated_data["file"]
            )
        except DjangoValidationError as error:
            raise refused(error) from error
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
