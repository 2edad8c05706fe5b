"""audit/migrations/0005_finding_charge: existing findings get their charge from their evidence cases."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from settlement.parameters.models import ParameterSet
from supervision.models import Finding
from tests.world import case_create, world_create

BEFORE, AFTER = [("audit", "0004_assessment")], [("audit", "0005_finding_charge")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_existing_findings_are_charged_from_their_evidence_and_one_without_evidence_is_left_to_the_officer():
    world = world_create()
    for scheme in ("310", "390"):
        ParameterSet.objects.create(
            region=world.region,
            year=2024,
            scheme=scheme,
            category="DIP",
            kind="DIP",
            effective_from="2024-01-01",
        )
    case_create(
        institution=world.hospital_a,
        period=world.period,
        setl_id="E1",
        insutype="390",
        medfee_sumamt=D("40000.00"),
    )
    case_create(
        institution=world.hospital_a,
        period=world.period,
        setl_id="E2",
        insutype="310",
        medfee_sumamt=D("30000.00"),
    )
    case_create(
        institution=world.hospital_b, period=world.period, setl_id="E3", med_type="11"
    )  # outpatient: no category
    old = migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("audit", "Finding")
    facts = dict(
        year=2024,
        month=3,
        rule="split_admission",
        severity="high",
        score=D("2"),
        description="分解住院",
        status="confirmed",
        amount=D("3000.00"),
    )
    charged = old.objects.create(institution_id=world.hospital_a.pk, evidence=["E1", "E2"], **facts)
    undecided = old.objects.create(institution_id=world.hospital_b.pk, evidence=["E3"], **facts)
    migrate(AFTER)
    assert Finding.objects.values_list("scheme", "category").get(pk=charged.pk) == ("390", "DIP")
    assert Finding.objects.values_list("scheme", "category").get(pk=undecided.pk) == ("", "")
