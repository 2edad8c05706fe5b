"""Grouping pages: the summary of a period's results under a catalog version and starting a grouping job
(bureau only); pre-grouping (预分组) of pasted or uploaded cases (hospitals and the bureau). A case's own
result is shown on the case page (settlement.views.case_detail)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import bureau_view
from accounts.regions import region_from_query
from catalogs.choices import CatalogKind
from jobs.services import JobRefused
from settlement.grouping import preview, selectors, services
from settlement.grouping.forms import PreviewForm

VIEW, RUN = "settlement.view_casegroup", "settlement.add_casegroup"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@bureau_view(VIEW)
def grouping_summary(request: HttpRequest) -> HttpResponse:
    region = region_from_query(request)
    year = _int(request.GET.get("year")) or (
        selectors.latest_year(region=region) if region else None
    )
    month = _int(request.GET.get("month"))
    periods = (
        selectors.period_list_for(region=region, year=year, month=month) if region and year else []
    )
    versions = (
        selectors.grouped_versions(request.user, region=region, year=year, periods=periods)
        if periods
        else []
    )
    chosen = next(
        (v for v in versions if v.pk == _int(request.GET.get("version"))),
        versions[0] if versions else None,
    )
    summary = (
        selectors.grouping_summary(request.user, version=chosen, periods=periods)
        if chosen
        else None
    )
    context = {
        "region": region,
        "year": year,
        "month": month,
        "versions": versions,
        "version": chosen,
        "summary": summary,
        "months": range(1, 13),
        "kinds": CatalogKind.choices,
    }
    return render(request, "settlement/grouping/grouping_summary.html", context)


@require_POST
@bureau_view(RUN)
def grouping_start(request: HttpRequest) -> HttpResponse:
    region, year, month = (
        region_from_query(request),
        _int(request.POST.get("year")),
        _int(request.POST.get("month")),
    )
    kind = (
        request.POST.get("kind")
        if request.POST.get("kind") in CatalogKind.values
        else CatalogKind.DIP
    )
    try:
        job = services.case_group_start(
            actor=request.user, region=region, year=year or 0, month=month, kind=kind
        )
    except (ValidationError, JobRefused) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
        return redirect(
            f"{reverse('settlement:grouping_summary')}?year={year or ''}&month={month or ''}"
        )
    messages.success(request, "分组任务已开始，完成后可在本页查看结果。")
    return redirect("jobs:job_detail", pk=job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def grouping_preview(request: HttpRequest) -> HttpResponse:
    """预分组: the same answers as POST /api/v1/grouping/preview/, as a table; nothing is stored."""
    if not (request.user.is_bureau or request.user.is_hospital):
        raise PermissionDenied(preview.ERR_ROLE)
    form = PreviewForm(request.POST or None, request.FILES or None)
    result, errors = None, []
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            result = preview.cases_preview(
                user=request.user,
                records=data["records"],
                national_shape=data["national_shape"],
                tables=data["tables"],
            )
        except preview.PreviewRefused as refused:
            form.add_error(None, str(refused))
            errors = refused.errors
    return render(
        request,
        "settlement/grouping/grouping_preview.html",
        {"form": form, "result": result, "errors": errors},
    )
