"""Institution coefficient pages: tables (list, create, detail), row edit, workflow, Excel.

Bureau users see and (with the model permissions) change every table; hospital users read the tables
in force and in them their own institution's row only; experts have no coefficient pages (403).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages, workflow_view
from accounts.regions import region_fields_scope
from catalogs.coefficients import excel, selectors, services
from catalogs.coefficients.filtersets import CoefficientTableFilters
from catalogs.coefficients.forms import CoefficientRowForm, CoefficientTableCreateForm, ReviseForm
from catalogs.coefficients.models import CoefficientTable
from catalogs.coefficients.tables import CoefficientTableTable
from catalogs.forms import ImportForm, ReasonForm
from config.lists import ListPage
from config.spreadsheets import download_response

CHANGE, APPROVE = "catalogs.change_coefficienttable", "catalogs.approve_coefficienttable"
ERR_NO_COEFFICIENTS = "专家用户不能查看机构系数。"
ROWS_PER_PAGE = 100


def reader_view(view: Callable) -> Callable:
    """Login required; bureau and hospital users read (through the selectors), experts get 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.is_bureau or request.user.is_hospital):
            raise PermissionDenied(ERR_NO_COEFFICIENTS)
        return view(request, *args, **kwargs)

    return wrapped


def _detail(table: CoefficientTable) -> HttpResponse:
    return redirect("catalogs:coefficient_detail", pk=table.pk)


class CoefficientListView(ListPage):
    """医疗机构系数表: the bureau every table of its regions, a hospital the tables in force."""

    table_class = CoefficientTableTable
    filterset_class = CoefficientTableFilters
    template_name = "catalogs/coefficient_list.html"
    export_name = "医疗机构系数表"

    def get_queryset(self):
        return selectors.coefficient_table_list_for_user(self.request.user)

    def get_context_data(self, **context) -> dict:
        return {**context, "tables": context["page"].object_list}


coefficient_list = reader_view(CoefficientListView.as_view())


@bureau_view(CHANGE)
def coefficient_create(request: HttpRequest) -> HttpResponse:
    form = region_fields_scope(CoefficientTableCreateForm(request.POST or None), request)
    if request.method == "POST" and form.is_valid():
        try:
            table = services.coefficient_table_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "已创建机构系数表草稿。")
            return _detail(table)
    return render(request, "catalogs/coefficient_create.html", {"form": form})


@reader_view
def coefficient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    table = selectors.coefficient_table_get_for_user(request.user, pk)
    q = request.GET.get("q", "").strip()
    rows = selectors.coefficient_rows_for_user(request.user, table, q=q)
    user = request.user
    context = {
        "table": table,
        "q": q,
        "page": Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page")),
        "can_change": user.is_bureau and user.has_perm(CHANGE),
        "can_approve": user.is_bureau
        and user.has_perm(APPROVE)
        and user.pk != table.submitted_by_id,
        "reason_form": ReasonForm(),
        "revise_form": ReviseForm(),
        "import_form": ImportForm(),
    }
    return render(request, "catalogs/coefficient_detail.html", context)


@bureau_view(CHANGE)
def coefficient_row_edit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    table = selectors.coefficient_table_get_for_user(request.user, pk)
    row = selectors.coefficient_row_get(table, code)
    if not table.is_editable:
        messages.error(request, services.ERR_NOT_DRAFT)
        return _detail(table)
    initial = {field: getattr(row, field) for field in services.ROW_FIELDS}
    form = CoefficientRowForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.coefficient_row_edit(actor=request.user, row=row, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已修改{row.institution.name}的机构系数。")
            return _detail(table)
    return render(
        request, "catalogs/coefficient_row_edit.html", {"table": table, "row": row, "form": form}
    )


def _workflow(action: Callable[..., CoefficientTable], success: str, form_class=None) -> Callable:
    return workflow_view(
        get=lambda request, pk: selectors.coefficient_table_get_for_user(request.user, pk),
        action=action,
        target="table",
        detail=_detail,
        success=success,
        form_class=form_class,
        invalid=services.ERR_REASON,
    )


coefficient_submit = bureau_view(CHANGE)(
    require_POST(_workflow(services.coefficient_table_submit, "已提交审批。"))
)
coefficient_return = bureau_view(APPROVE)(
    require_POST(_workflow(services.coefficient_table_return, "已退回。", ReasonForm))
)
coefficient_approve = bureau_view(APPROVE)(
    require_POST(_workflow(services.coefficient_table_approve, "已审批通过，该系数表开始执行。"))
)
coefficient_revise = bureau_view(CHANGE)(
    require_POST(
        _workflow(
            services.coefficient_table_revise, "已创建调整版本，请修改后提交审批。", ReviseForm
        )
    )
)


@bureau_view("catalogs.view_coefficienttable")
def coefficient_export(request: HttpRequest, pk: int) -> HttpResponse:
    table = selectors.coefficient_table_get_for_user(request.user, pk)
    filename = f"coefficients-{table.region.code}-{table.year}-v{table.version}.xlsx"
    return download_response(excel.coefficients_workbook(table=table), filename)


@bureau_view(CHANGE)
@require_POST
def coefficient_import(request: HttpRequest, pk: int) -> HttpResponse:
    table = selectors.coefficient_table_get_for_user(request.user, pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的 Excel 文件。")
        return _detail(table)
    try:
        excel.coefficients_import(actor=request.user, table=table, file=form.cleaned_data["file"])
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, "已从 Excel 导入机构系数并重新计算。")
    return _detail(table)
