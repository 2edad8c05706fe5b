"""Generating a month's report pack: the bureau's workbook and one workbook per institution.

``report_pack_start`` queues the generation as a job (one at a time per region and month);
``report_packs_schedule`` does so for every region on the 1st of each month (Celery beat, for the
month before); the job calls ``report_pack_generate``. The workbooks are written to temporary files
first (streaming, config/spreadsheets/streamed.py), then stored and recorded in one transaction, each file's
creation or replacement audited; a month generated again replaces its files.

Tenancy of the content: an institution's workbook holds only rows of that institution — its cases,
its statements, its confirmed findings (what ``Finding.objects.for_user`` shows a hospital) and its
data-quality score; region-wide figures (the regional summary, point values) are the bureau's only.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record, snapshot
from catalogs.models import Region
from config.lazy import pandas as pd
from config.spreadsheets.streamed import Sheet, Stamp, workbook_write
from jobs.models import Job
from jobs.services import job_start
from reports import selectors, sheets
from reports.choices import PackKind
from reports.models import ReportFile
from reports.selectors import PackInputs
from supervision.choices import FindingStatus

JOB_KIND = "report_pack_generate"
SCHEDULER = "定时任务:月度报表"
ERR_BUREAU_ONLY = "仅经办机构用户可以生成月度报表。"
BUREAU_TITLE = "医保支付方式改革月度报表（统筹区）"
INSTITUTION_TITLE = "医保支付方式改革月度报表（医疗机构）"


def _require_bureau(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_bureau:
        raise PermissionDenied(ERR_BUREAU_ONLY)


def report_pack_start(*, actor, region: Region, year: int, month: int) -> Job:
    """Queue the generation of a region's month (refused while the same month is being generated)."""
    if not isinstance(actor, str):
        _require_bureau(actor)
    return job_start(
        actor=actor,
        kind=JOB_KIND,
        key=f"{JOB_KIND}:{region.pk}:{year}-{month:02d}",
        params={"region_id": region.pk, "year": year, "month": month},
    )


def previous_month(today: date) -> tuple[int, int]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.year, last.month


def report_packs_schedule(*, today: date | None = None) -> list[Job]:
    """The monthly schedule: queue the previous month's pack of every region (today in Asia/Shanghai)."""
    year, month = previous_month(today or timezone.localdate())
    return [
        report_pack_start(actor=SCHEDULER, region=region, year=year, month=month)
        for region in selectors.region_list()
    ]


# --- generation ------------------------------------------------------------------------------------


@dataclass
class Written:
    """A workbook written to a temporary file, waiting to be stored."""

    kind: str
    institution_id: int | None
    path: Path
    sheets: dict[str, int]
    sha256: str
    size: int


def report_pack_generate(
    *,
    actor,
    region: Region,
    year: int,
    month: int,
    job_id: int | None = None,
    progress: Callable[[int, str], None] = lambda percent, message: None,
) -> dict:
    """Write and store the month's workbooks; returns a summary (files, rows of the case sheet)."""
    progress(5, "读取结算、分组、监管与数据质量数据")
    inputs = selectors.pack_inputs(region=region, year=year, month=month)
    now = timezone.localtime()
    stamp = Stamp(
        title=BUREAU_TITLE,
        region=str(region),
        period=f"{year}年{month}月",
        generated_at=now,
        generated_by=str(actor),
        job_id=job_id,
        settlement_runs=inputs.run_labels,
        parameter_sets=inputs.parameter_sets,
        catalog_versions=inputs.catalog_versions,
    )
    with tempfile.TemporaryDirectory(prefix="report-pack-") as work:
        progress(15, "生成统筹区月度报表")
        written = [_write(Path(work), PackKind.BUREAU, None, stamp, bureau_sheets(inputs))]
        institutions = pack_institution_ids(inputs)
        for n, institution_id in enumerate(institutions, start=1):
            progress(
                15 + 75 * n // max(len(institutions), 1),
                f"生成机构月度报表 {n}/{len(institutions)}",
            )
            own = replace(
                stamp, title=INSTITUTION_TITLE, institution=inputs.names[institution_id].name
            )
            written.append(
                _write(
                    Path(work),
                    PackKind.INSTITUTION,
                    institution_id,
                    own,
                    institution_sheets(inputs, institution_id),
                )
            )
        progress(92, "保存报表文件")
        stored = _store(
            actor=actor,
            region=region,
            year=year,
            month=month,
            job_id=job_id,
            written=written,
            stamps=_stamps(inputs),
        )
    return {
        "region": region.code,
        "year": year,
        "month": month,
        "files": stored,
        "cases": len(inputs.cases),
    }


def _stamps(inputs: PackInputs) -> dict:
    return {
        "settlement_runs": inputs.run_labels,
        "parameter_sets": inputs.parameter_sets,
        "catalog_versions": inputs.catalog_versions,
    }


def bureau_sheets(inputs: PackInputs) -> list[Sheet]:
    """The bureau's workbook: the whole region."""
    run_sheets = (
        [sheets.regional_summary(inputs.runs), sheets.statements(inputs.statements, inputs.names)]
        if inputs.runs
        else []
    )
    return [
        *run_sheets,
        *_case_and_supervision_sheets(inputs.cases, inputs.findings, inputs.quality, inputs.names),
    ]


def institution_sheets(inputs: PackInputs, institution_id: int) -> list[Sheet]:
    """One institution's workbook: its own rows only, and only the findings a hospital may see (confirmed)."""
    own = [
        row
        for row in inputs.statements
        if row["institution_id"] == institution_id and row.get("published")
    ]
    findings = [
        r
        for r in inputs.findings
        if r["institution_id"] == institution_id and r["status"] == FindingStatus.CONFIRMED
    ]
    quality = [r for r in inputs.quality if r["institution_id"] == institution_id]
    cases = inputs.cases[inputs.cases["institution_id"] == institution_id]
    statement = [sheets.statements(own, inputs.names, title="本机构结算单")] if inputs.runs else []
    return [*statement, *_case_and_supervision_sheets(cases, findings, quality, inputs.names)]


def _case_and_supervision_sheets(
    cases: pd.DataFrame,
    findings: list[dict],
    quality: list[dict],
    names: Mapping[int, sheets.InstitutionName],
) -> list[Sheet]:
    return [
        sheets.group_analysis(cases, names),
        sheets.findings(findings, names),
        sheets.data_quality(quality, names),
        sheets.case_detail(cases, names),
    ]


def pack_institution_ids(inputs: PackInputs) -> list[int]:
    """Institutions with anything to report this month, in code order."""
    present = {
        *inputs.cases["institution_id"],
        *(r["institution_id"] for r in [*inputs.findings, *inputs.quality, *inputs.statements]),
    }
    return [int(i) for i in inputs.institutions["institution_id"] if i in present]


def _write(
    work: Path, kind: str, institution_id: int | None, stamp: Stamp, content: list[Sheet]
) -> Written:
    path = work / f"{kind}-{institution_id or 0}.xlsx"
    with path.open("wb") as target:
        counts = workbook_write(target, stamp=stamp, sheets=content)
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return Written(kind, institution_id, path, counts, digest.hexdigest(), path.stat().st_size)


@transaction.atomic
def _store(
    *,
    actor,
    region: Region,
    year: int,
    month: int,
    job_id: int | None,
    written: list[Written],
    stamps: dict,
) -> int:
    """Record every written workbook (replacing the month's earlier files), each change audited."""
    files = (
        ReportFile.objects.select_for_update()
        .filter(region=region, year=year, month=month)
        .order_by()
    )  # no join: lockable
    existing = {r.institution_id: r for r in files}
    user = actor if getattr(actor, "is_authenticated", False) else None
    for item in written:
        report = existing.pop(item.institution_id, None) or ReportFile(
            region=region,
            year=year,
            month=month,
            kind=item.kind,
            institution_id=item.institution_id,
        )
        before = snapshot(report) if report.pk else None
        old_name = report.file.name if report.pk else ""
        with item.path.open("rb") as source:
            report.file.save(
                f"{item.kind}-{item.institution_id or 'region'}.xlsx", File(source), save=False
            )
        report.size, report.sha256, report.sheets, report.stamps = (
            item.size,
            item.sha256,
            item.sheets,
            stamps,
        )
        report.job_id, report.generated_at, report.generated_by, report.generated_by_name = (
            job_id,
            timezone.now(),
            user,
            str(actor)[:150],
        )
        report.full_clean()
        report.save()
        if old_name and old_name != report.file.name:
            _delete_on_commit(report, old_name)
        audit_record(
            actor=actor,
            action="report_file_generate",
            instance=report,
            before=before,
            after=snapshot(report),
            message=f"{year}年{month}月报表：{report}",
        )
    for stale in existing.values():  # an institution with nothing to report any more this month
        audit_record(
            actor=actor, action="report_file_delete", instance=stale, before=snapshot(stale)
        )
        _delete_on_commit(stale, stale.file.name)
        stale.delete()
    return len(written)


def _delete_on_commit(report: ReportFile, name: str) -> None:
    """Remove a replaced file once the new one is recorded (a rollback keeps the old one)."""
    storage = report.file.storage
    transaction.on_commit(lambda: storage.delete(name))
