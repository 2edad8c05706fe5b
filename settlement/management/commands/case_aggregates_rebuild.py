"""Rewrite the monthly case aggregates (病例月汇总) from the case table: all of them, or one region's.

    manage.py case_aggregates_rebuild
    manage.py case_aggregates_rebuild --region 370800

Intake and the demo generator keep the aggregates in step by themselves; this is for rows written around
them (a restored dump, SQL by hand). Two million cases take a few seconds on PostgreSQL.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from settlement.aggregates.services import case_aggregates_refresh
from settlement.management.commands._common import region_named
from settlement.models import SettlementPeriod


class Command(BaseCommand):
    help = "重建病例月汇总（首页与监管看板读取）。Rebuild the monthly case aggregates from the case table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--region", default="", help="统筹区代码 / only this region's (default: every region)"
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        periods = None
        if options["region"]:
            region = region_named(options["region"])
            periods = SettlementPeriod.objects.filter(region=region).values_list("pk", flat=True)
        rows = case_aggregates_refresh(period_ids=periods)
        self.stdout.write(
            f"已重建病例月汇总 {rows:,} 行，用时 {time.perf_counter() - started:.1f} 秒。"
        )
