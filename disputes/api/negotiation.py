"""Negotiation meetings (协商谈判) in JSON: the same selectors, services and tenancy as the pages.

The bureau lists and reads every meeting, records a new one and concludes agenda items; a hospital
reads the meetings its institution attended (another meeting is 404); experts have no negotiation
records (403), as on the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.regions import regions_for_user
from config.api import query_params
from disputes.api.serializers import choices_help, one_of
from disputes.api.views import Refused, refused
from disputes.choices import AgendaStatus, AgendaTopic, MeetingStatus, ParticipantRole, Stance
from disputes.models import AgendaItem, Meeting, Participant, Position
from disputes.negotiation import selectors, services
from disputes.negotiation.views import ERR_EXPERT

MEETING_STATUS_HELP = "会议状态：" + choices_help(MeetingStatus.choices)
ROLE_HELP = "参会身份：" + choices_help(ParticipantRole.choices)
TOPIC_HELP = "议题类别：" + choices_help(AgendaTopic.choices)
AGENDA_STATUS_HELP = "议题结论：" + choices_help(AgendaStatus.choices)
STANCE_HELP = "代表意见：" + choices_help(Stance.choices)
ERR_REGION = "统筹区不存在。"


class NotExpert(permissions.BasePermission):
    """Experts take no part in negotiation records (the pages answer them 403 too)."""

    message = ERR_EXPERT

    def has_permission(self, request, view) -> bool:
        return not request.user.is_expert


class VersionRefSerializer(serializers.Serializer):
    """协商结果形成的版本（参数或目录）."""

    id = serializers.IntegerField(help_text="版本ID")
    label = serializers.CharField(source="__str__", help_text="版本名称")


class ParticipantSerializer(serializers.ModelSerializer):
    """参会人员."""

    role = serializers.CharField(read_only=True, help_text=ROLE_HELP)
    role_label = serializers.CharField(
        source="get_role_display", read_only=True, help_text="参会身份名称"
    )
    fixmedins_code = serializers.CharField(
        source="institution.code",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="代表机构编号（非机构代表为空）",
    )
    institution_name = serializers.CharField(
        source="institution.name",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="代表机构名称",
    )

    class Meta:
        model = Participant
        fields = ["id", "name", "role", "role_label", "fixmedins_code", "institution_name"]


class PositionSerializer(serializers.ModelSerializer):
    """代表意见."""

    participant_id = serializers.IntegerField(read_only=True, help_text="参会人员ID")
    participant = serializers.CharField(
        source="participant.name", read_only=True, help_text="代表姓名"
    )
    stance = serializers.CharField(read_only=True, help_text=STANCE_HELP)
    stance_label = serializers.CharField(
        source="get_stance_display", read_only=True, help_text="意见名称"
    )

    class Meta:
        model = Position
        fields = ["participant_id", "participant", "stance", "stance_label", "statement"]


class AgendaItemSerializer(serializers.ModelSerializer):
    """协商议题: the proposal, the positions taken, the outcome and the versions it produced."""

    topic = serializers.CharField(read_only=True, help_text=TOPIC_HELP)
    topic_label = serializers.CharField(
        source="get_topic_display", read_only=True, help_text="议题类别名称"
    )
    status = serializers.CharField(read_only=True, help_text=AGENDA_STATUS_HELP)
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="结论名称"
    )
    positions = PositionSerializer(many=True, read_only=True, help_text="各方意见")
    parameter_set = VersionRefSerializer(
        read_only=True, allow_null=True, help_text="形成的结算参数版本"
    )
    catalog_version = VersionRefSerializer(
        read_only=True, allow_null=True, help_text="形成的目录版本"
    )

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "order",
            "topic",
            "topic_label",
            "proposal",
            "positions",
            "status",
            "status_label",
            "outcome",
            "parameter_set",
            "catalog_version",
        ]


class MeetingSerializer(serializers.ModelSerializer):
    """协商会议."""

    region = serializers.CharField(
        source="region.code", read_only=True, help_text="统筹区行政区划代码"
    )
    status = serializers.CharField(read_only=True, help_text=MEETING_STATUS_HELP)
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="状态名称"
    )
    participant_count = serializers.IntegerField(read_only=True, help_text="参会人数")
    agenda_count = serializers.IntegerField(read_only=True, help_text="议题数")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "region",
            "year",
            "title",
            "held_on",
            "status",
            "status_label",
            "participant_count",
            "agenda_count",
        ]


class MeetingDetailSerializer(MeetingSerializer):
    """协商会议（详情）: minutes, participants and the agenda with positions and outcomes."""

    participants = serializers.SerializerMethodField(help_text="参会人员")
    agenda = serializers.SerializerMethodField(help_text="议题，按序号")

    class Meta(MeetingSerializer.Meta):
        fields = [f for f in MeetingSerializer.Meta.fields if not f.endswith("_count")] + [
            "minutes",
            "participants",
            "agenda",
        ]

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, meeting: Meeting) -> list[dict]:
        return ParticipantSerializer(selectors.participant_list(meeting), many=True).data

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda(self, meeting: Meeting) -> list[dict]:
        return AgendaItemSerializer(selectors.agenda_list(meeting), many=True).data


class MeetingQuerySerializer(serializers.Serializer):
    """会议列表的查询条件."""

    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="年度"
    )


class MeetingCreateSerializer(serializers.Serializer):
    """登记协商会议（经办机构）."""

    region = serializers.CharField(max_length=6, help_text="统筹区行政区划代码")
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="年度")
    title = serializers.CharField(max_length=200, help_text="会议名称")
    held_on = serializers.DateField(help_text="会议日期")
    minutes = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="会议纪要"
    )


class ConcludeSerializer(serializers.Serializer):
    """记录议题结论与协商结果（经办机构）."""

    agenda_item_id = serializers.IntegerField(help_text="议题ID（须属于本会议）")
    status = serializers.CharField(max_length=12, help_text=AGENDA_STATUS_HELP)
    outcome = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="协商结果（达成一致时必填）"
    )

    def validate_status(self, value: str) -> str:
        return one_of(value, AgendaStatus.values)


def _written(call):
    """Run a service call, turning its refusals into API answers (403 for permission, 400 for rules)."""
    try:
        return call()
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error)) from error
    except DjangoValidationError as error:
        raise refused(error) from error


@extend_schema_view(
    list=extend_schema(
        summary="协商会议列表",
        description="经办机构用户可见全部协商会议；医疗机构用户仅见本机构派代表参加的会议；专家无权访问（403）。可按年度筛选。",
    ),
    retrieve=extend_schema(
        summary="协商会议详情",
        description="会议纪要、参会人员、议题及各方意见、协商结果与形成的参数或目录版本。本机构未参加的会议返回404。",
    ),
    create=extend_schema(
        summary="登记协商会议",
        description="经办机构用户（有登记权限）登记一次协商会议；其他用户返回403。",
        request=MeetingCreateSerializer,
        responses={201: MeetingDetailSerializer},
    ),
    conclude=extend_schema(
        summary="记录议题结论",
        description="经办机构用户记录本会议某一议题的结论与协商结果；会议已结束或规则不符时返回400。",
        request=ConcludeSerializer,
        responses={200: MeetingDetailSerializer},
    ),
)
class MeetingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"\d+"
    permission_classes = [permissions.IsAuthenticated, NotExpert]

    @property
    def query_serializer_class(self):
        return MeetingQuerySerializer if self.action == "list" else None

    def get_serializer_class(self):
        return MeetingSerializer if self.action == "list" else MeetingDetailSerializer

    def get_queryset(self):
        filters = (
            query_params(MeetingQuerySerializer, self.request) if self.action == "list" else {}
        )
        return selectors.meeting_list_for_user(self.request.user, **filters)

    def get_object(self) -> Meeting:
        return selectors.meeting_get_for_user(self.request.user, self.kwargs["pk"])

    def _detail(self, meeting: Meeting, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            MeetingDetailSerializer(meeting, context=self.get_serializer_context()).data,
            status=code,
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        region = regions_for_user(request.user).filter(code=fields.pop("region")).first()
        if region is None:
            raise Refused(ERR_REGION)
        meeting = _written(
            lambda: services.meeting_create(actor=request.user, region=region, **fields)
        )
        return self._detail(meeting, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def conclude(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        data = ConcludeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        item = get_object_or_404(meeting.agenda, pk=fields.pop("agenda_item_id"))
        _written(
            lambda: services.agenda_item_conclude(actor=request.user, agenda_item=item, **fields)
        )
        return self._detail(meeting)
