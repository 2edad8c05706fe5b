"""The bulk writer of grouping results, in the manner of settlement/bulkload.py: one PostgreSQL
``COPY … FROM STDIN`` streamed a chunk at a time, ``executemany`` in chunks on SQLite. The caller owns
the transaction.

The frame carries the ``CaseGroup`` attnames of ``COPY_COLUMNS`` except ``grouped_at`` (one value for
the run, given separately): ids as integers, text as text ("" for blank),
``typing_coefficient`` as exact decimal text or ``None``.

Only ``case_id`` and ``period_id`` differ from row to row; the other columns (group, trace, its Chinese
text, ...) repeat across every case of one group and trace, so each distinct combination is rendered as
CSV once and the rows are assembled as bytes. A million rows carry some 100 million characters of
Chinese trace text: formatting them row by row (``DataFrame.to_csv``) took three times as long.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

import numpy as np
import pandas as pd
from django.db import connections

from settlement.bulkload import NULL
from settlement.grouping.models import CaseGroup

TABLE = CaseGroup._meta.db_table
PER_ROW = ["case_id", "period_id"]
SHARED = [field.attname for field in CaseGroup._meta.concrete_fields if not field.primary_key and field.attname not in PER_ROW]
COPY_COLUMNS: list[str] = PER_ROW + SHARED
CHUNK_ROWS = 50_000
SQLITE_CHUNK_ROWS = 20_000


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
