"""Publish a completed run's statements (公示) through the same service as the run page's button.

manage.py run_publish 42 --user officer
manage.py run_publish 42 --user officer --note "3月预付结算单" --no-notice
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from settlement.management.commands._common import bureau_actor
from settlement.publication.services import run_publish
from settlement.runs.models import SettlementRun


class Command(BaseCommand):
    help = "公示结算运行的结算单：医疗机构此后可查看，并在规定工作日内确认或提出异议。Publish a run's statements."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run", type=int, help="settlement run id")
        parser.add_argument(
            "--user", required=True, help="username of the bureau user who publishes"
        )
        parser.add_argument("--note", default="", help="公示说明")
        parser.add_argument(
            "--no-notice", action="store_true", help="do not send the institutions a notice (公告)"
        )

    def handle(self, *args, **options) -> None:
        run = SettlementRun.objects.filter(pk=options["run"]).first()
        if run is None:
            raise CommandError(f"结算运行不存在：{options['run']}")
        try:
            publication = run_publish(
                actor=bureau_actor(options["user"]),
                run=run,
                note=options["note"],
                notify=not options["no_notice"],
            )
        except (ValidationError, PermissionDenied) as refused:
            raise CommandError(" ".join(getattr(refused, "messages", [str(refused)]))) from None
        self.stdout.write(
            f"{run} 已公示：确认期限 {publication.window_days} 个工作日，截止 {publication.deadline}（含）。"
        )
