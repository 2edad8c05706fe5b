"""Assessment pages (年度考核) under /supervision/assessment/: schemes, computing a year, manual items,
submit/approve/return, per-institution breakdowns; a hospital sees its own approved results only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages, workflow_view
from accounts.regions import region_current
from supervision.assessment import selectors, services
from supervision.assessment.forms import (
    ComputeForm,
    ItemFormSet,
    ManualScoreForm,
    ReasonForm,
    SchemeForm,
    formset_items,
)
from supervision.assessment.models import Assessment
from supervision.views import ERR_NO_REGION, ERR_SUPERVISION_BUREAU

VIEW = "supervision.view_assessment"


def _detail(assessment: Assessment) -> HttpResponse:
    return redirect("supervision:assessment_detail", pk=assessment.pk)


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    """Bureau: the schemes, the assessments of every year and the compute form. Hospital: its own approved results."""
    if request.user.is_hospital:
        return render(
            request,
            "supervision/assessment/mine.html",
            {"results": selectors.approved_assessments_for_user(request.user)},
        )
    if not request.user.is_bureau or not request.user.has_perm(VIEW):
        raise PermissionDenied(ERR_SUPERVISION_BUREAU)
    region = region_current(request)
    schemes = selectors.scheme_list(region=region) if region else []
    context = {
        "region": region,
        "schemes": schemes,
        "assessments": selectors.assessment_list(region=region) if region else [],
        "compute_form": ComputeForm(schemes=schemes) if region else None,
        "can_compile": request.user.has_perm(services.COMPILE),
    }
    return render(request, "supervision/assessment/list.html", context)


def _scheme_initial(scheme) -> tuple[dict, list[dict]]:
    if scheme is None:
        return {}, []
    items = [
        {**asdict(item), "per_finding": item.per_finding or None}
        for item in selectors.scheme_items(scheme)
    ]
    return {"name": scheme.name, "description": scheme.description}, items


@bureau_view(services.COMPILE, message=ERR_SUPERVISION_BUREAU)
def scheme_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a scheme (no ``pk``) or edit one: name, and the items table (code, name, kind, weight, rule)."""
    scheme = selectors.scheme_get(user=request.user, pk=pk) if pk else None
    initial, items = _scheme_initial(scheme)
    data = request.POST if request.method == "POST" else None
    # Bound rows are read as posted: with initial values Django would skip rows left unchanged.
    form, formset = (
        SchemeForm(data, initial=initial),
        ItemFormSet(data, initial=None if data else items, prefix="items"),
    )
    region = region_current(request)
    if data is not None and region is not None and form.is_valid() and formset.is_valid():
        args = {
            "actor": request.user,
            "name": form.cleaned_data["name"],
            "description": form.cleaned_data["description"],
            "items": formset_items(formset),
        }
        try:
            scheme = (
                services.scheme_update(scheme=scheme, **args)
                if scheme
                else services.scheme_create(region=region, **args)
            )
        except ValidationError as refused:
            error_messages(request, refused)
        else:
            messages.success(request, "考核方案已保存。")
            return redirect("supervision:assessment_list")
    return render(
        request,
        "supervision/assessment/scheme_form.html",
        {"scheme": scheme, "form": form, "formset": formset},
    )


@require_POST
@bureau_view(services.COMPILE, message=ERR_SUPERVISION_BUREAU)
def assessment_compute(request: HttpRequest) -> HttpResponse:
    region = region_current(request)
    form = ComputeForm(request.POST, schemes=selectors.scheme_list(region=region) if region else [])
    if region is None or not form.is_valid():
        messages.error(request, ERR_NO_REGION if region is None else "请选择考核年度和考核方案。")
        return redirect("supervision:assessment_list")
    try:
        assessment = services.assessment_compute(
            actor=request.user, region=region, **form.cleaned_data
        )
    except ValidationError as refused:
        error_messages(request, refused)
        return redirect("supervision:assessment_list")
    messages.success(request, "考核得分已计算，请录入人工评分项后提交审批。")
    return _detail(assessment)


@bureau_view(VIEW, message=ERR_SUPERVISION_BUREAU)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Institutions × items with totals, and the workflow buttons the user may press."""
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    context = {
        "assessment": assessment,
        "items": selectors.assessment_items(assessment),
        "breakdowns": selectors.assessment_breakdowns(request.user, assessment),
        "can_compile": request.user.has_perm(services.COMPILE),
        "can_approve": request.user.has_perm(services.APPROVE),
        "reason_form": ReasonForm(),
    }
    return render(request, "supervision/assessment/detail.html", context)


@login_required
def assessment_institution(request: HttpRequest, pk: int, institution: int) -> HttpResponse:
    """One institution's items with points and basis; manual items editable while the assessment is a draft.
    A hospital reaches its own approved breakdown only (another institution's, or a draft: 404)."""
    if not (request.user.is_bureau or request.user.is_hospital):
        raise PermissionDenied(ERR_SUPERVISION_BUREAU)
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    breakdowns = selectors.assessment_breakdowns(request.user, assessment, institution=institution)
    if not breakdowns:
        raise Http404
    editable = (
        request.user.is_bureau and assessment.is_draft and request.user.has_perm(services.COMPILE)
    )
    context = {"assessment": assessment, "breakdown": breakdowns[0], "editable": editable}
    return render(request, "supervision/assessment/institution.html", context)


@require_POST
@bureau_view(services.COMPILE, message=ERR_SUPERVISION_BUREAU)
def assessment_manual(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    form = ManualScoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写不小于0的得分。")
        return _detail(assessment)
    try:
        services.assessment_manual_set(
            actor=request.user, assessment=assessment, **form.cleaned_data
        )
    except ValidationError as refused:
        error_messages(request, refused)
    else:
        messages.success(request, "人工评分已保存。")
    return redirect(
        "supervision:assessment_institution",
        pk=assessment.pk,
        institution=form.cleaned_data["institution"],
    )


def _workflow(
    action: Callable[..., Assessment], success: str, *, with_reason: bool = False
) -> Callable:
    return workflow_view(
        get=lambda request, pk: selectors.assessment_get(user=request.user, pk=pk),
        action=action,
        target="assessment",
        detail=_detail,
        success=success,
        form_class=ReasonForm if with_reason else None,
        invalid=services.ERR_REASON,
    )


assessment_submit = bureau_view(services.COMPILE)(
    require_POST(_workflow(services.assessment_submit, "已提交审批，待另一位经办人员审批。"))
)
assessment_approve = bureau_view(services.APPROVE)(
    require_POST(
        _workflow(services.assessment_approve, "考核结果已审批，清算时按此得分返还保证金。")
    )
)
assessment_return = bureau_view(services.APPROVE)(
    require_POST(_workflow(services.assessment_return, "已退回编制人。", with_reason=True))
)
