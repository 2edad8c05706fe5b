"""``manage.py case_year_restore YEAR --from DIR [--user NAME]``: load an archived year back.

Reads the manifest and files ``case_year_archive`` wrote, checks their sums and row counts, and attaches
the year's partitions again, audited.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from settlement.management.commands._common import bureau_actor
from settlement.partitions.services import case_year_restore


class Command(BaseCommand):
    help = "从归档目录恢复已归档年度的结算清单与病例结果（仅 PostgreSQL）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="年度，如 2023")
        parser.add_argument("--from", dest="source", required=True, type=Path, help="归档目录")
        parser.add_argument("--user", default=None, help="经办机构用户名（审计记录的操作人）")

    def handle(self, *args, year: int, source: Path, user: str | None, **options) -> None:
        try:
            record = case_year_restore(actor=bureau_actor(user), year=year, directory=source)
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from None
        self.stdout.write(
            f"{year} 年已恢复：结算清单 {record.case_rows} 行，病例结果 {record.run_case_rows} 行。"
        )
