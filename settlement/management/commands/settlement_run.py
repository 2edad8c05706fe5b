"""Run a settlement period through the same service, job and audit as the run page; closing too.

manage.py settlement_run 371900 2025 monthly --number 3          # March, employees' DIP
manage.py settlement_run 371900 2025 quarterly --number 1 --scheme 390 --category APG
manage.py settlement_run 371900 2025 annual --user officer
manage.py settlement_run 371900 2025 clearing
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogs.choices import Scheme
from jobs.models import Job
from jobs.services import job_run
from settlement.management.commands._common import bureau_actor, region_named
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.models import SettlementRun
from settlement.runs.services import run_start


class Command(BaseCommand):
    help = "运行月度预付、季度预清算、年度结算或年终清算，在本进程中计算并显示进度。Run a settlement period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("region", help="region code (行政区划代码)")
        parser.add_argument("year", type=int)
        parser.add_argument("run_type", choices=RunType.values)
        parser.add_argument("--number", type=int, default=0, help="month 1-12 or quarter 1-4")
        parser.add_argument("--scheme", default=Scheme.EMPLOYEE, choices=Scheme.values)
        parser.add_argument("--category", default="DIP")
        parser.add_argument("--user", help="username to act as (default: the system)")

    def handle(self, *args, **options) -> None:
        region = region_named(options["region"])
        try:
            run = run_start(
                actor=bureau_actor(options["user"]),
                region=region,
                year=options["year"],
                scheme=options["scheme"],
                category=options["category"],
                run_type=options["run_type"],
                number=options["number"],
                dispatch=False,
            )
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from None
        job_run(
            job_id=run.job_id,
            on_progress=lambda percent, message="": self.stdout.write(f"[{percent:3d}%] {message}"),
        )
        run = SettlementRun.objects.get(pk=run.pk)
        if run.status != RunStatus.COMPLETED:
            raise CommandError(run.error or Job.objects.get(pk=run.job_id).error_headline)
        self.stdout.write(
            f"{run}：{run.case_count} 条病例，点值 {run.point_value}，结算总额 {run.total} 元，结果指纹 {run.result_hash[:16]}"
        )
        for change in run.summary.get("changes", []):
            label = (
                f"{change['code']} {change['name']}"
                if "code" in change
                else f"#{change['institution']}"
            )
            self.stdout.write(
                f"  机构 {label}：{change['before']} → {change['after']}（{change['difference']}）"
            )
