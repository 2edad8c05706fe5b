"""Job leases: a process renews the leases of the jobs it holds; a lapsed job is failed by the sweep.

Real processes killed mid-run: tests/settlement/runs/test_kills.py and test_worker.py.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from config.celery import app as celery_app
from jobs.celery_tasks import job_sweep_task
from jobs.choices import JobStatus
from jobs.leases import keeper, lease_owner
from jobs.models import Job
from jobs.services import ACTOR_SWEEP, job_run, job_start, job_sweep
from tests.jobs import kinds  # noqa: F401  (registers the test kinds)

pytestmark = pytest.mark.django_db
DEAD = "host-b:4242"  # a process that is gone


def running(
    *, key: str = "k", lease_in: float | None, owner: str = DEAD, status: str = JobStatus.RUNNING
) -> Job:
    """A job some process took, its lease ending ``lease_in`` seconds from now (None: no lease)."""
    expires = None if lease_in is None else timezone.now() + timedelta(seconds=lease_in)
    return Job.objects.create(
        kind="test_steps",
        idempotency_key=key,
        status=status,
        attempts=1,
        progress=40,
        lease_expires_at=expires,
        lease_owner=owner,
    )


def test_a_claimed_job_holds_a_lease_of_this_process_until_it_ends(settings):
    settings.JOBS_LEASE_SECONDS = 60
    job = job_start(actor=None, kind="test_steps", key="k", params={"steps": 1}, dispatch=False)
    seen = []
    job_run(
        job_id=job.pk,
        on_progress=lambda *_: seen.append(
            Job.objects.values_list("lease_expires_at", "lease_owner").get(pk=job.pk)
        ),
    )
    ((expires, owner),) = seen
    assert owner == lease_owner() and timedelta(seconds=55) < expires - timezone.now() <= timedelta(
        seconds=60
    )
    job.refresh_from_db()
    assert (job.status, job.lease_expires_at) == (JobStatus.SUCCEEDED, None)


def test_a_running_job_whose_lease_lapsed_is_failed_with_a_chinese_reason_audited_and_its_key_free():
    job = running(lease_in=-1)
    assert job_sweep() == [job.pk]
    job.refresh_from_db()
    assert (
        job.status == JobStatus.FAILED
        and job.finished_at is not None
        and job.lease_expires_at is None
    )
    assert job.error_headline.startswith(
        f"执行该任务的进程（{DEAD}）已中断：租约于 "
    ) and job.error.endswith("可以重新发起。")
    assert job.progress == 40  # its last report stays, as for any failed job
    event = AuditEvent.objects.get(action="job_lapse")
    assert (
        event.actor_name,
        event.object_id,
        event.before["status"],
        event.before["lease_owner"],
    ) == (ACTOR_SWEEP, str(job.pk), "running", DEAD)
    assert event.after == {"status": "failed", "error": job.error}
    assert job_start(actor=None, kind="test_steps", key="k").status == JobStatus.QUEUED
    assert job_sweep() == []  # once


def test_a_live_lease_is_left_alone_and_its_key_stays_taken():
    job = running(lease_in=30)
    assert job_sweep() == []
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING
    with pytest.raises(Exception, match="相同的任务正在排队或运行中"):
        job_start(actor=None, kind="test_steps", key="k")


def test_a_start_with_the_key_of_a_lapsed_job_sweeps_it_first():
    lapsed = running(lease_in=-0.5)
    job = job_start(actor=None, kind="test_steps", key="k")
    assert (
        Job.objects.get(pk=lapsed.pk).status == JobStatus.FAILED and job.status == JobStatus.QUEUED
    )


def test_a_running_job_from_before_leases_has_no_holder_but_a_queued_one_waits_in_the_broker():
    old = running(key="old", lease_in=None)
    queued = running(key="queued", lease_in=None, owner="", status=JobStatus.QUEUED)
    assert job_sweep() == [old.pk]
    assert Job.objects.get(pk=queued.pk).status == JobStatus.QUEUED


def test_a_job_for_this_processs_thread_pool_is_leased_from_the_start_one_for_celery_is_not(
    settings, django_capture_on_commit_callbacks
):
    settings.JOBS_BACKEND = "thread"
    with django_capture_on_commit_callbacks(
        execute=False
    ):  # leased in the transaction that records it
        pooled = job_start(actor=None, kind="test_steps", key="pool")
    assert pooled.lease_expires_at > timezone.now() and pooled.lease_owner == lease_owner()
    settings.JOBS_BACKEND = "celery"
    with django_capture_on_commit_callbacks(execute=False):
        brokered = job_start(actor=None, kind="test_steps", key="broker")
    assert (brokered.lease_expires_at, brokered.lease_owner) == (None, "")


@pytest.mark.django_db(
    transaction=True, databases="__all__"
)  # the heartbeat uses jobs_progress on PostgreSQL
def test_the_heartbeat_renews_the_lease_from_its_own_thread_until_the_job_is_released(settings):
    settings.JOBS_LEASE_SECONDS = 3  # a beat every second
    job = running(lease_in=3, owner=lease_owner())
    first = job.lease_expires_at
    keeper.hold(job.pk)
    try:
        time.sleep(4.5)  # past the first lease: only the renewals keep it
        assert job_sweep() == []
        assert Job.objects.get(pk=job.pk).lease_expires_at > first + timedelta(seconds=1)
    finally:
        keeper.release(job.pk)
    time.sleep(4.5)
    assert job_sweep() == [job.pk]


@pytest.mark.django_db(
    transaction=True, databases="__all__"
)  # the heartbeat uses jobs_progress on PostgreSQL
def test_the_heartbeat_renews_only_the_leases_this_process_holds(settings):
    settings.JOBS_LEASE_SECONDS = 3
    other = running(lease_in=3)  # held by another process, whatever this one was told
    keeper.hold(other.pk)
    try:
        time.sleep(4.5)
    finally:
        keeper.release(other.pk)
    assert job_sweep() == [other.pk]


def test_the_command_and_the_beat_task_sweep_too():
    by_command, by_task = running(key="a", lease_in=-1), running(key="b", lease_in=-1)
    Job.objects.filter(pk=by_task.pk).update(
        lease_expires_at=timezone.now() + timedelta(seconds=60)
    )
    out = _command_output()
    assert (
        f"任务 #{by_command.pk}（测试任务（分步））：执行该任务的进程（{DEAD}）已中断" in out
        and "已将 1 个租约过期的任务标记为失败。" in out
    )
    Job.objects.filter(pk=by_task.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert job_sweep_task() == [by_task.pk]
    entry = celery_app.conf.beat_schedule["job-lease-sweep"]
    assert (entry["task"], entry["schedule"]) == (job_sweep_task.name, 60.0)


def _command_output() -> str:
    from io import StringIO

    out = StringIO()
    call_command("jobs_sweep", stdout=out)
    return out.getvalue()
