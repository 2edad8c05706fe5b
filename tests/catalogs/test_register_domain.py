"""catalogs/register/domain.py: the state in force on a day and what a change with an effective date
makes of a history — worked examples, no database."""

from __future__ import annotations

from datetime import date

import pytest

from catalogs.register.domain import (
    Dated,
    State,
    changes_of,
    history_with_change,
    state_on,
    valid_to,
)

BASE = State(level="2", type="general", is_grassroots=False, consortium_lead_id=None)
JAN, MAR, JUL, OCT = date(2024, 1, 1), date(2024, 3, 1), date(2024, 7, 1), date(2024, 10, 1)


def history() -> list[Dated]:
    """Level 2 from January; member of institution 9 from July (a change of the lead only)."""
    return [
        Dated(JAN, BASE),
        Dated(
            JUL,
            State(level="2", type="general", consortium_lead_id=9),
            frozenset({"consortium_lead_id"}),
        ),
    ]


@pytest.mark.parametrize(
    ("day", "level", "lead"),
    [
        (date(2023, 6, 1), "2", None),  # before the first state: the first
        (JAN, "2", None),
        (date(2024, 6, 30), "2", None),
        (JUL, "2", 9),
        (date(2030, 1, 1), "2", 9),
    ],
)
def test_the_state_on_a_day_is_the_latest_that_took_effect_by_then(day, level, lead):
    state = state_on(history(), day)
    assert (state.level, state.consortium_lead_id) == (level, lead)


def test_a_change_in_march_leaves_january_and_february_alone_and_carries_into_july():
    changed = history_with_change(history(), MAR, {"level": "3"})
    assert [d.valid_from for d in changed] == [JAN, MAR, JUL]
    assert [state_on(changed, day).level for day in (date(2024, 2, 29), MAR, JUL, OCT)] == [
        "2",
        "3",
        "3",
        "3",
    ]
    assert state_on(changed, OCT).consortium_lead_id == 9  # July's own change kept
    assert changed[1].changed == {"level"} and valid_to(changed) == [
        date(2024, 2, 29),
        date(2024, 6, 30),
        None,
    ]


def test_a_change_stops_carrying_at_a_later_state_that_set_the_same_field():
    changed = history_with_change(history(), MAR, {"consortium_lead_id": 5})
    assert [state_on(changed, day).consortium_lead_id for day in (JAN, MAR, JUL)] == [None, 5, 9]


def test_a_second_change_on_the_same_day_amends_that_days_state():
    once = history_with_change(history(), JUL, {"level": "3"})
    assert len(once) == 2 and once[1].changed == {"level", "consortium_lead_id"}
    assert (once[1].state.level, once[1].state.consortium_lead_id) == ("3", 9)


def test_changes_of_lists_only_the_fields_that_differ_and_a_state_round_trips_as_json():
    after = State(level="3", type="general", agreement_from=JAN, agreement_to=date(2026, 12, 31))
    assert changes_of(BASE, after) == {
        "level": "3",
        "agreement_from": JAN,
        "agreement_to": date(2026, 12, 31),
    }
    assert State.from_json(after.as_json()) == after
