"""Comparing catalog versions (catalogs/versions/diff.py): pure, by group code."""

from __future__ import annotations

from decimal import Decimal as D

from catalogs.versions.diff import ScoreChange, catalog_diff


def test_it_lists_added_removed_and_rescored_groups_by_code():
    old = {"A": D("1000.0000"), "B": D("500.0000"), "C": D("300.0000")}
    new = {"A": D("1000.0000"), "C": D("310.5000"), "D": D("50.0000"), "0": D("1")}
    diff = catalog_diff(old, new)
    assert (diff.added, diff.removed) == (("0", "D"), ("B",))
    assert diff.changed == (ScoreChange("C", D("300.0000"), D("310.5000")),)
    assert diff.changed[0].delta == D("10.5000") and not diff.is_empty


def test_the_same_scores_make_an_empty_diff():
    scores = {"A": D("1"), "B": D("2")}
    assert catalog_diff(scores, dict(scores)).is_empty
    assert catalog_diff({"A": D("1.0000")}, {"A": D("1.0001")}).changed[0].delta == D("0.0001")
