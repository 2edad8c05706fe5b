"""Reads from a replica (只读副本): the database router behind ``DATABASE_REPLICA_URL``.

Only what a request marks as replica-safe goes there: a GET or HEAD of a report, dashboard, export or
list view wrapped in ``replica_reads`` (the ``replica_view`` decorator). Everything else stays on the
primary: every write, every read inside a transaction on the primary (a run's transaction, a service's
``select_for_update``), and every read outside a marked view — a replica lags a little, and what a user
just saved must show on the page that follows. Without the variable there is no ``replica`` alias and
the router is not installed: nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
SAFE_METHODS = {"GET", "HEAD"}

_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads outside a transaction on the primary go to the replica."""
    token = _reads.set(True)
    try:
        yield
    finally:
        _reads.reset(token)


def replica_view(view: Callable) -> Callable:
    """Mark a report, dashboard, export or list view: its GET and HEAD requests read from the replica."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped


def replica_in_use() -> bool:
    """Whether a read here would go to the replica now."""
    return (
        _reads.get()
        and settings.DATABASE_REPLICA_READS
        and REPLICA in settings.DATABASES
        and not connections[PRIMARY].in_atomic_block
    )


class ReplicaRouter:
    """Writes to the primary always; reads to the replica only inside ``replica_reads`` and outside any
    transaction on the primary. Explicit ``.using()`` (the jobs' progress connection) bypasses routers."""

    def db_for_read(self, model, **hints) -> str:
        return REPLICA if replica_in_use() else PRIMARY

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, seen through two connections

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return False if db == REPLICA else None
