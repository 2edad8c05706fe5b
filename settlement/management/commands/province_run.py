"""Start a province run (全省结算) — one settlement run per region × scheme × category — or rerun one part;
the same services, jobs and audit as the page and the API.

manage.py province_run start 2025 annual --user province            # every region, to the workers
manage.py province_run start 2025 monthly --number 3 --regions 371900,370900 --scheme 310 --category DIP
manage.py province_run rerun 12 371900 --user province              # part of region 371900 of run #12
manage.py province_run show 12

With Celery (``CELERY_BROKER_URL``) the runs go to the workers, and ``--wait`` follows them until none is
active; without it they are computed here, one after the other (the thread backend would die with this
process).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogs.choices import Scheme
from catalogs.models import Region
from jobs.services import job_run
from settlement.management.commands._common import bureau_actor, region_named
from settlement.province import selectors, services
from settlement.province.choices import ProvinceStatus
from settlement.province.models import ProvinceRun
from settlement.runs.choices import RunType

POLL_SECONDS = 2


class Command(BaseCommand):
    help = "全省结算：为各统筹区分别发起结算运行，汇总点值、总额与失败情况。Start or rerun a province run."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        start = sub.add_parser("start", help="start a province run")
        start.add_argument("year", type=int)
        start.add_argument("run_type", choices=RunType.values)
        start.add_argument("--number", type=int, default=0, help="month 1-12 or quarter 1-4")
        start.add_argument(
            "--regions", default="", help="region codes, comma-separated (default: all in scope)"
        )
        start.add_argument("--scheme", default="", choices=["", *Scheme.values])
        start.add_argument("--category", default="")
        rerun = sub.add_parser("rerun", help="rerun one region's part")
        rerun.add_argument("province_run", type=int)
        rerun.add_argument("region", help="region code")
        rerun.add_argument("--scheme", default="")
        rerun.add_argument("--category", default="")
        show = sub.add_parser("show", help="print a province run's summary")
        show.add_argument("province_run", type=int)
        for each in (start, rerun, show):
            each.add_argument("--user", help="username to act as (default: the system)")
            each.add_argument("--wait", action="store_true", help="follow the workers until done")

    def handle(self, *args, **options) -> None:
        actor = bureau_actor(options["user"])
        here = settings.JOBS_BACKEND != "celery"
        try:
            if options["action"] == "start":
                province = self._start(actor, options, dispatch=not here)
            elif options["action"] == "rerun":
                province = self._rerun(actor, options, dispatch=not here)
            else:
                province = self._province(options["province_run"])
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from None
        if here and options["action"] != "show":
            self._run_here(province)
        elif options["wait"]:
            self._follow(province)
        self._print(province)

    def _province(self, pk: int) -> ProvinceRun:
        try:
            return selectors.province_run_get(pk)
        except ProvinceRun.DoesNotExist:
            raise CommandError(f"全省结算不存在：#{pk}") from None

    def _start(self, actor, options, *, dispatch: bool) -> ProvinceRun:
        codes = [code for code in options["regions"].split(",") if code.strip()]
        regions = [region_named(code.strip()) for code in codes] or list(_all_regions())
        return services.province_run_start(
            actor=actor,
            regions=regions,
            year=options["year"],
            run_type=options["run_type"],
            number=options["number"],
            scheme=options["scheme"],
            category=options["category"],
            dispatch=dispatch,
        )

    def _rerun(self, actor, options, *, dispatch: bool) -> ProvinceRun:
        province = self._province(options["province_run"])
        parts = province.parts.filter(region=region_named(options["region"]))
        for name in ("scheme", "category"):
            if options[name]:
                parts = parts.filter(
                    **{name: options[name].upper() if name == "category" else options[name]}
                )
        if parts.count() != 1:
            raise CommandError(
                "请用 --scheme 和 --category 指定唯一的分区。"
                if parts
                else "该全省结算中没有此统筹区的分区。"
            )
        services.province_part_rerun(actor=actor, part=parts.get(), dispatch=dispatch)
        return province

    def _run_here(self, province: ProvinceRun) -> None:
        for part in province.parts.exclude(run=None).select_related("run", "region"):
            if part.run.job_id and part.run.status == "queued":
                self.stdout.write(f"{part.region.name} {part.scheme}{part.category}：计算中…")
                job_run(job_id=part.run.job_id)

    def _follow(self, province: ProvinceRun) -> None:
        while self._summary(province).status == ProvinceStatus.RUNNING:
            time.sleep(POLL_SECONDS)

    def _summary(self, province: ProvinceRun):
        return selectors.province_summary_of(selectors.province_run_get(province.pk))

    def _print(self, province: ProvinceRun) -> None:
        full = selectors.province_run_get(province.pk)
        summary = selectors.province_summary_of(full)
        self.stdout.write(
            f"{full}：{summary.status_label}，{summary.parts} 个分区，失败 {len(summary.failures)}，"
            f"病例 {summary.cases}，结算总额 {summary.total} 元"
        )
        for part in full.visible:
            result = selectors.part_result(part)
            figures = (
                f"点值 {result.point_value}，总额 {result.total} 元"
                if result.total is not None
                else result.error
            )
            self.stdout.write(
                f"  {part.region.code} {part.region.name} {part.scheme}{part.category} #{part.run_id or '—'} {result.state}：{figures}"
            )


def _all_regions():
    return Region.objects.order_by("code")
