"""``manage.py demo_generate`` — seed the demo region (run.py demo calls it with ``--if-empty``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from demo.services import REGION_CODE, REGION_NAME, DemoRefused, demo_generate

ACTOR = "manage.py demo_generate"


class Command(BaseCommand):
    help = "生成演示统筹区（机构、结算期间、演示用户、结算清单）。Generate the deterministic demo region."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="已有数据时跳过 / do nothing when data exists"
        )
        parser.add_argument(
            "--years", type=int, default=3, help="年数 / number of years (default 3)"
        )
        parser.add_argument(
            "--cases-per-year",
            type=int,
            default=30000,
            help="每年病例数 / cases per year (default 30000)",
        )
        parser.add_argument(
            "--seed", type=int, default=20240101, help="随机种子 / seed (default 20240101)"
        )
        parser.add_argument(
            "--end-year",
            type=int,
            default=None,
            help="最后一年 / last year (default: last complete year)",
        )
        parser.add_argument(
            "--region-code",
            default=REGION_CODE,
            help=f"统筹区代码 / region code (default {REGION_CODE})",
        )
        parser.add_argument(
            "--region-name",
            default=REGION_NAME,
            help=f"统筹区名称 / region name (default {REGION_NAME})",
        )
        parser.add_argument(
            "--user-prefix",
            default="",
            help="另一演示统筹区的用户名前缀，如 b_ / user prefix of a further demo region",
        )

    def handle(self, *args, **options) -> None:
        def progress(percent: int, message: str) -> None:
            self.stdout.write(f"  [{percent:3d}%] {message}")
            self.stdout.flush()

        try:
            summary = demo_generate(
                actor=ACTOR,
                seed=options["seed"],
                years=options["years"],
                cases_per_year=options["cases_per_year"],
                end_year=options["end_year"],
                if_empty=options["if_empty"],
                progress=progress,
                region_code=options["region_code"],
                region_name=options["region_name"],
                user_prefix=options["user_prefix"],
            )
        except DemoRefused as exc:
            raise CommandError(str(exc)) from None
        if summary["skipped"]:
            self.stdout.write(
                f"{summary['message']} Data already present: demo generation skipped."
            )
            return
        seconds = summary["seconds"]
        self.stdout.write(
            self.style.SUCCESS(
                f"演示统筹区 {summary['region']['name']}（{summary['region']['code']}）已生成 / demo region generated: "
                f"{summary['institutions']} 家机构 institutions, {summary['periods']} 个结算期间 periods, "
                f"{summary['cases_total']} 条结算清单 cases {summary['cases']}; "
                f"用时 {seconds['total']} 秒 seconds (generate {seconds['generate']} s, load {seconds['load']} s)."
            )
        )
        self.stdout.write(
            "埋设的监管异常 / planted anomalies: "
            + ", ".join(f"{k}={v}" for k, v in summary["anomalies"].items())
        )
