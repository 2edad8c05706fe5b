"""Reads of the institution register "as of" a day: the state in force for one institution or every
institution of a region, and an institution's history (through ``for_user``: a hospital its own)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.regions import regions_for_user
from catalogs.models import Institution, InstitutionState, Region
from catalogs.register.domain import Dated, State, state_on

REGISTER_START = datetime.date(
    2000, 1, 1
)  # the first day of an institution registered without a date


def row_state(institution: Institution) -> State:
    """The state the ``Institution`` row holds (an institution with no recorded change has it every day)."""
    return State(
        level=institution.level,
        type=institution.type,
        is_grassroots=institution.is_grassroots,
        consortium_lead_id=institution.consortium_lead_id,
        agreement_from=institution.active_from,
        agreement_to=institution.active_to,
    )


def dated(state: InstitutionState) -> Dated:
    return Dated(
        state.valid_from,
        State(
            level=state.level,
            type=state.type,
            is_grassroots=state.is_grassroots,
            consortium_lead_id=state.consortium_lead_id,
            agreement_from=state.agreement_from,
            agreement_to=state.agreement_to,
        ),
        frozenset(state.changed),
    )


def histories(institution_ids: Iterable[int]) -> dict[int, list[Dated]]:
    """Each institution's recorded states in order (institutions without any are absent)."""
    out: dict[int, list[Dated]] = defaultdict(list)
    for state in InstitutionState.objects.filter(institution_id__in=list(institution_ids)).order_by(
        "institution_id", "valid_from"
    ):
        out[state.institution_id].append(dated(state))
    return dict(out)


def history_of(institution: Institution) -> list[Dated]:
    """The institution's states; one undated state from its row when no change was ever recorded."""
    recorded = histories([institution.pk]).get(institution.pk)
    return recorded or [Dated(institution.active_from or REGISTER_START, row_state(institution))]


def institution_state_as_of(institution: Institution, day: datetime.date) -> State:
    """机构在某日的状态: level, type, grassroots flag, consortium lead and agreement period in force on ``day``."""
    return state_on(history_of(institution), day)


def institution_states_as_of(*, region: Region | int, day: datetime.date) -> dict[int, State]:
    """Every institution of the region (or region id) by id, with its state in force on ``day`` (one query)."""
    return institution_states_on_days(region=region, days=[day])[day]


_ROW = ("id", "level", "type", "is_grassroots", "consortium_lead_id", "active_from", "active_to")
_STATE = (
    "valid_from",
    "level",
    "type",
    "is_grassroots",
    "consortium_lead_id",
    "agreement_from",
    "agreement_to",
)


def institution_states_on_days(
    *, region: Region | int, days: Iterable[datetime.date]
) -> dict[datetime.date, dict[int, State]]:
    """For each day, every institution of the region with its state in force on it: one query, each
    institution joined with its recorded states (none: the state of its row)."""
    rows = Institution.objects.filter(region=region).order_by("id", "states__valid_from")
    recorded: dict[int, list[Dated]] = defaultdict(list)
    for values in rows.values_list(*_ROW, *(f"states__{name}" for name in _STATE)):
        pk, own, state = values[0], values[1 : len(_ROW)], values[len(_ROW) :]
        if state[0] is None:
            recorded[pk] = [Dated(REGISTER_START, State(*own))]
        else:
            recorded[pk].append(Dated(state[0], State(*state[1:])))
    return {
        day: {pk: state_on(history, day) for pk, history in recorded.items()} for day in set(days)
    }


def institution_history_for_user(user, code: str) -> tuple[Institution, list[InstitutionState]]:
    """An institution the user may read (a hospital: its own) and its recorded states, newest first."""
    institution = get_object_or_404(
        Institution.objects.for_user(user).select_related("region"), code=code
    )
    states = (
        InstitutionState.objects.for_user(user)
        .filter(institution=institution)
        .select_related("consortium_lead", "recorded_by")
    )
    return institution, list(states.order_by("-valid_from"))


def region_list_for_user(user):
    """统筹区 — the regions the user may see (``accounts.regions``)."""
    return regions_for_user(user)


def institution_list_for_user(user, *, q: str = "", level: str = "", type: str = ""):
    institutions = Institution.objects.for_user(user).select_related("region", "consortium_lead")
    return institution_list_filter(institutions, q=q, level=level, type=type)


def institution_list_filter(institutions, *, q: str = "", level: str = "", type: str = ""):
    """The institutions whose code or name holds ``q``, of a level and a type (each when given)."""
    if q:
        institutions = institutions.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if level:
        institutions = institutions.filter(level=level)
    if type:
        institutions = institutions.filter(type=type)
    return institutions


def institution_get_for_user(user, code: str) -> Institution:
    return get_object_or_404(institution_list_for_user(user), code=code)
