"""The one bulk loader for case records (结算清单): PostgreSQL ``COPY``, SQLite ``executemany``.

Callers (the demo generator, the case intake) hand over a DataFrame whose columns are the
``CaseRecord`` attnames (``CASE_COPY_COLUMNS``) in this convention:

- money as int64 **fen** (nullable money as pandas ``Int64``): exact, formatted here as 2-decimal text;
- datetimes as tz-aware pandas Timestamps, NaT for none;
- optional integers as pandas ``Int64`` (``<NA>`` for none);
- optional text as ``""`` (the model keeps blank strings, not NULL, in CharField/TextField).

``version``, ``created_at`` and ``updated_at`` are filled in when absent. Rows are written in chunks
so memory stays flat whatever the frame's size; the caller owns the transaction. (The one value a
text column cannot carry is the NULL marker itself, ``\\N``.)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, models, transaction
from django.utils import timezone

from config.lazy import numpy as np
from config.lazy import pandas as pd
from settlement.models import CaseRecord

TABLE = CaseRecord._meta.db_table
CASE_COPY_COLUMNS: list[str] = [
    field.attname for field in CaseRecord._meta.concrete_fields if not field.primary_key
]

MONEY_COLUMNS: list[str] = [
    f.attname for f in CaseRecord._meta.concrete_fields if isinstance(f, models.DecimalField)
]
DATETIME_COLUMNS: list[str] = [
    f.attname for f in CaseRecord._meta.concrete_fields if isinstance(f, models.DateTimeField)
]
DEFAULTED_COLUMNS = ("version", "created_at", "updated_at")

# The NULL marker of the CSV stream: unquoted empty fields then stay empty strings, as the model wants.
NULL = r"\N"
CHUNK_ROWS = 25_000
SQLITE_CHUNK_ROWS = 20_000

_CENTS = [f".{cents:02d}" for cents in range(100)]  # an array on use: numpy is imported lazily


def cases_copy(frame: pd.DataFrame, *, using: str = "default") -> int:
    """Insert case rows in bulk; returns rows written. Caller owns the transaction."""
    missing = [
        c for c in CASE_COPY_COLUMNS if c not in frame.columns and c not in DEFAULTED_COLUMNS
    ]
    if missing:
        raise ValueError(f"case frame lacks columns: {', '.join(missing)}")
    connection = connections[using]
    sqlite = connection.vendor == "sqlite"
    now = timezone.now()
    step = SQLITE_CHUNK_ROWS if sqlite else CHUNK_ROWS
    chunks = (
        _db_text(frame.iloc[start : start + step], now=now, sqlite=sqlite)
        for start in range(0, len(frame), step)
    )
    with connection.cursor() as cursor:
        if sqlite:
            for chunk in chunks:
                _sqlite_insert(cursor, chunk)
        else:
            _postgres_copy(cursor, chunks)
    return len(frame)


# Loads from this many rows refresh the planner's statistics at once (``case_statistics_refresh``).
ANALYZE_MIN_ROWS = 10_000


def case_statistics_refresh(rows_written: int, *, using: str = "default") -> bool:
    """After a large load, refresh PostgreSQL's statistics of the case table (``ANALYZE``: a sample of
    30,000 rows, a fraction of a second; it counts the loading transaction's own rows). Until autovacuum
    does it — a minute or more after the commit — the planner takes the table for what it was before the
    load: grouping a freshly loaded year then sorted 860,801 rows on disk instead of hashing them (0.98 s
    against 0.47 s), and the settlement reads pick plans for a table a thousand times smaller. Returns
    whether it ran (not on SQLite, not for a small load)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or rows_written < ANALYZE_MIN_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
    return True


@contextmanager
def case_indexes_deferred(*, using: str = "default") -> Iterator[None]:
    """PostgreSQL: drop the case table's secondary indexes, unique and foreign keys for a large load, then
    recreate them with their own names and definitions (read from the catalog) when the block ends.

    One sort per index and one join per foreign key replace a million index inserts and a million
    (deferred) trigger checks; the unique and foreign keys are still checked, when they are added back.
    The table is locked (ACCESS EXCLUSIVE) until the transaction ends, so this is for loads nobody waits
    on — the demo generator filling an empty table — not for everyday intake. A no-op on SQLite.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    # A savepoint of its own: if the load fails, rolling it back brings the dropped indexes back too.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        indexes, constraints = _secondary_keys(cursor)
        # Rows inserted earlier in the transaction have deferred key checks pending; run them now (ALTER needs that).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        yield
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            # a partitioned table's index reads "ON ONLY"; recreated plainly it covers every partition again
            cursor.execute(definition.replace(" ON ONLY ", " ON "))
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            "SET CONSTRAINTS ALL DEFERRED"
        )  # Django's keys are DEFERRABLE INITIALLY DEFERRED


def _secondary_keys(cursor) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, CREATE INDEX) of the plain indexes and (name, definition) of the unique and foreign keys."""
    return table_keys(cursor, TABLE, constraint_types="fu")


def table_keys(
    cursor, table: str, *, constraint_types: str
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A PostgreSQL table's indexes as the catalog holds them: (name, CREATE INDEX) of the indexes that
    no constraint owns, and (name, definition) of its constraints of ``constraint_types`` (``pg_constraint``
    letters: p primary, u unique, f foreign)."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
        "ORDER BY i.relname",
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = ANY(%s) "
        "ORDER BY conname",
        [table, list(constraint_types)],
    )
    return indexes, cursor.fetchall()


def _db_text(chunk: pd.DataFrame, *, now, sqlite: bool) -> pd.DataFrame:
    """The chunk as database-ready text (``NULL`` for none), columns in COPY order."""
    out = {}
    for column in CASE_COPY_COLUMNS:
        if column in chunk.columns:
            values = chunk[column]
        elif column == "version":
            values = pd.Series(1, index=chunk.index)
        else:
            values = pd.Series(now, index=chunk.index)
        if column in MONEY_COLUMNS:
            out[column] = fen_to_text(values)
        elif column in DATETIME_COLUMNS:
            out[column] = _datetime_text(values, sqlite=sqlite)
        else:
            out[column] = values
    return pd.DataFrame(out, index=chunk.index)


def fen_to_text(fen: pd.Series) -> np.ndarray:
    """Integer fen → ``"1234.56"`` text, exact (no float on the way); ``NULL`` where missing."""
    missing = fen.isna().to_numpy()
    values = fen.fillna(0).to_numpy(dtype=np.int64)
    sign = np.where(values < 0, "-", "")
    magnitude = np.abs(values)
    text = np.strings.add(
        np.strings.add(sign, (magnitude // 100).astype(str)), np.array(_CENTS)[magnitude % 100]
    )
    return np.where(missing, NULL, text)


def _datetime_text(values: pd.Series, *, sqlite: bool) -> np.ndarray:
    """UTC text: ``2024-01-05T00:30:00.000000Z`` for PostgreSQL; for SQLite exactly what Django writes,
    ``2024-01-05 00:30:00`` (microseconds only when there are some), so equality lookups match."""
    utc = pd.to_datetime(values, utc=True)
    missing = utc.isna().to_numpy()
    naive = utc.dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    text = np.datetime_as_string(naive, unit="us")
    if sqlite:
        text = np.strings.replace(np.strings.replace(text, "T", " "), ".000000", "")
    else:
        text = np.strings.add(text, "Z")
    return np.where(missing, NULL, text)


def _postgres_copy(cursor, chunks: Iterator[pd.DataFrame]) -> None:
    """One COPY, written a chunk at a time: the server stores a chunk while the next one is formatted."""
    sql = (
        f"COPY {TABLE} ({', '.join(CASE_COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')"
    )
    with cursor.cursor.copy(sql) as copy:
        for chunk in chunks:
            buffer = io.StringIO()
            chunk.to_csv(buffer, header=False, index=False, na_rep=NULL, quoting=csv.QUOTE_MINIMAL)
            copy.write(buffer.getvalue())


def _sqlite_insert(cursor, chunk: pd.DataFrame) -> None:
    placeholders = ", ".join(["%s"] * len(CASE_COPY_COLUMNS))
    sql = f"INSERT INTO {TABLE} ({', '.join(CASE_COPY_COLUMNS)}) VALUES ({placeholders})"
    cursor.executemany(sql, _sqlite_rows(chunk))


def _sqlite_rows(chunk: pd.DataFrame) -> Iterator[tuple]:
    objects = chunk.astype(object)
    objects = objects.where(~(objects.isna() | (objects == NULL)), None)
    for row in objects.itertuples(index=False, name=None):
        yield tuple(_plain(value) for value in row)


def _plain(value):
    """numpy scalars → Python scalars for the sqlite3 driver."""
    return value.item() if isinstance(value, np.generic) else value
