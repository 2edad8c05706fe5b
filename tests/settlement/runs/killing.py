"""Killing a settlement run's process for real, mid-write, on the test PostgreSQL database.

The run is held at its institution rows — its case rows COPYed, nothing committed — by a SHARE lock that
the test takes on the institution-result table from a session of its own, so the run's process waits
there, alive, until it is killed. Nothing in the killed process knows it is a test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jobs.choices import JobStatus
from jobs.models import Job
from settlement.runs.choices import RunStatus
from settlement.runs.models import RunCase, RunInstitution, SettlementRun
from tests.jobs.test_celery import database_url

LEASE = 3  # JOBS_LEASE_SECONDS of the killed processes and of the test
WRITING = 85  # the run's progress once its case rows are written: "正在写入机构结果"
WAIT_SECONDS = 120


def process_env(**extra: str) -> dict:
    """The environment of a portal process on the test database, with the short lease."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"CELERY_BROKER_URL", "JOBS_BACKEND"}
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "JOBS_LEASE_SECONDS": str(LEASE),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def _session() -> psycopg.Connection:
    conf = connection.settings_dict
    return psycopg.connect(
        dbname=conf["NAME"],
        user=conf["USER"],
        host=conf["HOST"] or "127.0.0.1",
        port=conf["PORT"] or 5432,
        password=conf["PASSWORD"] or None,
    )


@contextmanager
def institution_rows_held() -> Iterator[None]:
    """A run that reaches its institution rows waits, in its open transaction, until this block ends."""
    with _session() as other:
        other.execute(f"LOCK TABLE {RunInstitution._meta.db_table} IN SHARE MODE")
        try:
            yield
        finally:
            other.rollback()


def _writer_waiting() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND NOT granted",
            [RunInstitution._meta.db_table],
        )
        return cursor.fetchone()[0] > 0


def process_output(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:] if log.exists() else ""


def wait_until_writing(
    run_of: Callable[[], SettlementRun | None], process: subprocess.Popen, log: Path
) -> SettlementRun:
    """Until the process's run is at its institution rows, waiting on the held table; returns the run."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the process exited with {process.returncode}:\n{process_output(log)}")
        run = run_of()
        if (
            run is not None
            and run.job_id
            and Job.objects.get(pk=run.job_id).progress >= WRITING
            and _writer_waiting()
        ):
            return run
        time.sleep(0.2)
    pytest.fail(f"the run never reached its institution rows:\n{process_output(log)}")


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=20)


def assert_refused_while_alive(start: Callable[[], SettlementRun]) -> None:
    """Twice the lease has passed while the process waits: its heartbeat keeps the run, a rerun is refused."""
    time.sleep(2 * LEASE)
    with pytest.raises(ValidationError, match="请等待其完成后再运行"):
        start()


def start_once_lapsed(start: Callable[[], SettlementRun]) -> tuple[SettlementRun, float]:
    """Start the period again until it is refused no more; the new run and the seconds that took."""
    began = time.monotonic()
    while True:
        try:
            return start(), time.monotonic() - began
        except ValidationError:
            if time.monotonic() - began > 4 * LEASE:
                raise
            time.sleep(0.2)


def assert_failed_and_nothing_partial(run: SettlementRun) -> None:
    """The killed run shows failed with its job's Chinese reason; none of its rows is visible."""
    run.refresh_from_db()
    job = Job.objects.get(pk=run.job_id)
    assert (run.status, job.status) == (RunStatus.FAILED, JobStatus.FAILED)
    assert (
        run.error == job.error
        and run.error.startswith("执行该任务的进程")
        and "已中断" in run.error
    )
    assert (
        not RunCase.objects.filter(run=run).exists()
        and not RunInstitution.objects.filter(run=run).exists()
    )
