"""Import a settlement-list file from the command line, through the same batch, job and audit as an upload.

manage.py case_import cases.csv                          # a regional file, as the system
manage.py case_import h1.xlsx --institution H37080200001  # only that institution's rows accepted
manage.py case_import h1.xlsx --user hosp_a              # as that user (a hospital user: own rows only)
"""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from catalogs.models import Institution
from jobs.services import job_run
from settlement.intake import services
from settlement.intake.models import ImportBatch

ACTOR = "命令行"


class Command(BaseCommand):
    help = "导入结算清单文件（平铺 .xlsx/.csv，或国家4101分表的 .xlsx/.zip），在本进程中运行导入任务并显示进度。Import a case file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", help=".xlsx or .csv file (flat), or a national 4101 workbook or .zip of CSVs"
        )
        parser.add_argument(
            "--institution", help="institution code: accept only this institution's rows"
        )
        parser.add_argument("--user", help="username to act as (default: the system)")

    def handle(self, *args, **options) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        actor = self._actor(options["user"])
        institution = self._institution(options["institution"], actor)
        with path.open("rb") as handle:
            try:
                batch = services.batch_store(
                    actor=actor,
                    institution=institution,
                    upload=File(handle, name=path.name),
                    dispatch=False,
                )
            except services.IntakeRefused as exc:
                raise CommandError(str(exc)) from None
        job_run(
            job_id=batch.job_id,
            on_progress=lambda percent, message="": self.stdout.write(f"[{percent:3d}%] {message}"),
        )
        batch = ImportBatch.objects.get(pk=batch.pk)
        self.stdout.write(f"{batch}：{batch.get_status_display()}。{batch.message}")
        if batch.duration:
            self.stdout.write(f"耗时 {batch.duration.total_seconds():.1f} 秒")
        for issue in batch.issues.order_by("severity", "row", "id")[:20]:
            self.stdout.write(
                f"  {issue.get_severity_display()} 第{issue.row}行 {issue.column_label} {issue.value!r}：{issue.message}"
            )
        if batch.status != "succeeded":
            raise CommandError(batch.message or batch.get_status_display())

    def _actor(self, username: str | None):
        if not username:
            return ACTOR
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户不存在：{username}")
        return user

    def _institution(self, code: str | None, actor) -> Institution | None:
        own = getattr(actor, "institution", None) if getattr(actor, "is_hospital", False) else None
        if code is None:
            return own
        institution = Institution.objects.filter(code=code).first()
        if institution is None:
            raise CommandError(f"机构不存在：{code}")
        if own is not None and own != institution:
            raise CommandError("医疗机构用户只能导入本机构的结算清单。")
        return institution
