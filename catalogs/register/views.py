"""Register pages: import and export of the register (bureau), a change with its effective date (bureau,
audited), and an institution's history (the bureau, or a hospital for its own institution only — without
who recorded each change)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.decorators import bureau_view, error_messages
from accounts.regions import region_fields_scope
from catalogs.models import Institution
from catalogs.register import excel, selectors, services
from catalogs.register.filtersets import InstitutionFilters
from catalogs.register.forms import ChangeForm, ExportForm, RegisterImportForm
from catalogs.register.tables import InstitutionTable
from config.lists import ListPage
from config.spreadsheets import download_response

CHANGE, VIEW = "catalogs.change_institution", "catalogs.view_institution"
MSG_IMPORTED = "机构名录已导入：新增 {created} 家，变更 {changed} 家，未变 {unchanged} 家。"
MSG_CHANGED = "已登记 {code} 自 {day} 起的变更。"


@bureau_view(VIEW)
def register_page(request: HttpRequest) -> HttpResponse:
    """机构名录导入导出."""
    export = region_fields_scope(ExportForm(initial={"day": timezone.localdate()}), request)
    return render(
        request,
        "catalogs/register.html",
        {
            "export": export,
            "upload": RegisterImportForm(),
            "can_change": request.user.has_perm(CHANGE),
        },
    )


@bureau_view(VIEW)
def register_export(request: HttpRequest) -> HttpResponse:
    form = region_fields_scope(ExportForm(request.GET), request)
    if not form.is_valid():
        messages.error(request, "请选择统筹区和状态日期。")
        return redirect("catalogs:register")
    region, day = form.cleaned_data["region"], form.cleaned_data["day"]
    return download_response(
        excel.register_workbook(region=region, day=day),
        f"定点医疗机构名录_{region.code}_{day:%Y%m%d}.xlsx",
    )


@bureau_view(CHANGE)
def register_import(request: HttpRequest) -> HttpResponse:
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            rows = excel.register_read(form.cleaned_data["file"].read())
            summary = services.register_import(actor=request.user, rows=rows)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, MSG_IMPORTED.format(**summary.__dict__))
            return redirect("catalogs:register")
    export = region_fields_scope(ExportForm(initial={"day": timezone.localdate()}), request)
    return render(
        request,
        "catalogs/register.html",
        {"export": export, "upload": form, "errors": errors, "can_change": True},
        status=400 if errors else 200,
    )


@bureau_view(CHANGE)
def institution_change(request: HttpRequest, code: str) -> HttpResponse:
    """机构信息变更: record a change with its effective date (the days before it keep their state)."""
    institution = get_object_or_404(Institution.objects.for_user(request.user), code=code)
    if request.method == "POST":
        form = ChangeForm(request.POST, institution=institution)
        if form.is_valid():
            day = form.cleaned_data["effective_from"]
            try:
                services.institution_change(
                    actor=request.user,
                    institution=institution,
                    effective_from=day,
                    changes=form.changes(),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                error_messages(request, error)
            else:
                messages.success(request, MSG_CHANGED.format(code=code, day=day))
                return redirect("catalogs:institution_history", code=code)
    else:
        form = ChangeForm(
            initial=_initial(institution, timezone.localdate()), institution=institution
        )
    return render(
        request, "catalogs/institution_change.html", {"institution": institution, "form": form}
    )


def _initial(institution: Institution, day: datetime.date) -> dict:
    state = selectors.institution_state_as_of(institution, day)
    return {
        "effective_from": day,
        "level": state.level,
        "type": state.type,
        "is_grassroots": state.is_grassroots,
        "consortium_lead": state.consortium_lead_id,
        "agreement_from": state.agreement_from,
        "agreement_to": state.agreement_to,
    }


@login_required
def institution_history(request: HttpRequest, code: str) -> HttpResponse:
    """机构变更历史: each state with its dates; who recorded it is shown to the bureau only."""
    institution, states = selectors.institution_history_for_user(request.user, code)
    return render(
        request,
        "catalogs/institution_history.html",
        {
            "institution": institution,
            "states": states,
            "show_recorder": request.user.is_bureau,
            "can_change": request.user.is_bureau and request.user.has_perm(CHANGE),
        },
    )


class InstitutionListView(ListPage):
    """定点医疗机构: the bureau its regions' institutions, a hospital its own."""

    table_class = InstitutionTable
    filterset_class = InstitutionFilters
    template_name = "catalogs/institution_list.html"
    export_name = "定点医疗机构"

    def get_queryset(self):
        return selectors.institution_list_for_user(self.request.user)


@login_required
def institution_detail(request: HttpRequest, code: str) -> HttpResponse:
    institution = selectors.institution_get_for_user(request.user, code)
    return render(request, "catalogs/institution_detail.html", {"institution": institution})
