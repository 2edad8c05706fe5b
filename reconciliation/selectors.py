"""Reads of the national reconciliation: the files in force, what the region holds for a month (as
frames for ``domain``), and the results through ``for_user`` (a hospital sees its own institution's
rows of published reconciliations only)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet, Sum

from accounts.regions import in_user_regions
from catalogs.models import CatalogVersion, Institution, Region
from config.lazy import numpy as np
from config.lazy import pandas as pd
from reconciliation import domain
from reconciliation.choices import FileKind, ReconStatus
from reconciliation.domain import Known
from reconciliation.models import (
    NationalGroup,
    NationalQc,
    NationalUpload,
    ReconCase,
    Reconciliation,
    ReconInstitution,
)
from settlement.bulkread import frame_of
from settlement.grouping.domain import TRACE_TEXT
from settlement.grouping.models import CaseGroup
from settlement.intake.columns import FEE_BREAKDOWN, column_label
from settlement.models import CaseRecord, SettlementPeriod
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.models import SettlementRun
from supervision.dashboards.charts import chart, series

NOT_GROUPED = "not_grouped"
NOT_GROUPED_TEXT = "本地尚未分组"


def upload_current(*, region: Region, year: int, month: int, kind: str) -> NationalUpload | None:
    return NationalUpload.objects.filter(
        region=region, year=year, month=month, kind=kind, superseded_by__isnull=True
    ).first()


def upload_list_for_user(
    user, *, region: Region | None = None, kind: str = ""
) -> QuerySet[NationalUpload]:
    uploads = in_user_regions(NationalUpload.objects.select_related("region", "uploaded_by"), user)
    uploads = uploads.filter(region=region) if region else uploads
    return uploads.filter(kind=kind) if kind else uploads


def month_cases(*, region: Region, year: int, month: int) -> QuerySet[CaseRecord]:
    return CaseRecord.objects.filter(period__region=region, period__year=year, period__month=month)


def known_for(*, region: Region, year: int, month: int, national: bool = True) -> Known:
    """What a file of the month is checked against; ``national``: also the setl_ids of the group file in
    force (the QC file may name those). A month may hold a million cases: read as two columns, not models."""
    institutions = dict(Institution.objects.filter(region=region).values_list("code", "id"))
    codes = {pk: code for code, pk in institutions.items()}
    cases = frame_of(
        month_cases(region=region, year=year, month=month),
        ["setl_id", "institution_id"],
        text=["setl_id"],
    )
    cases = (
        cases.drop_duplicates("setl_id", keep="last")
        .set_index("setl_id")["institution_id"]
        .map(codes)
    )
    upload = (
        upload_current(region=region, year=year, month=month, kind=FileKind.GROUPS)
        if national
        else None
    )
    setl_ids = frozenset(upload.groups.values_list("setl_id", flat=True)) if upload else frozenset()
    return Known(institutions=institutions, cases=cases, national_cases=setl_ids)


def national_group_frame(upload: NationalUpload) -> pd.DataFrame:
    names = ["setl_id", "institution_id", "group_code", "group_name", "group_kind"]
    frame = frame_of(
        upload.groups.order_by(), names, text=["setl_id", "group_code", "group_name", "group_kind"]
    )
    return frame.astype(
        dict.fromkeys(["setl_id", "group_code", "group_name", "group_kind"], object)
    )


def national_qc_frame(upload: NationalUpload | None) -> pd.DataFrame:
    names = ["setl_id", "institution_id", "rule_code", "level", "field", "message"]
    rows = list(upload.qc_rows.values_list(*names)) if upload else []
    return pd.DataFrame(rows, columns=names)


def booking_frame(upload: NationalUpload | None) -> pd.DataFrame:
    names = ["institution_id", "fund_paid", "case_count"]
    rows = list(upload.bookings.values_list(*names)) if upload else []
    return pd.DataFrame(rows, columns=names)


QUALITY_COLUMNS = [
    "maindiag_code",
    "gend",
    "med_type",
    "age",
    "nwb_age",
    "nwb_bir_wt",
    "nwb_adm_wt",
    "act_ipt_days",
    *FEE_BREAKDOWN,
]


def our_case_frame(
    *, region: Region, year: int, month: int, scheme: str, version: CatalogVersion | None, kind: str
) -> pd.DataFrame:
    """Our cases of the month and scheme with their group under ``version`` (``NOT_GROUPED`` when the
    period was not grouped): ``setl_id``, ``case_id``, ``institution_id``, ``fund_fen`` (统筹基金支出, int64
    fen), ``group_code``, ``typing_coefficient``, ``trace``, ``kind``, and the fields intake's quality rules
    read (``QUALITY_COLUMNS``, typed as intake types them). A month may hold a million cases: both tables
    are read by ``settlement.bulkread.frame_of`` (COPY), not as models."""
    text = ["setl_id", "hifp_pay", "maindiag_code", "gend", "med_type", *FEE_BREAKDOWN]
    cases = frame_of(
        month_cases(region=region, year=year, month=month).filter(insutype=scheme).order_by(),
        ["setl_id", "id", "institution_id", "hifp_pay", *QUALITY_COLUMNS],
        text=text,
    )
    cases = cases.rename(columns={"id": "case_id"})
    cases["fund_fen"] = _fen(cases.pop("hifp_pay"))
    for name in FEE_BREAKDOWN:
        cases[name] = _fen(cases[name])
    for name in ("age", "nwb_age", "nwb_bir_wt", "nwb_adm_wt", "act_ipt_days"):
        cases[name] = cases[name].astype("Int64")
    in_month = {"period__region": region, "period__year": year, "period__month": month}
    groups = (
        CaseGroup.objects.filter(version=version, **in_month)
        if version
        else CaseGroup.objects.none()
    )
    grouped = frame_of(
        groups.order_by(),
        ["case_id", "group_code", "typing_coefficient", "trace"],
        text=["group_code", "typing_coefficient", "trace"],
    )
    frame = cases.merge(grouped, on="case_id", how="left")
    frame["group_code"] = frame["group_code"].fillna("").astype(object)
    frame["trace"] = frame["trace"].fillna(NOT_GROUPED).astype(object)
    coefficient = frame["typing_coefficient"].astype(object)
    frame["typing_coefficient"] = coefficient.where(coefficient.notna() & (coefficient != ""), None)
    return frame.assign(kind=kind)


def case_quality(case: CaseRecord | None) -> list[dict]:
    """Our quality-control findings on one stored case (``domain.our_quality``), for the case page."""
    if case is None:
        return []
    values = {name: getattr(case, name) for name in QUALITY_COLUMNS}
    values |= {
        name: None if values[name] is None else int(values[name] * 100) for name in FEE_BREAKDOWN
    }
    frame = pd.DataFrame(
        [{"setl_id": case.setl_id, "institution_id": case.institution_id, **values}]
    )
    for name in QUALITY_COLUMNS[3:]:
        frame[name] = frame[name].astype("Int64")
    found = domain.our_quality(frame)
    return [
        {"rule_code": r.rule_code, "field": column_label(r.field), "message": r.message}
        for r in found.itertuples(index=False)
    ]


def _fen(text: pd.Series) -> pd.Series:
    """Money read as text ("1234.56", "" for none) as int64 fen (``Int64``, NA for none); below 2**53 fen, so
    rint(yuan × 100) is exact."""
    yuan = pd.to_numeric(text.astype(object).where(text != "", None), errors="coerce")
    return pd.Series(np.rint(yuan.to_numpy(dtype="float64") * 100), index=text.index).astype(
        "Int64"
    )


def trace_text(kind: str, trace: str) -> str:
    return NOT_GROUPED_TEXT if trace == NOT_GROUPED else TRACE_TEXT.get(kind, {}).get(trace, trace)


def monthly_run(
    *, region: Region, year: int, month: int, scheme: str, kind: str
) -> SettlementRun | None:
    """The month's settlement run in force (月度预付) whose point value prices the as-national amounts."""
    runs = SettlementRun.objects.filter(
        region=region,
        year=year,
        scheme=scheme,
        kind=kind,
        run_type=RunType.MONTHLY,
        number=month,
        status=RunStatus.COMPLETED,
    )
    return runs.order_by("-id").first()


def period_exists(*, region: Region, year: int, month: int) -> bool:
    return SettlementPeriod.objects.filter(region=region, year=year, month=month).exists()


# --- results -----------------------------------------------------------------------------------------


def reconciliation_list_for_user(user) -> QuerySet[Reconciliation]:
    recons = Reconciliation.objects.select_related("region")
    if not user.is_authenticated:  # the schema generator asks as an anonymous user
        return recons.none()
    recons = in_user_regions(recons, user)
    if user.is_bureau:
        return recons
    if user.is_hospital:
        return recons.filter(published_at__isnull=False, status=ReconStatus.SUCCEEDED)
    return recons.none()


def reconciliation_get_for_user(user, pk: int) -> Reconciliation:
    return reconciliation_list_for_user(user).get(pk=pk)


def diff_list_for_user(
    user, recon: Reconciliation, *, institution: str = "", kind: str = "", group: str = ""
) -> QuerySet[ReconCase]:
    rows = (
        ReconCase.objects.for_user(user).filter(reconciliation=recon).select_related("institution")
    )
    if institution:
        rows = rows.filter(institution__code=institution)
    if kind:
        rows = rows.filter(kind=kind)
    if group:
        rows = rows.filter(our_group=group) | rows.filter(national_group=group)
    return rows


def institution_list_for_user(user, recon: Reconciliation) -> QuerySet[ReconInstitution]:
    return (
        ReconInstitution.objects.for_user(user)
        .filter(reconciliation=recon)
        .select_related("institution")
    )


def diff_get_for_user(user, recon: Reconciliation, pk: int) -> ReconCase:
    return diff_list_for_user(user, recon).get(pk=pk)


def mismatch_rate_chart(rows: Iterable[tuple[str, int, int]]) -> dict:
    """Chart spec (static/js/charts.js) of the group mismatch rate, %, from (label, mismatches, cases)."""
    rows = list(rows)
    rates = [
        (Decimal(100 * m) / Decimal(c)).quantize(Decimal("0.01")) if c else None for _, m, c in rows
    ]
    return chart([label for label, _, _ in rows], series("分组不一致率", rates), unit="%")


def institution_rates(rows: Iterable[ReconInstitution]) -> list[tuple[str, int, int]]:
    return [(r.institution.name, r.mismatches, r.cases_ours) for r in rows]


def month_rates_for_user(user) -> list[tuple[str, int, int]]:
    """Per month of the user's visible, finished reconciliations (the latest of each month): mismatches and
    cases of the institutions the user may see — a hospital's own only."""
    latest = {}
    for recon in (
        reconciliation_list_for_user(user).filter(status=ReconStatus.SUCCEEDED).order_by("id")
    ):
        latest[(recon.year, recon.month)] = recon.pk
    sums = (
        ReconInstitution.objects.for_user(user)
        .filter(reconciliation_id__in=latest.values())
        .values("reconciliation__year", "reconciliation__month")
        .annotate(m=Sum("mismatches"), c=Sum("cases_ours"))
    )
    return sorted(
        (f"{r['reconciliation__year']}-{r['reconciliation__month']:02d}", r["m"], r["c"])
        for r in sums
    )


def national_sides(recon: Reconciliation, setl_id: str) -> dict:
    """The national side of one case in the files the reconciliation used: its group row and QC rows."""
    uploads = list(recon.uploads.all())
    return {
        "group": NationalGroup.objects.filter(upload__in=uploads, setl_id=setl_id).first(),
        "qc": list(NationalQc.objects.filter(upload__in=uploads, setl_id=setl_id)),
    }
