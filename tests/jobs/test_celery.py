"""Jobs on a real Celery worker over real Redis, against the test PostgreSQL database.

The worker is a separate process (``celery -A config worker``) configured through the environment
only, as in production; it imports the test job kinds with ``-I tests.jobs.kinds``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
import redis
from django.db import connection

from config.celery import app as celery_app
from jobs.celery_tasks import job_run_task
from jobs.choices import JobStatus
from jobs.models import Job
from jobs.services import job_start
from tests.conftest import postgres_only, require_service
from tests.jobs.kinds import ERR_TEST_FAILURE

ROOT = Path(__file__).resolve().parents[2]
# The Redis database of these tests; set TEST_CELERY_BROKER_URL to keep two test runs on one Redis apart.
BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
WAIT_SECONDS = 60


def test_the_app_is_configured_for_long_idempotent_work():
    conf = celery_app.conf
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit
    # A message not acknowledged within the visibility timeout is redelivered: it must outlast the
    # longest a task may run, or a long job would run twice.
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert (job_run_task.name, job_run_task.acks_late, job_run_task.reject_on_worker_lost) == (
        "jobs.job_run",
        True,
        True,
    )


@pytest.mark.parametrize(
    ("settings_module", "expected"),
    [(None, "config.settings.dev thread"), ("config.settings.test", "config.settings.test inline")],
)
def test_the_celery_app_uses_the_settings_module_from_the_environment_else_dev(
    settings_module, expected
):
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DJANGO_SETTINGS_MODULE", "JOBS_BACKEND", "CELERY_BROKER_URL"}
    }
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    code = "from config.celery import app; from django.conf import settings; app.loader.import_default_modules(); print(settings.SETTINGS_MODULE, settings.JOBS_BACKEND)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2):
            return True
    except OSError:
        return False


def database_url() -> str:
    """The URL of the test database this process uses (NAME is already the test database's)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path
    env: dict

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def celery_worker(transactional_db, settings, tmp_path):
    postgres_only(connection)
    require_service("Redis at 127.0.0.1:6379", redis_reachable())
    settings.JOBS_BACKEND = "celery"
    settings.CELERY_BROKER_URL = BROKER_URL
    # The app has read its settings already: point it at the test broker, on a queue of this run's own
    # so that two runs at once (or messages left by an interrupted one) never meet.
    queue = f"jobs-test-{os.getpid()}"
    previous = {
        "broker_url": celery_app.conf.broker_url,
        "task_default_queue": celery_app.conf.task_default_queue,
    }
    celery_app.conf.update(broker_url=BROKER_URL, task_default_queue=queue)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "JOBS_BACKEND": "celery",
        "PYTHONUNBUFFERED": "1",  # the log is shown when the test fails
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                queue,
                "-I",
                "tests.jobs.kinds",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"{queue}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Worker(process, log, env)
    finally:
        # The worker must be gone before the database is flushed and dropped: it holds connections.
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        celery_app.pool.force_close_all()
        # Forget the closed pools (kombu keeps them by connection): the next test that starts a worker
        # then publishes through new ones instead of failing with 'Acquire on closed pool'.
        kombu.pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app.conf.update(previous)
        redis.Redis.from_url(BROKER_URL).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
        )


def wait_until_finished(worker: Worker, job: Job) -> Job:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            return job
        if worker.process.poll() is not None:
            pytest.fail(
                f"the Celery worker exited with {worker.process.returncode}:\n{worker.output()}"
            )
        time.sleep(0.2)
    pytest.fail(
        f"job #{job.pk} still {job.status} after {WAIT_SECONDS} s; worker log:\n{worker.output()}"
    )


@pytest.mark.celery
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_jobs_from_redis_to_the_end_and_survives_a_failure(celery_worker):
    failing = job_start(actor=None, kind="test_fail", key="celery-fail")
    steps = job_start(actor=None, kind="test_steps", key="celery-steps", params={"steps": 5})

    failing = wait_until_finished(celery_worker, failing)
    assert failing.status == JobStatus.FAILED and failing.error_headline == ERR_TEST_FAILURE
    assert (failing.progress, failing.attempts) == (30, 1)

    steps = wait_until_finished(celery_worker, steps)  # queued behind the failure on the one worker
    assert steps.status == JobStatus.SUCCEEDED, steps.error
    assert (steps.progress, steps.progress_message, steps.attempts) == (100, "第 5/5 步", 1)
    assert steps.summary == {"steps": 5, "total": 15, "说明": "完成"}
