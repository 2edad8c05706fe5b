"""Pages of the national reconciliation. Bureau: national uploads, starting a reconciliation (→ the job
page), publishing. Everyone through ``selectors.*_for_user``: the list, a reconciliation's tables with
filters, a case's two sides, the Excel export — a hospital sees published reconciliations and its own
institution's rows only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages
from accounts.regions import region_fields_scope
from config.spreadsheets import download_response
from reconciliation import excel, selectors, services
from reconciliation.domain import CONTRACTS
from reconciliation.forms import DiffFilterForm, StartForm, UploadForm
from reconciliation.models import ReconCase, Reconciliation

VIEW, UPLOAD, START = (
    "reconciliation.view_reconciliation",
    "reconciliation.add_nationalupload",
    "reconciliation.add_reconciliation",
)
PUBLISH = "reconciliation.change_reconciliation"
MSG_UPLOADED = "{kind}已导入：{rows} 行。"
MSG_STARTED = "对账 #{pk} 已排队。"
MSG_PUBLISHED = "对账 #{pk} 已发布，各医疗机构可查看本机构的对账结果。"


@bureau_view(UPLOAD)
def upload_list(request: HttpRequest) -> HttpResponse:
    form = region_fields_scope(UploadForm(request.POST or None, request.FILES or None), request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            upload = services.national_upload(
                actor=request.user,
                region=data["region"],
                year=data["year"],
                month=data["month"],
                kind=data["kind"],
                name=data["file"].name,
                content=data["file"].read(),
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(
                request, MSG_UPLOADED.format(kind=upload.get_kind_display(), rows=upload.rows)
            )
            return redirect("reconciliation:upload_list")
    page = Paginator(selectors.upload_list_for_user(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reconciliation/upload_list.html",
        {"form": form, "page": page, "contracts": CONTRACTS.values()},
    )


@login_required
def reconciliation_list(request: HttpRequest) -> HttpResponse:
    recons = selectors.reconciliation_list_for_user(request.user)
    form = (
        region_fields_scope(StartForm(request.POST or None), request)
        if request.user.is_bureau
        else None
    )
    if (
        request.method == "POST"
        and form is not None
        and request.user.has_perm(START)
        and form.is_valid()
    ):
        try:
            recon = services.reconciliation_start(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, MSG_STARTED.format(pk=recon.pk))
            return redirect("jobs:job_detail", pk=recon.job_id)
    chart = selectors.mismatch_rate_chart(selectors.month_rates_for_user(request.user))
    page = Paginator(recons, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reconciliation/reconciliation_list.html",
        {"page": page, "form": form, "month_chart": chart},
    )


def _recon(request: HttpRequest, pk: int) -> Reconciliation:
    try:
        return selectors.reconciliation_get_for_user(request.user, pk)
    except Reconciliation.DoesNotExist:
        raise Http404 from None


def _filters(request: HttpRequest) -> dict:
    form = DiffFilterForm(request.GET)
    return {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}


@login_required
def reconciliation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recon = _recon(request, pk)
    institutions = list(selectors.institution_list_for_user(request.user, recon))
    cases = selectors.diff_list_for_user(request.user, recon, **_filters(request))
    page = Paginator(cases, 100).get_page(request.GET.get("page"))
    chart = selectors.mismatch_rate_chart(selectors.institution_rates(institutions))
    return render(
        request,
        "reconciliation/reconciliation_detail.html",
        {
            "recon": recon,
            "institutions": institutions,
            "page": page,
            "filter_form": DiffFilterForm(request.GET),
            "institution_chart": chart,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def reconciliation_case(request: HttpRequest, pk: int, diff: int) -> HttpResponse:
    recon = _recon(request, pk)
    try:
        row = selectors.diff_get_for_user(request.user, recon, diff)
    except ReconCase.DoesNotExist:
        raise Http404 from None
    ours = {
        "case": row.case,
        "trace": selectors.trace_text(recon.summary.get("kind", ""), row.our_trace),
        "quality": selectors.case_quality(row.case),
    }
    return render(
        request,
        "reconciliation/reconciliation_case.html",
        {
            "recon": recon,
            "row": row,
            "ours": ours,
            "national": selectors.national_sides(recon, row.setl_id),
        },
    )


@login_required
def reconciliation_export(request: HttpRequest, pk: int) -> HttpResponse:
    recon = _recon(request, pk)
    content = excel.reconciliation_workbook(
        selectors.institution_list_for_user(request.user, recon),
        selectors.diff_list_for_user(request.user, recon, **_filters(request)),
    )
    return download_response(
        content, f"reconciliation-{recon.pk}-{recon.year}{recon.month:02d}.xlsx"
    )


@require_POST
@bureau_view(PUBLISH)
def reconciliation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    recon = _recon(request, pk)
    try:
        services.reconciliation_publish(actor=request.user, reconciliation=recon)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, MSG_PUBLISHED.format(pk=recon.pk))
    return redirect("reconciliation:reconciliation_detail", pk=recon.pk)
