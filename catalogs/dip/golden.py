"""Golden cases (标准病例) of a DIP catalog: each must group as expected before the version is
published. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from config.lazy import pandas as pd


@dataclass(frozen=True)
class GoldenResult:
    """标准病例校验 — one golden case run against a catalog."""

    label: str
    expected_code: str
    expected_score: Decimal
    actual_code: str
    actual_score: Decimal | None

    @property
    def passed(self) -> bool:
        return self.actual_code == self.expected_code and self.actual_score == self.expected_score


def golden_check(
    golden: pd.DataFrame, *, assigned: pd.Series, scores: Mapping[str, Decimal]
) -> list[GoldenResult]:
    """Compare each golden case's expected group code and score with the group the grouper
    assigned it (``assigned``, aligned with ``golden``; "" = ungroupable) and that group's score.
    ``golden`` has columns label, expected_code, expected_score."""
    return [
        GoldenResult(
            label=str(label),
            expected_code=str(expected_code),
            expected_score=Decimal(str(expected_score)),
            actual_code=str(code),
            actual_score=scores.get(str(code)),
        )
        for label, expected_code, expected_score, code in zip(
            golden["label"],
            golden["expected_code"],
            golden["expected_score"],
            assigned,
            strict=True,
        )
    ]
