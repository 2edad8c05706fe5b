"""The Celery tasks (autodiscovered by config/celery.py, imported by nothing else at start-up, so a
web process or a management command never loads Celery): run a job by id (late-acked: a job whose worker dies is not lost in the
broker; its lease lapses and the sweep fails it) and sweep lapsed leases (Celery beat, config/celery.py;
also once when a worker starts)."""

from celery import shared_task
from celery.signals import worker_ready

from jobs.services import job_run, job_sweep, job_sweep_start


@shared_task(name="jobs.job_run", acks_late=True, reject_on_worker_lost=True)
def job_run_task(job_id: int) -> None:
    job_run(job_id=job_id)


@shared_task(name="jobs.job_sweep")
def job_sweep_task() -> list[int]:
    return job_sweep()


@worker_ready.connect
def job_sweep_on_worker_start(**kwargs) -> None:
    job_sweep_start(periodically=False)
