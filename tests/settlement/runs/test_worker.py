"""A settlement run on PostgreSQL through a real Celery worker on Redis; the worker killed mid-run leaves
no partial result, the retry completes the run exactly once, and a further delivery changes nothing."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from django.contrib.auth import get_user_model

from catalogs.models import Region
from demo.services import demo_generate
from jobs.choices import JobStatus
from jobs.models import Job
from jobs.services import job_start
from jobs.tasks import job_run_task
from settlement.runs.choices import RunStatus
from settlement.runs.models import RunCase, RunInstitution, SettlementRun
from settlement.runs.services import run_start
from tests.jobs.test_celery import ROOT, Worker, wait_until_finished
from tests.jobs.test_celery import celery_worker as celery_worker  # noqa: F401  (the fixture)
from tests.settlement.runs import worker_kinds  # noqa: F401  (registers the job kind here too)

YEAR = 2024
KIND = "test_settlement_run_paused"


def worker_start(worker: Worker, tmp_path) -> Worker:
    """A second worker on the same queue, started like the fixture's (its command line, its environment)."""
    args = worker.process.args
    log = tmp_path / "worker2.log"
    with log.open("wb") as out:
        process = subprocess.Popen(args, cwd=ROOT, env=worker.env, stdout=out, stderr=subprocess.STDOUT)
    return Worker(process, log, worker.env)


def wait_for(path, worker: Worker, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not path.exists():
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited:\n{worker.output()}")
        time.sleep(0.1)
    assert path.exists(), worker.output()


@pytest.mark.celery
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_no_partial_run_and_the_retry_completes_it_once(celery_worker, tmp_path):
    demo_generate(actor="测试", years=2, cases_per_year=3000, end_year=YEAR, months_settled=False)
    officer = get_user_model().objects.get(username="officer")
    run = run_start(actor=officer, region=Region.objects.get(), year=YEAR, scheme="310", category="DIP", run_type="monthly", number=2,
                    dispatch=False)  # fmt: skip
    marker = tmp_path / "paused"
    job = job_start(actor=officer, kind=KIND, key=f"kill-test-{run.pk}", params={"run_id": run.pk, "marker": str(marker)})

    wait_for(marker, celery_worker)  # the case rows are written, not committed
    celery_worker.process.send_signal(signal.SIGKILL)
    celery_worker.process.wait(timeout=20)
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING  # taken, never finished
    assert not RunCase.objects.filter(run=run).exists() and not RunInstitution.objects.filter(run=run).exists()

    second = worker_start(celery_worker, tmp_path)
    try:
        job_run_task.delay(job.pk)  # the retry: the job found 'running' is claimed again
        job = wait_until_finished(second, job)
        assert job.status == JobStatus.SUCCEEDED, job.error
        run.refresh_from_db()
        assert run.status == RunStatus.COMPLETED and job.attempts == 2
        assert RunCase.objects.filter(run=run).count() == run.case_count > 0
        written = (RunCase.objects.count(), RunInstitution.objects.count(), run.result_hash)

        job_run_task.delay(job.pk)  # delivered once more: a finished job is left alone
        time.sleep(3)
        job.refresh_from_db()
        run.refresh_from_db()
        assert job.attempts == 2 and (RunCase.objects.count(), RunInstitution.objects.count(), run.result_hash) == written
        assert SettlementRun.objects.filter(status=RunStatus.COMPLETED).count() == 1
    finally:
        second.process.terminate()
        second.process.wait(timeout=20)
