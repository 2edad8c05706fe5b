"""The Celery app. Tasks carry ids, run one service each, and are idempotent (see jobs/)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's Celery tasks are in its celery_tasks.py; its tasks.py (job kinds) never imports Celery,
# so that only a worker pays for loading it (docs/architecture.md, "Start-up").
app.autodiscover_tasks(related_name="celery_tasks")

# Celery beat (`celery -A config beat`); times are in CELERY_TIMEZONE, Asia/Shanghai.
app.conf.beat_schedule = {
    # Every minute: fail the jobs whose worker died (their lease lapsed), freeing their keys and runs (jobs.services.job_sweep).
    "job-lease-sweep": {"task": "jobs.job_sweep", "schedule": 60.0},
    # The 1st of each month at 02:00: last month's report pack of every region (reports.services.report_packs_schedule).
    "monthly-report-packs": {
        "task": "reports.report_packs_schedule",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
}
