from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pandas as pd
from django.apps import apps
from django.db.models import Q
from django.shortcuts import get_object_or_404

from catalogs.choices import CatalogStatus, CoefficientStatus
from catalogs.diff import CatalogDiff, catalog_diff
from catalogs.models import CatalogGroup, CatalogVersion, CoefficientTable, Institution, InstitutionCoefficient, Procedure, Region


def region_list():
    """统筹区 — not institution-owned; callers limit it to bureau users."""
    return Region.objects.all()


def institution_list_for_user(user, *, q: str = "", level: str = "", type: str = ""):
    institutions = Institution.objects.for_user(user).select_related("region", "consortium_lead")
    if q:
        institutions = institutions.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if level:
        institutions = institutions.filter(level=level)
    if type:
        institutions = institutions.filter(type=type)
    return institutions


def institution_get_for_user(user, code: str) -> Institution:
    return get_object_or_404(institution_list_for_user(user), code=code)


def catalog_version_list(*, region=None, kind: str = ""):
    """目录版本 — region-wide, not institution-owned; callers limit it to bureau users."""
    versions = CatalogVersion.objects.select_related("region", "created_by", "submitted_by", "approved_by")
    if region is not None:
        versions = versions.filter(region=region)
    if kind:
        versions = versions.filter(kind=kind)
    return versions


# Catalogs are regional, not institution-owned: groups and scores of a published version are public by
# policy, so every user may read it; drafts, submitted and retired versions are the bureau's (404 to others).
GROUP_FLAGS = ("is_grassroots", "is_tcm", "is_day_surgery")


def _bureau(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_bureau))


def catalog_version_list_for_user(user, *, region_code: str = "", kind: str = "", year: int | None = None, status: str = ""):
    versions = catalog_version_list(kind=kind)
    if not _bureau(user):
        versions = versions.filter(status=CatalogStatus.PUBLISHED)
    if region_code:
        versions = versions.filter(region__code=region_code)
    if year:
        versions = versions.filter(year=year)
    if status:
        versions = versions.filter(status=status)
    return versions


def catalog_version_get_for_user(user, pk: int) -> CatalogVersion:
    return get_object_or_404(catalog_version_list_for_user(user), pk=pk)


def catalog_years() -> list[int]:
    return list(CatalogVersion.objects.order_by("-year").values_list("year", flat=True).distinct())


def catalog_group_list(version: CatalogVersion, *, q: str = "", group_type: str = "", flag: str = ""):
    """A version's groups, searched by code or name, filtered by type and one flag (基层/中医/日间)."""
    groups = version.groups.all()
    if q:
        groups = groups.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if group_type:
        groups = groups.filter(group_type=group_type)
    if flag in GROUP_FLAGS:
        groups = groups.filter(**{flag: True})
    return groups


def catalog_group_get_for_user(user, pk: int) -> CatalogGroup:
    visible = catalog_version_list_for_user(user).values("pk")
    return get_object_or_404(CatalogGroup.objects.select_related("version__region").filter(version__in=visible), pk=pk)


def group_score_history(user, group: CatalogGroup) -> list[CatalogGroup]:
    """The same group code in every version of the region and kind the user may read, oldest first."""
    versions = catalog_version_list_for_user(user, kind=group.version.kind).filter(region=group.version.region_id).values("pk")
    return list(
        CatalogGroup.objects.filter(code=group.code, version__in=versions).select_related("version").order_by("version__year", "version__version")
    )


def group_scores(version: CatalogVersion) -> dict[str, Decimal]:
    return dict(version.groups.values_list("code", "score"))


def version_diff(*, old: CatalogVersion, new: CatalogVersion) -> CatalogDiff:
    """Groups added, removed and re-scored from ``old`` to ``new``."""
    return catalog_diff(group_scores(old), group_scores(new))


def procedure_types() -> dict[str, str]:
    """ICD-9-CM-3 code → treatment type, for grouping cases into comprehensive diseases."""
    return dict(Procedure.objects.values_list("code", "treatment_type"))


# National med_type codes 2x are the inpatient ones (住院); a DIP catalog is built from them.
INPATIENT_MED_TYPE_PREFIX = "2"
CASE_HISTORY_FIELDS = {
    "period__year": "year", "institution__level": "level", "institution__is_grassroots": "is_grassroots",
    "maindiag_code": "maindiag_code", "main_oprn_oprt_code": "main_oprn_oprt_code", "medfee_sumamt": "medfee_sumamt",
    "age": "age", "nwb_age": "nwb_age", "dscg_way": "dscg_way", "otherdiag_codes": "otherdiag_codes",
}


def case_history_frame(*, region: Region, years: Sequence[int]) -> pd.DataFrame:
    """The inpatient cases of a region's settlement years, as the frame ``catalogs.dip`` reads.

    The case table belongs to ``settlement``, which imports ``catalogs``; it is looked up through the
    app registry so that ``catalogs`` keeps importing nothing of ``settlement``.
    """
    case_model = apps.get_model("settlement", "CaseRecord")
    rows = (
        case_model.objects.filter(institution__region=region, period__year__in=list(years), med_type__startswith=INPATIENT_MED_TYPE_PREFIX)
        .values_list(*CASE_HISTORY_FIELDS)
        .iterator(chunk_size=20_000)
    )
    return pd.DataFrame.from_records(rows, columns=list(CASE_HISTORY_FIELDS.values()))


# --- institution coefficients ---------------------------------------------------------------------
# Hospital users read the tables in force only, and in them their own institution's row (for_user);
# experts read none of it (for_user gives them no rows).


def coefficient_table_list_for_user(user, *, year: int | None = None, status: str = "", region_code: str = ""):
    tables = CoefficientTable.objects.select_related("region", "based_on", "created_by", "submitted_by", "approved_by")
    if not _bureau(user):
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
    rows = InstitutionCoefficient.objects.for_user(user).filter(table=table).select_related("institution")
    if q:
        rows = rows.filter(Q(institution__code__icontains=q) | Q(institution__name__icontains=q))
    return rows.order_by("institution__code")


def coefficient_row_get(table: CoefficientTable, code: str) -> InstitutionCoefficient:
    """A row of a table by institution code — for bureau pages only (callers check)."""
    return get_object_or_404(table.rows.select_related("institution", "table"), institution__code=code)
