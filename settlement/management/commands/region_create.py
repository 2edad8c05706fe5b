"""Create a pooling region (统筹区) with the monthly settlement periods of its years, audited like the page.

manage.py region_create --code 370900 --name 泰山市 --year 2025
manage.py region_create --code 370900 --name 泰山市 --year 2024 --year 2025 --user admin
manage.py region_create --code 370900 --year 2026          # open another year of an existing region
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalogs.models import Region
from settlement.management.commands._common import bureau_actor
from settlement.services import region_create, region_periods_add


class Command(BaseCommand):
    help = "新建统筹区并开设其年度结算期间（已存在的统筹区只开设新年度）。Create a region with its periods."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="region code (6-digit 行政区划代码)")
        parser.add_argument(
            "--name", default="", help="region name (统筹区名称); required for a new region"
        )
        parser.add_argument(
            "--year", type=int, action="append", required=True, help="a year to open (repeatable)"
        )
        parser.add_argument("--user", help="bureau username to act as (default: the command line)")

    def handle(self, *args, **options) -> None:
        actor = bureau_actor(options["user"])
        region = Region.objects.filter(code=options["code"]).first()
        try:
            if region is None:
                region = region_create(
                    actor=actor, code=options["code"], name=options["name"], years=options["year"]
                )
            else:
                region_periods_add(actor=actor, region=region, years=options["year"])
        except ValidationError as invalid:
            raise CommandError(" ".join(invalid.messages)) from None
        years = "、".join(str(year) for year in sorted(set(options["year"])))
        self.stdout.write(f"统筹区 {region}：已开设 {years} 年结算期间（id {region.pk}）")
