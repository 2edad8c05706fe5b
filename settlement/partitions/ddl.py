"""The SQL of the year partitions (PostgreSQL only; every function takes a cursor of the caller's transaction).

Two tables are partitioned by settlement year (结算年度), ``PARTITION BY RANGE`` with one partition a year
(``<table>_y2025``) and a DEFAULT partition (``<table>_default``) that takes the rows of a year without
one, so no write is ever refused for want of a partition:

- the case table by ``setl_time``: a case's settlement month — so its period and year — is the local month
  of ``setl_time`` (settlement/intake/services.py), so a year's partition holds exactly the cases of the
  year's periods; bounds are local midnight of 1 January (``settings.TIME_ZONE``);
- the per-case run results by ``year``, the run's year.

PostgreSQL wants every primary and unique key of a partitioned table to include the partition key: the
primary key becomes ``(id, key)`` (Django keeps ``id`` as the primary key; the identity sequence keeps it
unique) and the case table's natural key ``(institution, setl_id)`` is held as
``(institution_id, setl_id, setl_time)`` under its own name (intake finds an existing case by
``(institution, setl_id)`` before writing, so the application keeps the pair unique across years). No
database foreign key can point at a partitioned table without the key, so those to the case table are
``db_constraint=False`` (docs/partitioning.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from settlement.bulkload import table_keys


@dataclass(frozen=True)
class YearPartitioned:
    """A table partitioned by year: its name, its key column, and whether the key is a timestamp (the
    year is its local year) or the year itself."""

    table: str
    key: str
    timestamp: bool

    def partition(self, year: int) -> str:
        return f"{self.table}_y{int(year)}"

    @property
    def default(self) -> str:
        return f"{self.table}_default"

    def bounds(self, year: int) -> str:
        """``FROM (…) TO (…)`` of the year's partition."""
        if not self.timestamp:
            return f"FROM ({int(year)}) TO ({int(year) + 1})"
        start, end = (_new_year(year).isoformat(), _new_year(year + 1).isoformat())
        return f"FROM ('{start}') TO ('{end}')"

    def year_of(self, column: str) -> str:
        """SQL for the year of ``column`` (a key value), as an integer."""
        if not self.timestamp:
            return f"{column}::int"
        return f"date_part('year', {column} AT TIME ZONE '{settings.TIME_ZONE}')::int"

    def in_year(self, year: int) -> str:
        """SQL condition: the row's key lies in the year."""
        if not self.timestamp:
            return f"{self.key} = {int(year)}"
        return f"{self.key} >= '{_new_year(year).isoformat()}' AND {self.key} < '{_new_year(year + 1).isoformat()}'"


def _new_year(year: int) -> datetime.datetime:
    return datetime.datetime(int(year), 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


CASES = YearPartitioned("settlement_caserecord", "setl_time", timestamp=True)
RUN_CASES = YearPartitioned("settlement_runcase", "year", timestamp=False)
TABLES = (CASES, RUN_CASES)


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(%s)", [table])
    found = cursor.fetchone()
    return bool(found and found[0])


def year_partitions(cursor, spec: YearPartitioned) -> dict[int, str]:
    """The year partitions attached to the table now: {year: name}."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%s)",
        [spec.table],
    )
    prefix = f"{spec.table}_y"
    return {
        int(name.removeprefix(prefix)): name
        for (name,) in cursor.fetchall()
        if name.startswith(prefix) and name.removeprefix(prefix).isdigit()
    }


def years_present(cursor, spec: YearPartitioned, source: str | None = None) -> list[int]:
    """The distinct years of the rows of ``source`` (the table by default): one scan."""
    cursor.execute(f"SELECT DISTINCT {spec.year_of(spec.key)} FROM {source or spec.table}")
    return sorted(year for (year,) in cursor.fetchall() if year is not None)


def owns(cursor, table: str) -> bool:
    """Whether the connected role may run DDL on ``table`` (it owns it, or is a member of its owner)."""
    cursor.execute(
        "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(%s)",
        [table],
    )
    found = cursor.fetchone()
    return bool(found and found[0])


def constraints_checked(cursor) -> None:
    """Run the transaction's pending (deferred) foreign-key checks now: PostgreSQL refuses to alter a table
    with pending trigger events. Django's keys are ``DEFERRABLE INITIALLY DEFERRED``, as they are again
    afterwards."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def partition_create(
    cursor, spec: YearPartitioned, year: int, *, fill: Callable[[object, str], None] | None = None
) -> int:
    """Give ``year`` its own partition; the year's rows the DEFAULT partition holds move into it. Returns
    the rows moved. The partition is built as a table of its own — ``fill(cursor, name)`` may load it
    first (a restored archive) — and attached, which adds the parent's keys and indexes; so a DEFAULT
    partition holding rows of the year does not refuse it."""
    name = spec.partition(year)
    constraints_checked(cursor)
    cursor.execute(
        f"CREATE TABLE {name} (LIKE {spec.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
    )
    if fill is not None:
        fill(cursor, name)
    cursor.execute(
        f"WITH moved AS (DELETE FROM {spec.default} WHERE {spec.in_year(year)} RETURNING *) "
        f"INSERT INTO {name} SELECT * FROM moved"
    )
    moved = cursor.rowcount
    cursor.execute(
        f"ALTER TABLE {spec.table} ATTACH PARTITION {name} FOR VALUES {spec.bounds(year)}"
    )
    return moved


def table_partition(cursor, spec: YearPartitioned, *, years: list[int], select: str = "") -> None:
    """Rebuild the plain table as partitioned, with a partition for each of ``years`` and a DEFAULT one,
    keeping every row, its id, the identity sequence's position, every index, key and check under its name.
    ``select`` (optional) reads the rows from ``{old}`` in the new table's column order."""
    _rebuild(cursor, spec, years=years, select=select)


def table_unpartition(cursor, spec: YearPartitioned) -> None:
    """Rebuild the partitioned table as one plain table (the reverse of ``table_partition``)."""
    _rebuild(cursor, spec, years=None)


def _rebuild(cursor, spec: YearPartitioned, *, years: list[int] | None, select: str = "") -> None:
    """Keys and indexes are dropped first and rebuilt after the copy: one sort per index, not a million
    index inserts; a fresh ``ANALYZE`` gives the planner the new table."""
    table, old = spec.table, f"{spec.table}_old"
    indexes, keys = table_keys(cursor, table, constraint_types="pu")
    _, foreign = table_keys(cursor, table, constraint_types="f")
    cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))")
    next_id = cursor.fetchone()[0]
    for name, _ in [*foreign, *keys]:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id DROP IDENTITY")
    cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
    partitioned = years is not None
    by = f" PARTITION BY RANGE ({spec.key})" if partitioned else ""
    cursor.execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE){by}"
    )
    if partitioned:
        for year in years:
            cursor.execute(
                f"CREATE TABLE {spec.partition(year)} PARTITION OF {table} FOR VALUES {spec.bounds(year)}"
            )
        cursor.execute(f"CREATE TABLE {spec.default} PARTITION OF {table} DEFAULT")
    cursor.execute(f"INSERT INTO {table} {(select or 'SELECT * FROM {old}').format(old=old)}")
    cursor.execute(f"DROP TABLE {old}")
    cursor.execute(
        f"ALTER TABLE {table} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH {int(next_id)})"
    )
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for name, definition in keys:
        cursor.execute(
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {key_with(definition, spec.key, partitioned)}'
        )
    for _, definition in indexes:
        cursor.execute(definition.replace(" ON ONLY ", " ON "))
    for name, definition in foreign:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(f"ANALYZE {table}")


def key_with(definition: str, key: str, included: bool) -> str:
    """A primary or unique key's definition (``UNIQUE (a, b)``) with the partition key added or removed."""
    head, columns = definition.rsplit("(", 1)
    names = [name.strip() for name in columns.rstrip(")").split(",") if name.strip() != key]
    return f"{head}({', '.join([*names, key] if included else names)})"
