"""Disputes in JSON: a hospital's filings (list, create, submit, withdraw, attachments).
Status-like fields are plain strings with their codes in the help text, so the schema's enum names
never collide with other models' ``status``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from disputes import presenters, selectors
from disputes.choices import Decision, ItemKind, ItemStatus, Reason, Subject
from disputes.models import Attachment, DisputeItem, TimelineEntry


def choices_help(choices) -> str:
    return "；".join(f"{value} {label}" for value, label in choices)


ERR_ONE_OF = "应为以下之一：{codes}。"
ERR_GROUP_PAIR = "关联病种/病组时请同时填写 catalog_version_id 和 group_code。"
KIND_HELP = "申请类型：" + choices_help(ItemKind.choices)
STATUS_HELP = "状态：" + choices_help(ItemStatus.choices)
SUBJECT_HELP = "争议事项：" + choices_help(Subject.choices)
DECISION_HELP = "处理决定：" + choices_help(Decision.choices)
REASON_HELP = "申请理由（多选）：" + choices_help(Reason.choices)


def one_of(value: str, allowed: list[str]) -> str:
    if value and value not in allowed:
        raise serializers.ValidationError(ERR_ONE_OF.format(codes="、".join(allowed)))
    return value


class AttachmentSerializer(serializers.ModelSerializer):
    """附件（元数据；文件本身在页面上下载）."""

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class TimelineSerializer(serializers.ModelSerializer):
    """办理记录."""

    actor = serializers.SerializerMethodField(
        help_text="办理人：对医疗机构用户，经办机构人员显示为「医保经办机构」，评审专家按席位显示为「专家 1」「专家 2」…，不显示姓名"
    )
    from_status = serializers.CharField(help_text=STATUS_HELP)
    to_status = serializers.CharField(help_text=STATUS_HELP)

    class Meta:
        model = TimelineEntry
        fields = ["at", "actor", "from_status", "to_status", "note"]

    def get_actor(self, entry: TimelineEntry) -> str:
        return self.context["names"](entry.actor)


class DisputeItemSerializer(serializers.ModelSerializer):
    """特病单议/争议申请."""

    number = serializers.CharField(read_only=True, help_text="申请编号")
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="申请类型名称"
    )
    fixmedins_code = serializers.CharField(
        source="institution.code", read_only=True, help_text="申请机构编号"
    )
    period = serializers.StringRelatedField(help_text="结算期间")
    period_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="结算期间ID")
    setl_id = serializers.CharField(
        source="case.setl_id", read_only=True, allow_null=True, help_text="结算清单号（特病单议）"
    )
    subject = serializers.CharField(read_only=True, help_text=SUBJECT_HELP)
    reasons = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=REASON_HELP
    )
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="状态名称"
    )
    is_overdue = serializers.BooleanField(read_only=True, help_text="是否已超过本环节办理时限")
    decision = serializers.CharField(read_only=True, help_text=DECISION_HELP)
    decision_label = serializers.CharField(
        source="get_decision_display", read_only=True, help_text="处理决定名称"
    )
    run = serializers.StringRelatedField(help_text="关联的结算批次")
    run_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="关联的结算批次（结算运行）ID"
    )
    group_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="关联的病种/病组ID"
    )
    group_code = serializers.CharField(
        source="group.code", read_only=True, allow_null=True, help_text="关联的病种/病组编码"
    )
    group_name = serializers.CharField(
        source="group.name", read_only=True, allow_null=True, help_text="关联的病种/病组名称"
    )
    catalog_version = serializers.CharField(
        source="group.version",
        read_only=True,
        allow_null=True,
        help_text="关联病种/病组所在的目录版本",
    )
    catalog_version_id = serializers.IntegerField(
        source="group.version_id", read_only=True, allow_null=True, help_text="目录版本ID"
    )

    class Meta:
        model = DisputeItem
        fields = [
            "id",
            "number",
            "kind",
            "kind_label",
            "fixmedins_code",
            "period",
            "period_id",
            "setl_id",
            "subject",
            "subject_ref",
            "run",
            "run_id",
            "group_id",
            "group_code",
            "group_name",
            "catalog_version",
            "catalog_version_id",
            "reasons",
            "statement",
            "status",
            "status_label",
            "due_on",
            "is_overdue",
            "decision",
            "decision_label",
            "decision_value",
            "decision_reason",
            "decided_at",
            "created_at",
            "submitted_at",
        ]


class DisputeItemDetailSerializer(DisputeItemSerializer):
    """特病单议/争议申请（详情）: with its attachments and timeline."""

    attachments = serializers.SerializerMethodField(help_text="附件")
    timeline = serializers.SerializerMethodField(help_text="办理记录，按时间顺序")

    class Meta(DisputeItemSerializer.Meta):
        fields = [*DisputeItemSerializer.Meta.fields, "attachments", "timeline"]

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, item: DisputeItem) -> list[dict]:
        return AttachmentSerializer(
            selectors.attachment_list_for_user(self.context["request"].user, item), many=True
        ).data

    @extend_schema_field(TimelineSerializer(many=True))
    def get_timeline(self, item: DisputeItem) -> list[dict]:
        user = self.context["request"].user
        names = presenters.actor_names(user, item)
        return TimelineSerializer(
            selectors.timeline_for_user(user, item), many=True, context={"names": names}
        ).data


class ItemCreateSerializer(serializers.Serializer):
    """新建申请（草稿）: a special case names one of the institution's own cases; an objection a subject."""

    kind = serializers.CharField(max_length=20, help_text=KIND_HELP)
    setl_id = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="结算清单号（特病单议必填）",
    )
    reasons = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        default=list,
        help_text=REASON_HELP,
    )
    subject = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text=SUBJECT_HELP + "（争议必填）",
    )
    subject_ref = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="争议对象：病种编码、结算批次号等",
    )
    period_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="结算期间ID（争议可选）"
    )
    run_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="关联的结算批次（结算运行）ID（可选）：须为本机构可查看结算单的批次，即结算单接口（statements）返回的 run",
    )
    catalog_version_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="关联病种/病组所在的目录版本ID（可选，与 group_code 同时填写）：须为本统筹区已发布的目录版本",
    )
    group_code = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="关联的病种/病组编码（可选，与 catalog_version_id 同时填写）：按目录版本和编码确定病种/病组，与结算清单上的编码一致",
    )
    statement = serializers.CharField(help_text="申请陈述")

    def validate(self, data: dict) -> dict:
        if (data["catalog_version_id"] is None) != (not data["group_code"].strip()):
            raise serializers.ValidationError({"group_code": ERR_GROUP_PAIR})
        return data

    def validate_kind(self, value: str) -> str:
        return one_of(value, ItemKind.values)

    def validate_subject(self, value: str) -> str:
        return one_of(value, Subject.values)


class NoteSerializer(serializers.Serializer):
    """提交或撤回的说明."""

    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, help_text="说明（可选）"
    )


class AttachmentUploadSerializer(serializers.Serializer):
    """上传附件: PDF, JPEG or PNG (checked by content), within the configured size."""

    file = serializers.FileField(help_text="附件文件（PDF/JPEG/PNG）")


class ItemQuerySerializer(serializers.Serializer):
    """申请列表的查询条件."""

    kind = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text=KIND_HELP
    )
    status = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text=STATUS_HELP
    )

    def validate_kind(self, value: str) -> str:
        return one_of(value, ItemKind.values)

    def validate_status(self, value: str) -> str:
        return one_of(value, ItemStatus.values)
