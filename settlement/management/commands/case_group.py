"""Group a period's cases with the catalog version in force, through the same job and audit as a page.

manage.py case_group 371900 2025                 # the whole year, DIP
manage.py case_group 371900 2025 --month 3 --kind DRG
manage.py case_group 371900 2025 --scheme 310 --user officer
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogs.choices import CatalogKind, Scheme
from jobs.choices import JobStatus
from jobs.models import Job
from jobs.services import JobRefused, job_run
from settlement.grouping.services import case_group_start
from settlement.management.commands._common import bureau_actor, region_named


class Command(BaseCommand):
    help = "按在用目录版本为结算期间的结算清单分组，在本进程中运行分组任务并显示进度。Group a period's cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("region", help="region code (行政区划代码)")
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--month",
            type=int,
            choices=range(1, 13),
            metavar="M",
            help="one month (default: the whole year)",
        )
        parser.add_argument("--kind", default=CatalogKind.DIP, choices=CatalogKind.values)
        parser.add_argument("--scheme", choices=Scheme.values, help="one scheme (insutype) only")
        parser.add_argument("--user", help="username to act as (default: the system)")

    def handle(self, *args, **options) -> None:
        region = region_named(options["region"])
        try:
            job = case_group_start(
                actor=bureau_actor(options["user"]),
                region=region,
                year=options["year"],
                month=options["month"],
                scheme=options["scheme"],
                kind=options["kind"],
                dispatch=False,
            )
        except (ValidationError, JobRefused) as refused:
            raise CommandError(" ".join(getattr(refused, "messages", [str(refused)]))) from None
        job_run(
            job_id=job.pk,
            on_progress=lambda percent, message="": self.stdout.write(f"[{percent:3d}%] {message}"),
        )
        job = Job.objects.get(pk=job.pk)
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.error_headline or job.get_status_display())
        summary = job.summary
        self.stdout.write(
            f"{summary['version']}：{summary['cases']} 条结算清单已分组，替换 {summary['replaced']} 条旧结果，"
            f"不能入组 {summary['ungroupable']} 条"
        )
        for trace, n in summary["traces"].items():
            self.stdout.write(f"  {trace}: {n}")
