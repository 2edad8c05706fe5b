from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from catalogs.choices import Scheme
from config.keyset import InvalidCursor, keyset_page
from config.routers import replica_view
from settlement import selectors, services
from settlement.forms import RegionCreateForm
from settlement.grouping import selectors as grouping_selectors

ERR_REGIONS_BUREAU = "仅经办机构用户可查看统筹区。"
ERR_REGION_ADMIN = "仅经办机构管理员可新建统筹区。"
MSG_REGION_CREATED = "已新建统筹区 {region} 并开设其结算期间；可在页面顶部切换到该统筹区。"


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_bureau:
        raise PermissionDenied("仅经办机构用户可查看结算期间。")
    counts = selectors.period_case_counts()
    periods = [(period, counts.get(period.pk, 0)) for period in selectors.period_list(request.user)]
    return render(request, "settlement/period_list.html", {"periods": periods})


@login_required
@replica_view
def case_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "institution": request.GET.get("institution", "").strip(),
        "year": _int_or_none(request.GET.get("year")),
        "month": _int_or_none(request.GET.get("month")),
        "insutype": request.GET.get("insutype", ""),
        "q": request.GET.get("q", "").strip(),
    }
    cases = selectors.case_list_for_user(request.user, **filters)
    ordering = selectors.case_list_ordering(request.user, **filters)
    try:
        page = keyset_page(cases, ordering=ordering, cursor=request.GET.get("cursor"))
    except InvalidCursor as bad:
        messages.error(request, str(bad))
        page = keyset_page(cases, ordering=ordering)
    return render(
        request,
        "settlement/case_list.html",
        {"page": page, "filters": filters, "schemes": Scheme.choices},
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(request.user, pk)
    groups = grouping_selectors.case_groups_of_case(request.user, case)
    return render(request, "settlement/case_detail.html", {"case": case, "groups": groups})


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    """统筹区: the regions the user may see with their years; a bureau admin creates one with its periods."""
    if not request.user.is_bureau:
        raise PermissionDenied(ERR_REGIONS_BUREAU)
    form = RegionCreateForm(request.POST or None) if request.user.is_bureau_admin else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(ERR_REGION_ADMIN)
        if form.is_valid():
            try:
                region = services.region_create(actor=request.user, **form.cleaned_data)
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                messages.success(request, MSG_REGION_CREATED.format(region=region))
                return redirect("settlement:region_list")
    context = {"regions": selectors.region_year_list(request.user), "form": form}
    return render(request, "settlement/region_list.html", context)
