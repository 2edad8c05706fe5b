"""The Celery task of reports (autodiscovered by config/celery.py; a web process never loads Celery)."""

from celery import shared_task

from reports import services


@shared_task(name="reports.report_packs_schedule")
def report_packs_schedule() -> list[int]:
    """Celery beat, the 1st of each month (config/celery.py): queue last month's pack of every region."""
    return [job.pk for job in services.report_packs_schedule()]
