"""Reads of the coefficient tables: a bureau user sees every table of their regions, a hospital user the
tables in force and in them their own institution's row only."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.regions import in_user_regions
from catalogs.choices import CoefficientStatus
from catalogs.coefficients.models import CoefficientTable, InstitutionCoefficient
from catalogs.selectors import user_is_bureau


def coefficient_table_list_for_user(
    user, *, year: int | None = None, status: str = "", region_code: str = ""
):
    tables = in_user_regions(
        CoefficientTable.objects.select_related(
            "region", "based_on", "created_by", "submitted_by", "approved_by"
        ),
        user,
    )
    if not user_is_bureau(user):
        tables = tables.filter(status=CoefficientStatus.IN_FORCE)
    if year:
        tables = tables.filter(year=year)
    if status:
        tables = tables.filter(status=status)
    if region_code:
        tables = tables.filter(region__code=region_code)
    return tables


def coefficient_table_get_for_user(user, pk: int) -> CoefficientTable:
    return get_object_or_404(coefficient_table_list_for_user(user), pk=pk)


def coefficient_rows_for_user(user, table: CoefficientTable, *, q: str = ""):
    rows = (
        InstitutionCoefficient.objects.for_user(user)
        .filter(table=table)
        .select_related("institution")
    )
    if q:
        rows = rows.filter(Q(institution__code__icontains=q) | Q(institution__name__icontains=q))
    return rows.order_by("institution__code")


def coefficient_row_get(table: CoefficientTable, code: str) -> InstitutionCoefficient:
    """A row of a table by institution code — for bureau pages only (callers check)."""
    return get_object_or_404(
        table.rows.select_related("institution", "table"), institution__code=code
    )
