"""The institution register (定点医疗机构名录) from the command line, through the same checks, services and
audit as the pages.

    manage.py institution_register export 370800 register.xlsx [--as-of 2024-07-01]
    manage.py institution_register import register.xlsx [--user officer]
    manage.py institution_register refresh     # daily: rows take the state in force today
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.commands import ACTOR, bureau_actor
from catalogs.models import Region
from catalogs.register import excel, services


class Command(BaseCommand):
    help = "导出或导入定点医疗机构名录（.xlsx），导入全部校验通过才写入。Export or import the institution register."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        export = commands.add_parser("export", help="各机构在某日在用的状态及其生效日期")
        export.add_argument("region", help="统筹区编码")
        export.add_argument("path", help="要写入的 .xlsx 文件")
        export.add_argument(
            "--as-of",
            dest="as_of",
            type=datetime.date.fromisoformat,
            help="状态日期（默认今天），如 2024-07-01",
        )
        load = commands.add_parser(
            "import", help="导入名录文件：新机构登记，状态变化记为自生效日期起的变更"
        )
        load.add_argument("path", help=".xlsx 文件")
        load.add_argument("--user", help="以此经办机构用户的身份导入（默认：命令行）")
        commands.add_parser(
            "refresh",
            help="把各机构的当前状态更新为今天在用的状态（每日运行，使预先登记的变更按期生效）",
        )

    def handle(self, *args, **options) -> None:
        if options["action"] == "export":
            self._export(
                options["region"], Path(options["path"]), options["as_of"] or timezone.localdate()
            )
        elif options["action"] == "import":
            self._import(Path(options["path"]), options["user"])
        else:
            refreshed = services.institution_rows_refresh(actor=ACTOR)
            self.stdout.write(
                f"已更新 {len(refreshed)} 家机构的当前状态{'：' + '、'.join(refreshed) if refreshed else '。'}"
            )

    def _export(self, code: str, path: Path, day: datetime.date) -> None:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"统筹区不存在：{code}")
        path.write_bytes(excel.register_workbook(region=region, day=day))
        self.stdout.write(f"已导出 {region.name} {day} 的机构名录：{path}")

    def _import(self, path: Path, username: str | None) -> None:
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        actor = bureau_actor(username)
        try:
            summary = services.register_import(
                actor=actor, rows=excel.register_read(path.read_bytes())
            )
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(f"机构名录未导入：{len(error.messages)} 处错误。") from None
        self.stdout.write(
            f"机构名录已导入：新增 {summary.created} 家，变更 {summary.changed} 家，未变 {summary.unchanged} 家。"
        )
