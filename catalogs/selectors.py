from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pandas as pd
from django.apps import apps
from django.db.models import Q
from django.shortcuts import get_object_or_404

from catalogs.diff import CatalogDiff, catalog_diff
from catalogs.models import CatalogVersion, Institution, Procedure, Region


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
