from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalogs import selectors
from catalogs.choices import InstitutionLevel, InstitutionType


@login_required
def institution_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("q", "level", "type")}
    institutions = selectors.institution_list_for_user(request.user, **filters)
    page = Paginator(institutions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogs/institution_list.html",
        {"page": page, "filters": filters, "levels": InstitutionLevel.choices, "types": InstitutionType.choices},
    )


@login_required
def institution_detail(request: HttpRequest, code: str) -> HttpResponse:
    institution = selectors.institution_get_for_user(request.user, code)
    return render(request, "catalogs/institution_detail.html", {"institution": institution})
