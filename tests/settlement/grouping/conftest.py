"""A small hand-built DIP catalog (published) and a period of cases whose expected groups are known."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from catalogs.choices import CatalogKind, CatalogStatus, GroupType, TreatmentType
from catalogs.dictionaries.models import Procedure
from catalogs.versions.models import CatalogGroup, CatalogVersion, GroupSubtype
from settlement.models import SettlementPeriod
from tests.world import case_create

# setl_id -> (fields, expected group code, trace)
CASES = {
    "S1": (
        {"maindiag_code": "I21.000", "main_oprn_oprt_code": "36.0601", "age": 70},
        "I21.000+36.0601",
        "core",
    ),
    "S2": (
        {"maindiag_code": "I21.000", "main_oprn_oprt_code": "36.0601", "age": 50},
        "I21.000+36.0601",
        "core",
    ),
    "S3": ({"maindiag_code": "J18.900"}, "J18.900", "core_conservative"),
    "S4": (
        {"maindiag_code": "I21.900", "main_oprn_oprt_code": "00.6600"},
        "I21-S",
        "comprehensive",
    ),
    "S5": ({"maindiag_code": "K35.800"}, "", "no_comprehensive"),
    "S6": ({"maindiag_code": "BAD"}, "", "invalid_diagnosis"),
}


def dip_version(
    world, *, year: int = 2024, version: int = 1, status: str = CatalogStatus.PUBLISHED
) -> CatalogVersion:
    """Core: PCI for infarction (typed by age: 65+ x 1.2), conservative pneumonia; comprehensive: I21 x surgery, I21 x medical."""
    catalog = CatalogVersion.objects.create(
        region=world.region, kind=CatalogKind.DIP, year=year, version=version, status=status
    )
    rows = [
        ("I21.000+36.0601", GroupType.CORE, "I21.000", "36.0601", TreatmentType.SURGICAL, "1500"),
        ("J18.900", GroupType.CORE, "J18.900", "", TreatmentType.MEDICAL, "500"),
        ("I21-S", GroupType.COMPREHENSIVE, "I21", "", TreatmentType.SURGICAL, "1200"),
        ("I21-M", GroupType.COMPREHENSIVE, "I21", "", TreatmentType.MEDICAL, "600"),
    ]
    groups = {
        code: CatalogGroup.objects.create(
            version=catalog,
            code=code,
            group_type=group_type,
            diag_code=diag,
            proc_code=proc,
            treatment_type=treatment,
            score=D(score),
        )
        for code, group_type, diag, proc, treatment, score in rows
    }
    GroupSubtype.objects.create(
        group=groups["I21.000+36.0601"],
        dimension="age",
        key="65+",
        cases=20,
        mean_cost=D("36000"),
        coefficient=D("1.2000"),
    )
    return catalog


@pytest.fixture
def procedures(db):
    Procedure.objects.create(
        code="36.0601", name="冠状动脉药物洗脱支架置入术", treatment_type=TreatmentType.SURGICAL
    )
    Procedure.objects.create(
        code="00.6600", name="经皮冠状动脉腔内血管成形术", treatment_type=TreatmentType.SURGICAL
    )


@pytest.fixture
def period_cases(world, procedures):
    """The ``CASES`` in March 2024 (S1-S3 at hospital A, the rest at B), an outpatient case and an April case."""
    cases = {}
    for setl_id, (fields, _, _) in CASES.items():
        institution = world.hospital_a if setl_id in {"S1", "S2", "S3"} else world.hospital_b
        cases[setl_id] = case_create(
            institution=institution, period=world.period, setl_id=setl_id, **fields
        )
    cases["OUT"] = case_create(
        institution=world.hospital_a,
        period=world.period,
        setl_id="OUT",
        med_type="11",
        maindiag_code="I21.000",
    )
    april = SettlementPeriod.objects.create(region=world.region, year=2024, month=4)
    cases["APR"] = case_create(
        institution=world.hospital_a, period=april, setl_id="APR", maindiag_code="J18.900"
    )
    return cases


@pytest.fixture
def catalog(world):
    return dip_version(world)
