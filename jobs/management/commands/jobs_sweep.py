"""Fail the jobs whose lease has lapsed (their process died), with the settlement runs they stand for.

    manage.py jobs_sweep

Workers, web processes and every job start sweep by themselves (docs/operations.md); this is the same
sweep by hand, e.g. from cron where neither Celery beat nor an in-process backend runs.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jobs.models import Job
from jobs.services import job_sweep


class Command(BaseCommand):
    help = "将租约已过期（执行进程已中断）的任务标记为失败。Fail the jobs whose lease has lapsed."

    def handle(self, *args, **options) -> None:
        failed = Job.objects.filter(pk__in=job_sweep()).order_by("pk")
        for job in failed:
            self.stdout.write(f"任务 #{job.pk}（{job.get_kind_display()}）：{job.error_headline}")
        self.stdout.write(self.style.SUCCESS(f"已将 {len(failed)} 个租约过期的任务标记为失败。"))
