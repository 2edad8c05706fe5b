"""Reads of parameter sets. Parameters are the bureau's working data: bureau users only (the pages and
the API check the role); what a hospital needs of them reaches it through its statements."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from settlement.parameters.models import ParameterSet, ParameterStatus


def parameter_set_list(
    *, year: int | None = None, scheme: str = "", category: str = ""
) -> QuerySet[ParameterSet]:
    sets = ParameterSet.objects.select_related(
        "region", "created_by", "submitted_by", "approved_by"
    )
    if year:
        sets = sets.filter(year=year)
    if scheme:
        sets = sets.filter(scheme=scheme)
    if category:
        sets = sets.filter(category=category.upper())
    return sets


def parameter_set_in_force(
    *, region, year: int, scheme: str, category: str, on: datetime.date | None = None
) -> ParameterSet | None:
    """The version a run uses: in force (or superseded, for a date it covered) on ``on`` (default: today's
    version in force)."""
    series = ParameterSet.objects.filter(
        region=region, year=year, scheme=scheme, category=category.upper()
    )
    if on is None:
        return series.filter(status=ParameterStatus.IN_FORCE).first()
    covering = series.filter(
        status__in=[ParameterStatus.IN_FORCE, ParameterStatus.SUPERSEDED], effective_from__lte=on
    )
    return covering.exclude(effective_to__lt=on).order_by("-version").first()


def parameter_sets_in_force_of_kind(*, region, year: int, scheme: str, kind: str) -> QuerySet:
    """The sets in force of the scheme's categories paid by ``kind``, the one that prices first."""
    sets = ParameterSet.objects.filter(
        region=region, year=year, scheme=scheme, kind=kind, status=ParameterStatus.IN_FORCE
    )
    return sets.order_by("category", "-version")


def parameter_set_in_force_of_kind(
    *, region, year: int, scheme: str, kind: str
) -> ParameterSet | None:
    """The set in force of the scheme's category paid by ``kind`` (the first category by code when several
    are): what prices a case before its run (预分组)."""
    return parameter_sets_in_force_of_kind(
        region=region, year=year, scheme=scheme, kind=kind
    ).first()
