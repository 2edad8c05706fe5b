from __future__ import annotations

from django.db.models import Sum
from django.shortcuts import get_object_or_404

from accounts.regions import in_user_regions, regions_for_user
from catalogs.models import Institution
from settlement.aggregates.models import CaseMonthAggregate
from settlement.models import CaseRecord, SettlementPeriod


def period_list(user):
    """The settlement periods of the user's regions."""
    return in_user_regions(SettlementPeriod.objects.select_related("region", "closed_by"), user)


# The case list's order: settlement month (periods are opened in month order), institution, setl_id — a
# unique key (``unique_setl_id``) on the case row itself, served by the ``settlement_case_list_order`` index
# without joining the period or institution tables, so keyset pagination (config.keyset) seeks to any page.
CASE_ORDERING = ("period_id", "institution_id", "setl_id")
# One institution's cases (a hospital user's, or an officer's filter): the institution is fixed, so the key
# is (period, setl_id), which ``settlement_case_inst_per_setl`` (institution, period, setl_id) serves.
CASE_ORDERING_ONE_INSTITUTION = ("period_id", "setl_id")


# Sorting the case list by settlement id (结算ID): within one institution ``unique_setl_id``
# (institution, setl_id) serves it; across institutions the ``settlement_case_setl_id`` index, with the
# institution breaking ties.
CASE_ORDERING_SETL_ID = ("setl_id", "institution_id")
CASE_ORDERING_SETL_ID_ONE_INSTITUTION = ("setl_id",)


def case_list_ordering(
    user, *, institution: str = "", by: str = "period", descending: bool = False, **filters
) -> tuple[str, ...]:
    """The keyset ordering of ``case_list_for_user`` with the same arguments, sorted ``by`` the period
    (the list order) or the settlement id, ascending or ``descending`` (an index serves both ways)."""
    one = bool(institution) or user.is_hospital
    if by == "setl_id":
        ordering = CASE_ORDERING_SETL_ID_ONE_INSTITUTION if one else CASE_ORDERING_SETL_ID
    else:
        ordering = CASE_ORDERING_ONE_INSTITUTION if one else CASE_ORDERING
    return tuple(f"-{name}" for name in ordering) if descending else ordering


def case_list_for_user(user, **filters):
    """The cases the user may see, filtered (``case_list_filter``)."""
    cases = CaseRecord.objects.for_user(user).select_related("institution", "period")
    return case_list_filter(cases, **filters)


def case_list_filter(
    cases,
    *,
    institution: str = "",
    year: int | None = None,
    month: int | None = None,
    insutype: str = "",
    med_type: str = "",
    q: str = "",
):
    """``cases`` filtered. Filters by institution code or period are first resolved to their ids (one
    small query each): the planner then knows the values and the case table's own indexes answer —
    given as a subquery, a month's filter was planned as a scan of the whole list order (19 s)."""
    if institution:
        cases = cases.filter(
            institution_id__in=list(
                Institution.objects.filter(code=institution).values_list("pk", flat=True)
            )
        )
    if year or month:
        periods = SettlementPeriod.objects.filter(
            **{"year": year} if year else {}, **{"month": month} if month else {}
        )
        cases = cases.filter(period_id__in=list(periods.values_list("pk", flat=True)))
    if insutype:
        cases = cases.filter(insutype=insutype)
    if med_type:
        cases = cases.filter(med_type=med_type)
    if q:
        by_id = cases.filter(setl_id=q)
        # Without an OR, a diagnosis prefix is counted and ordered from its index alone (index-only).
        by_prefix = cases.filter(maindiag_code__startswith=q)
        cases = (by_id | by_prefix) if by_id.exists() else by_prefix
    return cases


def case_get_for_user(user, pk: int) -> CaseRecord:
    return get_object_or_404(case_list_for_user(user), pk=pk)


def period_case_counts() -> dict[int, int]:
    """Cases per settlement period, from the monthly aggregates (exact, without reading the case table)."""
    rows = CaseMonthAggregate.objects.order_by().values("period").annotate(n=Sum("cases"))
    return dict(rows.values_list("period", "n"))


def region_year_list(user) -> list[tuple]:
    """The user's regions, each with the years of its settlement periods (newest first)."""
    years: dict[int, list[int]] = {}
    for region_id, year in (
        period_list(user).order_by("region", "-year").values_list("region", "year").distinct()
    ):
        years.setdefault(region_id, []).append(year)
    return [(region, years.get(region.pk, [])) for region in regions_for_user(user)]
