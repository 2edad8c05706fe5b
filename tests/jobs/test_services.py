from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from audit.models import AuditEvent
from jobs.celery_tasks import job_run_task
from jobs.choices import JobStatus
from jobs.models import ERR_DUPLICATE_ACTIVE, Job
from jobs.services import ERR_ENQUEUE_FAILED, JobRefused, job_run, job_start
from tests.conftest import postgres_only
from tests.jobs.kinds import ERR_TEST_FAILURE

pytestmark = pytest.mark.django_db


def start(key: str = "k1", kind: str = "test_steps", **params) -> Job:
    return job_start(actor=None, kind=kind, key=key, params=params)


def test_a_second_start_with_the_same_key_while_the_first_is_queued_is_refused_in_chinese():
    first = start()
    with pytest.raises(JobRefused) as refused:
        start()
    assert str(refused.value) == ERR_DUPLICATE_ACTIVE
    assert list(Job.objects.values_list("pk", flat=True)) == [first.pk]


def test_a_start_with_the_same_key_while_the_first_is_running_is_refused():
    job = start(kind="test_restart_self")
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.summary == {"refused": ERR_DUPLICATE_ACTIVE}
    assert Job.objects.count() == 1


def test_once_the_first_has_finished_the_same_key_starts_again():
    first = start()
    job_run(job_id=first.pk)
    second = start()
    assert second.pk != first.pk and second.status == JobStatus.QUEUED


def test_a_failed_job_frees_its_key_too():
    first = start(kind="test_fail")
    job_run(job_id=first.pk)
    assert start(kind="test_fail").status == JobStatus.QUEUED


def test_other_keys_start_alongside_an_active_job():
    start(key="a")
    start(key="b")
    assert Job.objects.filter(status=JobStatus.QUEUED).count() == 2


def test_an_unknown_kind_is_refused_before_anything_is_written():
    with pytest.raises(LookupError):
        start(kind="no_such_kind")
    assert not Job.objects.exists() and not AuditEvent.objects.exists()


def test_the_job_runs_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(steps=3)
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # nothing runs before commit
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress, job.progress_message, job.attempts) == (100, "第 3/3 步", 1)
    assert job.summary == {"steps": 3, "total": 6, "说明": "完成"}
    assert job.started_at <= job.finished_at


def test_no_dispatch_leaves_the_job_queued_for_the_caller(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_start(actor=None, kind="test_steps", key="k", dispatch=False)
    assert callbacks == [] and Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_progress_is_written_to_the_row_as_the_job_goes():
    job = start(steps=4)
    seen = []
    job_run(
        job_id=job.pk,
        on_progress=lambda percent, message: seen.append((percent, message, _row_progress(job))),
    )
    assert seen == [
        (25, "第 1/4 步", (JobStatus.RUNNING, 25, "第 1/4 步")),
        (50, "第 2/4 步", (JobStatus.RUNNING, 50, "第 2/4 步")),
        (75, "第 3/4 步", (JobStatus.RUNNING, 75, "第 3/4 步")),
        (100, "第 4/4 步", (JobStatus.RUNNING, 100, "第 4/4 步")),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_progress_reported_inside_the_jobs_own_transaction_is_seen_live_by_another_session():
    postgres_only(connection)
    job = start(kind="test_progress_in_transaction")
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.summary["seen"] == [
        40,
        "事务内",
    ]  # through jobs_progress, before the job's transaction commits


def _row_progress(job: Job) -> tuple:
    return tuple(
        Job.objects.filter(pk=job.pk).values_list("status", "progress", "progress_message").get()
    )


def test_a_failing_job_is_recorded_as_failed_with_its_error_and_the_runner_carries_on():
    failing = start(key="bad", kind="test_fail")
    job_run(job_id=failing.pk)  # does not raise: a worker must survive its jobs
    failing.refresh_from_db()
    assert failing.status == JobStatus.FAILED
    assert failing.error.splitlines()[0] == ERR_TEST_FAILURE and "Traceback" in failing.error
    assert (failing.progress, failing.summary, failing.attempts) == (30, {}, 1)
    assert failing.finished_at is not None

    good = start(key="good")
    job_run(job_id=good.pk)
    assert Job.objects.get(pk=good.pk).status == JobStatus.SUCCEEDED


def test_a_redelivered_message_for_a_finished_job_does_nothing():
    job = start()
    job_run(job_id=job.pk)
    finished = Job.objects.get(pk=job.pk)
    events = AuditEvent.objects.count()

    assert job_run(job_id=job.pk) is None
    again = Job.objects.get(pk=job.pk)
    assert (again.status, again.attempts, again.finished_at, again.summary) == (
        finished.status,
        1,
        finished.finished_at,
        finished.summary,
    )
    assert AuditEvent.objects.count() == events


def test_a_message_for_a_deleted_job_does_nothing():
    assert job_run(job_id=987654) is None


def test_a_message_for_a_running_job_runs_nothing_a_second_time():
    """Another process holds it (its lease is live), or its process died and the lease will lapse (test_leases.py)."""
    job = start(steps=2)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempts=1,
        progress=50,
        lease_expires_at=timezone.now() + timedelta(seconds=60),
    )
    assert job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (JobStatus.RUNNING, 1, 50)


def test_start_and_finish_are_audited(world):
    job = job_start(actor=world.officer, kind="test_steps", key="audited", params={"steps": 2})
    started = AuditEvent.objects.get(action="job_start")
    assert (started.actor, started.object_type, started.object_id) == (
        world.officer,
        "jobs.job",
        str(job.pk),
    )
    assert started.after == {"kind": "test_steps", "key": "audited", "params": {"steps": 2}}

    job_run(job_id=job.pk)
    finished = AuditEvent.objects.get(action="job_finish")
    assert (finished.actor, finished.object_id) == (world.officer, str(job.pk))
    assert finished.after == {
        "status": "succeeded",
        "summary": {"steps": 2, "total": 3, "说明": "完成"},
        "error": "",
    }


def test_a_failure_is_audited_with_its_error_under_the_kind_when_nobody_started_it():
    job = start(kind="test_fail")
    job_run(job_id=job.pk)
    finished = AuditEvent.objects.get(action="job_finish")
    assert finished.actor is None and finished.actor_name == "任务:test_fail"
    assert finished.after["status"] == "failed" and finished.after["error"].startswith(
        ERR_TEST_FAILURE
    )


def test_a_refused_start_writes_no_audit_event():
    start()
    with pytest.raises(JobRefused):
        start()
    assert AuditEvent.objects.filter(action="job_start").count() == 1


def test_the_database_refuses_a_second_active_row_for_one_key():
    """The partial unique index, not only the service, guards the key (a plain INSERT, no validation)."""
    Job.objects.create(kind="test_steps", idempotency_key="raw", status=JobStatus.RUNNING)
    Job.objects.create(kind="test_steps", idempotency_key="raw", status=JobStatus.SUCCEEDED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind="test_steps", idempotency_key="raw", status=JobStatus.QUEUED)


def test_model_validation_reports_the_duplicate_in_chinese():
    Job.objects.create(kind="test_steps", idempotency_key="v")
    with pytest.raises(ValidationError) as error:
        Job(kind="test_steps", idempotency_key="v").validate_constraints()
    assert error.value.messages == [ERR_DUPLICATE_ACTIVE]


@pytest.mark.postgres
def test_on_postgresql_the_key_is_a_partial_unique_index_refusing_raw_sql():
    postgres_only(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'jobs_job_one_active_per_key'"
        )
        (indexdef,) = cursor.fetchone()
        assert indexdef.startswith("CREATE UNIQUE INDEX") and "WHERE" in indexdef
        insert = (
            "INSERT INTO jobs_job (kind, idempotency_key, params, status, progress, progress_message, attempts,"
            " created_at, error, summary) VALUES ('test_steps', 'sql', '{}', %s, 0, '', 0, now(), '', '{}')"
        )
        cursor.execute(insert, ["queued"])
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute(insert, ["running"])


def test_a_job_the_broker_does_not_take_fails_at_once_and_frees_its_key(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    settings.JOBS_BACKEND = "celery"
    monkeypatch.setattr(
        job_run_task, "delay", broker_down
    )  # the broker, not our database, is what fails
    with django_capture_on_commit_callbacks(execute=True):
        job = start()
    job.refresh_from_db()
    assert (job.status, job.error_headline, job.attempts) == (
        JobStatus.FAILED,
        ERR_ENQUEUE_FAILED,
        0,
    )
    assert AuditEvent.objects.filter(action="job_finish", object_id=str(job.pk)).exists()
    assert start().status == JobStatus.QUEUED
