from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404

from accounts.regions import in_user_regions, regions_for_user
from settlement.models import CaseRecord, SettlementPeriod


def period_list(user):
    """The settlement periods of the user's regions."""
    return in_user_regions(SettlementPeriod.objects.select_related("region", "closed_by"), user)


def case_list_for_user(user, *, institution: str = "", year: int | None = None, month: int | None = None,
                       insutype: str = "", med_type: str = "", q: str = ""):
    cases = CaseRecord.objects.for_user(user).select_related("institution", "period")
    if institution:
        cases = cases.filter(institution__code=institution)
    if year:
        cases = cases.filter(period__year=year)
    if month:
        cases = cases.filter(period__month=month)
    if insutype:
        cases = cases.filter(insutype=insutype)
    if med_type:
        cases = cases.filter(med_type=med_type)
    if q:
        cases = cases.filter(setl_id=q) | cases.filter(maindiag_code__startswith=q)
    return cases


def case_get_for_user(user, pk: int) -> CaseRecord:
    return get_object_or_404(case_list_for_user(user), pk=pk)


def period_case_counts() -> dict[int, int]:
    return dict(CaseRecord.objects.values("period").annotate(n=Count("id")).values_list("period", "n"))


def region_year_list(user) -> list[tuple]:
    """The user's regions, each with the years of its settlement periods (newest first)."""
    years: dict[int, list[int]] = {}
    for region_id, year in period_list(user).order_by("region", "-year").values_list("region", "year").distinct():
        years.setdefault(region_id, []).append(year)
    return [(region, years.get(region.pk, [])) for region in regions_for_user(user)]
