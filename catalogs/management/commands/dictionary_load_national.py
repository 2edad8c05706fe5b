"""``manage.py dictionary_load_national`` — load and publish the shipped national ICD-10 医保版 2.0 and
ICD-9-CM-3 医保版 lists (catalogs/data/national/, docs/reference-data.md). Safe to repeat: a list already
loaded is left as it is."""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalogs.dictionaries.services import dictionary_national_load

ACTOR = "manage.py dictionary_load_national"


class Command(BaseCommand):
    help = "载入国家版诊断、手术操作编码字典并发布（已载入的跳过）。Load the national coding dictionaries (idempotent)."

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        try:
            results = dictionary_national_load(actor=ACTOR)
        except ValidationError as error:
            raise CommandError("国家版编码字典未载入：\n" + "\n".join(error.messages)) from error
        for result in results.values():
            state = "已载入并发布" if result["loaded"] else "已存在，未重复载入"
            self.stdout.write(f"{result['version']}：{result['codes']} 条编码，{state}")
        self.stdout.write(f"用时 {time.perf_counter() - started:.1f} 秒")
