"""A reported month: March 2024 of the test region, grouped under a published DIP catalog (the grouping
tests' hand-built one), with supervision findings of every status and data-quality scores."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import override_settings

from settlement.grouping.services import period_group
from supervision.choices import FindingStatus, Rule, Severity
from supervision.models import DataQualityScore, Finding
from tests.settlement.grouping.conftest import dip_version, period_cases, procedures  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def media_root(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


def finding_create(
    world, institution, rule: str, status: str, amount: D | None = None, description: str = ""
) -> Finding:
    return Finding.objects.create(
        rule=rule,
        institution=institution,
        year=2024,
        month=3,
        severity=Severity.HIGH,
        score=D("1.50"),
        description=description or rule,
        evidence=["S1"],
        evidence_count=1,
        status=status,
        amount=amount,
        reason="核实无误" if status == FindingStatus.DISMISSED else "",
    )


@pytest.fixture
def month(world, period_cases):  # noqa: F811
    """The grouped month; A has a confirmed and an open finding (its open one holds a formula), B a confirmed one."""
    catalog = dip_version(world)
    period_group(actor=world.officer, region=world.region, year=2024, month=3)
    finding_create(
        world, world.hospital_a, Rule.SPLIT_ADMISSION, FindingStatus.CONFIRMED, D("1234.56")
    )
    finding_create(
        world,
        world.hospital_a,
        Rule.UPCODING,
        FindingStatus.OPEN,
        description='=HYPERLINK("http://x","点击")',
    )
    finding_create(world, world.hospital_b, Rule.SHIRKING, FindingStatus.CONFIRMED, D("100.00"))
    for institution, score in [(world.hospital_a, "92.50"), (world.hospital_b, "80.00")]:
        DataQualityScore.objects.create(
            institution=institution,
            year=2024,
            month=3,
            score=D(score),
            components={
                "batches": "2",
                "error_free_batches": "1",
                "error_shortfall": "0.5000",
                "warning_rate": "0.0125",
                "cases": "4",
                "late_cases": "1",
                "late_share": "0.2500",
                "corrections": "0",
                "correction_rate": "0",
            },
        )
    return {"catalog": catalog, "cases": period_cases}
