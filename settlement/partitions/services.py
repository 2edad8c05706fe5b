"""Year partitions at run time, and the archive of old years (归档): docs/partitioning.md.

``year_partitions_ensure`` gives a new settlement year its partitions when its first periods are created
(region set-up, intake, the demo) and by ``manage.py case_partitions``. ``case_year_archive`` detaches a
closed year's partitions, writes them to gzip CSV files beside a manifest and drops them;
``case_year_restore`` loads the files back and attaches them. Both are audited. Institution-level
results — runs, statements (结算单), month aggregates — never leave the database.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from audit.services import audit_record
from settlement.choices import PeriodStatus
from settlement.models import SettlementPeriod
from settlement.partitions import ddl
from settlement.partitions.models import CaseYearArchive
from settlement.partitions.selectors import archived_years, case_year_archived

log = logging.getLogger(__name__)

ERR_NOT_POSTGRES = "按年度分区与归档仅适用于 PostgreSQL。"
ERR_NOT_OWNER = "当前数据库角色不能修改分区（须以运行 migrate 的表所有者执行）。"
ERR_ARCHIVED = "{year} 年已归档。"
ERR_NOT_ARCHIVED = "{year} 年未归档。"
ERR_OPEN_PERIODS = "{year} 年仍有未关账的结算期间，关账后才能归档。"
ERR_NO_CASES = "{year} 年没有结算清单，无需归档。"
ERR_PERIOD_MISMATCH = (
    "{year} 年分区中有 {count} 条结算清单的结算期间不属于该年度（或反之），不能归档。"
)
ERR_MANIFEST = "归档目录中没有 {year} 年的归档清单：{path}"
ERR_FILE = "归档文件缺失或已被修改：{path}"
ERR_ROWS = "归档文件行数与清单不符（{table}：读入 {found} 行，清单记录 {expected} 行）。"

MANIFEST = "case_year_{year}.json"


def _postgres_checked() -> None:
    if connection.vendor != "postgresql":
        raise ValidationError(ERR_NOT_POSTGRES)


def year_partitions_ensure(years: Iterable[int]) -> list[int]:
    """Give each of ``years`` (but archived ones) its partition of both tables if it has none; the year's
    rows the DEFAULT partition holds move into it. Returns the years given a partition.

    A no-op on SQLite, and for a role that may not run DDL on the tables (the restricted web and worker
    role of docs/operations.md): the rows of the year then wait in DEFAULT — correct, only not pruned —
    until the owner runs ``manage.py case_partitions``. The DDL locks the tables until the caller's
    transaction ends, which happens once a year, when a year's first periods are made."""
    if connection.vendor != "postgresql":
        return []
    wanted = set(years) - archived_years()
    created = set()
    with connection.cursor() as cursor:
        for spec in ddl.TABLES:
            missing = wanted - set(ddl.year_partitions(cursor, spec))
            if not missing:
                continue
            if not ddl.owns(cursor, spec.table):
                log.warning("no DDL right on %s: years %s stay in DEFAULT", spec.table, missing)
                continue
            for year in sorted(missing):
                ddl.partition_create(cursor, spec, year)
            created |= missing
    return sorted(created)


def years_in_default() -> list[int]:
    """The years of the rows that wait in a DEFAULT partition (``manage.py case_partitions`` moves them)."""
    _postgres_checked()
    with connection.cursor() as cursor:
        return sorted(
            {year for spec in ddl.TABLES for year in ddl.years_present(cursor, spec, spec.default)}
        )


def _owner_checked(cursor) -> None:
    if not all(ddl.owns(cursor, spec.table) for spec in ddl.TABLES):
        raise ValidationError(ERR_NOT_OWNER)


def _archive_checked(cursor, year: int) -> None:
    if case_year_archived(year):
        raise ValidationError(ERR_ARCHIVED.format(year=year))
    if SettlementPeriod.objects.filter(year=year).exclude(status=PeriodStatus.CLOSED).exists():
        raise ValidationError(ERR_OPEN_PERIODS.format(year=year))
    partition = ddl.CASES.partition(year)
    period = SettlementPeriod._meta.db_table
    cursor.execute(
        f"SELECT (SELECT count(*) FROM {partition} c JOIN {period} p ON p.id = c.period_id "
        f"WHERE p.year <> %s) + (SELECT count(*) FROM {ddl.CASES.table} c JOIN {period} p "
        f"ON p.id = c.period_id WHERE p.year = %s AND NOT ({ddl.CASES.in_year(year)}))",
        [year, year],
    )
    mismatched = cursor.fetchone()[0]
    if mismatched:
        raise ValidationError(ERR_PERIOD_MISMATCH.format(year=year, count=mismatched))
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {partition})")
    if not cursor.fetchone()[0]:
        raise ValidationError(ERR_NO_CASES.format(year=year))


@transaction.atomic
def case_year_archive(*, actor, year: int, directory: Path) -> CaseYearArchive:
    """Archive a closed settlement year: detach its partitions of the case table and of the per-case run
    results, write each to ``directory`` as gzip CSV (with a header) beside a manifest of row counts and
    SHA-256 sums, drop them, record the year and audit it — all in one transaction."""
    _postgres_checked()
    directory = Path(directory).resolve()
    with connection.cursor() as cursor:
        _owner_checked(cursor)
        year_partitions_ensure([year])
        _archive_checked(cursor, year)
        directory.mkdir(parents=True, exist_ok=True)
        files = {
            spec.table: _partition_dumped(cursor, spec, year, directory) for spec in ddl.TABLES
        }
    manifest = {"year": year, "tables": files}
    (directory / MANIFEST.format(year=year)).write_text(json.dumps(manifest, indent=2))
    record = CaseYearArchive.objects.create(
        year=year,
        location=str(directory),
        case_rows=files[ddl.CASES.table]["rows"],
        run_case_rows=files[ddl.RUN_CASES.table]["rows"],
        archived_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="case_year_archive",
        instance=record,
        after=manifest,
        message=f"归档 {year} 年结算清单与病例结果至 {directory}",
    )
    return record


def _partition_dumped(cursor, spec: ddl.YearPartitioned, year: int, directory: Path) -> dict:
    name = spec.partition(year)
    ddl.constraints_checked(cursor)
    cursor.execute(f"ALTER TABLE {spec.table} DETACH PARTITION {name}")
    path = directory / f"{name}.csv.gz"
    digest = hashlib.sha256()
    sql = f"COPY {name} TO STDOUT WITH (FORMAT csv, HEADER)"
    with gzip.open(path, "wb", compresslevel=3) as out, cursor.cursor.copy(sql) as copy:
        for data in copy:
            digest.update(data)
            out.write(data)
    cursor.execute(f"SELECT count(*) FROM {name}")
    rows = cursor.fetchone()[0]
    cursor.execute(f"DROP TABLE {name}")
    return {"file": path.name, "rows": rows, "sha256": digest.hexdigest()}


@transaction.atomic
def case_year_restore(*, actor, year: int, directory: Path) -> CaseYearArchive:
    """Load an archived year back from ``directory`` (its manifest and files, checked against their sums
    and row counts) and attach it as the year's partitions again; the archive record goes, audited."""
    _postgres_checked()
    record = CaseYearArchive.objects.filter(year=year).first()
    if record is None:
        raise ValidationError(ERR_NOT_ARCHIVED.format(year=year))
    directory = Path(directory).resolve()
    manifest_path = directory / MANIFEST.format(year=year)
    if not manifest_path.is_file():
        raise ValidationError(ERR_MANIFEST.format(year=year, path=manifest_path))
    manifest = json.loads(manifest_path.read_text())
    with connection.cursor() as cursor:
        _owner_checked(cursor)
        for spec in ddl.TABLES:
            entry = manifest["tables"][spec.table]
            loaded = _file_loader(directory / entry["file"], entry)
            ddl.partition_create(cursor, spec, year, fill=loaded)
    audit_record(
        actor=actor,
        action="case_year_restore",
        instance=record,
        before={"location": record.location, "tables": manifest["tables"]},
        message=f"从 {directory} 恢复 {year} 年结算清单与病例结果",
    )
    record.delete()
    return record


def _file_loader(path: Path, entry: dict) -> Callable[[object, str], None]:
    """Fills a fresh partition table from an archive file, refusing a file whose sum or count differs."""

    def load(cursor, table: str) -> None:
        if not path.is_file():
            raise ValidationError(ERR_FILE.format(path=path))
        digest = hashlib.sha256()
        with gzip.open(path, "rb") as source:
            header = source.readline()
            digest.update(header)
            columns = header.decode().strip()
            with cursor.cursor.copy(
                f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"
            ) as copy:
                while data := source.read(1 << 20):
                    digest.update(data)
                    copy.write(data)
        if digest.hexdigest() != entry["sha256"]:
            raise ValidationError(ERR_FILE.format(path=path))
        cursor.execute(f"SELECT count(*) FROM {table}")
        found = cursor.fetchone()[0]
        if found != entry["rows"]:
            raise ValidationError(ERR_ROWS.format(table=table, found=found, expected=entry["rows"]))

    return load
