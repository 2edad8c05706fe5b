"""A settlement run on PostgreSQL through a real Celery worker on Redis, the worker killed mid-write: the
run's lease lapses, the next worker fails it at start-up (nothing partial is visible), the period runs
again on that worker, and the killed run's message delivered once more changes nothing."""

from __future__ import annotations

import subprocess
import time

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalogs.models import Region
from demo.services import demo_generate
from jobs.celery_tasks import job_run_task
from jobs.choices import JobStatus
from jobs.models import Job
from settlement.runs.choices import RunStatus
from settlement.runs.models import RunCase, RunInstitution, SettlementRun
from settlement.runs.services import run_start
from tests.jobs.test_celery import ROOT, WAIT_SECONDS, Worker, wait_until_finished
from tests.jobs.test_celery import celery_worker as celery_worker  # noqa: F401  (the fixture)
from tests.settlement.runs.killing import (
    LEASE,
    assert_failed_and_nothing_partial,
    assert_refused_while_alive,
    institution_rows_held,
    kill,
    wait_until_writing,
)

YEAR = 2024


def worker_start(worker: Worker, tmp_path) -> Worker:
    """A second worker on the same queue, started like the fixture's (its command line, its environment)."""
    args = worker.process.args
    log = tmp_path / "worker2.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=worker.env, stdout=out, stderr=subprocess.STDOUT
        )
    return Worker(process, log, worker.env)


@pytest.fixture
def short_lease(settings, monkeypatch) -> None:
    """The lease of this process and of the workers it starts (they read it from the environment)."""
    settings.JOBS_LEASE_SECONDS = LEASE
    monkeypatch.setenv("JOBS_LEASE_SECONDS", str(LEASE))


def _wait_until(condition, worker: Worker) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline or worker.process.poll() is not None:
            pytest.fail(f"not so after {WAIT_SECONDS} s, or the worker exited:\n{worker.output()}")
        time.sleep(0.2)


@pytest.mark.celery
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_no_partial_run_its_lease_fails_it_and_the_period_runs_again(
    short_lease, celery_worker, tmp_path
):
    demo_generate(actor="测试", years=2, cases_per_year=3000, end_year=YEAR, months_settled=False)
    officer = get_user_model().objects.get(username="officer")

    def start() -> SettlementRun:
        return run_start(
            actor=officer,
            region=Region.objects.get(),
            year=YEAR,
            scheme="310",
            category="DIP",
            run_type="monthly",
            number=2,
        )

    with institution_rows_held():
        killed = start()  # to the worker, at commit
        wait_until_writing(
            lambda: SettlementRun.objects.get(pk=killed.pk),
            celery_worker.process,
            celery_worker.log,
        )
        assert_refused_while_alive(start)
        kill(celery_worker.process)
    job = Job.objects.get(pk=killed.job_id)
    time.sleep(
        max(0.0, (job.lease_expires_at - timezone.now()).total_seconds()) + 0.5
    )  # the lease lapses

    second = worker_start(celery_worker, tmp_path)
    try:
        # Nothing else sweeps here (no beat, no start attempt): the second worker does, at start-up.
        _wait_until(
            lambda: SettlementRun.objects.get(pk=killed.pk).status == RunStatus.FAILED, second
        )
        assert_failed_and_nothing_partial(killed)

        again = start()
        again_job = wait_until_finished(second, Job.objects.get(pk=again.job_id))
        assert again_job.status == JobStatus.SUCCEEDED, again_job.error
        again.refresh_from_db()
        assert (
            again.status == RunStatus.COMPLETED
            and RunCase.objects.filter(run=again).count() == again.case_count > 0
        )
        written = (RunCase.objects.count(), RunInstitution.objects.count(), again.result_hash)

        job_run_task.delay(
            job.pk
        )  # the killed run's message delivered again: a failed job is left alone
        time.sleep(3)
        killed.refresh_from_db()
        assert (
            Job.objects.get(pk=job.pk).status,
            Job.objects.get(pk=job.pk).attempts,
            killed.status,
        ) == (JobStatus.FAILED, 1, RunStatus.FAILED)
        assert (
            RunCase.objects.count(),
            RunInstitution.objects.count(),
            SettlementRun.objects.get(pk=again.pk).result_hash,
        ) == written
        assert SettlementRun.objects.filter(status=RunStatus.COMPLETED).count() == 1
    finally:
        second.process.terminate()
        second.process.wait(timeout=20)
