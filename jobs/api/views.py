from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from jobs import selectors
from jobs.api.serializers import JobSerializer
from jobs.models import Job


@extend_schema_view(
    list=extend_schema(
        summary="后台任务列表",
        description="按权限范围返回后台任务（导入、分组、结算等）：经办机构用户可见全部，医疗机构用户仅可见本机构的任务。",
    ),
    retrieve=extend_schema(
        summary="后台任务详情",
        description="一项后台任务的状态、进度、结果摘要与错误信息（第一行），可轮询以跟踪进度。不在权限范围内的任务返回404。",
    ),
)
class JobViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = JobSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.job_list_for_user(self.request.user)

    def get_object(self) -> Job:
        return selectors.job_get_for_user(self.request.user, self.kwargs["pk"])
