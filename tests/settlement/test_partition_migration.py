"""The migration that partitions the case data keeps every row, forward and back (on SQLite it only fills
the run cases' year). Rehearsed on millions of rows: docs/partitioning.md."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from settlement.models import SettlementPeriod
from settlement.partitions import ddl
from tests.settlement.publication.conftest import run_create
from tests.world import TZ

BEFORE = [("settlement", "0016_case_search_covering_index")]
CASE_COLUMNS = "id, institution_id, period_id, setl_id, setl_time, medfee_sumamt"


def _migrated(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return sorted(cursor.fetchall())


def _snapshot() -> tuple[list, list]:
    return (
        _rows(f"SELECT {CASE_COLUMNS} FROM settlement_caserecord"),
        _rows("SELECT id, run_id, case_id, points FROM settlement_runcase"),
    )


def _relkind(table: str) -> str:
    return _rows(f"SELECT relkind FROM pg_class WHERE oid = '{table}'::regclass")[0][0]


def _seed(apps, world) -> None:
    """Cases of 2023 and 2024 and a 2024 run's case rows, written through the models as they were."""
    case_model = apps.get_model("settlement", "CaseRecord")
    run_case_model = apps.get_model("settlement", "RunCase")
    run = run_create(world)
    for year in (2023, 2024):
        period = SettlementPeriod.objects.get_or_create(region=world.region, year=year, month=3)[0]
        for n in range(3):
            case = case_model.objects.create(
                institution_id=world.hospital_a.pk,
                period_id=period.pk,
                setl_id=f"S{year}-{n}",
                mdtrt_id=f"M{year}-{n}",
                psn_no=f"P{n}",
                insutype="310",
                med_type="21",
                gend="1",
                age=60,
                maindiag_code="I21.000",
                medfee_sumamt=Decimal("30000.00") + n,
                fund_pay_sumamt=Decimal("21000.00"),
                hifp_pay=Decimal("21000.00"),
                psn_part_amt=Decimal("9000.00"),
                setl_time=datetime(year, 3, 8, 12, 0, tzinfo=TZ),
            )
            if year == run.year:
                run_case_model.objects.create(
                    run_id=run.pk,
                    case_id=case.pk,
                    institution_id=world.hospital_a.pk,
                    booked_id=world.hospital_a.pk,
                    trace="dip",
                    score=1,
                    mean=1,
                    ratio=1,
                    deviation="normal",
                    factor=1,
                    aux_coef=1,
                    inst_coef=1,
                    points=Decimal("100.5") + n,
                    amount=1,
                )


@pytest.mark.django_db(transaction=True)
def test_the_partition_migration_keeps_every_row_forward_and_back(world):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        executor = _migrated(BEFORE)
        _seed(executor.loader.project_state(BEFORE).apps, world)
        before = _snapshot()
        assert len(before[0]) == 6 and len(before[1]) == 3

        _migrated(latest)
        assert _snapshot() == before
        assert _rows("SELECT DISTINCT year FROM settlement_runcase") == [(2024,)]
        if connection.vendor == "postgresql":
            assert _relkind(ddl.CASES.table) == "p"
            assert _rows(
                "SELECT tableoid::regclass::text, count(*) FROM settlement_caserecord GROUP BY 1"
            ) == [("settlement_caserecord_y2023", 3), ("settlement_caserecord_y2024", 3)]
            assert _rows("SELECT DISTINCT tableoid::regclass::text FROM settlement_runcase") == [
                ("settlement_runcase_y2024",)
            ]

        _migrated(BEFORE)
        assert _snapshot() == before
        if connection.vendor == "postgresql":
            assert _relkind(ddl.CASES.table) == _relkind(ddl.RUN_CASES.table) == "r"
    finally:
        _migrated(latest)
