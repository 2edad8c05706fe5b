"""Reads from a replica (issue 21 item 4): with ``DATABASE_REPLICA_URL`` set, a marked list page reads from
the hot standby, while writes and reads inside a transaction stay on the primary.

The routing test runs against the real standby that .ci/run starts (port 5433, streaming from 5432); the
replica alias mirrors the test database (same name on the standby, filled by replication). Elsewhere it
is skipped with the reason; in CI it must run.
"""

from __future__ import annotations

import os
import time

import pytest
from django.db import OperationalError, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.routers import PRIMARY, REPLICA, ReplicaRouter, replica_reads
from settlement.choices import PeriodStatus
from settlement.models import CaseRecord, SettlementPeriod

REPLAY_SECONDS = 60


def test_without_a_replica_every_read_and_write_stays_on_the_primary(settings):
    databases = {alias: conf for alias, conf in settings.DATABASES.items() if alias != REPLICA}
    settings.DATABASES, settings.DATABASE_REPLICA_READS = databases, True
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(CaseRecord) == PRIMARY
        assert router.db_for_write(CaseRecord) == PRIMARY
    assert router.allow_migrate(REPLICA, "settlement") is False


def standby_or_skip() -> None:
    """The replica is configured and answers as a standby; skipped otherwise (failed in CI)."""
    reason = ""
    if REPLICA not in connections.settings:
        reason = "DATABASE_REPLICA_URL is not set (.ci/run starts a hot standby on 127.0.0.1:5433)"
    else:
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                if not cursor.fetchone()[0]:
                    reason = "DATABASE_REPLICA_URL is not a standby (pg_is_in_recovery() is false)"
        except OperationalError as error:
            reason = f"the replica at DATABASE_REPLICA_URL does not answer: {error}"
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI: {reason}")
    if reason:
        pytest.skip(reason)


def replayed() -> None:
    """Wait until the standby has replayed everything the primary has committed so far."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + REPLAY_SECONDS
    while time.monotonic() < deadline:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.2)
    pytest.fail(f"the standby did not replay {target} within {REPLAY_SECONDS} s")


def _server(alias: str) -> tuple[bool, int]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        return cursor.fetchone()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_a_list_page_reads_from_the_standby_and_writes_and_transactions_stay_on_the_primary(
    settings, client, world
):
    standby_or_skip()
    settings.DATABASE_REPLICA_READS = True
    replayed()  # the world's rows are on the standby now
    client.force_login(world.officer)

    with (
        CaptureQueriesContext(connections[REPLICA]) as replica,
        CaptureQueriesContext(connections[PRIMARY]) as primary,
    ):
        page = client.get(reverse("settlement:case_list"))
    assert page.status_code == 200
    table = CaseRecord._meta.db_table
    assert any(table in query["sql"] for query in replica.captured_queries)
    assert not any(table in query["sql"] for query in primary.captured_queries)
    assert _server(REPLICA) == (True, 5433)  # the page's reads went to the hot standby
    assert _server(PRIMARY)[0] is False

    with replica_reads():
        assert SettlementPeriod.objects.all().db == REPLICA
        period = SettlementPeriod.objects.get(pk=world.period.pk)  # read from the standby
        period.status = PeriodStatus.CLOSED
        period.save(update_fields=["status"])  # ... written to the primary
        with transaction.atomic():  # as a run's transaction: reads stay on the primary
            assert SettlementPeriod.objects.all().db == PRIMARY
            locked = SettlementPeriod.objects.select_for_update().get(pk=period.pk)
            assert locked.status == PeriodStatus.CLOSED
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(
            f"SELECT status FROM {SettlementPeriod._meta.db_table} WHERE id = %s", [period.pk]
        )
        assert cursor.fetchone()[0] == PeriodStatus.CLOSED
