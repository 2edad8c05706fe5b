"""报表中心: the month's workbooks a user may download (a hospital: its own institution's only) and,
for the bureau, generating a month on demand (a job; the job page shows its progress)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.regions import region_fields_scope
from config.routers import replica_view
from config.spreadsheets import download_response
from jobs.services import JobRefused
from reports import selectors, services
from reports.forms import PackGenerateForm

ERR_EXPERT = "专家没有报表中心。"


@login_required
@replica_view
def report_list(request: HttpRequest) -> HttpResponse:
    if request.user.is_expert:
        raise PermissionDenied(ERR_EXPERT)
    months = selectors.report_months_for_user(request.user)
    chosen = _month(request.GET.get("month", ""), months)
    files = (
        selectors.report_list_for_user(request.user, year=chosen[0], month=chosen[1])
        if chosen
        else []
    )
    context = {"months": months, "chosen": chosen, "files": files}
    if request.user.is_bureau:
        year, month = services.previous_month(timezone.localdate())
        context["form"] = region_fields_scope(
            PackGenerateForm(initial={"year": year, "month": month}), request
        )
    return render(request, "reports/report_list.html", context)


def _month(text: str, months: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The month asked for (``2024-03``) if the user has files of it, else the newest month."""
    year, _, month = text.partition("-")
    asked = (int(year), int(month)) if year.isdigit() and month.isdigit() else None
    return asked if asked in months else (months[0] if months else None)


@login_required
@require_POST
def report_generate(request: HttpRequest) -> HttpResponse:
    form = region_fields_scope(PackGenerateForm(request.POST), request)
    if not request.user.is_bureau:
        raise PermissionDenied(services.ERR_BUREAU_ONLY)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("reports:report_list")
    try:
        job = services.report_pack_start(actor=request.user, **form.cleaned_data)
    except JobRefused as error:
        messages.error(request, str(error))
        return redirect("reports:report_list")
    messages.success(request, "已开始生成月度报表。")
    return redirect("jobs:job_detail", pk=job.pk)


@login_required
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_user(request.user, pk)
    return download_response(report.file.open("rb"), report.filename)
