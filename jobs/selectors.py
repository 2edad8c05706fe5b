from __future__ import annotations

from django.shortcuts import get_object_or_404

from jobs.models import Job


def job_list_for_user(user):
    return Job.objects.for_user(user).select_related("created_by", "institution")


def job_get_for_user(user, pk: int) -> Job:
    return get_object_or_404(job_list_for_user(user), pk=pk)
