from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from config.lists import KeysetListPage, sort_first
from settlement import selectors, services
from settlement.filtersets import CaseFilters
from settlement.forms import RegionCreateForm
from settlement.grouping import selectors as grouping_selectors
from settlement.models import CaseRecord
from settlement.tables import CaseTable

ERR_REGIONS_BUREAU = "仅经办机构用户可查看统筹区。"
ERR_REGION_ADMIN = "仅经办机构管理员可新建统筹区。"
MSG_REGION_CREATED = "已新建统筹区 {region} 并开设其结算期间；可在页面顶部切换到该统筹区。"


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_bureau:
        raise PermissionDenied("仅经办机构用户可查看结算期间。")
    counts = selectors.period_case_counts()
    periods = [(period, counts.get(period.pk, 0)) for period in selectors.period_list(request.user)]
    return render(request, "settlement/period_list.html", {"periods": periods})


class CaseListView(KeysetListPage):
    """结算清单: keyset pages over the case table (2 million rows), sortable by period or settlement id."""

    table_class = CaseTable
    filterset_class = CaseFilters
    template_name = "settlement/case_list.html"
    export_name = "结算清单"

    def get_queryset(self):
        return CaseRecord.objects.for_user(self.request.user).select_related(
            "institution", "period"
        )

    def keyset_ordering(self, sort):
        by, descending = sort_first(sort, "period")
        institution = self.request.GET.get("institution", "").strip()
        return selectors.case_list_ordering(
            self.request.user, institution=institution, by=by, descending=descending
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
