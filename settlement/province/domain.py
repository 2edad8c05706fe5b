"""The province summary (全省汇总), pure: the parts' states and figures in, the province's totals out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from settlement.province.choices import PartState, ProvinceStatus

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PartResult:
    """One part as the summary sees it; figures only for a completed run."""

    region: str
    scheme: str
    category: str
    state: str
    point_value: Decimal | None = None
    total: Decimal | None = None
    pool: Decimal | None = None
    cases: int = 0
    error: str = ""


@dataclass(frozen=True)
class ProvinceSummary:
    status: str
    parts: int
    states: dict[str, int]
    total: Decimal
    pool: Decimal
    cases: int
    point_value_min: Decimal | None
    point_value_max: Decimal | None
    failures: list[PartResult]

    @property
    def status_label(self) -> str:
        return ProvinceStatus(self.status).label


def province_status(states: list[str]) -> str:
    """Running while any part is active; else completed when none failed; else partly or wholly failed."""
    failed = sum(state in PartState.failures() for state in states)
    if any(state in PartState.active() for state in states):
        return ProvinceStatus.RUNNING
    if not failed:
        return ProvinceStatus.COMPLETED
    return ProvinceStatus.FAILED if failed == len(states) else ProvinceStatus.PARTLY_FAILED


def province_summary(parts: list[PartResult]) -> ProvinceSummary:
    """Totals over the completed parts (a superseded run's figures are no longer the period's)."""
    done = [part for part in parts if part.state == PartState.COMPLETED]
    values = [part.point_value for part in done if part.point_value is not None]
    return ProvinceSummary(
        status=province_status([part.state for part in parts]),
        parts=len(parts),
        states=dict(Counter(part.state for part in parts)),
        total=sum((part.total or ZERO for part in done), ZERO),
        pool=sum((part.pool or ZERO for part in done), ZERO),
        cases=sum(part.cases for part in done),
        point_value_min=min(values, default=None),
        point_value_max=max(values, default=None),
        failures=[part for part in parts if part.state in PartState.failures()],
    )
