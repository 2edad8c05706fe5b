"""Starting and running background jobs.

``job_start`` records the job and, once the transaction commits, hands its id to the configured
backend: ``celery`` (a worker runs ``jobs.celery_tasks.job_run_task``), ``thread`` (a thread of this process —
the default when no broker is configured), or ``inline`` (at commit, in the caller: tests and
management commands). Whatever the backend, ``job_run`` does the work, and it is idempotent: a job
that has finished, or that another worker is running, is left alone.

A job held by a process carries a lease that the process renews (jobs/leases.py). ``job_sweep`` fails
the jobs whose lease has lapsed — their process died — so their keys, and the records they stand for,
are free again: on every start, at start-up of a worker or web process, and periodically.
"""

from __future__ import annotations

import logging
import traceback
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record
from jobs.choices import JobStatus
from jobs.leases import PROGRESS_DATABASE, keeper, lease_expiry, lease_owner
from jobs.models import ERR_DUPLICATE_ACTIVE, Job
from jobs.registry import Progress, get_kind, kind_on_fail

logger = logging.getLogger(__name__)

_thread_pool: ThreadPoolExecutor | None = None


ERR_ENQUEUE_FAILED = "任务未能提交到任务队列（消息代理不可用），请稍后重试或联系系统管理员。"
ERR_LEASE_LAPSED = "执行该任务的进程（{owner}）已中断：租约于 {expired} 到期而未续约。任务已标记为失败，未提交的结果均已撤销，可以重新发起。"
ACTOR_SWEEP = "任务租约检查"


class JobRefused(Exception):
    """The job cannot be started; the message says why, in Chinese."""


def job_start(
    *,
    actor,
    kind: str,
    key: str,
    params: dict | None = None,
    institution=None,
    dispatch: bool = True,
) -> Job:
    """Record a job and dispatch it after commit. Refused while a job with the same key is active.

    ``dispatch=False`` leaves the queued job to the caller, who runs it with ``job_run`` (the
    ``job_start`` management command does, to print progress as it goes).
    """
    get_kind(kind)  # unknown kinds fail here, not in a worker
    job_sweep()  # a job whose process died no longer holds its key
    # A job for this process's thread pool is held from the start; one for Celery waits in the broker, unleased.
    in_pool = dispatch and settings.JOBS_BACKEND == "thread"
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                idempotency_key=key,
                params=params or {},
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                institution=institution,
                **(_lease() if in_pool else {}),
            )
            audit_record(
                actor=actor,
                action="job_start",
                instance=job,
                after={"kind": kind, "key": key, "params": params or {}},
            )
            if dispatch:
                transaction.on_commit(lambda: _dispatch(job.pk))
    except IntegrityError:
        raise JobRefused(ERR_DUPLICATE_ACTIVE) from None
    return job


def _lease() -> dict:
    return {"lease_expires_at": lease_expiry(), "lease_owner": lease_owner()}


def _dispatch(job_id: int) -> None:
    backend = settings.JOBS_BACKEND
    if backend == "celery":
        _enqueue(job_id)
    elif backend == "thread":
        global _thread_pool
        if _thread_pool is None:
            _thread_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="job")
        keeper.hold(job_id)
        _thread_pool.submit(_run_in_thread, job_id)
    elif backend == "inline":
        job_run(job_id=job_id)
    else:
        raise ValueError(f"Unknown JOBS_BACKEND {backend!r}")


def _enqueue(job_id: int) -> None:
    """Hand the job to Celery. A job the broker did not take fails at once: left queued, it would
    never run and would block its key for good."""
    import config.celery  # noqa: F401  (the app, so that the task publishes to our broker)
    from jobs.celery_tasks import job_run_task

    try:
        job_run_task.delay(job_id)
    except Exception as exc:  # any publishing error: broker down, refused, timed out
        logger.exception("job %s could not be enqueued", job_id)
        _finish(
            Job.objects.get(pk=job_id),
            status=JobStatus.FAILED,
            error=f"{ERR_ENQUEUE_FAILED}\n\n{exc!r}",
            summary={},
        )


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        job_run(job_id=job_id)
    finally:
        close_old_connections()


def _claim(job_id: int) -> Job | None:
    """Move a queued job to running under this process's lease; a redelivered message for a finished job
    claims nothing. Nor does one for a running job: a live process holds it, or its lease lapses and
    ``job_sweep`` fails it — a job is not run twice behind a dead attempt's back."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, status=JobStatus.QUEUED).first()
        if job is None:
            return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.progress = 0
        job.error = ""
        job.lease_expires_at, job.lease_owner = lease_expiry(), lease_owner()
        job.save(
            update_fields=[
                "status",
                "attempts",
                "started_at",
                "progress",
                "error",
                "lease_expires_at",
                "lease_owner",
            ]
        )
        return job


def job_progress(job_id: int, percent: int, message: str = "", *, live: bool = False) -> None:
    """Report progress. With ``live`` (a job whose own row is committed, working inside a transaction),
    the report goes through the ``jobs_progress`` connection, so the job page sees it before the job's
    transaction commits; where that connection is not configured (SQLite) or cannot write the row, it
    goes through the job's own connection."""
    values = {"progress": max(0, min(100, int(percent))), "progress_message": message[:200]}
    if (
        live
        and PROGRESS_DATABASE in settings.DATABASES
        and transaction.get_connection().in_atomic_block
    ):
        try:
            if Job.objects.using(PROGRESS_DATABASE).filter(pk=job_id).update(**values):
                return
        except Exception:  # progress is best effort: never fail the job over it
            logger.warning(
                "job %s: progress through %s failed; using the job's connection",
                job_id,
                PROGRESS_DATABASE,
                exc_info=True,
            )
    Job.objects.filter(pk=job_id).update(**values)


def job_run(*, job_id: int, on_progress: Progress | None = None) -> Job | None:
    """Run a queued job to its end; ``on_progress`` also receives every progress report."""
    job = _claim(job_id)
    if job is None:
        return None
    keeper.hold(job.pk)
    try:
        return _run_claimed(job, on_progress)
    finally:
        keeper.release(job.pk)


def _run_claimed(job: Job, on_progress: Progress | None) -> Job:
    handler = get_kind(job.kind).handler
    # Outside any transaction the claim is committed, so a second connection can see and update the row.
    live = not transaction.get_connection().in_atomic_block

    def progress(percent: int, message: str = "") -> None:
        job_progress(job.pk, percent, message, live=live)
        if on_progress is not None:
            on_progress(percent, message)

    try:
        summary = handler(job, progress)
    except Exception as exc:  # the job records any failure; the worker stays up
        logger.exception("job %s failed", job.pk)
        _finish(
            job,
            status=JobStatus.FAILED,
            error=f"{exc}\n\n{traceback.format_exc(limit=5)}",
            summary={},
        )
        return job
    _finish(job, status=JobStatus.SUCCEEDED, error="", summary=summary or {})
    return job


def _finish(job: Job, *, status: str, error: str, summary: dict) -> None:
    with transaction.atomic():
        # Progress was written by job_progress, not through this instance: a failed job keeps its last report.
        job.refresh_from_db(fields=["progress", "progress_message"])
        job.status = status
        job.error = error
        job.summary = summary
        job.finished_at = timezone.now()
        job.lease_expires_at = None
        if status == JobStatus.SUCCEEDED:
            job.progress = 100
        job.save(
            update_fields=[
                "status",
                "error",
                "summary",
                "finished_at",
                "progress",
                "lease_expires_at",
            ]
        )
        if status == JobStatus.FAILED:
            _on_fail(job, job.error_headline)
        audit_record(
            actor=job.created_by or f"任务:{job.kind}",
            action="job_finish",
            instance=job,
            after={"status": status, "summary": summary, "error": error[:500]},
        )


def _on_fail(job: Job, reason: str) -> None:
    on_fail = kind_on_fail(job.kind)
    if on_fail is not None:
        on_fail(job, reason)


def _lapsed(now) -> Q:
    """Active with a lease past its time; a running job without a lease predates leases and has no holder."""
    expired = Q(lease_expires_at__lt=now) | Q(
        status=JobStatus.RUNNING, lease_expires_at__isnull=True
    )
    return Q(status__in=JobStatus.active()) & expired


def job_sweep() -> list[int]:
    """Fail every job whose lease has lapsed, with the records it stands for; returns their ids."""
    now = timezone.now()
    return [
        job_id
        for job_id in Job.objects.filter(_lapsed(now)).values_list("pk", flat=True)
        if _lapse(job_id, now)
    ]


def _lapse(job_id: int, now) -> bool:
    """Fail one lapsed job, race-safe: the row is locked and checked again (another sweep, or a renewal
    that just landed, wins). A record locked by a live transaction (its worker is alive after all:
    ``on_fail`` refuses to wait, with NOWAIT) leaves the job as it is, for a later sweep."""
    try:
        with transaction.atomic():
            job = (
                Job.objects.select_for_update(skip_locked=True)
                .filter(_lapsed(now), pk=job_id)
                .first()
            )
            if job is None:
                return False
            before = {
                "status": job.status,
                "lease_expires_at": job.lease_expires_at,
                "lease_owner": job.lease_owner,
            }
            job.error = _lapse_reason(job)
            job.status, job.finished_at, job.lease_expires_at = JobStatus.FAILED, now, None
            job.save(update_fields=["status", "finished_at", "lease_expires_at", "error"])
            _on_fail(job, job.error)
            audit_record(
                actor=ACTOR_SWEEP,
                action="job_lapse",
                instance=job,
                before=before,
                after={"status": job.status, "error": job.error},
                message=job.error,
            )
    except DatabaseError:
        logger.warning(
            "job %s: lease lapsed but its records are still locked; left for the next sweep",
            job_id,
            exc_info=True,
        )
        return False
    return True


def _lapse_reason(job: Job) -> str:
    expired = (
        timezone.localtime(job.lease_expires_at).strftime("%Y-%m-%d %H:%M:%S")
        if job.lease_expires_at
        else "—"
    )
    return ERR_LEASE_LAPSED.format(owner=job.lease_owner or "未知", expired=expired)


def job_sweep_start(*, periodically: bool) -> list[int]:
    """At start-up of a process that runs jobs: sweep now and, ``periodically``, with every heartbeat."""
    if periodically:
        keeper.sweep_periodically(job_sweep)
    try:
        return job_sweep()
    except (
        DatabaseError
    ):  # the database is not there yet (a fresh install before migrate): the next sweep will do
        logger.warning("job sweep at start-up failed", exc_info=True)
        return []
