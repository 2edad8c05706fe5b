"""Write the settlement-list import template: ``manage.py case_template_export PATH`` (.xlsx or .csv)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from settlement.intake import files


class Command(BaseCommand):
    help = "导出结算清单导入模板（.xlsx 含填写说明和下拉列表；.csv 仅表头）。Export the case import template."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="target file, .xlsx or .csv")

    def handle(self, *args, **options) -> None:
        path = Path(options["path"])
        if path.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError(files.ERR_FILE_TYPE)
        path.write_bytes(
            files.template_csv() if path.suffix.lower() == ".csv" else files.template_xlsx()
        )
        self.stdout.write(f"模板已写入 {path}")
