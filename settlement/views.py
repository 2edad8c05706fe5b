from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalogs.choices import Scheme
from settlement import selectors
from settlement.grouping import selectors as grouping_selectors


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
def case_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "institution": request.GET.get("institution", "").strip(),
        "year": _int_or_none(request.GET.get("year")),
        "month": _int_or_none(request.GET.get("month")),
        "insutype": request.GET.get("insutype", ""),
        "q": request.GET.get("q", "").strip(),
    }
    cases = selectors.case_list_for_user(request.user, **filters)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(request, "settlement/case_list.html", {"page": page, "filters": filters, "schemes": Scheme.choices})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(request.user, pk)
    groups = grouping_selectors.case_groups_of_case(request.user, case)
    return render(request, "settlement/case_detail.html", {"case": case, "groups": groups})
