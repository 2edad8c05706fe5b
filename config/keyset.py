"""Keyset (cursor) pagination and bounded counts for lists over large tables.

``OFFSET`` makes page 500 of the case list read and drop 25,000 sorted rows, and a plain ``COUNT(*)`` reads
every row the user may see. Here a page starts *after* the last row of the page before — a row comparison
``(a, b, c) > (x, y, z)`` that an index on ``(a, b, c)`` answers by seeking — so every page costs the same
at any depth. The ordering must be a unique key of the rows (its last field unique among ties), or a row
could be skipped or repeated between pages.

Counts: exact up to ``COUNT_CAP`` rows (counting at most ``COUNT_CAP + 1``), above that PostgreSQL's plan
estimate ("约 2,000,000 条"), or on SQLite only the cap ("超过 10,000 条"). ``PageCount.label`` says which.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections
from django.db.models import F, Field, Func, Value
from django.db.models.lookups import GreaterThan, LessThan

COUNT_CAP = 10_000
PAGE_SIZE = 50
ERR_CURSOR = "翻页游标无效，请从第一页重新翻页。"


class InvalidCursor(ValueError):
    """A cursor that was not made by ``KeysetPage`` for this ordering (edited, truncated or stale)."""


class _Row(Func):
    """A row value ``(a, b, c)``, which PostgreSQL and SQLite compare column by column (and an index seeks)."""

    template = "(%(expressions)s)"
    output_field = Field()


@dataclass(frozen=True)
class PageCount:
    value: int
    exact: bool
    estimated: bool = False
    cap: int = COUNT_CAP

    @property
    def label(self) -> str:
        if self.exact:
            return f"共 {self.value:,} 条"
        return f"约 {self.value:,} 条" if self.estimated else f"超过 {self.cap:,} 条"


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    count: PageCount

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def keyset_page(
    queryset, *, ordering: Sequence[str], cursor: str | None = None, size: int = PAGE_SIZE
) -> KeysetPage:
    """One page of ``queryset`` in ``ordering`` (a unique key; every field ascending, or every field
    descending: ``-name``), starting at ``cursor`` (None: the first page). Raises ``InvalidCursor`` for a
    cursor this ordering cannot have made."""
    names, descending = ordering_fields(ordering)
    position = cursor_decode(cursor, fields=len(names)) if cursor else None
    rows_query = queryset.order_by(*ordering)
    backwards = bool(position and position[1])
    if position:
        key = _Row(*[F(name) for name in names])
        start = _Row(*[Value(value) for value in position[0]])
        # A row comparison reads in one direction only: walking back, or down a descending order,
        # the page starts below the key instead of above it.
        if backwards != descending:
            rows_query = queryset.filter(LessThan(key, start))
        else:
            rows_query = queryset.filter(GreaterThan(key, start))
        reverse = [f"-{name}" if not descending else name for name in names]
        rows_query = rows_query.order_by(*(reverse if backwards else ordering))
    rows = list(rows_query[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    if backwards:
        rows.reverse()
    has_next = bool(rows) and (backwards or more)
    has_previous = bool(rows) and position is not None and (more or not backwards)
    return KeysetPage(
        rows=rows,
        next_cursor=cursor_encode(_key(rows[-1], names), backwards=False) if has_next else None,
        previous_cursor=cursor_encode(_key(rows[0], names), backwards=True)
        if has_previous
        else None,
        count=count_bounded(queryset),
    )


def ordering_fields(ordering: Sequence[str]) -> tuple[list[str], bool]:
    """The field names of ``ordering`` and whether it descends; a row comparison cannot mix directions."""
    names = [name.removeprefix("-") for name in ordering]
    descending = {name.startswith("-") for name in ordering}
    if len(descending) != 1:
        raise ValueError(f"A keyset ordering goes one way: {ordering!r}")
    return names, descending.pop()


def count_bounded(queryset, *, cap: int = COUNT_CAP) -> PageCount:
    """The rows of ``queryset``: exact up to ``cap``, else PostgreSQL's estimate, else just "over ``cap``"."""
    bare = queryset.order_by().select_related(None)
    counted = bare[: cap + 1].count()
    if counted <= cap:
        return PageCount(counted, exact=True)
    estimate = _plan_rows(bare)
    if estimate:
        return PageCount(max(estimate, cap + 1), exact=False, estimated=True, cap=cap)
    return PageCount(cap + 1, exact=False, cap=cap)


def _plan_rows(queryset) -> int | None:
    """The planner's row estimate of ``queryset`` (one EXPLAIN, no rows read); None off PostgreSQL."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def _key(row, ordering: Sequence[str]) -> list:
    return [row[name] if isinstance(row, dict) else getattr(row, name) for name in ordering]


def cursor_encode(values: list, *, backwards: bool) -> str:
    text = json.dumps({"k": values, "b": int(backwards)}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_decode(cursor: str, *, fields: int) -> tuple[list, bool]:
    """The key values and direction in ``cursor``; only ints and strings, as many as the ordering has."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values, backwards = data["k"], data["b"]
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, KeyError) as bad:
        raise InvalidCursor(ERR_CURSOR) from bad
    valid = isinstance(values, list) and len(values) == fields and backwards in (0, 1)
    if not valid or not all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in values):
        raise InvalidCursor(ERR_CURSOR)
    return values, bool(backwards)
