from __future__ import annotations

import pytest

from audit.domain import snapshot_diff


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        # a change: the changed key first, unchanged keys after it in snapshot order
        (
            {"id": 1, "name": "甲", "level": "3A"},
            {"id": 1, "name": "乙", "level": "3A"},
            [("name", "甲", "乙", True), ("id", 1, 1, False), ("level", "3A", "3A", False)],
        ),
        # a creation has no before: every key is new
        (None, {"id": 1, "name": "甲"}, [("id", None, 1, True), ("name", None, "甲", True)]),
        # a deletion has no after: every key is gone
        ({"id": 1}, None, [("id", 1, None, True)]),
        # a key that appears or disappears counts as changed even when its value is empty
        (
            {"id": 1, "old": None},
            {"id": 1, "new": None},
            [("old", None, None, True), ("new", None, None, True), ("id", 1, 1, False)],
        ),
        # an event without snapshots (a login) has nothing to show
        (None, None, []),
    ],
)
def test_snapshot_diff_lists_changed_keys_first(before, after, expected):
    assert [(c.key, c.before, c.after, c.changed) for c in snapshot_diff(before, after)] == expected


def test_snapshot_diff_labels_keys_and_falls_back_to_the_key():
    changes = snapshot_diff(
        {"name": "甲", "x": 1}, {"name": "乙", "x": 2}, labels={"name": "机构名称"}
    )
    assert [(c.key, c.label) for c in changes] == [("name", "机构名称"), ("x", "x")]
