"""The job kinds: each kind names one handler ``handler(job, progress) -> summary dict``.

Apps register their kinds at import (``@job_kind("demo_generate", "生成演示数据")``) in their
``tasks.py`` module, which jobs/apps.py imports for every installed app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    handler: Callable


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, label: str):
    def register(handler: Callable) -> Callable:
        _KINDS[name] = JobKind(name=name, label=label, handler=handler)
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
