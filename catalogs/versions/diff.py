"""Comparing two catalog versions (目录版本对比) — pure: group code → score mappings in, changes out.

Serves DIP, DRG and APG alike: a group is identified by its code; a score change is any difference
(no tolerance — scores are stored to 4 decimals and every difference matters for settlement).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ScoreChange:
    code: str
    old: Decimal
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - self.old


@dataclass(frozen=True)
class CatalogDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[ScoreChange, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def catalog_diff(old: Mapping[str, Decimal], new: Mapping[str, Decimal]) -> CatalogDiff:
    """Groups added, removed, and kept with a different score, each sorted by code."""
    kept = sorted(old.keys() & new.keys())
    return CatalogDiff(
        added=tuple(sorted(new.keys() - old.keys())),
        removed=tuple(sorted(old.keys() - new.keys())),
        changed=tuple(
            ScoreChange(code, old[code], new[code]) for code in kept if old[code] != new[code]
        ),
    )
