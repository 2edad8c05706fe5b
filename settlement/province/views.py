"""Province-run pages (全省结算), bureau only: the list, starting one over the user's regions, its summary
(point values, totals, failures per region) and rerunning one region alone. Each region's own result is
on its run's page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages
from accounts.regions import region_fields_scope, region_list_for_user
from config.routers import replica_view
from settlement.province import selectors, services
from settlement.province.choices import ProvinceStatus
from settlement.province.forms import ProvinceRunStartForm
from settlement.province.models import ProvinceRun, ProvinceRunPart

VIEW, START = "settlement.view_settlementrun", "settlement.add_settlementrun"
PAGE_SIZE = 20
MSG_STARTED = "全省结算 #{pk} 已发起：{count} 个结算运行已排队，由各计算节点并行计算。"
MSG_RERUN = "{region}已重新发起结算运行 #{run}。"


def _province(request: HttpRequest, pk: int) -> ProvinceRun:
    try:
        return selectors.province_run_get_for_user(request.user, pk)
    except ProvinceRun.DoesNotExist:
        raise Http404 from None


@bureau_view(VIEW)
@replica_view
def province_run_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.province_run_list_for_user(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(province, selectors.province_summary_of(province)) for province in page]
    context = {"page": page, "rows": rows, "can_start": request.user.has_perm(START)}
    return render(request, "settlement/province/province_list.html", context)


@bureau_view(START)
def province_run_start(request: HttpRequest) -> HttpResponse:
    form = region_fields_scope(ProvinceRunStartForm(request.POST or None), request)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        regions = list(data.pop("regions")) or region_list_for_user(request.user)
        try:
            province = services.province_run_start(actor=request.user, regions=regions, **data)
        except ValidationError as refused:
            error_messages(request, refused)
        else:
            count = province.parts.exclude(run=None).count()
            messages.success(request, MSG_STARTED.format(pk=province.pk, count=count))
            return redirect("settlement:province_run_detail", pk=province.pk)
    return render(request, "settlement/province/province_start.html", {"form": form})


@bureau_view(VIEW)
def province_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    province = _province(request, pk)
    summary = selectors.province_summary_of(province)
    context = {
        "province": province,
        "summary": summary,
        "parts": [(part, selectors.part_state(part)) for part in province.visible],
        "running": summary.status == ProvinceStatus.RUNNING,
        "can_start": request.user.has_perm(START),
    }
    return render(request, "settlement/province/province_detail.html", context)


@require_POST
@bureau_view(START)
def province_part_rerun(request: HttpRequest, pk: int, part: int) -> HttpResponse:
    province = _province(request, pk)
    try:
        found = selectors.part_get_for_user(request.user, province=province, pk=part)
    except ProvinceRunPart.DoesNotExist:
        raise Http404 from None
    try:
        found = services.province_part_rerun(actor=request.user, part=found)
    except ValidationError as refused:
        error_messages(request, refused)
    else:
        messages.success(request, MSG_RERUN.format(region=found.region.name, run=found.run_id))
    return redirect("settlement:province_run_detail", pk=province.pk)
