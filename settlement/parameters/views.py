"""Parameter-set pages (bureau only): list, create, detail with the values and their history, edit,
workflow actions, Excel export and import."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages, workflow_view
from accounts.regions import in_user_regions, region_fields_scope
from catalogs.choices import Scheme
from config.spreadsheets import download_response
from settlement.parameters import domain, excel, selectors, services
from settlement.parameters.forms import (
    ImportForm,
    ParameterSetCreateForm,
    ParameterValuesForm,
    ReasonForm,
)
from settlement.parameters.models import ParameterSet, ParameterStatus

VIEW, CHANGE, APPROVE = (
    "settlement.view_parameterset",
    "settlement.change_parameterset",
    "settlement.approve_parameterset",
)


def _set(request: HttpRequest, pk: int, *related: str) -> ParameterSet:
    """A parameter set of the user's regions, or 404."""
    return get_object_or_404(
        in_user_regions(ParameterSet.objects.select_related(*related), request.user), pk=pk
    )


def _detail(parameter_set: ParameterSet) -> HttpResponse:
    return redirect("settlement:parameter_detail", pk=parameter_set.pk)


@bureau_view(VIEW)
def parameter_list(request: HttpRequest) -> HttpResponse:
    year, scheme, category = (
        request.GET.get("year", ""),
        request.GET.get("scheme", ""),
        request.GET.get("category", ""),
    )
    sets = selectors.parameter_set_list(
        year=int(year) if year.isdigit() else None, scheme=scheme, category=category
    )
    sets = in_user_regions(sets, request.user)
    context = {
        "sets": sets,
        "schemes": Scheme.choices,
        "year": year,
        "scheme": scheme,
        "category": category,
    }
    return render(request, "settlement/parameters/parameter_list.html", context)


@bureau_view(CHANGE)
def parameter_create(request: HttpRequest) -> HttpResponse:
    form = region_fields_scope(ParameterSetCreateForm(request.POST or None), request)
    if request.method == "POST" and form.is_valid():
        try:
            parameter_set = services.parameter_set_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "已按默认值创建参数草稿，请核对后提交审批。")
            return _detail(parameter_set)
    return render(request, "settlement/parameters/parameter_create.html", {"form": form})


@bureau_view(VIEW)
def parameter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    parameter_set = _set(request, pk, "region", "based_on")
    versions = ParameterSet.objects.filter(
        region=parameter_set.region_id,
        year=parameter_set.year,
        scheme=parameter_set.scheme,
        category=parameter_set.category,
    ).order_by("-version")
    defaults = domain.defaults(parameter_set.kind)
    base = parameter_set.based_on.values if parameter_set.based_on else {}
    rows = [
        {
            "field": f,
            "value": parameter_set.values.get(f.key, ""),
            "default": defaults.get(f.key, ""),
            "before": base.get(f.key)
            if base and base.get(f.key) != parameter_set.values.get(f.key)
            else None,
        }
        for f in domain.FIELDS
    ]
    context = {
        "set": parameter_set,
        "rows": rows,
        "versions": versions,
        "import_form": ImportForm(),
        "can_change": request.user.has_perm(CHANGE),
        "can_approve": request.user.has_perm(APPROVE)
        and request.user.pk != parameter_set.submitted_by_id,
    }
    return render(request, "settlement/parameters/parameter_detail.html", context)


@bureau_view(CHANGE)
def parameter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    parameter_set = _set(request, pk)
    if parameter_set.status != ParameterStatus.DRAFT:
        messages.error(request, services.ERR_NOT_DRAFT)
        return _detail(parameter_set)
    initial = {
        **parameter_set.values,
        "effective_from": parameter_set.effective_from,
        "effective_to": parameter_set.effective_to,
    }
    form = ParameterValuesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.parameter_set_update(
                actor=request.user,
                parameter_set=parameter_set,
                values=form.values(),
                effective_from=form.cleaned_data["effective_from"],
                effective_to=form.cleaned_data["effective_to"],
            )
        except ValidationError as error:
            for key, errors in error.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            messages.success(request, "参数已保存。")
            return _detail(parameter_set)
    return render(
        request, "settlement/parameters/parameter_edit.html", {"set": parameter_set, "form": form}
    )


def _workflow(
    action: Callable[..., ParameterSet], success: str, *, with_reason: bool = False
) -> Callable:
    return workflow_view(
        get=lambda request, pk: _set(request, pk),
        action=action,
        target="parameter_set",
        detail=_detail,
        success=success,
        form_class=ReasonForm if with_reason else None,
        invalid=services.ERR_REASON,
    )


parameter_submit = bureau_view(CHANGE)(
    require_POST(_workflow(services.parameter_set_submit, "已提交审批。"))
)
parameter_approve = bureau_view(APPROVE)(
    require_POST(_workflow(services.parameter_set_approve, "已审批通过，该版本按生效日期执行。"))
)
parameter_return = bureau_view(APPROVE)(
    require_POST(_workflow(services.parameter_set_return, "已退回编制人。", with_reason=True))
)
parameter_revise = bureau_view(CHANGE)(
    require_POST(
        _workflow(
            services.parameter_set_revise, "已创建调整版本，请修改后提交审批。", with_reason=True
        )
    )
)


@bureau_view(VIEW)
def parameter_export(request: HttpRequest, pk: int) -> HttpResponse:
    parameter_set = _set(request, pk, "region")
    name = f"parameters-{parameter_set.year}-{parameter_set.scheme}-{parameter_set.category}-v{parameter_set.version}.xlsx"
    return download_response(excel.parameter_workbook(parameter_set), name)


@require_POST
@bureau_view(CHANGE)
def parameter_import(request: HttpRequest, pk: int) -> HttpResponse:
    parameter_set = _set(request, pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的 .xlsx 文件。")
        return _detail(parameter_set)
    try:
        values = excel.parameter_values_read(form.cleaned_data["file"])
        services.parameter_set_update(
            actor=request.user, parameter_set=parameter_set, values=values
        )
    except ValidationError as error:
        error_messages(request, error)
        return _detail(parameter_set)
    messages.success(request, "已从 Excel 导入全部参数。")
    return _detail(parameter_set)
