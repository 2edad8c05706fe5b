"""What a pre-grouping test needs besides the shared world: a published DIP catalog with scores and means,
the DIP parameters in force for scheme 310, and a completed run with a point value."""

from __future__ import annotations

from decimal import Decimal as D

from catalogs.choices import CatalogKind, CatalogStatus, GroupType, TreatmentType
from catalogs.versions.models import CatalogGroup, CatalogVersion
from settlement.parameters import services as parameter_services
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.models import SettlementRun
from tests.settlement.intake_rows import valid_row

POINT_VALUE = D("10.000000")


def dip_catalog(world) -> CatalogVersion:
    """PCI for infarction (1500 points, mean 30,000), conservative pneumonia (500, mean 8,000), I21 comprehensive."""
    version = CatalogVersion.objects.create(
        region=world.region,
        kind=CatalogKind.DIP,
        year=2024,
        version=1,
        status=CatalogStatus.PUBLISHED,
    )
    rows = [
        (
            "I21.000+36.0601",
            GroupType.CORE,
            "I21.000",
            "36.0601",
            TreatmentType.SURGICAL,
            "1500",
            "30000",
        ),
        ("J18.900", GroupType.CORE, "J18.900", "", TreatmentType.MEDICAL, "500", "8000"),
        ("I21-M", GroupType.COMPREHENSIVE, "I21", "", TreatmentType.MEDICAL, "600", "12000"),
    ]
    CatalogGroup.objects.bulk_create(
        CatalogGroup(
            version=version,
            code=code,
            group_type=kind,
            diag_code=diag,
            proc_code=proc,
            treatment_type=treatment,
            score=D(score),
            mean_cost=D(mean),
        )
        for code, kind, diag, proc, treatment, score, mean in rows
    )
    return version


def dip_parameters(world):
    draft = parameter_services.parameter_set_create(
        actor=world.officer,
        region=world.region,
        year=2024,
        scheme="310",
        category="DIP",
        kind="DIP",
    )
    parameter_services.parameter_set_submit(actor=world.officer, parameter_set=draft)
    return parameter_services.parameter_set_approve(actor=world.bureau_admin, parameter_set=draft)


def point_value_run(world, *, number: int = 2, point_value: D = POINT_VALUE) -> SettlementRun:
    return SettlementRun.objects.create(
        region=world.region,
        year=2024,
        scheme="310",
        category="DIP",
        kind="DIP",
        run_type=RunType.MONTHLY,
        number=number,
        status=RunStatus.COMPLETED,
        point_value=point_value,
    )


def costly_row(setl_id: str, **overrides) -> dict[str, str]:
    """Three times the group's mean (费用极高: (3 − 2) + 1 = 2 × 1500 points), no fee breakdown (a warning)."""
    return valid_row(
        setl_id,
        medfee_sumamt="90000.00",
        fund_pay_sumamt="63000.00",
        hifp_pay="63000.00",
        psn_part_amt="27000.00",
        fee_drug="",
        fee_material="",
        fee_exam="",
        fee_treatment="",
        fee_other="",
        **overrides,
    )
