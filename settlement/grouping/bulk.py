"""The bulk writer of grouping results, in the manner of settlement/bulkload.py: one PostgreSQL
``COPY … FROM STDIN`` streamed a chunk at a time, ``executemany`` in chunks on SQLite. The caller owns
the transaction.

The frame carries the ``CaseGroup`` attnames of ``COPY_COLUMNS`` except ``grouped_at`` (one value for
the run, given separately): ids as integers, text as text ("" for blank),
``typing_coefficient`` as exact decimal text or ``None``.

Only ``case_id`` and ``period_id`` differ from row to row; the other columns (group, type, subtype,
trace, ...) repeat across every case of one group and trace, so each distinct combination is rendered as
CSV once and the rows are assembled as bytes (formatting them row by row, ``DataFrame.to_csv``, took
three times as long). The trace's Chinese text is not a column: ``CaseGroup.trace_text`` derives it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

import numpy as np
import pandas as pd
from django.db import connections
from django.db.models import QuerySet

from settlement.bulkload import NULL
from settlement.grouping.models import CaseGroup

TABLE = CaseGroup._meta.db_table
PER_ROW = ["case_id", "period_id"]
SHARED = [field.attname for field in CaseGroup._meta.concrete_fields if not field.primary_key and field.attname not in PER_ROW]
COPY_COLUMNS: list[str] = PER_ROW + SHARED
CHUNK_ROWS = 50_000
SQLITE_CHUNK_ROWS = 20_000
# Rebuilding the indexes sorts the whole table once; inserting into them costs per row written. Rebuild
# only for a large write that is at least half of what the table holds (measured: bench/README.md).
REBUILD_MIN_ROWS = 100_000
REBUILD_MIN_SHARE = 0.5


def case_groups_copy(frame: pd.DataFrame, *, grouped_at: datetime, using: str = "default") -> int:
    """Insert grouping rows in bulk; returns rows written."""
    missing = [column for column in COPY_COLUMNS if column not in frame.columns and column != "grouped_at"]
    if missing:
        raise ValueError(f"case group frame lacks columns: {', '.join(missing)}")
    connection = connections[using]
    stamp = connection.ops.adapt_datetimefield_value(grouped_at)
    ordered = frame.assign(grouped_at=stamp.isoformat() if isinstance(stamp, datetime) else stamp)[COPY_COLUMNS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _postgres_copy(cursor, _chunks(ordered, CHUNK_ROWS))
        else:
            placeholders = ", ".join(["%s"] * len(COPY_COLUMNS))
            sql = f"INSERT INTO {TABLE} ({', '.join(COPY_COLUMNS)}) VALUES ({placeholders})"
            for chunk in _chunks(ordered, SQLITE_CHUNK_ROWS):
                cursor.executemany(sql, _python_rows(chunk))
    return len(frame)


KEYS_TABLE = "grouping_keys"
RESULT_COLUMNS = [name for name in SHARED if name not in {"version_id", "kind", "grouped_at"}]


def case_groups_insert_by_key(keyed: pd.DataFrame, *, key_columns: Sequence[str], cases: QuerySet, version_id: int, kind: str,
                              grouped_at: datetime, using: str = "default") -> int:  # fmt: skip
    """Write one result per case of ``cases`` from the results of its distinct key (``keyed``: ``key_columns``
    and ``RESULT_COLUMNS``): the keys go into a temporary table and the database joins them to the cases in
    one ``INSERT … SELECT``, so the million case rows never travel to Python and back. Returns rows written."""
    connection = connections[using]
    stamp = connection.ops.adapt_datetimefield_value(grouped_at)
    case_sql, case_params = cases.order_by().values("id", "period_id", *key_columns).query.sql_with_params()
    on = " AND ".join(f"c.{name} = k.{name}" for name in key_columns)
    insert = (f"INSERT INTO {TABLE} (case_id, period_id, version_id, kind, grouped_at, {', '.join(RESULT_COLUMNS)}) "
              f"SELECT c.id, c.period_id, %s, %s, %s, {', '.join(f'k.{name}' for name in RESULT_COLUMNS)} "
              f"FROM ({case_sql}) c JOIN {KEYS_TABLE} k ON {on}")  # fmt: skip
    columns = [*key_columns, *RESULT_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {KEYS_TABLE}")
        definitions = ", ".join(f"{name} {'numeric' if name == 'typing_coefficient' else 'text'}" for name in columns)
        cursor.execute(f"CREATE TEMPORARY TABLE {KEYS_TABLE} ({definitions})")
        if connection.vendor == "postgresql":  # a DRG year has a few hundred thousand distinct other-diagnosis lists
            with cursor.cursor.copy(f"COPY {KEYS_TABLE} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in _python_rows(keyed[columns]):
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {KEYS_TABLE} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                               list(_python_rows(keyed[columns])))  # fmt: skip
        cursor.execute(insert, [version_id, kind, stamp, *case_params])
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE {KEYS_TABLE}")
    return written


def _chunks(frame: pd.DataFrame, step: int) -> Iterator[pd.DataFrame]:
    return (frame.iloc[start : start + step] for start in range(0, len(frame), step))


def _postgres_copy(cursor, chunks: Iterator[pd.DataFrame]) -> None:
    sql = f"COPY {TABLE} ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')"
    with cursor.cursor.copy(sql) as copy:
        for chunk in chunks:
            copy.write(_csv_bytes(chunk))


def _csv_bytes(chunk: pd.DataFrame) -> bytes:
    """The chunk as UTF-8 CSV: ids per row, the shared columns rendered once per distinct combination."""
    combination = chunk[SHARED].groupby(SHARED, observed=True, dropna=False, sort=False).ngroup().to_numpy()
    first_rows = np.unique(combination, return_index=True)[1]  # groups are numbered in order of appearance
    shared = chunk[SHARED].iloc[first_rows].astype(object)
    tails = np.array([_csv_line(row).encode() for row in shared.where(shared.notna(), NULL).itertuples(index=False)], dtype=object)
    ids = np.char.add(np.char.add(chunk["case_id"].to_numpy().astype("S"), b","), chunk["period_id"].to_numpy().astype("S"))
    return b"".join(map(bytes.__add__, ids.tolist(), tails[combination].tolist()))


def _csv_line(values) -> str:
    """``,v1,v2,…\n`` with CSV quoting where a value needs it (``NULL`` stays bare)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(["", *values])
    return buffer.getvalue()


def _python_rows(chunk: pd.DataFrame) -> Iterator[tuple]:
    """Rows of Python scalars (``None`` for missing) for the sqlite3 driver."""
    objects = chunk.astype(object)
    objects = objects.where(objects.notna(), None)
    for row in objects.itertuples(index=False, name=None):
        yield tuple(value.item() if hasattr(value, "item") else value for value in row)


def indexes_worth_rebuilding(rows: int, *, using: str = "default") -> bool:
    """Whether writing ``rows`` is cheaper with the table's indexes dropped and rebuilt (PostgreSQL only);
    the table size is the planner's estimate, which costs nothing to read."""
    connection = connections[using]
    if connection.vendor != "postgresql" or rows < REBUILD_MIN_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", [TABLE])
        held = cursor.fetchone()[0]
    return rows >= REBUILD_MIN_SHARE * (held + rows)


@contextmanager
def case_group_indexes_rebuilt(*, using: str = "default") -> Iterator[None]:
    """Drop the result table's unique key and secondary index for the block, then build them again from
    the model's definitions: one sort per index instead of an index insert per row. The unique key is
    checked again when it is rebuilt. The table stays locked (ACCESS EXCLUSIVE) until the transaction
    ends, so use it for a whole-year regrouping, not for a small one. Needs a transaction."""
    connection = connections[using]
    meta = CaseGroup._meta
    with connection.schema_editor(atomic=False) as editor:
        for constraint in meta.constraints:
            editor.remove_constraint(CaseGroup, constraint)
        for index in meta.indexes:
            editor.remove_index(CaseGroup, index)
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    with connection.schema_editor(atomic=False) as editor:
        for index in meta.indexes:
            editor.add_index(CaseGroup, index)
        for constraint in meta.constraints:
            editor.add_constraint(CaseGroup, constraint)
