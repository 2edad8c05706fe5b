"""Import batches: upload, run (validate → lock checks → corrections → bulk load), all or nothing.

Periods: the settlement month of a case is decided by ``setl_time`` in the region of its
institution. A month that has no ``SettlementPeriod`` yet is created *open* — hospitals send the
first cases of a new month before anyone opens it by hand, and refusing them would only delay the
data; the bureau locks a month by closing it. A closed month refuses both new cases and corrections.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from audit.services import audit_record
from catalogs.models import Institution
from config.lazy import pandas as pd
from jobs.services import job_start
from settlement.aggregates.services import case_aggregates_refresh
from settlement.bulkload import CASE_COPY_COLUMNS, case_statistics_refresh, cases_copy
from settlement.choices import PeriodStatus
from settlement.intake import columns as cols
from settlement.intake import domain, files, national
from settlement.intake.choices import ImportSource, ImportStatus, IssueSeverity
from settlement.intake.models import CaseRecordVersion, ImportBatch, ImportIssue
from settlement.models import CaseRecord, SettlementPeriod
from settlement.partitions.services import year_partitions_ensure

ERR_UPLOAD_ROLE = "只有经办机构和医疗机构用户可以导入结算清单。"
ERR_PERIOD_CLOSED = "结算月份已关账，不能再导入该月的结算清单。"
ERR_CORRECTION_CLOSED = "该结算清单原所属月份已关账，不能更正。"
ERR_API_TOO_MANY = "单次接口提交不能超过{limit}条。"
ERR_API_EMPTY = "没有提交任何结算清单。"

JOB_KIND = "case_import"
MAX_STORED_ISSUES = 100_000
API_MAX_ROWS = 10_000
LOOKUP_CHUNK = 10_000
UPDATE_BATCH = 500

Progress = Callable[[int, str], None]


class IntakeRefused(Exception):
    """The upload is refused before a batch is created; the message says why, in Chinese."""


def _institution_for(actor) -> Institution | None:
    """A hospital user's batches belong to its institution; a bureau user's are regional (None)."""
    if getattr(actor, "is_hospital", False):
        return actor.institution
    if getattr(actor, "is_bureau", False) or getattr(actor, "is_superuser", False):
        return None
    raise PermissionDenied(ERR_UPLOAD_ROLE)


def batch_upload(*, actor, upload, dispatch: bool = True) -> ImportBatch:
    """Store an uploaded file as a batch and start its import job (parsing happens in the job)."""
    return batch_store(
        actor=actor, institution=_institution_for(actor), upload=upload, dispatch=dispatch
    )


def batch_store(
    *, actor, institution: Institution | None, upload, dispatch: bool = True
) -> ImportBatch:
    """Size and type checks, then the batch, its audit event and its job in one transaction.

    ``institution`` set: only that institution's rows are accepted (a hospital's upload, or an
    operator importing one hospital's file); None: a regional file.
    """
    limit = settings.INTAKE_MAX_UPLOAD_MB
    if upload.size > limit * 1024 * 1024:
        raise IntakeRefused(files.ERR_FILE_TOO_LARGE.format(limit=limit))
    try:
        source = files.source_of(upload.name)
    except files.FileRefused as exc:
        raise IntakeRefused(str(exc)) from None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            institution=institution,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            file=upload,
            file_name=Path(upload.name).name[:255],
            sha256=digest.hexdigest(),
            size=upload.size,
            source=source,
        )
        audit_record(
            actor=actor,
            action="case_import_upload",
            instance=batch,
            after={
                "file_name": batch.file_name,
                "sha256": batch.sha256,
                "size": batch.size,
                "source": source,
            },
        )
        batch.job = job_start(
            actor=actor,
            kind=JOB_KIND,
            key=f"{JOB_KIND}:{batch.pk}",
            params={"batch_id": batch.pk},
            institution=institution,
            dispatch=dispatch,
        )
        batch.save(update_fields=["job"])
    return batch


def import_batch_run(*, batch_id: int, progress: Progress) -> dict:
    """The job: read the stored file, validate, write. A system failure marks the batch failed."""
    batch = ImportBatch.objects.select_related("institution", "uploaded_by").get(pk=batch_id)
    started = time.monotonic()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    with _failure_recorded(batch):
        progress(5, "正在读取文件")
        try:
            raw = files.frame_read(
                Path(batch.file.path),
                source=batch.source,
                max_uncompressed_mb=settings.INTAKE_MAX_XLSX_UNCOMPRESSED_MB,
            )
        except files.FileRefused as exc:
            errors = pd.DataFrame(
                [
                    {
                        "row": domain.HEADER_ROW,
                        "column": "",
                        "value": batch.file_name,
                        "message": str(exc),
                    }
                ]
            )
            with transaction.atomic():
                return _batch_finish(
                    batch,
                    status=ImportStatus.REJECTED,
                    errors=errors,
                    warnings=domain.empty_issues(),
                    started=started,
                )
        return _batch_process(batch, raw, progress=progress, first_row=2, started=started)


@contextmanager
def _failure_recorded(batch: ImportBatch):
    """A system failure (not a validation error) rolls the batch's transaction back; say so on the batch."""
    try:
        yield
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        raise


def batch_from_records(*, actor, records: list[dict]) -> ImportBatch:
    """A JSON batch of flat rows from the API, validated and written synchronously; row numbers start at 1."""
    return _api_batch(
        actor=actor, records=records, raw=lambda: pd.DataFrame.from_records(records).astype(object)
    )


def batch_from_national_records(*, actor, records: list[dict]) -> ImportBatch:
    """A JSON batch of 4101 records (``setlinfo`` with the lists ``diseinfo``, ``oprninfo``, ``icuinfo``),
    flattened and validated by the same path; record numbers and list rows start at 1."""
    return _api_batch(actor=actor, records=records, raw=lambda: national_tables(records))


def national_tables(records: list[dict]) -> files.Tables:
    """The records as one frame per national table; list rows carry their record and their place in the list."""
    tables = {
        cols.SETLINFO: pd.DataFrame.from_records(
            [record.get(cols.SETLINFO) or {} for record in records]
        )
    }
    for table in cols.SUBTABLES:
        rows = [
            {**row, national.RECORD: position, national.ROW: number}
            for position, record in enumerate(records)
            for number, row in enumerate(record.get(table) or [], start=1)
        ]
        tables[table] = pd.DataFrame.from_records(rows)
    # Object cells, as for flat rows: JSON numbers become text through domain.cell_text (0.1 + 0.2 stays 0.3).
    return {table: frame.astype(object) for table, frame in tables.items()}


def _api_batch(
    *, actor, records: list[dict], raw: Callable[[], pd.DataFrame | files.Tables]
) -> ImportBatch:
    institution = _institution_for(actor)
    if not records:
        raise IntakeRefused(ERR_API_EMPTY)
    if len(records) > API_MAX_ROWS:
        raise IntakeRefused(ERR_API_TOO_MANY.format(limit=API_MAX_ROWS))
    body = json.dumps(records, ensure_ascii=False, sort_keys=True, default=str).encode()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            institution=institution,
            uploaded_by=actor,
            file_name="接口提交",
            sha256=hashlib.sha256(body).hexdigest(),
            size=len(body),
            source=ImportSource.API,
            status=ImportStatus.RUNNING,
        )
        audit_record(
            actor=actor,
            action="case_import_upload",
            instance=batch,
            after={"source": "api", "rows": len(records)},
        )
    with _failure_recorded(batch):
        _batch_process(
            batch,
            raw(),
            progress=lambda percent, message="": None,
            first_row=1,
            started=time.monotonic(),
        )
    batch.refresh_from_db()
    return batch


# --- the run ---------------------------------------------------------------------------------------


def _batch_process(
    batch: ImportBatch,
    raw: pd.DataFrame | files.Tables,
    *,
    progress: Progress,
    first_row: int,
    started: float,
) -> dict:
    """Validate (flat rows, or 4101 tables through the same flat validation) and write, all or nothing."""
    institutions = {
        code: (pk, region)
        for code, pk, region in Institution.objects.values_list("code", "pk", "region_id")
    }
    own = batch.institution.code if batch.institution_id else None
    shaped = isinstance(raw, dict)
    progress(15, f"正在校验 {len(raw[cols.SETLINFO] if shaped else raw):,} 条结算清单")
    validate = national.records_validate if shaped else domain.cases_validate
    result = validate(
        raw, known_institutions=institutions, own_institution=own, first_row=first_row
    )
    raw = raw[cols.SETLINFO] if shaped else raw
    progress(50, f"校验完成：{len(result.errors):,} 个错误，{len(result.warnings):,} 个警告")
    with transaction.atomic():
        if not result.ok:
            return _batch_finish(
                batch,
                status=ImportStatus.REJECTED,
                errors=result.errors,
                warnings=result.warnings,
                started=started,
                rows_in=len(result.cases) or len(raw),
            )
        return _cases_write(batch, result, institutions, progress=progress, started=started)


def _cases_write(
    batch: ImportBatch,
    result: domain.IntakeResult,
    institutions: dict,
    *,
    progress: Progress,
    started: float,
) -> dict:
    cases = _cases_locate(result.cases, institutions)
    periods = _periods_existing(cases)
    existing = _cases_existing(cases)
    errors = _lock_errors(cases, periods, existing)
    if not errors.empty:
        return _batch_finish(
            batch,
            status=ImportStatus.REJECTED,
            errors=errors,
            warnings=result.warnings,
            started=started,
            rows_in=len(cases),
        )
    created = _periods_create(cases, periods)
    keys = pd.DataFrame(
        [(*key, period.pk) for key, period in periods.items()],
        columns=["region_id", "year", "month", "period_id"],
    )
    cases = cases.merge(keys, how="left", on=["region_id", "year", "month"], validate="many_to_one")
    cases = cases.merge(
        existing[["institution_id", "setl_id", "case_id", "old_version"]],
        how="left",
        on=["institution_id", "setl_id"],
    )
    replacing = cases["case_id"].notna()
    progress(60, f"正在写入：新增 {int((~replacing).sum()):,} 条，更正 {int(replacing.sum()):,} 条")
    touched_periods = {*cases["period_id"], *_case_periods(cases.loc[replacing, "case_id"])}
    replaced = _corrections_apply(batch, cases[replacing])
    written = cases_copy(_copy_frame(cases[~replacing]))
    case_statistics_refresh(written + replaced)
    case_aggregates_refresh(
        institution_ids=cases["institution_id"].unique(), period_ids=touched_periods
    )
    progress(95, "正在保存导入结果")
    return _batch_finish(
        batch,
        status=ImportStatus.SUCCEEDED,
        errors=domain.empty_issues(),
        warnings=result.warnings,
        started=started,
        rows_in=len(cases),
        rows_written=written,
        rows_replaced=replaced,
        periods_created=created,
    )


def _cases_locate(cases: pd.DataFrame, institutions: dict) -> pd.DataFrame:
    """Institution id, region and settlement month (local time of setl_time) of every case."""
    known = pd.DataFrame(
        [(code, pk, region) for code, (pk, region) in institutions.items()],
        columns=["fixmedins_code", "institution_id", "region_id"],
    )
    located = cases.merge(known, how="left", on="fixmedins_code", validate="many_to_one")
    located["year"] = located["setl_time"].dt.year.astype("int64")
    located["month"] = located["setl_time"].dt.month.astype("int64")
    return located


def _periods_existing(cases: pd.DataFrame) -> dict[tuple[int, int, int], SettlementPeriod]:
    wanted = cases[["region_id", "year", "month"]].drop_duplicates()
    found = SettlementPeriod.objects.filter(
        region_id__in=wanted["region_id"].unique().tolist(),
        year__in=wanted["year"].unique().tolist(),
    )
    return {(p.region_id, p.year, p.month): p for p in found}


def _periods_create(cases: pd.DataFrame, periods: dict) -> int:
    """Create the open months the file needs that do not exist yet (see the module docstring)."""
    keys = {
        tuple(int(v) for v in key)
        for key in cases[["region_id", "year", "month"]].drop_duplicates().itertuples(index=False)
    }
    missing = sorted(keys - set(periods))
    year_partitions_ensure({year for _, year, _ in missing})
    for region_id, year, month in missing:
        periods[(region_id, year, month)] = SettlementPeriod.objects.create(
            region_id=region_id, year=year, month=month
        )
    return len(missing)


_EXISTING_SQL = f"""
    SELECT c.institution_id, c.setl_id, c.id, c.version, p.status
    FROM {CaseRecord._meta.db_table} c JOIN {SettlementPeriod._meta.db_table} p ON p.id = c.period_id
    WHERE c.institution_id = ANY(%s) AND c.setl_id = ANY(%s)
"""


def _cases_existing(cases: pd.DataFrame) -> pd.DataFrame:
    """The stored cases with the file's natural keys (institution, setl_id): the corrections.

    On PostgreSQL the keys travel as two array parameters (one index scan, no 10,000-placeholder
    statements); elsewhere the ORM asks in chunks.
    """
    institution_ids = [int(pk) for pk in cases["institution_id"].unique()]
    setl_ids = cases["setl_id"].unique().tolist()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_EXISTING_SQL, [institution_ids, setl_ids])
            found = cursor.fetchall()
    else:
        found = []
        for start in range(0, len(setl_ids), LOOKUP_CHUNK):
            found += CaseRecord.objects.filter(
                institution_id__in=institution_ids,
                setl_id__in=setl_ids[start : start + LOOKUP_CHUNK],
            ).values_list("institution_id", "setl_id", "pk", "version", "period__status")
    return pd.DataFrame(
        found, columns=["institution_id", "setl_id", "case_id", "old_version", "old_status"]
    )


def _lock_errors(cases: pd.DataFrame, periods: dict, existing: pd.DataFrame) -> pd.DataFrame:
    closed = pd.DataFrame(
        [key for key, period in periods.items() if not period.is_open],
        columns=["region_id", "year", "month"],
    )
    target_closed = (
        pd.Series(
            pd.MultiIndex.from_frame(cases[["region_id", "year", "month"]]).isin(
                pd.MultiIndex.from_frame(closed)
            ),
            index=cases.index,
        )
        if not closed.empty
        else pd.Series(False, index=cases.index)
    )
    merged = cases[["institution_id", "setl_id"]].merge(
        existing, how="left", on=["institution_id", "setl_id"]
    )
    old_closed = pd.Series(
        (merged["old_status"] == PeriodStatus.CLOSED).to_numpy(), index=cases.index
    )
    return pd.concat(
        [
            domain.issues_from(
                cases["row"], old_closed, "setl_id", cases["setl_id"], ERR_CORRECTION_CLOSED
            ),
            domain.issues_from(
                cases["row"],
                target_closed & ~old_closed,
                "setl_time",
                cases["setl_time"].dt.strftime("%Y-%m-%d %H:%M"),
                ERR_PERIOD_CLOSED,
            ),
        ],
        ignore_index=True,
    )


def _case_periods(case_ids: pd.Series) -> set[int]:
    """The periods the corrected cases are in before the correction (a new setl_time can move one)."""
    ids = case_ids.astype("int64").tolist()
    return (
        set(CaseRecord.objects.filter(pk__in=ids).values_list("period_id", flat=True).distinct())
        if ids
        else set()
    )


def _copy_frame(cases: pd.DataFrame) -> pd.DataFrame:
    """The frame ``cases_copy`` wants: CaseRecord attnames, money in fen, optional text ''."""
    return cases[[column for column in CASE_COPY_COLUMNS if column in cases.columns]]


def _corrections_apply(batch: ImportBatch, cases: pd.DataFrame) -> int:
    """Keep each replaced record as a version, then update it in place (its id stays the case's id)."""
    if cases.empty:
        return 0
    ids = cases["case_id"].astype("int64").tolist()
    old = CaseRecord.objects.filter(pk__in=ids).values()
    CaseRecordVersion.objects.bulk_create(
        [
            CaseRecordVersion(
                case_id=row["id"], version=row["version"], data=row, replaced_by=batch
            )
            for row in old
        ],
        batch_size=UPDATE_BATCH,
    )
    fields = list(_copy_frame(cases).columns)
    updated = [
        CaseRecord(
            pk=int(row["case_id"]),
            version=int(row["old_version"]) + 1,
            updated_at=timezone.now(),
            **{field: _model_value(field, row[field]) for field in fields},
        )
        for row in cases.to_dict("records")
    ]
    CaseRecord.objects.bulk_update(
        updated, [*fields, "version", "updated_at"], batch_size=UPDATE_BATCH
    )
    return len(updated)


_MONEY_FIELDS = {
    field.attname
    for field in CaseRecord._meta.concrete_fields
    if field.get_internal_type() == "DecimalField"
}


def _model_value(field: str, value):
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return None
    if field in _MONEY_FIELDS:
        return Decimal(int(value)).scaleb(-2)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def _issues_store(batch: ImportBatch, issues: pd.DataFrame, severity: str, room: int) -> int:
    kept = issues.head(max(room, 0))
    ImportIssue.objects.bulk_create(
        [
            ImportIssue(
                batch=batch,
                severity=severity,
                row=int(row),
                column=column,
                value=str(value)[:200],
                message=message[:300],
            )
            for row, column, value, message in kept[domain.ISSUE_FIELDS].itertuples(index=False)
        ],
        batch_size=5000,
    )
    return len(kept)


def _batch_finish(
    batch: ImportBatch,
    *,
    status: str,
    errors: pd.DataFrame,
    warnings: pd.DataFrame,
    started: float,
    rows_in: int = 0,
    rows_written: int = 0,
    rows_replaced: int = 0,
    periods_created: int = 0,
) -> dict:
    """Record the outcome, the issues (up to MAX_STORED_ISSUES) and one audit event. Inside the batch's transaction."""
    stored = _issues_store(batch, errors, IssueSeverity.ERROR, MAX_STORED_ISSUES)
    stored += _issues_store(batch, warnings, IssueSeverity.WARNING, MAX_STORED_ISSUES - stored)
    batch.status = status
    batch.rows_in, batch.rows_written, batch.rows_replaced = rows_in, rows_written, rows_replaced
    batch.error_count, batch.warning_count = len(errors), len(warnings)
    batch.finished_at = timezone.now()
    batch.duration = timedelta(seconds=time.monotonic() - started)
    batch.message = _outcome(batch, stored)
    batch.save(
        update_fields=[
            "status",
            "rows_in",
            "rows_written",
            "rows_replaced",
            "error_count",
            "warning_count",
            "finished_at",
            "duration",
            "message",
        ]
    )
    summary = {
        "batch_id": batch.pk,
        "status": status,
        "rows_in": rows_in,
        "rows_written": rows_written,
        "rows_replaced": rows_replaced,
        "errors": len(errors),
        "warnings": len(warnings),
        "periods_created": periods_created,
    }
    audit_record(
        actor=batch.uploaded_by or "系统",
        action="case_import",
        instance=batch,
        after=summary,
        message=batch.message,
    )
    return summary


def _outcome(batch: ImportBatch, stored: int) -> str:
    if batch.status == ImportStatus.SUCCEEDED:
        text = f"已导入：新增 {batch.rows_written} 条，更正 {batch.rows_replaced} 条，警告 {batch.warning_count} 个。"
    else:
        text = f"校验未通过：{batch.error_count} 个错误，未写入任何数据。请修正后重新上传。"
    if stored < batch.error_count + batch.warning_count:
        text += f"（仅保存前 {stored} 条问题明细。）"
    return text
