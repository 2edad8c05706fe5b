"""``manage.py case_year_archive YEAR --to DIR [--user NAME]``: archive a closed settlement year.

Detaches the year's partitions of the case table and of the per-case run results, writes them to
``DIR`` as gzip CSV files with a manifest (row counts, SHA-256), drops them and records the year,
audited. Runs, statements (结算单) and month aggregates stay. ``case_year_restore`` brings it back.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from settlement.management.commands._common import bureau_actor
from settlement.partitions.services import case_year_archive


class Command(BaseCommand):
    help = "归档已关账年度的结算清单与病例结果（仅 PostgreSQL）：分离分区、写入归档目录并删除，结算单仍可查看。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="年度，如 2023")
        parser.add_argument("--to", required=True, type=Path, help="归档目录")
        parser.add_argument("--user", default=None, help="经办机构用户名（审计记录的操作人）")

    def handle(self, *args, year: int, to: Path, user: str | None, **options) -> None:
        try:
            record = case_year_archive(actor=bureau_actor(user), year=year, directory=to)
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from None
        self.stdout.write(
            f"{year} 年已归档至 {record.location}：结算清单 {record.case_rows} 行，"
            f"病例结果 {record.run_case_rows} 行。"
        )
