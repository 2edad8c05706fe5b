"""Pages of the case intake: upload, batch list and detail, error report, templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from config.lists import ListPage
from config.spreadsheets import download_response
from settlement.intake import contract, files, selectors, services
from settlement.intake.choices import IssueSeverity
from settlement.intake.columns import COLUMNS
from settlement.intake.filtersets import BatchFilters
from settlement.intake.forms import BatchUploadForm
from settlement.intake.tables import BatchTable


def _require_uploader(user) -> None:
    if not (user.is_bureau or user.is_hospital):
        raise PermissionDenied(services.ERR_UPLOAD_ROLE)


@login_required
@require_http_methods(["GET", "POST"])
def batch_upload(request: HttpRequest) -> HttpResponse:
    _require_uploader(request.user)
    form = BatchUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_upload(actor=request.user, upload=form.cleaned_data["file"])
        except services.IntakeRefused as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, "文件已上传，正在后台校验和导入。")
            return redirect("settlement:batch_detail", pk=batch.pk)
    national_sections = contract.contract_sections()[1:]
    return render(
        request,
        "settlement/intake/batch_upload.html",
        {"form": form, "columns": COLUMNS, "national_sections": national_sections},
    )


class BatchListView(ListPage):
    """导入批次: the batches the user may see (its institution's, or its regions' and regional files)."""

    table_class = BatchTable
    filterset_class = BatchFilters
    template_name = "settlement/intake/batch_list.html"
    export_name = "导入批次"

    def get_queryset(self):
        return selectors.batch_list_for_user(self.request.user)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get_for_user(request.user, pk)
    severity = request.GET.get("severity", "")
    if severity not in IssueSeverity.values:
        severity = (
            IssueSeverity.ERROR
            if batch.error_count or not batch.warning_count
            else IssueSeverity.WARNING
        )
    page = Paginator(selectors.issue_list(batch, severity=severity), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "settlement/intake/batch_detail.html",
        {"batch": batch, "page": page, "severity": severity, "severities": IssueSeverity.choices},
    )


@login_required
def batch_report(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get_for_user(request.user, pk)
    return download_response(
        files.issues_workbook(selectors.issue_rows(batch)), f"import-{batch.pk}-issues.xlsx"
    )


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    if request.GET.get("format") == "csv":
        return download_response(files.template_csv(), "settlement-list-template.csv")
    return download_response(files.template_xlsx(), "settlement-list-template.xlsx")
