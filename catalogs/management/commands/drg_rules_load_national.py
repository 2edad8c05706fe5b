"""``manage.py drg_rules_load_national`` — the national CHS-DRG 1.1 rules (catalogs/data/chs_drg_11) as a
published DRG rule set of a region and year, in one step.

Four eyes as on the page: ``--officer`` loads and submits, ``--admin`` (another user, with the publish
permission) publishes; the shipped golden cases (golden.csv) are attached to the rule set and publishing
runs them. Nothing is kept on any error.
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalogs.drg.services import drg_rule_set_load_national
from catalogs.models import Region


class Command(BaseCommand):
    help = "载入国家CHS-DRG 1.1分组规则并审核发布。Load the national CHS-DRG 1.1 rules as a published rule set."

    def add_arguments(self, parser) -> None:
        parser.add_argument("region", help="统筹区代码 / region code, e.g. 370800")
        parser.add_argument("year", type=int, help="规则适用年度 / the year the rules apply to")
        parser.add_argument(
            "--officer", required=True, help="载入并提交的用户名 / user who loads and submits"
        )
        parser.add_argument(
            "--admin",
            required=True,
            help="审核发布的用户名（须为另一人）/ user who publishes (another user)",
        )

    def handle(self, *args, **options) -> None:
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(f"统筹区 {options['region']} 不存在。")
        users = get_user_model().objects.in_bulk(
            [options["officer"], options["admin"]], field_name="username"
        )
        missing = [name for name in (options["officer"], options["admin"]) if name not in users]
        if missing:
            raise CommandError("用户不存在：" + "、".join(missing))
        started = time.perf_counter()
        try:
            rule_set = drg_rule_set_load_national(
                officer=users[options["officer"]],
                admin=users[options["admin"]],
                region=region,
                year=options["year"],
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已发布 {rule_set}（#{rule_set.pk}），用时 {time.perf_counter() - started:.1f} 秒。"
            )
        )
