"""Job leases (租约): proof that a live process still holds a job.

A job that a process holds (claimed by ``job_run``, or queued in this process's thread pool) carries
``lease_expires_at`` and ``lease_owner``. One thread per process renews the leases of the jobs the
process holds every third of ``JOBS_LEASE_SECONDS``, through a database connection of its own: the
job's work may sit in one long transaction, and a renewal must commit beside it. A process that dies
renews nothing; once its leases lapse, ``jobs.services.job_sweep`` fails its jobs. The same thread
also sweeps, in a process that runs jobs in its thread pool (no Celery beat there).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

logger = logging.getLogger(__name__)

# The second connection of job progress (PostgreSQL only: short lock and statement timeouts); the
# heartbeat uses it too where it exists, else the default one — in its own thread, a connection of its own.
PROGRESS_DATABASE = "jobs_progress"


def lease_expiry() -> datetime:
    return timezone.now() + timedelta(seconds=settings.JOBS_LEASE_SECONDS)


def lease_owner() -> str:
    """This process, as the job page and the logs name it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def heartbeat_interval() -> float:
    return settings.JOBS_LEASE_SECONDS / 3


class LeaseKeeper:
    """The renewing thread of this process; started on first use, and again in a forked child."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: set[int] = set()
        self._sweep: Callable[[], object] | None = None
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._wake = threading.Event()

    def hold(self, job_id: int) -> None:
        with self._lock:
            self._held.add(job_id)
        self._ensure_running()
        self._wake.set()  # a beat now, at the current interval (the lease may have been changed since the last)

    def release(self, job_id: int) -> None:
        with self._lock:
            self._held.discard(job_id)

    def sweep_periodically(self, sweep: Callable[[], object]) -> None:
        self._sweep = sweep
        self._ensure_running()

    def _ensure_running(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._loop, name="job-leases", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            self._wake.wait(heartbeat_interval())
            self._wake.clear()
            try:
                self._tick()
            except (
                Exception
            ):  # a missed beat is retried at the next one; the lease outlasts two of them
                logger.warning("job leases: renewal or sweep failed", exc_info=True)
            finally:
                connections.close_all()  # this thread's connections only: none stays open between beats

    def _tick(self) -> None:
        with self._lock:
            held = sorted(self._held)
        if held:
            lease_renew(held)
        if self._sweep is not None:
            self._sweep()


def lease_renew(job_ids: list[int]) -> int:
    """Push the leases of this process's active jobs forward; a job another process now holds is not touched."""
    from jobs.choices import JobStatus
    from jobs.models import Job

    alias = PROGRESS_DATABASE if PROGRESS_DATABASE in settings.DATABASES else "default"
    jobs = Job.objects.using(alias).filter(
        pk__in=job_ids, status__in=JobStatus.active(), lease_owner=lease_owner()
    )
    return jobs.update(lease_expires_at=lease_expiry())


keeper = LeaseKeeper()
