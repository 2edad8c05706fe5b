"""Reads of negotiation meetings, all through ``Meeting.objects.for_user``."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from catalogs.choices import InstitutionLevel, InstitutionType
from catalogs.models import Institution
from catalogs.register.domain import State
from catalogs.register.selectors import institution_states_as_of
from catalogs.versions.models import CatalogVersion
from disputes import domain
from disputes.models import AgendaItem, Meeting, Participant, Position
from settlement.parameters.models import ParameterSet

DIMENSION_LABELS = {"level": ("医院等级", InstitutionLevel), "type": ("机构类别", InstitutionType)}


def meeting_list_for_user(user, *, year: int | None = None) -> QuerySet[Meeting]:
    meetings = (
        Meeting.objects.for_user(user)
        .select_related("region")
        .annotate(
            participant_count=Count("participants", distinct=True),
            agenda_count=Count("agenda", distinct=True),
        )
        .order_by("-held_on", "-id")
    )
    return meetings.filter(year=year) if year else meetings


def meeting_get_for_user(user, pk: int) -> Meeting:
    """One meeting the user may see, or 404 (a hospital that did not attend is not told it exists)."""
    return get_object_or_404(
        Meeting.objects.for_user(user).select_related("region", "created_by"), pk=pk
    )


def participant_list(meeting: Meeting) -> QuerySet[Participant]:
    return meeting.participants.select_related("institution")


def agenda_list(meeting: Meeting) -> QuerySet[AgendaItem]:
    positions = Position.objects.select_related("participant__institution")
    return meeting.agenda.select_related("parameter_set", "catalog_version").prefetch_related(
        Prefetch("positions", queryset=positions)
    )


def _in_agreement(state: State, day) -> bool:
    return (state.agreement_from is None or state.agreement_from <= day) and (
        state.agreement_to is None or state.agreement_to >= day
    )


def coverage_for(meeting: Meeting) -> list[tuple[str, str, domain.CoverageRow]]:
    """(dimension label, key label, row) of representation by level and type of the meeting's region."""
    states = institution_states_as_of(region=meeting.region_id, day=meeting.held_on)
    in_agreement = sorted(
        (s.level, s.type, pk) for pk, s in states.items() if _in_agreement(s, meeting.held_on)
    )
    represented = set(
        meeting.participants.exclude(institution=None).values_list("institution_id", flat=True)
    )
    rows = domain.representation_coverage(
        [(pk, level, kind) for level, kind, pk in in_agreement], represented
    )
    labelled = []
    for row in rows:
        dimension, choices = DIMENSION_LABELS[row.dimension]
        known = row.key in choices.values
        rank = (
            row.dimension,
            choices.values.index(row.key) if known else len(choices.values),
        )  # levels 三甲 first, as the choices list them
        labelled.append((rank, dimension, choices(row.key).label if known else row.key, row))
    return [
        (dimension, label, row)
        for _, dimension, label, row in sorted(labelled, key=lambda entry: entry[0])
    ]


def institutions_of(meeting: Meeting) -> QuerySet[Institution]:
    return Institution.objects.filter(region_id=meeting.region_id).order_by("code")


def parameter_sets_of(meeting: Meeting) -> QuerySet[ParameterSet]:
    return ParameterSet.objects.filter(region_id=meeting.region_id).order_by(
        "-year", "scheme", "category", "-version"
    )


def catalog_versions_of(meeting: Meeting) -> QuerySet[CatalogVersion]:
    return CatalogVersion.objects.filter(region_id=meeting.region_id).order_by(
        "-year", "kind", "-version"
    )
