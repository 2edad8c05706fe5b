"""Start any registered job kind from the command line: every job the UI can start is also a command.

    manage.py job_start --list
    manage.py job_start demo_generate --param years=3 --param cases_per_year=30000
    manage.py job_start demo_generate --param years=3 --enqueue      # to the configured backend

The job goes through ``jobs.services.job_start`` like one started from a page: the same record,
audit event and idempotency key, so a command cannot run work that a page has already started.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jobs.choices import JobStatus
from jobs.registry import get_kind, kind_list
from jobs.services import JobRefused, job_run, job_start

ACTOR = "命令行"
KEY_MAX_LENGTH = 200


def param_parse(text: str) -> tuple[str, Any]:
    """``name=value``; the value is read as JSON (``3``, ``true``, ``[1, 2]``), else kept as text."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise CommandError(f"参数格式应为 名称=值：{text!r}")
    try:
        return name.strip(), json.loads(raw)
    except json.JSONDecodeError:
        return name.strip(), raw


def key_default(kind: str, params: dict) -> str:
    """The same kind with the same parameters is the same work, hence the same idempotency key."""
    key = f"{kind}:{json.dumps(params, sort_keys=True, ensure_ascii=False, separators=(',', ':'))}"
    if len(key) <= KEY_MAX_LENGTH:
        return key
    return f"{kind}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


class Command(BaseCommand):
    help = "启动一个已登记的后台任务（默认在本进程中运行并显示进度）。Start a registered job kind."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", nargs="?", help="任务类型 (job kind name); see --list")
        parser.add_argument("--list", action="store_true", help="list the registered job kinds")
        parser.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a parameter, value as JSON",
        )
        parser.add_argument(
            "--key", help="idempotency key (default: derived from kind and parameters)"
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="hand the job to the configured backend and return",
        )

    def handle(self, *args, **options) -> None:
        if options["list"]:
            for kind in kind_list():
                self.stdout.write(f"{kind.name}\t{kind.label}")
            return
        if not options["kind"]:
            raise CommandError("请指定任务类型，或用 --list 查看可用的任务类型。")
        try:
            get_kind(options["kind"])
        except LookupError:
            raise CommandError(f"未知的任务类型：{options['kind']}（用 --list 查看）") from None
        params = dict(param_parse(text) for text in options["param"])
        key = options["key"] or key_default(options["kind"], params)
        try:
            job = job_start(
                actor=ACTOR,
                kind=options["kind"],
                key=key,
                params=params,
                dispatch=options["enqueue"],
            )
        except JobRefused as refused:
            raise CommandError(str(refused)) from None
        if options["enqueue"]:
            self.stdout.write(f"任务 #{job.pk} 已提交（幂等键 {key}）。")
            return
        self._run(job.pk)

    def _run(self, job_id: int) -> None:
        job = job_run(
            job_id=job_id,
            on_progress=lambda percent, message: self.stdout.write(f"{percent:>3}% {message}"),
        )
        job.refresh_from_db()
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"任务 #{job.pk} 失败：{job.error_headline}")
        self.stdout.write(json.dumps(job.summary, ensure_ascii=False, indent=2))
        self.stdout.write(self.style.SUCCESS(f"任务 #{job.pk} 已完成。"))
