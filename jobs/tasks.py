"""The one Celery task: run a job by id. Late-acked, so a job whose worker dies is redelivered."""

from celery import shared_task

from jobs.services import job_run


@shared_task(name="jobs.job_run", acks_late=True, reject_on_worker_lost=True)
def job_run_task(job_id: int) -> None:
    job_run(job_id=job_id)
