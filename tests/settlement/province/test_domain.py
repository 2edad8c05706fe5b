"""The province summary, worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from settlement.province.choices import PartState as S
from settlement.province.choices import ProvinceStatus as P
from settlement.province.domain import PartResult, province_status, province_summary


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([S.COMPLETED, S.COMPLETED], P.COMPLETED),
        ([S.COMPLETED, S.RUNNING, S.FAILED], P.RUNNING),
        ([S.COMPLETED, S.QUEUED], P.RUNNING),
        ([S.COMPLETED, S.FAILED], P.PARTLY_FAILED),
        ([S.COMPLETED, S.REFUSED], P.PARTLY_FAILED),
        ([S.FAILED, S.REFUSED], P.FAILED),
        ([S.COMPLETED, S.SUPERSEDED], P.COMPLETED),
    ],
)
def test_the_province_status_follows_its_parts(states, expected):
    assert province_status(states) == expected


def test_totals_count_completed_parts_only_and_failures_are_listed():
    parts = [
        PartResult(
            "371900",
            "310",
            "DIP",
            S.COMPLETED,
            Decimal("0.95"),
            Decimal("100.10"),
            Decimal("120.00"),
            10,
        ),
        PartResult(
            "370900",
            "310",
            "DIP",
            S.COMPLETED,
            Decimal("1.02"),
            Decimal("50.05"),
            Decimal("60.00"),
            4,
        ),
        PartResult("371100", "310", "DIP", S.FAILED, error="进程已中断"),
        PartResult(
            "371200", "310", "DIP", S.SUPERSEDED, Decimal("9"), Decimal("999"), Decimal("999"), 99
        ),
    ]
    summary = province_summary(parts)
    assert (summary.total, summary.pool, summary.cases) == (
        Decimal("150.15"),
        Decimal("180.00"),
        14,
    )
    assert (summary.point_value_min, summary.point_value_max) == (Decimal("0.95"), Decimal("1.02"))
    assert [p.region for p in summary.failures] == ["371100"]
    assert summary.states == {S.COMPLETED: 2, S.FAILED: 1, S.SUPERSEDED: 1}
    assert (summary.status, summary.status_label) == (P.PARTLY_FAILED, "部分失败")
