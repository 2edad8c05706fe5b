"""Processes killed for real while a settlement run writes: ``manage.py settlement_run``, and the web
process running the run in its own thread (the default set-up, without a broker). Each time the run's
lease lapses, the run shows failed with its job's reason, none of its rows is visible, and the period
runs again — within the lease time. (A killed Celery worker: test_worker.py.)"""

from __future__ import annotations

import http.cookiejar
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from catalogs.models import Region
from demo.services import demo_generate
from jobs.choices import JobStatus
from jobs.models import Job
from jobs.services import job_run
from settlement.runs.choices import RunStatus
from settlement.runs.models import RunCase, SettlementRun
from settlement.runs.services import run_start
from tests.conftest import postgres_only
from tests.jobs.test_celery import ROOT
from tests.settlement.runs.killing import (
    LEASE,
    WAIT_SECONDS,
    assert_failed_and_nothing_partial,
    assert_refused_while_alive,
    institution_rows_held,
    kill,
    process_env,
    process_output,
    start_once_lapsed,
    wait_until_writing,
)

YEAR, MONTH = 2024, 2
PERIOD = {"year": YEAR, "scheme": "310", "category": "DIP", "run_type": "monthly", "number": MONTH}
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def region(settings) -> Region:
    postgres_only(connection)
    settings.JOBS_LEASE_SECONDS = LEASE
    demo_generate(actor="测试", years=2, cases_per_year=3000, end_year=YEAR, months_settled=False)
    return Region.objects.get()


def _runs(region: Region):
    return SettlementRun.objects.filter(region=region, **PERIOD).order_by("pk")


def _start_here(region: Region) -> SettlementRun:
    officer = get_user_model().objects.get(username="officer")
    return run_start(actor=officer, region=region, dispatch=False, **PERIOD)


def _spawn(args: list[str], log: Path, **env: str) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            args, cwd=ROOT, env=process_env(**env), stdout=out, stderr=subprocess.STDOUT
        )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=20)


def test_a_settlement_run_command_killed_mid_write_fails_with_its_lease_and_the_period_runs_again(
    region, tmp_path
):
    log = tmp_path / "command.log"
    command = [
        sys.executable,
        "manage.py",
        "settlement_run",
        region.code,
        str(YEAR),
        "monthly",
        "--number",
        str(MONTH),
    ]
    with institution_rows_held():
        process = _spawn(command, log, JOBS_BACKEND="inline")
        try:
            killed = wait_until_writing(lambda: _runs(region).first(), process, log)
            assert_refused_while_alive(lambda: _start_here(region))
            kill(process)
        finally:
            _stop(process)
    again, waited = start_once_lapsed(lambda: _start_here(region))
    assert waited < LEASE + 1.5, process_output(log)

    job_run(job_id=again.job_id)
    again.refresh_from_db()
    assert (
        again.status == RunStatus.COMPLETED
        and RunCase.objects.filter(run=again).count() == again.case_count > 0
    )
    assert_failed_and_nothing_partial(killed)


class Browser:
    """An officer's session with the web process, through its pages (login, then the run-start form)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def post(self, path: str, data: dict) -> str:
        """Fetch the form, post it with its CSRF token; the URL the answer ends at."""
        page = self.opener.open(self.base + path, timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        return self.opener.open(request, timeout=30).geturl()

    def log_in(self) -> None:
        self.post("/login/", {"username": "officer", "password": "demo-officer-2024"})

    def start_run(self, region: Region) -> str:
        return self.post("/settlement/runs/start/", {"region": region.pk, **PERIOD})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _web_start(log: Path) -> tuple[subprocess.Popen, Browser]:
    """``runserver`` (config.wsgi, as any WSGI server loads it), jobs in its own thread pool."""
    port = _free_port()
    process = _spawn(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        log,
        JOBS_BACKEND="thread",
    )
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the web process exited:\n{process_output(log)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    browser = Browser(f"http://127.0.0.1:{port}")
    browser.log_in()
    return process, browser


def _wait_for(condition, seconds: float, log: Path) -> float:
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > seconds:
            pytest.fail(f"still not so after {seconds} s:\n{process_output(log)}")
        time.sleep(0.2)
    return time.monotonic() - began


def test_a_web_process_killed_while_its_in_process_run_writes_leaves_the_period_free_after_a_restart(
    region, tmp_path
):
    log = tmp_path / "web.log"
    with institution_rows_held():
        web, browser = _web_start(log)
        try:
            assert "/jobs/" in browser.start_run(region)
            killed = wait_until_writing(lambda: _runs(region).first(), web, log)
            assert_refused_while_alive(lambda: _start_here(region))
            kill(web)
        finally:
            _stop(web)
    web, browser = _web_start(
        log
    )  # restarted: no page asks for anything; its own sweeps fail the lapsed run
    try:
        waited = _wait_for(
            lambda: _runs(region).get(pk=killed.pk).status == RunStatus.FAILED, 2 * LEASE, log
        )
        assert waited < LEASE + 1.5
        assert_failed_and_nothing_partial(killed)

        job_url = browser.start_run(
            region
        )  # the period runs again, from its page, in the new web process
        job = Job.objects.get(pk=int(re.search(r"/jobs/(\d+)/", job_url).group(1)))
        _wait_for(lambda: not Job.objects.get(pk=job.pk).is_active, WAIT_SECONDS, log)
        again = _runs(region).get(job=job)
        assert (Job.objects.get(pk=job.pk).status, again.status) == (
            JobStatus.SUCCEEDED,
            RunStatus.COMPLETED,
        )
        assert RunCase.objects.filter(run=again).count() == again.case_count > 0
    finally:
        _stop(web)
