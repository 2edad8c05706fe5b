"""Working-day windows (公示期), worked examples without a database."""

from __future__ import annotations

from datetime import date

import pytest

from settlement.publication.choices import ResponseState
from settlement.publication.domain import is_working_day, response_state, working_deadline

FRI, SAT, SUN, MON, TUE, WED = (date(2024, 3, d) for d in (1, 2, 3, 4, 5, 6))


@pytest.mark.parametrize(
    ("start", "days", "holidays", "workdays", "deadline"),
    [
        (MON, 1, (), (), TUE),
        (FRI, 1, (), (), MON),  # the weekend does not count
        (FRI, 2, (), (), TUE),
        (
            FRI,
            5,
            (),
            (),
            date(2024, 3, 8),
        ),  # a full working week after a Friday ends on the next Friday
        (FRI, 2, (MON,), (), WED),  # a holiday on Monday moves the end by a day
        (FRI, 1, (), (SUN,), SUN),  # a make-up working Sunday (调休上班日) counts
        (
            date(2024, 9, 30),
            3,
            (date(2024, 10, d) for d in range(1, 8)),
            (),
            date(2024, 10, 10),
        ),  # National Day week
    ],
)
def test_the_window_ends_on_the_nth_working_day_after_publication(
    start, days, holidays, workdays, deadline
):
    assert working_deadline(start, days, holidays=set(holidays), workdays=set(workdays)) == deadline


def test_a_window_has_at_least_one_day():
    with pytest.raises(ValueError):
        working_deadline(MON, 0)


def test_weekends_are_not_working_days_unless_made_up():
    assert [is_working_day(d) for d in (FRI, SAT, SUN, MON)] == [True, False, False, True]
    assert is_working_day(SAT, workdays={SAT}) and not is_working_day(MON, holidays={MON})


@pytest.mark.parametrize(
    ("kind", "today", "state"),
    [
        ("confirmed", WED, ResponseState.CONFIRMED),
        ("objected", MON, ResponseState.OBJECTED),
        (None, TUE, ResponseState.PENDING),
        (None, WED, ResponseState.LAPSED),
    ],
)
def test_an_institution_without_an_answer_lapses_after_the_deadline(kind, today, state):
    assert response_state(kind, deadline=TUE, today=today) == state
