"""Catalog fixtures for the page, API, Excel and coefficient tests: a small DIP catalog of the shared
world's region as a draft and as a published version, and a coefficient table."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from catalogs.choices import CatalogStatus, GroupType, SubtypeDimension, TreatmentType
from catalogs.coefficients import services as coefficient_services
from catalogs.coefficients.models import CoefficientTable
from catalogs.versions import services
from catalogs.versions.models import CatalogGroup, CatalogVersion, GroupSubtype

PCI = "I21.000+36.0601"
GROUPS = [
    dict(
        code=PCI,
        name="急性心肌梗死：冠状动脉支架置入",
        group_type=GroupType.CORE,
        diag_code="I21.000",
        proc_code="36.0601",
        treatment_type=TreatmentType.SURGICAL,
        score=D("1510.2041"),
        case_counts={"2023": 15, "2024": 15},
        mean_cost=D("14800.00"),
        cv=D("0.1200"),
        level_means={"3A": "14800.00"},
    ),
    dict(
        code="J18.900",
        name="肺炎：保守治疗",
        group_type=GroupType.CORE,
        diag_code="J18.900",
        score=D("489.7959"),
        mean_cost=D("4800.00"),
        is_grassroots=True,
        grassroots_share=D("0.8000"),
    ),
    dict(
        code="I21-S",
        name="急性心肌梗死：相关手术（综合病种）",
        group_type=GroupType.COMPREHENSIVE,
        diag_code="I21",
        treatment_type=TreatmentType.SURGICAL,
        score=D("1020.4082"),
        mean_cost=D("10000.00"),
        is_tcm=True,
    ),
]


def catalog_create(world, *, year: int = 2025) -> CatalogVersion:
    version = services.version_create(
        actor=world.officer, region=world.region, year=year, name="测试目录"
    )
    for fields in GROUPS:
        group = CatalogGroup.objects.create(version=version, **fields)
        if group.code == PCI:
            GroupSubtype.objects.create(
                group=group,
                dimension=SubtypeDimension.DEATH,
                key="death",
                cases=5,
                mean_cost=D("30000.00"),
                coefficient=D("2.0270"),
            )
    return version


def publish(world, version: CatalogVersion) -> CatalogVersion:
    services.version_submit(actor=world.officer, version=version)
    services.version_publish(actor=world.bureau_admin, version=version)
    version.refresh_from_db()
    assert version.status == CatalogStatus.PUBLISHED
    return version


@pytest.fixture
def draft(world) -> CatalogVersion:
    return catalog_create(world)


@pytest.fixture
def published(world) -> CatalogVersion:
    return publish(world, catalog_create(world, year=2024))


@pytest.fixture
def revision(world, published) -> CatalogVersion:
    """A draft copied from the published version, with the PCI score raised."""
    copy = services.version_copy(actor=world.officer, version=published)
    services.group_score_edit(
        actor=world.officer,
        group=copy.groups.get(code=PCI),
        score=D("1520.0000"),
        reason="专家论证",
    )
    return copy


@pytest.fixture
def table(world) -> CoefficientTable:
    return coefficient_services.coefficient_table_create(
        actor=world.officer, region=world.region, year=2025
    )


@pytest.fixture
def in_force(world, table) -> CoefficientTable:
    coefficient_services.coefficient_table_submit(actor=world.officer, table=table)
    return coefficient_services.coefficient_table_approve(actor=world.bureau_admin, table=table)
