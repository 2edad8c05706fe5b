from __future__ import annotations

from rest_framework import serializers

from disputes.choices import Subject
from settlement.publication.models import StatementPublication, StatementResponse


class PublishSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, help_text="公示说明"
    )
    notify = serializers.BooleanField(
        required=False, default=True, help_text="同时向相关机构发布公告"
    )


class PublicationSerializer(serializers.ModelSerializer):
    published_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = StatementPublication
        fields = [
            "id",
            "run",
            "published_by",
            "published_at",
            "window_days",
            "deadline",
            "note",
            "notice",
        ]
        read_only_fields = fields


class ConfirmSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, help_text="说明"
    )


class ObjectionSerializer(serializers.Serializer):
    subject = serializers.ChoiceField(
        choices=Subject.choices, default=Subject.AMOUNT, help_text="争议事项"
    )
    reason = serializers.CharField(max_length=2000, help_text="异议理由")


class ResponseSerializer(serializers.ModelSerializer):
    """A hospital's answer to its statement (its own; the responder is the hospital's user)."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    dispute = serializers.SerializerMethodField(help_text="异议打开的争议申请ID")

    class Meta:
        model = StatementResponse
        fields = ["id", "statement", "kind", "kind_label", "note", "responded_at", "dispute"]
        read_only_fields = fields

    def get_dispute(self, obj: StatementResponse) -> int | None:
        item = obj.statement.dispute_items.order_by("-id").first()
        return item.pk if item else None


class AnswerRowSerializer(serializers.Serializer):
    institution_code = serializers.CharField(source="statement.institution.code")
    institution_name = serializers.CharField(source="statement.institution.name")
    statement = serializers.IntegerField(source="statement.pk")
    state = serializers.CharField(
        source="state.value",
        help_text="confirmed 已确认 / objected 已提出异议 / pending 待回复 / lapsed 逾期未回复",
    )
    state_label = serializers.CharField(source="state.label")
    responded_by = serializers.CharField(
        source="response.responded_by", default=None, allow_null=True
    )
    responded_at = serializers.DateTimeField(
        source="response.responded_at", default=None, allow_null=True
    )
    note = serializers.CharField(source="response.note", default=None, allow_null=True)
    dispute = serializers.IntegerField(
        source="dispute.pk", default=None, allow_null=True, help_text="异议打开的争议申请ID"
    )


class OverviewSerializer(serializers.Serializer):
    publication = PublicationSerializer()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="各状态的机构数")
    rows = AnswerRowSerializer(many=True)
