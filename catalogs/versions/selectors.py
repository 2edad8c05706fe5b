"""Reads of the catalog versions: a published catalog is public to every signed-in user, anything else is
the bureau's; groups, a group's score history, and the diff of two versions."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.regions import in_user_regions
from catalogs.choices import CatalogStatus
from catalogs.selectors import user_is_bureau
from catalogs.versions.diff import CatalogDiff, catalog_diff
from catalogs.versions.models import CatalogGroup, CatalogVersion


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
