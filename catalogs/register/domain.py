"""The institution register's history, pure: which state is in force on a day, and what recording a
change with an effective date makes of an institution's states (机构信息变更).

A state holds the fields that change with an effective date (``STATE_FIELDS``). Recording a change on
day D splits the state in force on D (or amends the one starting on D); the days before D keep what
they had. The fields the change sets carry forward into the later states until a later state that set
the same field itself — so a promotion recorded after a consortium change dated later still reaches it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

STATE_FIELDS = (
    "level",
    "type",
    "is_grassroots",
    "consortium_lead_id",
    "agreement_from",
    "agreement_to",
)
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class State:
    """机构状态 at one time: what drives coefficients (level, type, grassroots) and sharing (consortium)."""

    level: str
    type: str
    is_grassroots: bool = False
    consortium_lead_id: int | None = None
    agreement_from: datetime.date | None = None
    agreement_to: datetime.date | None = None

    def with_changes(self, changes: Mapping[str, object]) -> State:
        return replace(self, **{name: changes[name] for name in STATE_FIELDS if name in changes})

    def as_json(self) -> dict:
        """The state as the run freezes it (plain JSON: dates as ISO text)."""
        return {name: _json(getattr(self, name)) for name in STATE_FIELDS}

    @classmethod
    def from_json(cls, values: Mapping) -> State:
        dates = {
            name: datetime.date.fromisoformat(values[name]) if values.get(name) else None
            for name in ("agreement_from", "agreement_to")
        }
        return cls(
            level=values["level"],
            type=values["type"],
            is_grassroots=bool(values["is_grassroots"]),
            consortium_lead_id=values.get("consortium_lead_id"),
            **dates,
        )


def _json(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


@dataclass(frozen=True)
class Dated:
    """One state with the day it took effect and the fields its change set."""

    valid_from: datetime.date
    state: State
    changed: frozenset[str] = field(default_factory=frozenset)


def state_on(history: Sequence[Dated], day: datetime.date) -> State | None:
    """The state in force on ``day`` (``history`` ordered by ``valid_from``); before the first, the first."""
    if not history:
        return None
    current = history[0].state
    for dated in history:
        if dated.valid_from > day:
            break
        current = dated.state
    return current


def changes_of(before: State, after: State) -> dict[str, object]:
    """The fields ``after`` sets differently from ``before``."""
    return {
        name: getattr(after, name)
        for name in STATE_FIELDS
        if getattr(after, name) != getattr(before, name)
    }


def history_with_change(
    history: Sequence[Dated], effective: datetime.date, changes: Mapping[str, object]
) -> list[Dated]:
    """The history once ``changes`` take effect on ``effective``: days before it untouched, the state in
    force on it split (or the one starting on it amended), later states given the changed fields they did
    not set themselves. ``history`` is ordered and not empty."""
    names = frozenset(name for name in STATE_FIELDS if name in changes)
    out = [d for d in history if d.valid_from < effective]
    base = state_on(history, effective)
    same_day = next((d for d in history if d.valid_from == effective), None)
    out.append(
        Dated(
            effective,
            base.with_changes(changes),
            names | (same_day.changed if same_day else frozenset()),
        )
    )
    carried = set(names)
    for dated in (d for d in history if d.valid_from > effective):
        carried -= dated.changed
        out.append(
            replace(
                dated,
                state=dated.state.with_changes({k: v for k, v in changes.items() if k in carried}),
            )
        )
    return out


def valid_to(history: Sequence[Dated]) -> list[datetime.date | None]:
    """Each state's last day: the day before the next takes effect; the last is open-ended."""
    return [later.valid_from - ONE_DAY for later in history[1:]] + [None] if history else []
