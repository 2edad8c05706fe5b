"""Writes of the national reconciliation: uploads (all rows or none), the reconciliation job, publishing.

Each service is atomic and records its audit event in its own transaction. The comparison itself is
``domain``'s; this module reads the frames (``selectors``), calls it and stores the rows it returns.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
from collections import Counter
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit.services import audit_record
from catalogs.models import Region
from config.lazy import pandas as pd
from jobs.registry import Progress
from jobs.services import job_start
from reconciliation import domain, excel, selectors
from reconciliation.choices import DiffKind, FileKind, GroupKind, ReconStatus
from reconciliation.models import (
    NationalBooking,
    NationalGroup,
    NationalQc,
    NationalUpload,
    ReconCase,
    Reconciliation,
    ReconInstitution,
)
from settlement.engine.fixed import POINTS_PLACES, unit_decimal
from settlement.engine.params import DEFAULT_PARAMS
from settlement.grouping.selectors import catalog_version_in_force
from settlement.parameters.domain import to_engine
from settlement.runs import selectors as run_selectors

JOB_KIND = "reconciliation_run"
ERR_NO_PERIOD = "{year}年{month}月没有结算期间，无法导入或对账。"
ERR_NO_GROUP_FILE = "{year}年{month}月尚未上传国家分组结果，无法对账。"
ERR_NOT_DONE = "只有已完成的对账才能发布。"
ERR_PUBLISHED = "该对账已发布。"
ERR_MONTH = "月份应为 1 到 12。"


def national_upload(
    *, actor, region: Region, year: int, month: int, kind: str, name: str, content: bytes
) -> NationalUpload:
    """Import one national file: every row checked first, then all stored or none; a newer upload of the
    same kind and month supersedes the one in force (kept). Errors: ``ValidationError`` of Chinese lines."""
    if not 1 <= month <= 12:
        raise ValidationError(ERR_MONTH)
    if not selectors.period_exists(region=region, year=year, month=month):
        raise ValidationError(ERR_NO_PERIOD.format(year=year, month=month))
    header, cells = excel.file_cells(name, content)
    known = selectors.known_for(region=region, year=year, month=month, national=kind == FileKind.QC)
    table, errors = excel.file_table(kind, header, cells, year=year, month=month, known=known)
    if errors:
        raise ValidationError(list(errors))
    with transaction.atomic():
        previous = selectors.upload_current(region=region, year=year, month=month, kind=kind)
        upload = NationalUpload.objects.create(
            region=region,
            year=year,
            month=month,
            kind=kind,
            file_name=name[:255],
            sha256=hashlib.sha256(content).hexdigest(),
            rows=len(table),
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        ROW_WRITERS[kind](upload, table)
        if previous is not None:
            previous.superseded_by = upload
            previous.save(update_fields=["superseded_by"])
        audit_record(
            actor=actor,
            action="national_upload",
            instance=upload,
            after={
                "kind": kind,
                "year": year,
                "month": month,
                "rows": len(table),
                "supersedes": previous and previous.pk,
            },
        )
    return upload


GROUP_COLUMNS = [
    "upload_id",
    "institution_id",
    "setl_id",
    "group_code",
    "group_name",
    "group_kind",
    "weight",
    "case_type",
    "points",
]
COPY_NULL = "\\N"


def _write_groups(upload: NationalUpload, table: pd.DataFrame) -> None:
    """The group file can hold a region's million cases of a month: on PostgreSQL its rows go in by one COPY
    of pandas' CSV (``bulk_create`` took over half of the import); an empty text stays empty, a missing number NULL."""
    frame = table.assign(upload_id=upload.pk)[GROUP_COLUMNS]
    if connection.vendor != "postgresql":
        NationalGroup.objects.bulk_create(NationalGroup(**row) for row in frame.to_dict("records"))
        return
    text = frame.to_csv(index=False, header=False, na_rep=COPY_NULL)
    sql = f"COPY {NationalGroup._meta.db_table} ({', '.join(GROUP_COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '{COPY_NULL}')"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        copy.write(text.encode())


def _write_qc(upload: NationalUpload, table: pd.DataFrame) -> None:
    NationalQc.objects.bulk_create(
        NationalQc(
            upload=upload,
            institution_id=r.institution_id,
            setl_id=r.setl_id,
            rule_code=r.rule_code,
            level=r.level,
            field=r.field,
            message=r.message,
        )
        for r in table.itertuples(index=False)
    )


def _write_bookings(upload: NationalUpload, table: pd.DataFrame) -> None:
    NationalBooking.objects.bulk_create(
        NationalBooking(
            upload=upload,
            institution_id=r.institution_id,
            fund_paid=r.fund_paid,
            case_count=int(r.case_count),
            clearing_amount=r.clearing_amount,
        )
        for r in table.itertuples(index=False)
    )


ROW_WRITERS = {
    FileKind.GROUPS: _write_groups,
    FileKind.QC: _write_qc,
    FileKind.BOOKINGS: _write_bookings,
}


def reconciliation_start(
    *, actor, region: Region, year: int, month: int, scheme: str, dispatch: bool = True
) -> Reconciliation:
    """Queue a reconciliation of the month against the national files in force, as a job."""
    if (
        selectors.upload_current(region=region, year=year, month=month, kind=FileKind.GROUPS)
        is None
    ):
        raise ValidationError(ERR_NO_GROUP_FILE.format(year=year, month=month))
    with transaction.atomic():
        recon = Reconciliation.objects.create(
            region=region,
            year=year,
            month=month,
            scheme=scheme,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        recon.job = job_start(
            actor=actor,
            kind=JOB_KIND,
            key=f"reconciliation:{recon.pk}",
            params={"reconciliation_id": recon.pk},
            dispatch=dispatch,
        )
        recon.save(update_fields=["job"])
        audit_record(
            actor=actor,
            action="reconciliation_start",
            instance=recon,
            after={"year": year, "month": month, "scheme": scheme},
        )
    return recon


@transaction.atomic
def reconciliation_execute(*, reconciliation_id: int, progress: Progress) -> dict:
    """The job: compare, store the differences per case and per institution, summarise."""
    recon = Reconciliation.objects.select_for_update().get(pk=reconciliation_id)
    recon.status = ReconStatus.RUNNING
    recon.save(update_fields=["status"])
    key = {"region": recon.region, "year": recon.year, "month": recon.month}
    uploads = {kind: selectors.upload_current(**key, kind=kind) for kind in FileKind.values}
    national = selectors.national_group_frame(uploads[FileKind.GROUPS])
    kind = Counter(national["group_kind"]).most_common(1)[0][0] if len(national) else GroupKind.DIP
    version = catalog_version_in_force(region=recon.region, kind=kind, year=recon.year)
    progress(20, "正在读取本地结算清单与分组结果")
    ours = selectors.our_case_frame(**key, scheme=recon.scheme, version=version, kind=kind)
    codes = frozenset(version.groups.values_list("code", flat=True)) if version else frozenset()
    diffs = domain.group_differences(ours, national, catalog_codes=codes)
    progress(35, "正在比对国家质控结果与本地质控（导入校验规则）")
    qc = domain.qc_differences(
        selectors.national_qc_frame(uploads[FileKind.QC]), domain.our_quality(ours), ours
    )
    diffs = pd.concat([diffs, qc], ignore_index=True)
    progress(50, "正在按国家分组重算点数与金额")
    run = selectors.monthly_run(**key, scheme=recon.scheme, kind=kind)
    points = _as_national(recon, ours, national, version, run)
    money = domain.money_differences(ours, selectors.booking_frame(uploads[FileKind.BOOKINGS]))
    _store(recon, ours, diffs, points, money, run)
    recon.uploads.set([u for u in uploads.values() if u is not None])
    recon.settlement_run = run
    recon.status, recon.finished_at = ReconStatus.SUCCEEDED, timezone.now()
    recon.summary = _summary(ours, national, diffs, money)
    recon.save(update_fields=["status", "finished_at", "summary", "settlement_run"])
    audit_record(
        actor=recon.created_by or f"任务:{JOB_KIND}",
        action="reconciliation_finish",
        instance=recon,
        after=recon.summary,
    )
    return recon.summary


def _institutions(recon: Reconciliation, run):
    """The institution states the month's run froze, else those in force on the month's last day."""
    frozen = run_selectors.frozen_institutions(run) if run else None
    last_day = datetime.date(
        recon.year, recon.month, calendar.monthrange(recon.year, recon.month)[1]
    )
    return frozen or run_selectors.region_institutions(recon.region, last_day)


def _as_national(
    recon: Reconciliation, ours: pd.DataFrame, national: pd.DataFrame, version, run
) -> pd.DataFrame:
    """Points under our and the national groups for the cases both sides hold (empty without a catalog)."""
    both = ours[domain.among(ours["setl_id"], national["setl_id"])]
    if version is None or both.empty:
        return pd.DataFrame(columns=["case_id", "institution_id", "points_ours", "points_national"])
    period = run_selectors.periods_of(region=recon.region, year=recon.year, months=[recon.month])
    cases = run_selectors.run_case_frame(
        periods=period, kind=version.kind, scheme=recon.scheme, columns=()
    )
    cases = cases[cases["id"].isin(set(both["case_id"]))].reset_index(drop=True)
    by_case = both.set_index("case_id")
    national_codes = national.set_index("setl_id")["group_code"]
    ours_grouped = pd.DataFrame(
        {
            "group_code": by_case.loc[cases["id"], "group_code"].to_numpy(),
            "typing_coefficient": by_case.loc[cases["id"], "typing_coefficient"].to_numpy(),
        }
    )
    national_grouped = pd.DataFrame(
        {
            "group_code": national_codes.loc[by_case.loc[cases["id"], "setl_id"]].to_numpy(),
            "typing_coefficient": None,
        }
    )
    _, coefficients = run_selectors.coefficients_in_force(region=recon.region, year=recon.year)
    params = (
        to_engine(run.parameter_set.values, run.parameter_set.kind)
        if run and run.parameter_set
        else DEFAULT_PARAMS
    )
    return domain.as_national_points(
        cases,
        ours_grouped,
        national_grouped,
        run_selectors.catalog_groups_frame(version),
        kind=version.kind,
        levels=_institutions(recon, run).levels,
        coefficients=coefficients,
        base_mean=run_selectors.catalog_base_mean(version) or Fraction(1),
        params=params,
    )


def _store(
    recon: Reconciliation,
    ours: pd.DataFrame,
    diffs: pd.DataFrame,
    points: pd.DataFrame,
    money: pd.DataFrame,
    run,
) -> None:
    differing = (
        points[points["case_id"].isin(set(diffs["case_id"].dropna()))] if len(points) else points
    )
    by_case = {
        int(c): (unit_decimal(o, POINTS_PLACES), unit_decimal(n, POINTS_PLACES))
        for c, o, n in differing[["case_id", "points_ours", "points_national"]].itertuples(
            index=False
        )
    }
    ReconCase.objects.bulk_create(
        (
            ReconCase(
                reconciliation=recon,
                institution_id=r.institution_id,
                case_id=r.case_id,
                setl_id=r.setl_id,
                kind=r.kind,
                our_group=r.our_group,
                national_group=r.national_group,
                national_group_name=r.national_group_name[:200],
                our_trace=r.our_trace,
                divergence=r.divergence,
                rule_code=r.rule_code[:200],
                our_rule_code=r.our_rule_code[:200],
                message=str(r.message)[:300],
                our_points=by_case.get(r.case_id, (None, None))[0],
                national_points=by_case.get(r.case_id, (None, None))[1],
            )
            for r in diffs.itertuples(index=False)
        ),
        batch_size=5000,
    )
    amounts = (
        domain.institution_amounts(points, run.point_value if run else None)
        .set_index("institution_id")
        .to_dict("index")
    )
    rates = domain.mismatch_rates(ours, diffs).set_index("institution_id")["mismatches"].to_dict()
    ReconInstitution.objects.bulk_create(
        ReconInstitution(
            reconciliation=recon,
            institution_id=r.institution_id,
            cases_ours=r.cases_ours,
            cases_national=r.cases_national,
            mismatches=rates.get(r.institution_id, 0),
            fund_ours=r.fund_ours,
            fund_national=r.fund_national,
            fund_difference=r.fund_difference,
            **_amount_fields(amounts.get(r.institution_id)),
        )
        for r in money.itertuples(index=False)
    )


def _amount_fields(row: dict | None) -> dict:
    row = row or {}
    zero = Decimal(0)
    return {
        "points_ours": row.get("points_ours", zero),
        "points_national": row.get("points_national", zero),
        "amount_ours": row.get("amount_ours"),
        "amount_national": row.get("amount_national"),
        "amount_difference": row.get("amount_difference"),
    }


def _summary(
    ours: pd.DataFrame, national: pd.DataFrame, diffs: pd.DataFrame, money: pd.DataFrame
) -> dict:
    by_kind = {kind: int((diffs["kind"] == kind).sum()) for kind in DiffKind.values}
    steps = Counter(diffs.loc[diffs["kind"] == DiffKind.GROUP, "divergence"])
    return {
        "kind": str(ours["kind"].iloc[0]) if len(ours) else "",
        "cases_ours": len(ours),
        "cases_national": len(national),
        **by_kind,
        "divergence": dict(steps),
        "fund_difference": str(sum(money["fund_difference"], Decimal("0.00"))),
    }


def reconciliation_fail(*, reconciliation_id: int, reason: str) -> None:
    with transaction.atomic():
        recon = Reconciliation.objects.select_for_update().get(pk=reconciliation_id)
        recon.status, recon.error, recon.finished_at = (
            ReconStatus.FAILED,
            reason[:2000],
            timezone.now(),
        )
        recon.save(update_fields=["status", "error", "finished_at"])
        audit_record(
            actor=f"任务:{JOB_KIND}",
            action="reconciliation_fail",
            instance=recon,
            message=reason[:500],
        )


@transaction.atomic
def reconciliation_publish(*, actor, reconciliation: Reconciliation) -> Reconciliation:
    """Publish to the hospitals: each then sees its own institution's rows."""
    recon = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
    if recon.status != ReconStatus.SUCCEEDED:
        raise ValidationError(ERR_NOT_DONE)
    if recon.published_at is not None:
        raise ValidationError(ERR_PUBLISHED)
    recon.published_at = timezone.now()
    recon.save(update_fields=["published_at"])
    audit_record(
        actor=actor,
        action="reconciliation_publish",
        instance=recon,
        after={"published_at": recon.published_at},
    )
    return recon
