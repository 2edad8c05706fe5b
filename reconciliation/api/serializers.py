"""Serializers of the reconciliation API: uploads, reconciliations and their rows (money as text)."""

from __future__ import annotations

from rest_framework import serializers

from catalogs.models import Region
from reconciliation.choices import DiffKind, FileKind
from reconciliation.models import NationalUpload, ReconCase, Reconciliation, ReconInstitution


class UploadSerializer(serializers.ModelSerializer):
    superseded = serializers.SerializerMethodField(help_text="已被更新的上传替代")

    class Meta:
        model = NationalUpload
        fields = [
            "id",
            "region",
            "year",
            "month",
            "kind",
            "file_name",
            "sha256",
            "rows",
            "superseded",
            "superseded_by",
            "created_at",
        ]

    def get_superseded(self, upload: NationalUpload) -> bool:
        return upload.superseded_by_id is not None


class UploadRequestSerializer(serializers.Serializer):
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), help_text="统筹区编号"
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    kind = serializers.ChoiceField(
        choices=FileKind.choices,
        help_text="groups 国家分组结果、qc 国家质控结果、bookings 国家对账记账",
    )
    file = serializers.FileField(
        help_text="CSV（UTF-8 或 GBK）或 .xlsx；列见 docs/reconciliation.md"
    )


class UploadQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FileKind.choices, required=False)


class ReconciliationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reconciliation
        fields = [
            "id",
            "region",
            "year",
            "month",
            "scheme",
            "status",
            "created_at",
            "finished_at",
            "published_at",
            "summary",
        ]

    def to_representation(self, instance: Reconciliation) -> dict:
        """The summary counts the whole region: the bureau's only (a hospital reads its own rows)."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not request.user.is_bureau:
            data["summary"] = {}
        return data


class DiffQuerySerializer(serializers.Serializer):
    institution = serializers.CharField(required=False, help_text="定点医药机构编号")
    kind = serializers.ChoiceField(choices=DiffKind.choices, required=False, help_text="差异类型")
    group = serializers.CharField(required=False, help_text="病组编码（本地或国家）")


class DiffSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.code")

    class Meta:
        model = ReconCase
        fields = [
            "id",
            "setl_id",
            "institution",
            "kind",
            "our_group",
            "national_group",
            "national_group_name",
            "our_trace",
            "divergence",
            "rule_code",
            "our_rule_code",
            "message",
            "our_points",
            "national_points",
        ]


class InstitutionRowSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.code")

    class Meta:
        model = ReconInstitution
        fields = [
            "institution",
            "cases_ours",
            "cases_national",
            "mismatches",
            "fund_ours",
            "fund_national",
            "fund_difference",
            "points_ours",
            "points_national",
            "amount_ours",
            "amount_national",
            "amount_difference",
        ]
