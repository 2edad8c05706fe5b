from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from jobs import selectors


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.job_list_for_user(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "jobs/job_list.html", {"page": page})


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
