"""Publication windows (公示期) — pure date arithmetic on working days.

A working day is Monday to Friday, minus the bureau's holidays (法定节假日), plus its make-up working
days (调休上班日, a Saturday or Sunday worked instead). A window of ``n`` working days opened on day D
ends on the n-th working day after D (D itself does not count): published on a Friday with two days,
the hospitals may answer until the end of the next Tuesday.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from settlement.publication.choices import ResponseKind, ResponseState

SATURDAY = 5


def is_working_day(
    day: date, *, holidays: Collection[date] = (), workdays: Collection[date] = ()
) -> bool:
    if day in workdays:
        return True
    return day.weekday() < SATURDAY and day not in holidays


def working_deadline(
    start: date, days: int, *, holidays: Collection[date] = (), workdays: Collection[date] = ()
) -> date:
    """The last day of a window of ``days`` working days opened on ``start``."""
    if days < 1:
        raise ValueError("a window has at least one working day")
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        counted += is_working_day(day, holidays=holidays, workdays=workdays)
    return day


def response_state(kind: str | None, *, deadline: date, today: date) -> ResponseState:
    """An institution's state: its answer, else pending while the window is open, else lapsed (逾期)."""
    if kind:
        return ResponseState(ResponseKind(kind).value)
    return ResponseState.PENDING if today <= deadline else ResponseState.LAPSED
