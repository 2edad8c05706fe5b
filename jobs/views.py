from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from config.lists import ListPage
from jobs import selectors
from jobs.filtersets import JobFilters
from jobs.tables import JobTable


class JobListView(ListPage):
    """后台任务: the jobs the user may see (its institution's, its own, or the bureau's regions')."""

    table_class = JobTable
    filterset_class = JobFilters
    template_name = "jobs/job_list.html"
    export_name = "后台任务"

    def get_queryset(self):
        return selectors.job_list_for_user(self.request.user)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get_for_user(request.user, pk)
    summary = json.dumps(job.summary, ensure_ascii=False, indent=2) if job.summary else ""
    return render(request, "jobs/job_detail.html", {"job": job, "summary": summary})


@login_required
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Polled by the progress bar on the job page."""
    job = selectors.job_get_for_user(request.user, pk)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_display": job.get_status_display(),
            "progress": job.progress,
            "message": job.progress_message,
            "active": job.is_active,
            "error": job.error_headline,
            "summary": job.summary,
        }
    )
