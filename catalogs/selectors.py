from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.regions import in_user_regions, regions_for_user
from catalogs.choices import CatalogStatus
from catalogs.diff import CatalogDiff, catalog_diff
from catalogs.models import CatalogGroup, CatalogVersion, Institution, Region
from catalogs.register.selectors import institution_states_on_days
from config.lazy import pandas as pd


def region_list_for_user(user):
    """统筹区 — the regions the user may see (``accounts.regions``)."""
    return regions_for_user(user)


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
    versions = CatalogVersion.objects.select_related(
        "region", "created_by", "submitted_by", "approved_by"
    )
    if region is not None:
        versions = versions.filter(region=region)
    if kind:
        versions = versions.filter(kind=kind)
    return versions


# Catalogs are regional, not institution-owned: groups and scores of a published version are public by
# policy, so every user may read it; drafts, submitted and retired versions are the bureau's (404 to others).
GROUP_FLAGS = ("is_grassroots", "is_tcm", "is_day_surgery")


def user_is_bureau(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_bureau))


def catalog_version_list_for_user(
    user, *, region_code: str = "", kind: str = "", year: int | None = None, status: str = ""
):
    versions = in_user_regions(catalog_version_list(kind=kind), user)
    if not user_is_bureau(user):
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


def catalog_years(user) -> list[int]:
    """The years of the catalog versions of the user's regions (the list's filter)."""
    return list(
        catalog_version_list_for_user(user)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def catalog_group_list(
    version: CatalogVersion, *, q: str = "", group_type: str = "", flag: str = ""
):
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
    return get_object_or_404(
        CatalogGroup.objects.select_related("version__region").filter(version__in=visible), pk=pk
    )


def group_score_history(user, group: CatalogGroup) -> list[CatalogGroup]:
    """The same group code in every version of the region and kind the user may read, oldest first."""
    versions = (
        catalog_version_list_for_user(user, kind=group.version.kind)
        .filter(region=group.version.region_id)
        .values("pk")
    )
    return list(
        CatalogGroup.objects.filter(code=group.code, version__in=versions)
        .select_related("version")
        .order_by("version__year", "version__version")
    )


def group_scores(version: CatalogVersion) -> dict[str, Decimal]:
    return dict(version.groups.values_list("code", "score"))


def version_diff(*, old: CatalogVersion, new: CatalogVersion) -> CatalogDiff:
    """Groups added, removed and re-scored from ``old`` to ``new``."""
    return catalog_diff(group_scores(old), group_scores(new))


def group_names(*versions: CatalogVersion) -> dict[str, str]:
    """Group code → name over the versions, the later version's name where both have the code."""
    rows = (
        CatalogGroup.objects.filter(version__in=versions)
        .order_by("version__year", "version__version")
        .values_list("code", "name")
    )
    return dict(rows)


# National med_type codes 2x are the inpatient ones (住院), 14 the outpatient chronic/special ones (门诊慢特病):
# DIP and DRG catalogs are built from the first, APG catalogs from the second.
INPATIENT_MED_TYPE_PREFIX = "2"
CHRONIC_MED_TYPE = "14"
_COMMON_FIELDS = {
    "period__year": "year",
    "period__month": "month",
    "institution_id": "institution_id",
    "maindiag_code": "maindiag_code",
    "main_oprn_oprt_code": "main_oprn_oprt_code",
    "medfee_sumamt": "medfee_sumamt",
}
# The DRG build groups history as a run groups a month (settlement.grouping.domain.CASE_COLUMNS).
CASE_HISTORY_FIELDS = {
    **_COMMON_FIELDS,
    "age": "age",
    "nwb_age": "nwb_age",
    "dscg_way": "dscg_way",
    "otherdiag_codes": "otherdiag_codes",
    "other_oprn_oprt_codes": "other_oprn_oprt_codes",
    "gend": "gend",
    "nwb_bir_wt": "nwb_bir_wt",
    "nwb_adm_wt": "nwb_adm_wt",
}
CHRONIC_HISTORY_FIELDS = {
    **_COMMON_FIELDS,
    "opsp_dise_code": "opsp_dise_code",
    "psn_no": "psn_no",
    "setl_time": "setl_time",
}


def _history_frame(
    *, region: Region, years: Sequence[int], fields: dict[str, str], **med_type
) -> pd.DataFrame:
    """The case table belongs to ``settlement``, which imports ``catalogs``; it is looked up through the
    app registry so that ``catalogs`` keeps importing nothing of ``settlement``."""
    case_model = apps.get_model("settlement", "CaseRecord")
    rows = (
        case_model.objects.filter(
            institution__region=region, period__year__in=list(years), **med_type
        )
        .values_list(*fields)
        .iterator(chunk_size=20_000)
    )
    frame = pd.DataFrame.from_records(rows, columns=list(fields.values()))
    return _with_institution_states(frame, region)


def _with_institution_states(frame: pd.DataFrame, region: Region) -> pd.DataFrame:
    """Each case's institution level and grassroots flag as they were at the end of the case's month
    (the register's history, 机构状态), not as they are today."""
    columns = ["year", "month", "institution_id"]
    ends = {
        (y, m): date(y, m, calendar.monthrange(y, m)[1])
        for y, m in frame[["year", "month"]].drop_duplicates().itertuples(index=False)
    }
    states = institution_states_on_days(region=region, days=ends.values())
    table = pd.DataFrame(
        [
            (y, m, i, s.level, s.is_grassroots)
            for (y, m), day in ends.items()
            for i, s in states[day].items()
        ],
        columns=[*columns, "level", "is_grassroots"],
    ).astype({name: frame[name].dtype for name in columns})
    return frame.merge(table, on=columns, how="left").drop(columns=["month", "institution_id"])


def case_history_frame(*, region: Region, years: Sequence[int]) -> pd.DataFrame:
    """The inpatient cases of a region's settlement years, as the catalog builds (catalogs/dip/, catalogs/drg/, catalogs/apg/) read them."""
    return _history_frame(
        region=region,
        years=years,
        fields=CASE_HISTORY_FIELDS,
        med_type__startswith=INPATIENT_MED_TYPE_PREFIX,
    )


def chronic_history_frame(*, region: Region, years: Sequence[int]) -> pd.DataFrame:
    """The outpatient chronic/special settlements of a region's years, settlement times in local time (the
    patient-month unit of APG counts local months)."""
    frame = _history_frame(
        region=region, years=years, fields=CHRONIC_HISTORY_FIELDS, med_type=CHRONIC_MED_TYPE
    )
    frame["setl_time"] = pd.to_datetime(frame["setl_time"], utc=True).dt.tz_convert(
        settings.TIME_ZONE
    )
    return frame
