"""``manage.py dictionary_version_load`` — load a newer edition of a coding dictionary from .xlsx/.csv as a
draft version, print its difference from the codes in force and what the changes reach, and publish it
with ``--publish``. The same services as the dictionary version pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalogs.choices import DictionaryKind
from catalogs.dictionaries import selectors
from catalogs.dictionaries.domain import CHANGE_LABELS, impact_summary
from catalogs.dictionaries.services import dictionary_version_load, dictionary_version_publish

ACTOR = "manage.py dictionary_version_load"


class Command(BaseCommand):
    help = "从 Excel/CSV 载入编码字典新版本并显示差异及影响。Load a dictionary version from a file and show its difference."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "kind", choices=[kind.value for kind in DictionaryKind], help="diagnosis 或 procedure"
        )
        parser.add_argument("file", type=Path, help=".xlsx / .csv / .csv.gz")
        parser.add_argument("--name", required=True, help="版本名称")
        parser.add_argument(
            "--effective-from",
            required=True,
            type=dt.date.fromisoformat,
            help="生效日期 YYYY-MM-DD",
        )
        parser.add_argument("--source", default="", help="来源说明（默认为文件名）")
        parser.add_argument("--publish", action="store_true", help="载入后立即发布为现行版本")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            with path.open("rb") as file:
                version = dictionary_version_load(
                    actor=ACTOR,
                    kind=options["kind"],
                    file=file,
                    filename=path.name,
                    name=options["name"],
                    effective_from=options["effective_from"],
                    source=options["source"],
                )
            diff = selectors.version_diff(version)
            self.stdout.write(
                f"{version}：{version.code_count} 条编码；与现行编码相比 "
                + "、".join(f"{CHANGE_LABELS[k]} {v} 条" for k, v in diff.counts().items())
            )
            for source, figures in impact_summary(selectors.version_impact(version, diff)).items():
                self.stdout.write(
                    f"  影响{source}：{figures['items']} 项（涉及 {figures['codes']} 个编码，病例 {figures['cases']} 例）"
                )
            if options["publish"]:
                dictionary_version_publish(actor=ACTOR, version=version)
                self.stdout.write("已发布为现行版本。")
        except ValidationError as error:
            raise CommandError("未载入：\n" + "\n".join(error.messages)) from error
