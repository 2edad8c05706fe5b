"""The bulk writer of grouping results, in the manner of settlement/bulkload.py: one PostgreSQL
``COPY … FROM STDIN`` streamed a chunk at a time, ``executemany`` in chunks on SQLite, or (results that
depend on a key only) one ``INSERT … SELECT`` joining the keys' results to the cases. The caller owns the
transaction; ``version_results_replaced`` says which table to write into — on PostgreSQL a whole year
goes into a fresh table that then replaces the version's partition (measured: bench/README.md).

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
from dataclasses import dataclass
from datetime import datetime

from django.db import connections
from django.db.models import QuerySet

from config.lazy import numpy as np
from config.lazy import pandas as pd
from settlement.bulkload import NULL, table_keys
from settlement.grouping.models import CaseGroup

TABLE = CaseGroup._meta.db_table
PER_ROW = ["case_id", "period_id"]
SHARED = [
    field.attname
    for field in CaseGroup._meta.concrete_fields
    if not field.primary_key and field.attname not in PER_ROW
]
COPY_COLUMNS: list[str] = PER_ROW + SHARED
CHUNK_ROWS = 50_000
SQLITE_CHUNK_ROWS = 20_000


def case_groups_copy(
    frame: pd.DataFrame, *, grouped_at: datetime, table: str = TABLE, using: str = "default"
) -> int:
    """Insert grouping rows in bulk into ``table`` (the results table or a version's fresh partition); returns rows written."""
    missing = [
        column for column in COPY_COLUMNS if column not in frame.columns and column != "grouped_at"
    ]
    if missing:
        raise ValueError(f"case group frame lacks columns: {', '.join(missing)}")
    connection = connections[using]
    stamp = connection.ops.adapt_datetimefield_value(grouped_at)
    ordered = frame.assign(grouped_at=stamp.isoformat() if isinstance(stamp, datetime) else stamp)[
        COPY_COLUMNS
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors
            ):  # a duplicate key raises Django's IntegrityError, as through the ORM
                _postgres_copy(cursor, _chunks(ordered, CHUNK_ROWS), table)
        else:
            placeholders = ", ".join(["%s"] * len(COPY_COLUMNS))
            sql = f"INSERT INTO {table} ({', '.join(COPY_COLUMNS)}) VALUES ({placeholders})"
            for chunk in _chunks(ordered, SQLITE_CHUNK_ROWS):
                cursor.executemany(sql, _python_rows(chunk))
    return len(frame)


KEYS_TABLE = "grouping_keys"
RESULT_COLUMNS = [name for name in SHARED if name not in {"version_id", "kind", "grouped_at"}]


def case_groups_insert_by_key(
    keyed: pd.DataFrame,
    *,
    key_columns: Sequence[str],
    cases: QuerySet,
    version_id: int,
    kind: str,
    grouped_at: datetime,
    table: str = TABLE,
    using: str = "default",
) -> int:
    """Write one result per case of ``cases`` from the results of its distinct key (``keyed``: ``key_columns``
    and ``RESULT_COLUMNS``) into ``table``: the keys go into a temporary table and the database joins them to
    the cases in one ``INSERT … SELECT``, so the million case rows never travel to Python and back. Returns
    rows written."""
    connection = connections[using]
    stamp = connection.ops.adapt_datetimefield_value(grouped_at)
    case_sql, case_params = (
        cases.order_by().values("id", "period_id", *key_columns).query.sql_with_params()
    )
    on = " AND ".join(f"c.{name} = k.{name}" for name in key_columns)
    insert = (
        f"INSERT INTO {table} (case_id, period_id, version_id, kind, grouped_at, {', '.join(RESULT_COLUMNS)}) "
        f"SELECT c.id, c.period_id, %s, %s, %s, {', '.join(f'k.{name}' for name in RESULT_COLUMNS)} "
        f"FROM ({case_sql}) c JOIN {KEYS_TABLE} k ON {on}"
    )
    columns = [*key_columns, *RESULT_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {KEYS_TABLE}")
        definitions = ", ".join(
            f"{name} {'numeric' if name == 'typing_coefficient' else 'text'}" for name in columns
        )
        cursor.execute(f"CREATE TEMPORARY TABLE {KEYS_TABLE} ({definitions})")
        if (
            connection.vendor == "postgresql"
        ):  # a DRG year has a few hundred thousand distinct other-diagnosis lists
            with cursor.cursor.copy(f"COPY {KEYS_TABLE} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in _python_rows(keyed[columns]):
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {KEYS_TABLE} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                list(_python_rows(keyed[columns])),
            )
        # Without statistics the planner took the keys for the larger side and hashed the million cases (spilling
        # to disk, 1.2 s more); a few hundred keys are analysed in a millisecond.
        cursor.execute(f"ANALYZE {KEYS_TABLE}")
        cursor.execute(insert, [version_id, kind, stamp, *case_params])
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE {KEYS_TABLE}")
    return written


def _chunks(frame: pd.DataFrame, step: int) -> Iterator[pd.DataFrame]:
    return (frame.iloc[start : start + step] for start in range(0, len(frame), step))


def _postgres_copy(cursor, chunks: Iterator[pd.DataFrame], table: str) -> None:
    sql = f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')"
    with cursor.cursor.copy(sql) as copy:
        for chunk in chunks:
            copy.write(_csv_bytes(chunk))


def _csv_bytes(chunk: pd.DataFrame) -> bytes:
    """The chunk as UTF-8 CSV: ids per row, the shared columns rendered once per distinct combination."""
    combination = (
        chunk[SHARED].groupby(SHARED, observed=True, dropna=False, sort=False).ngroup().to_numpy()
    )
    first_rows = np.unique(combination, return_index=True)[
        1
    ]  # groups are numbered in order of appearance
    shared = chunk[SHARED].iloc[first_rows].astype(object)
    tails = np.array(
        [
            _csv_line(row).encode()
            for row in shared.where(shared.notna(), NULL).itertuples(index=False)
        ],
        dtype=object,
    )
    ids = np.char.add(
        np.char.add(chunk["case_id"].to_numpy().astype("S"), b","),
        chunk["period_id"].to_numpy().astype("S"),
    )
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


def partition_name(version_id: int) -> str:
    """The PostgreSQL partition holding one catalog version's results."""
    return f"{TABLE}_v{int(version_id)}"


@dataclass
class Replacement:
    """Where a run writes its new results (``table``) and how many old results it replaced."""

    table: str
    replaced: int


@contextmanager
def version_results_replaced(
    *, version_id: int, old: QuerySet, whole: bool, using: str = "default"
) -> Iterator[Replacement]:
    """Replace results of one catalog version: the block writes the new rows into ``replacement.table``.

    ``whole``: ``old`` is every result the version has (a whole-year grouping), so on PostgreSQL the new
    rows go into a fresh table, which gets its keys after the write (one sort per index instead of an
    index insert per row) and then takes the place of the version's partition — the old rows are dropped
    with their partition, not deleted one by one. Locks on the results table are taken only for the swap
    at the end. Otherwise (a month, a scheme; or SQLite) ``old`` is deleted and the block writes into the
    table itself, the version's partition created first if it has none. Needs a transaction."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield Replacement(TABLE, old.delete()[0])
        return
    partition = partition_name(version_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [partition])
        exists = cursor.fetchone()[0]
        if not whole:
            if not exists:
                cursor.execute(
                    f"CREATE TABLE {partition} PARTITION OF {TABLE} FOR VALUES IN ({int(version_id)})"
                )
            yield Replacement(TABLE, old.delete()[0])
            return
        fresh = f"{partition}_new"
        # The check proves the rows belong to the partition, so attaching does not scan them again; declared
        # before the write, it is tested row by row as they go in rather than by a scan afterwards.
        cursor.execute(
            f"CREATE TABLE {fresh} (LIKE {TABLE} INCLUDING DEFAULTS, "
            f"CONSTRAINT {fresh}_version CHECK (version_id = {int(version_id)}))"
        )
        cursor.execute(f"SELECT count(*) FROM {partition}" if exists else "SELECT 0")
        replacement = Replacement(fresh, cursor.fetchone()[0])
        yield replacement
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        renames = _keys_copied(cursor, fresh)
        if exists:
            cursor.execute(f"DROP TABLE {partition}")
        cursor.execute(f"ALTER TABLE {fresh} RENAME TO {partition}")
        for (
            kind,
            name,
        ) in (
            renames
        ):  # the partition's keys take names of its own, free for the next swap's fresh table
            new_name = partition + name.removeprefix(fresh)
            cursor.execute(
                f"ALTER TABLE {partition} RENAME CONSTRAINT {name} TO {new_name}"
                if kind == "constraint"
                else f"ALTER INDEX {name} RENAME TO {new_name}"
            )
        cursor.execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {partition} FOR VALUES IN ({int(version_id)})"
        )
        cursor.execute(f"ALTER TABLE {partition} DROP CONSTRAINT {fresh}_version")


def _keys_copied(cursor, fresh: str) -> list[tuple[str, str]]:
    """Give the fresh table the results table's primary/unique keys and indexes, as the catalog defines them
    on the partitioned table (so attaching finds them and builds nothing); returns (kind, name) of each."""
    indexes, constraints = table_keys(cursor, TABLE, constraint_types="pu")
    created = []
    for number, (_, definition) in enumerate(constraints):
        cursor.execute(f"ALTER TABLE {fresh} ADD CONSTRAINT {fresh}_k{number} {definition}")
        created.append(("constraint", f"{fresh}_k{number}"))
    for number, (_, definition) in enumerate(indexes):
        unique = "UNIQUE " if definition.startswith("CREATE UNIQUE ") else ""
        cursor.execute(
            f"CREATE {unique}INDEX {fresh}_i{number} ON {fresh} USING {definition.split(' USING ', 1)[1]}"
        )
        created.append(("index", f"{fresh}_i{number}"))
    return created
