"""``manage.py catalog_build`` — build a region's DIP catalog draft from its case history.

The same service as the ``catalog_build_dip`` job; this runs it in the calling process and prints progress.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from catalogs.choices import CatalogStatus
from catalogs.models import Region
from catalogs.versions.build import catalog_build_dip
from catalogs.versions.models import CatalogVersion
from catalogs.versions.services import version_create

ACTOR = "manage.py catalog_build"


def _param(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise CommandError(f"参数格式应为 key=value：{text}")
    return key, value


class Command(BaseCommand):
    help = (
        "由历史结算清单测算DIP病种目录草稿。Build a DIP catalog draft from a region's case history."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("region", help="统筹区代码 / region code, e.g. 370800")
        parser.add_argument("year", type=int, help="目录适用年度 / the year the catalog applies to")
        parser.add_argument(
            "--history",
            type=int,
            nargs="+",
            help="测算年度 / look-back years (default: the 3 years before)",
        )
        parser.add_argument(
            "--param",
            action="append",
            default=[],
            type=_param,
            help="测算参数 / DipConfig field, e.g. core_threshold=10 or weights=1,3,6 (repeatable)",
        )

    def handle(self, *args, **options) -> None:
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(f"统筹区 {options['region']} 不存在。")
        year = options["year"]
        history = options["history"] or [year - 3, year - 2, year - 1]
        params = {
            key: [int(v) for v in value.split(",")] if key in {"weights", "years"} else value
            for key, value in options["param"]
        }
        draft = self._draft(region, year)
        try:
            summary = catalog_build_dip(
                actor=ACTOR, version=draft, years=history, params=params, progress=self._progress
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已测算 {summary['cases']} 例病例 / cases → {summary['groups']} 个病种 groups "
                f"(核心 core {summary['core_groups']}, 综合 comprehensive {summary['comprehensive_groups']}, "
                f"辅助分型 typed {summary['typed_groups']}); 全部病例加权均费 base mean {summary['base_mean']} 元"
            )
        )
        link = reverse("catalogs:version_detail", args=[draft.pk])
        self.stdout.write(f"草稿目录 draft #{draft.pk}（{draft}）：{link}")

    def _draft(self, region: Region, year: int) -> CatalogVersion:
        """The open draft of the region's DIP catalog for the year, or a new one."""
        draft = CatalogVersion.objects.filter(
            region=region, kind="DIP", year=year, status=CatalogStatus.DRAFT
        ).first()
        try:
            return draft or version_create(actor=ACTOR, region=region, year=year)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None

    def _progress(self, percent: int, message: str) -> None:
        self.stdout.write(f"  [{percent:3d}%] {message}")
        self.stdout.flush()
