"""The job kinds: each kind names one handler ``handler(job, progress) -> summary dict``.

Apps register their kinds at import (``@job_kind("demo_generate", "生成演示数据")``) in their
``tasks.py`` module, which jobs/apps.py imports for every installed app. A kind whose job stands for
another record (a settlement run) names ``on_fail(job, reason)``: called in the transaction that
fails the job, whatever failed it (the handler, the broker, a lapsed lease), so that record fails too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Progress = Callable[[int, str], None]
OnFail = Callable[..., None]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    handler: Callable
    on_fail: OnFail | None = None


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, label: str, *, on_fail: OnFail | None = None):
    def register(handler: Callable) -> Callable:
        _KINDS[name] = JobKind(name=name, label=label, handler=handler, on_fail=on_fail)
        return handler

    return register


def get_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"Unknown job kind {name!r}") from None


def kind_list() -> list[JobKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.name)


def kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return kind.label if kind else name


def kind_on_fail(name: str) -> OnFail | None:
    """The kind's failure hook; none for a kind this process does not know."""
    kind = _KINDS.get(name)
    return kind.on_fail if kind else None
