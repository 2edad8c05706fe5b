"""``manage.py case_partitions [YEAR ...]``: give settlement years their partitions (PostgreSQL).

Without years: this year, next year, and every year whose rows wait in a DEFAULT partition (they move into
the new partition). Run as the tables' owner after ``migrate`` and before each new year (docs/partitioning.md).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from settlement.partitions.services import year_partitions_ensure, years_in_default


class Command(BaseCommand):
    help = "为结算年度创建结算清单与病例结果的分区（仅 PostgreSQL）；默认：今年、明年及默认分区中已有数据的年度。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("years", nargs="*", type=int, help="年度，如 2027")

    def handle(self, *args, years: list[int], **options) -> None:
        this_year = timezone.localdate().year
        try:
            with transaction.atomic():
                wanted = years or [this_year, this_year + 1, *years_in_default()]
                created = year_partitions_ensure(wanted)
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from None
        done = "、".join(map(str, created)) if created else "无（均已存在）"
        self.stdout.write(f"新建分区的年度：{done}")
