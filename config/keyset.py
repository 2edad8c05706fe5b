"""Keyset (cursor) pagination and bounded counts for lists over large tables.

``OFFSET`` makes page 500 of the case list read and drop 25,000 sorted rows, and a plain ``COUNT(*)`` reads
every row the user may see. Here a page starts *after* the last row of the page before — a row comparison
``(a, b, c) > (x, y, z)`` that an index on ``(a, b, c)`` answers by seeking — so every page costs the same
at any depth. The ordering must be a unique key of the rows (its last field unique among ties), or a row
could be skipped or repeated between pages, and all ascending or all descending (``-created_at``, ``-id``:
newest first), as one row comparison runs one way. Cursor values are ints and strings; a date or time
travels as its ISO text and is read back through its model field.

Counts: exact up to ``COUNT_CAP`` rows (counting at most ``COUNT_CAP + 1``), above that PostgreSQL's plan
estimate ("约 2,000,000 条"), or on SQLite only the cap ("超过 10,000 条"). ``PageCount.label`` says which.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
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
    backwards = bool(position and position[1])
    reverse = backwards != descending  # walk the key downwards
    order = [f"-{name}" if reverse else name for name in names]
    keys_query = queryset.order_by(*order)
    if position:
        key = _Row(*[F(name) for name in names])
        start = _Row(*_typed(queryset.model, names, position[0]))
        keys_query = keys_query.filter((LessThan if reverse else GreaterThan)(key, start))
    # The page's ids first, then its rows: a filter that an index answers but whose order it does not
    # (a diagnosis prefix matching thousands of cases) sorts narrow index entries, not whole rows.
    ids = list(keys_query.values_list("pk", flat=True)[: size + 1])
    rows = list(queryset.filter(pk__in=ids).order_by(*order)) if ids else []
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
        # a first page that holds every row has counted them already
        count=PageCount(len(rows), exact=True)
        if position is None and not more
        else count_bounded(queryset),
    )


def ordering_fields(ordering: Sequence[str]) -> tuple[list[str], bool]:
    """The field names of ``ordering`` and whether it descends; a row comparison cannot mix directions."""
    names = [name.removeprefix("-") for name in ordering]
    descending = {name.startswith("-") for name in ordering}
    if len(descending) != 1:
        raise ValueError(f"A keyset ordering goes one way: {ordering!r}")
    return names, descending.pop()


def _typed(model, names: Sequence[str], values: list) -> list[Value]:
    """The cursor's values as their fields' values (an ISO text back to a time); a value its field
    cannot read is an invalid cursor."""
    typed = []
    for name, value in zip(names, values, strict=True):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # an annotation or a lookup path: compared as it came
            typed.append(Value(value))
            continue
        field = getattr(field, "target_field", None) or field
        try:
            typed.append(Value(field.to_python(value), output_field=field))
        except ValidationError as bad:
            raise InvalidCursor(ERR_CURSOR) from bad
    return typed


def keyset_page_or_first(
    request, queryset, *, ordering: Sequence[str], size: int = PAGE_SIZE
) -> KeysetPage:
    """The page the request's ``cursor`` names; for a bad cursor, the first page and a message saying so."""
    try:
        return keyset_page(queryset, ordering=ordering, cursor=request.GET.get("cursor"), size=size)
    except InvalidCursor as bad:
        messages.error(request, str(bad))
        return keyset_page(queryset, ordering=ordering, size=size)


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


def _iso(value):
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    raise TypeError(f"no cursor text for {type(value).__name__}")


def cursor_encode(values: list, *, backwards: bool) -> str:
    data = {"k": values, "b": int(backwards)}
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=_iso)
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
