"""A settlement run whose job fails outside it — its process died and the lease lapsed, or the broker refused
it — fails with the job's reason and no longer blocks its period. Real kills: test_kills.py, test_worker.py."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from audit.models import AuditEvent
from jobs.celery_tasks import job_run_task
from jobs.choices import JobStatus
from jobs.models import Job
from jobs.services import ERR_ENQUEUE_FAILED, job_run, job_sweep
from settlement.runs.choices import RunStatus
from settlement.runs.models import SettlementRun
from settlement.runs.services import run_start
from tests.conftest import postgres_only
from tests.settlement.runs.conftest import YEAR

pytestmark = pytest.mark.django_db
DEAD = "web-1:777"


def _queue(demo, **options) -> SettlementRun:
    return run_start(
        actor=demo.officer,
        region=demo.region,
        year=YEAR,
        scheme="310",
        category="DIP",
        run_type="monthly",
        number=2,
        **options,
    )


def _taken_by_a_dead_process(run: SettlementRun, *, lapsed_seconds_ago: float = 1) -> None:
    """The state a process leaves when it dies mid-run: run and job running, the job's lease no longer renewed."""
    SettlementRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    Job.objects.filter(pk=run.job_id).update(
        status=JobStatus.RUNNING,
        attempts=1,
        progress=85,
        lease_owner=DEAD,
        lease_expires_at=timezone.now() - timedelta(seconds=lapsed_seconds_ago),
    )


def test_a_run_whose_job_lease_lapsed_fails_with_the_jobs_reason_and_the_period_runs_again(
    demo_region,
):
    dead = _queue(demo_region, dispatch=False)
    _taken_by_a_dead_process(dead)

    again = _queue(demo_region, dispatch=False)  # the start attempt sweeps first
    dead.refresh_from_db()
    job = Job.objects.get(pk=dead.job_id)
    assert (dead.status, job.status) == (RunStatus.FAILED, JobStatus.FAILED)
    assert (
        dead.error == job.error
        and dead.error.startswith(f"执行该任务的进程（{DEAD}）已中断")
        and dead.finished_at is not None
    )
    failed = AuditEvent.objects.get(action="run_fail", object_id=str(dead.pk))
    assert failed.after == {"error": job.error}

    job_run(job_id=again.job_id)
    again.refresh_from_db()
    assert again.status == RunStatus.COMPLETED and again.supersedes is None
    assert (
        job_run(job_id=dead.job_id) is None
        and SettlementRun.objects.get(pk=dead.pk).status == RunStatus.FAILED
    )


def test_a_run_whose_job_lease_is_live_still_blocks_its_period(demo_region):
    live = _queue(demo_region, dispatch=False)
    _taken_by_a_dead_process(live, lapsed_seconds_ago=-30)  # not lapsed: its process renews it
    with pytest.raises(ValidationError, match="请等待其完成后再运行"):
        _queue(demo_region, dispatch=False)
    assert SettlementRun.objects.get(pk=live.pk).status == RunStatus.RUNNING


def test_a_run_whose_job_the_broker_refused_fails_with_it(
    demo_region, settings, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    settings.JOBS_BACKEND = "celery"
    monkeypatch.setattr(
        job_run_task, "delay", broker_down
    )  # the broker, not our database, is what fails
    with django_capture_on_commit_callbacks(execute=True):
        refused = _queue(demo_region)
    refused.refresh_from_db()
    assert (refused.status, refused.error) == (RunStatus.FAILED, ERR_ENQUEUE_FAILED)
    assert _queue(demo_region, dispatch=False).status == RunStatus.QUEUED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lapsed_job_whose_run_a_live_transaction_still_computes_is_left_for_a_later_sweep(
    demo_region,
):
    postgres_only(connection)
    run = _queue(demo_region, dispatch=False)
    _taken_by_a_dead_process(run)
    conf = connection.settings_dict
    with psycopg.connect(
        dbname=conf["NAME"],
        user=conf["USER"],
        host=conf["HOST"] or "127.0.0.1",
        port=conf["PORT"] or 5432,
        password=conf["PASSWORD"] or None,
    ) as worker:
        worker.execute(
            f"SELECT 1 FROM {SettlementRun._meta.db_table} WHERE id = %s FOR UPDATE", [run.pk]
        )  # as run_execute does
        assert job_sweep() == []
        assert (
            Job.objects.get(pk=run.job_id).status,
            SettlementRun.objects.get(pk=run.pk).status,
        ) == (JobStatus.RUNNING, RunStatus.RUNNING)
        worker.rollback()
    assert job_sweep() == [run.job_id]
    assert SettlementRun.objects.get(pk=run.pk).status == RunStatus.FAILED
