from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    """后台任务: status and progress for polling; only the first line of an error is shown."""

    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="任务类型名称"
    )
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="状态名称"
    )
    fixmedins_code = serializers.CharField(
        source="institution.code",
        read_only=True,
        allow_null=True,
        help_text="所属机构编号；经办机构任务为 null",
    )
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, help_text="发起人用户名"
    )
    error = serializers.SerializerMethodField(help_text="错误信息（仅第一行）")

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "progress",
            "progress_message",
            "summary",
            "error",
            "fixmedins_code",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]

    @extend_schema_field(serializers.CharField())
    def get_error(self, job: Job) -> str:
        # Tracebacks stay on the server: the first line says what went wrong.
        return job.error_headline
