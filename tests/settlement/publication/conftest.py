"""A completed monthly run with statements for hospitals A and B of the shared world (not yet published)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from settlement.parameters.models import ParameterSet, ParameterStatus
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.models import RunCase, RunInstitution, SettlementRun
from tests.world import case_create

FRIDAY = date(
    2024, 3, 1
)  # published on a Friday: with 2 working days the window ends on Tuesday 5 March


def run_create(
    world, *, number: int = 3, supersedes: SettlementRun | None = None, confirm_days: str = "2"
) -> SettlementRun:
    parameters = ParameterSet.objects.create(
        region=world.region,
        year=2024,
        scheme="310",
        category="DIP",
        kind="DIP",
        values={"confirm_days": confirm_days},
        effective_from=date(2024, 1, 1),
        status=ParameterStatus.SUPERSEDED,
        version=ParameterSet.objects.count() + 1,
    )
    run = SettlementRun.objects.create(
        region=world.region,
        year=2024,
        scheme="310",
        category="DIP",
        kind="DIP",
        run_type=RunType.MONTHLY,
        number=number,
        status=RunStatus.COMPLETED,
        total=Decimal("300.00"),
        point_value=Decimal("12.5"),
        parameter_set=parameters,
        supersedes=supersedes,
    )
    for institution, amount in ((world.hospital_a, "100.00"), (world.hospital_b, "200.00")):
        RunInstitution.objects.create(
            run=run,
            institution=institution,
            cases=1,
            settlement=Decimal(amount),
            payment=Decimal(amount),
        )
    return run


@pytest.fixture
def run(world) -> SettlementRun:
    return run_create(world)


@pytest.fixture
def case_row(world, run) -> RunCase:
    case = case_create(institution=world.hospital_a, period=world.period, setl_id="S-A-1")
    return RunCase.objects.create(
        run=run,
        year=run.year,
        case=case,
        institution=world.hospital_a,
        booked=world.hospital_a,
        group_code="A01",
        trace="dip",
        score=Decimal("100"),
        mean=Decimal("1000"),
        ratio=Decimal("1"),
        deviation="normal",
        factor=Decimal("1"),
        aux_coef=Decimal("1"),
        inst_coef=Decimal("1"),
        points=Decimal("100"),
        amount=Decimal("1250.00"),
        special="",
        needs_review=False,
    )


def statement_of(run: SettlementRun, institution) -> RunInstitution:
    return run.institutions.get(institution=institution)
