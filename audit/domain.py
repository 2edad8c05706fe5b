"""Pure helpers for reading the trail: the before/after snapshots of an event as a field-by-field diff."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldChange:
    """One key of a snapshot: its value before and after, and whether it changed (变更字段)."""

    key: str
    label: str
    before: Any
    after: Any
    changed: bool


def snapshot_diff(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    labels: Mapping[str, str] | None = None,
) -> list[FieldChange]:
    """Every key of either snapshot, changed keys first, each group in the snapshot's own order.

    A missing snapshot (a creation has no *before*, a deletion no *after*) counts as all keys changed.
    """
    before, after, labels = before or {}, after or {}, labels or {}
    keys = list(dict.fromkeys([*before, *after]))
    rows = [
        FieldChange(
            key=key,
            label=labels.get(key, key),
            before=before.get(key),
            after=after.get(key),
            changed=key not in before or key not in after or before[key] != after[key],
        )
        for key in keys
    ]
    return [row for row in rows if row.changed] + [row for row in rows if not row.changed]


#: Object types whose model moved to another app since its events were written: supervision (监管)
#: left audit/ for its own app (issue 20). Events are append-only and keep the name they were written
#: with; the trail shows and filters them under the current name.
RENAMED_OBJECT_TYPES = {
    f"audit.{model}": f"supervision.{model}"
    for model in (
        "ruleset",
        "finding",
        "indicatorvalue",
        "dataqualityscore",
        "assessmentscheme",
        "assessmentitem",
        "assessment",
        "assessmentscore",
    )
}


def object_type_current(object_type: str) -> str:
    """The name an event's object type goes by now (``audit.finding`` → ``supervision.finding``)."""
    return RENAMED_OBJECT_TYPES.get(object_type, object_type)


def object_type_names(object_type: str) -> list[str]:
    """Every name events of this object type may carry: the current one and those it replaced."""
    current = object_type_current(object_type)
    return [current, *(old for old, new in RENAMED_OBJECT_TYPES.items() if new == current)]
