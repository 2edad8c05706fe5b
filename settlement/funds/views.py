"""The bureau's revolving-fund page (周转金): list with filters and total, record or correct a fund,
remove one recorded in error. Bureau users only; the services refuse closed years."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages
from accounts.regions import in_user_regions, region_fields_scope
from settlement.funds import selectors, services
from settlement.funds.forms import FundFilterForm, FundForm
from settlement.runs.models import RevolvingFund

VIEW, CHANGE, DELETE = (
    "settlement.view_revolvingfund",
    "settlement.change_revolvingfund",
    "settlement.delete_revolvingfund",
)
PAGE_SIZE = 50
MSG_SAVED = "已登记 {name} {year}年周转金 {amount} 元。"
MSG_REMOVED = "已删除 {name} {year}年周转金。"


@bureau_view(VIEW)
def fund_list(request: HttpRequest) -> HttpResponse:
    filters = region_fields_scope(FundFilterForm(request.GET or None), request)
    funds = in_user_regions(selectors.revolving_fund_list(**filters.filters()), request.user)
    form = (
        region_fields_scope(FundForm(request.POST or None), request)
        if request.user.has_perm(CHANGE)
        else None
    )
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            fund = services.revolving_fund_set(actor=request.user, **form.cleaned_data)
        except ValidationError as refused:
            error_messages(request, refused)
        else:
            messages.success(
                request,
                MSG_SAVED.format(name=fund.institution.name, year=fund.year, amount=fund.amount),
            )
            return redirect("settlement:fund_list")
    context = {
        "filters": filters,
        "form": form,
        "page": Paginator(funds, PAGE_SIZE).get_page(request.GET.get("page")),
        "total": selectors.revolving_fund_total(funds),
        "can_remove": request.user.has_perm(DELETE),
    }
    return render(request, "settlement/funds/fund_list.html", context)


@require_POST
@bureau_view(DELETE)
def fund_remove(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_object_or_404(
        in_user_regions(RevolvingFund.objects.select_related("institution"), request.user), pk=pk
    )
    try:
        services.revolving_fund_remove(actor=request.user, fund=fund)
    except ValidationError as refused:
        error_messages(request, refused)
    else:
        messages.success(request, MSG_REMOVED.format(name=fund.institution.name, year=fund.year))
    return redirect("settlement:fund_list")
