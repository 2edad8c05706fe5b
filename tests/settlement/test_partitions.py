"""The case data partitioned by settlement year (PostgreSQL), the archive of a year, and the migration that
partitions existing rows (docs/partitioning.md)."""

from __future__ import annotations

import gzip
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from settlement.choices import PeriodStatus
from settlement.models import CaseRecord, SettlementPeriod
from settlement.partitions import ddl
from settlement.partitions.models import CaseYearArchive
from settlement.partitions.services import (
    ERR_OPEN_PERIODS,
    case_year_archive,
    case_year_restore,
    year_partitions_ensure,
)
from settlement.runs.models import RunCase
from settlement.services import region_periods_add
from tests.conftest import postgres_only
from tests.settlement.publication.conftest import run_create
from tests.world import TZ, case_create

pytestmark = pytest.mark.django_db


def _partition_of(model, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text FROM {model._meta.db_table} WHERE id = %s", [pk]
        )
        return cursor.fetchone()[0]


def _run_case(run, case) -> RunCase:
    return RunCase.objects.create(
        run=run,
        year=run.year,
        case=case,
        institution=case.institution,
        booked=case.institution,
        trace="dip",
        score=Decimal("100"),
        mean=Decimal("1000"),
        ratio=Decimal("1"),
        deviation="normal",
        factor=Decimal("1"),
        aux_coef=Decimal("1"),
        inst_coef=Decimal("1"),
        points=Decimal("100"),
        amount=Decimal("1250"),
    )


@pytest.mark.postgres
def test_a_case_lands_in_its_settlement_years_partition_once_the_year_has_one(world):
    postgres_only(connection)
    early = case_create(institution=world.hospital_a, period=world.period, setl_id="S-1")
    assert _partition_of(CaseRecord, early.pk) == ddl.CASES.default  # 2024 had no partition yet

    assert year_partitions_ensure([2024]) == [2024]

    later = case_create(institution=world.hospital_b, period=world.period, setl_id="S-2")
    assert (
        _partition_of(CaseRecord, early.pk) == "settlement_caserecord_y2024"
    )  # moved out of DEFAULT
    assert _partition_of(CaseRecord, later.pk) == "settlement_caserecord_y2024"
    assert year_partitions_ensure([2024]) == []


@pytest.mark.postgres
def test_the_year_of_a_case_is_the_local_year_of_its_settlement_time(world):
    postgres_only(connection)
    year_partitions_ensure([2024, 2025])
    # 1 January 2025 00:30 in Shanghai is still 2024 in UTC
    new_year = case_create(
        institution=world.hospital_a,
        period=world.period,
        setl_id="S-NY",
        setl_time=datetime(2025, 1, 1, 0, 30, tzinfo=TZ),
    )
    assert _partition_of(CaseRecord, new_year.pk) == "settlement_caserecord_y2025"


@pytest.mark.postgres
def test_a_run_case_lands_in_its_runs_year_partition(world):
    postgres_only(connection)
    year_partitions_ensure([2024])
    row = _run_case(
        run_create(world),
        case_create(institution=world.hospital_a, period=world.period, setl_id="S-1"),
    )
    assert _partition_of(RunCase, row.pk) == "settlement_runcase_y2024"


@pytest.mark.postgres
def test_opening_a_new_years_periods_creates_its_partitions(world):
    postgres_only(connection)
    region_periods_add(actor=world.officer, region=world.region, years=[2031])
    with connection.cursor() as cursor:
        assert 2031 in ddl.year_partitions(cursor, ddl.CASES)
        assert 2031 in ddl.year_partitions(cursor, ddl.RUN_CASES)


def _year_closed(world) -> None:
    SettlementPeriod.objects.filter(year=2024).update(status=PeriodStatus.CLOSED)


@pytest.fixture
def archived_world(world, tmp_path):
    """Year 2024 with two cases, a published run with its case rows, then archived to ``tmp_path``."""
    postgres_only(connection)
    year_partitions_ensure([2024])
    cases = [
        case_create(institution=world.hospital_a, period=world.period, setl_id=f"S-{n}")
        for n in range(2)
    ]
    run = run_create(world)
    rows = [_run_case(run, case) for case in cases]
    _year_closed(world)
    record = case_year_archive(actor=world.officer, year=2024, directory=tmp_path)
    return world, run, cases, rows, record


@pytest.mark.postgres
def test_archiving_a_year_removes_its_cases_and_keeps_them_in_files(archived_world, tmp_path):
    world, run, cases, rows, record = archived_world
    assert (record.case_rows, record.run_case_rows) == (2, 2)
    assert not CaseRecord.objects.filter(pk__in=[c.pk for c in cases]).exists()
    assert not RunCase.objects.filter(run=run).exists()
    with gzip.open(tmp_path / "settlement_caserecord_y2024.csv.gz", "rt") as archived:
        lines = archived.read().splitlines()
    assert len(lines) == 3 and "S-0" in "".join(lines)
    assert AuditEvent.objects.filter(action="case_year_archive", object_id=str(record.pk)).exists()
    assert run.institutions.count() == 2  # the statements stay


@pytest.mark.postgres
def test_an_archived_years_statement_still_renders_and_says_its_cases_are_archived(
    archived_world, client_for
):
    world, run, *_ = archived_world
    response = client_for(world.officer).get(
        reverse("settlement:statement_detail", args=[run.pk, world.hospital_a.code])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "病例明细已归档" in page and "100.00" in page


@pytest.mark.postgres
def test_restoring_an_archived_year_brings_back_every_row(archived_world, tmp_path):
    world, run, cases, rows, _ = archived_world
    case_year_restore(actor=world.officer, year=2024, directory=tmp_path)
    assert sorted(CaseRecord.objects.filter(period__year=2024).values_list("pk", "setl_id")) == [
        (c.pk, c.setl_id) for c in cases
    ]
    assert sorted(RunCase.objects.filter(run=run).values_list("pk", flat=True)) == [
        r.pk for r in rows
    ]
    assert _partition_of(CaseRecord, cases[0].pk) == "settlement_caserecord_y2024"
    assert not CaseYearArchive.objects.exists()
    assert AuditEvent.objects.filter(action="case_year_restore").exists()


@pytest.mark.postgres
def test_a_year_with_open_periods_is_not_archived(world, tmp_path):
    postgres_only(connection)
    case_create(institution=world.hospital_a, period=world.period, setl_id="S-1")
    with pytest.raises(ValidationError, match=ERR_OPEN_PERIODS.format(year=2024)):
        case_year_archive(actor=world.officer, year=2024, directory=tmp_path)
    assert CaseRecord.objects.count() == 1


@pytest.mark.postgres
def test_case_partitions_moves_the_rows_waiting_in_default_into_their_years_partition(world):
    postgres_only(connection)
    case = case_create(institution=world.hospital_a, period=world.period, setl_id="S-1")
    out = io.StringIO()
    call_command("case_partitions", stdout=out)
    assert "2024" in out.getvalue()
    assert _partition_of(CaseRecord, case.pk) == "settlement_caserecord_y2024"


@pytest.mark.postgres
def test_the_archive_and_restore_commands_round_trip_a_year(world, tmp_path):
    postgres_only(connection)
    case = case_create(institution=world.hospital_a, period=world.period, setl_id="S-1")
    _year_closed(world)
    out = io.StringIO()
    call_command(
        "case_year_archive", "2024", "--to", str(tmp_path), "--user", "officer", stdout=out
    )
    assert "结算清单 1 行" in out.getvalue()
    assert not CaseRecord.objects.exists()
    with pytest.raises(CommandError, match="2024 年已归档"):
        call_command("case_year_archive", "2024", "--to", str(tmp_path), stdout=out)
    call_command("case_year_restore", "2024", "--from", str(tmp_path), stdout=out)
    assert list(CaseRecord.objects.values_list("pk", flat=True)) == [case.pk]
