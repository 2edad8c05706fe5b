"""Reads of the report pages (through ``ReportFile.objects.for_user``) and of a month's report inputs,
as plain rows and frames with exactly the columns the sheet builders name (reports/sheets.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.db import connection
from django.db.models import BigIntegerField, F, QuerySet
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils import timezone

from catalogs.choices import CatalogKind
from catalogs.models import CatalogGroup, CatalogVersion, Institution, Region
from config.lazy import pandas as pd
from reports import sheets
from reports.models import ReportFile
from settlement.engine.fixed import MONEY_PLACES, POINTS_PLACES, to_units
from settlement.grouping.models import CaseGroup
from settlement.grouping.selectors import catalog_version_in_force
from settlement.models import CaseRecord
from settlement.parameters.models import ParameterSet, ParameterStatus
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.models import RunInstitution, SettlementRun
from settlement.runs.selectors import run_list
from supervision.models import DataQualityScore, Finding
from supervision.quality import COMPONENTS

MONEY_FIELDS = {
    "medfee_fen": "medfee_sumamt",
    "fund_fen": "fund_pay_sumamt",
    "psn_part_fen": "psn_part_amt",
}
CASE_FIELDS = [
    "id",
    "institution_id",
    "setl_id",
    "insutype",
    "med_type",
    "maindiag_code",
    "main_oprn_oprt_code",
    "adm_time",
    "dscg_time",
    "act_ipt_days",
]
CHUNK = 10_000
GROUP_FIELDS = ["case_id", "kind", "group_code", "version_id", "typing_coefficient"]
COUNTS = {"batches", "error_free_batches", "cases", "late_cases", "corrections"}


# --- the download centre ---------------------------------------------------------------------------


def report_list_for_user(
    user, *, year: int | None = None, month: int | None = None
) -> QuerySet[ReportFile]:
    """The files the user may download (a hospital: its own institution's only), newest month first."""
    files = ReportFile.objects.for_user(user).select_related("region", "institution")
    exact = {"year": year, "month": month}
    return files.filter(**{name: value for name, value in exact.items() if value}).order_by(
        "-year", "-month", "kind", "institution__code"
    )


def report_get_for_user(user, pk: int) -> ReportFile:
    """One file the user may download, or 404 (another institution's file is not disclosed)."""
    return get_object_or_404(ReportFile.objects.for_user(user).select_related("institution"), pk=pk)


def report_months_for_user(user) -> list[tuple[int, int]]:
    return list(
        ReportFile.objects.for_user(user)
        .order_by("-year", "-month")
        .values_list("year", "month")
        .distinct()
    )


def region_list() -> QuerySet[Region]:
    return Region.objects.order_by("code")


# --- a month's inputs ------------------------------------------------------------------------------


@dataclass
class PackInputs:
    """Everything a month's workbooks show, read once for the bureau's workbook and every institution's."""

    institutions: pd.DataFrame
    names: dict[int, sheets.InstitutionName]
    cases: pd.DataFrame
    findings: list[dict]
    quality: list[dict]
    catalog_versions: list[str]
    parameter_sets: list[str]
    runs: list[dict] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)
    run_labels: list[str] = field(default_factory=list)


def pack_inputs(*, region: Region, year: int, month: int) -> PackInputs:
    """The month's inputs. Stamped versions: those the month's current runs froze, else those in force."""
    versions = [
        v
        for kind in CatalogKind.values
        if (v := catalog_version_in_force(region=region, kind=kind, year=year))
    ]
    runs = list(monthly_runs(region=region, year=year, month=month))
    frozen_catalogs = {run.catalog_version for run in runs if run.catalog_version_id}
    frozen_parameters = {run.parameter_set for run in runs if run.parameter_set_id}
    institutions = pack_institutions(region)
    return PackInputs(
        institutions=institutions,
        names=sheets.institution_names(institutions),
        cases=pack_cases(region=region, year=year, month=month, versions=versions),
        findings=pack_findings(region=region, year=year, month=month),
        quality=pack_quality(region=region, year=year, month=month),
        catalog_versions=sorted({_labelled(v) for v in [*versions, *frozen_catalogs]}),
        parameter_sets=sorted(
            {_labelled(p) for p in (frozen_parameters or parameter_sets_in_force(region, year))}
        ),
        runs=[_run_row(run) for run in runs],
        statements=run_statements(runs),
        run_labels=[str(run) for run in runs],
    )


def _labelled(obj) -> str:
    return f"{obj}（ID {obj.pk}）"


def pack_institutions(region: Region) -> pd.DataFrame:
    rows = (
        Institution.objects.filter(region=region)
        .order_by("code")
        .values_list("id", "code", "name", "level")
    )
    return pd.DataFrame(list(rows), columns=sheets.INSTITUTION_COLUMNS)


def parameter_sets_in_force(region: Region, year: int) -> QuerySet[ParameterSet]:
    return ParameterSet.objects.filter(
        region=region, year=year, status=ParameterStatus.IN_FORCE
    ).order_by("scheme", "category")


def pack_cases(
    *, region: Region, year: int, month: int, versions: Sequence[CatalogVersion]
) -> pd.DataFrame:
    """The month's cases (``sheets.CASE_COLUMNS``), by institution code and settlement id, each with its group
    under the catalog versions in force (DIP before DRG before APG when a case has several).

    Typed columns, read in chunks: money as int64 fen, points as ten-thousandths, text as Arrow strings,
    dates as the local calendar day — 100,000 cases take a few MB instead of a list of row tuples."""
    cases = CaseRecord.objects.filter(period__region=region, period__year=year, period__month=month)
    rows = (
        cases.annotate(**_money_fen())
        .order_by("institution__code", "setl_id")
        .values_list(*CASE_FIELDS, *MONEY_FIELDS)
    )
    frame = _typed_frame(rows, columns=["case_id", *CASE_FIELDS[1:], *MONEY_FIELDS])
    frame["act_ipt_days"] = frame["act_ipt_days"].astype(
        "Int64"
    )  # a count, NA where not given (never a float)
    groups = _case_groups(cases.values("period_id").distinct(), versions)
    frame = frame.merge(groups, on="case_id", how="left", sort=False)
    frame["points_e4"] = sheets.case_points_e4(frame["score_e4"], frame["typing_e4"])
    return frame[sheets.CASE_COLUMNS]


def _money_fen() -> dict:
    """On PostgreSQL the database hands money over as integer fen (numeric × 100 is exact, and no Decimal is
    made); elsewhere as Decimal, which ``_typed`` converts exactly."""
    if connection.vendor == "postgresql":
        return {
            alias: Cast(F(field) * 100, BigIntegerField()) for alias, field in MONEY_FIELDS.items()
        }
    return {alias: F(field) for alias, field in MONEY_FIELDS.items()}


def _typed_frame(rows: QuerySet, *, columns: Sequence[str]) -> pd.DataFrame:
    iterator = rows.iterator(chunk_size=CHUNK)
    chunks = [
        _typed(pd.DataFrame.from_records(chunk, columns=columns))
        for chunk in iter(lambda: list(islice(iterator, CHUNK)), [])
    ]
    return pd.concat(chunks, ignore_index=True) if chunks else _typed(pd.DataFrame(columns=columns))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """A chunk of rows with exact fixed-point numbers (``*_fen``, ``*_e4``: Decimal in, nullable int64 out),
    Arrow strings and day dates."""
    for column in frame.columns:
        places = {"fen": MONEY_PLACES, "e4": POINTS_PLACES}.get(column.rpartition("_")[2])
        if places is not None and frame[column].dtype == object:
            present = frame[column].notna()
            values = pd.Series(
                to_units(frame[column][present], places), index=frame.index[present], dtype="int64"
            )
            frame[column] = values.reindex(frame.index).astype("Int64")
        elif column.endswith("_time"):  # the calendar day in the portal's time zone
            local = pd.to_datetime(frame[column], utc=True).dt.tz_convert(
                timezone.get_current_timezone_name()
            )
            frame[column.replace("_time", "_date")] = (
                local.dt.tz_localize(None).dt.floor("D").astype("datetime64[s]")
            )
            del frame[column]
        elif frame[column].dtype == object:
            frame[column] = frame[column].astype("string[pyarrow]")
    return frame


def _case_groups(periods: QuerySet, versions: Sequence[CatalogVersion]) -> pd.DataFrame:
    """case id → kind, group code and name, the group's score and the case's typing coefficient (in e4)."""
    rows = CaseGroup.objects.filter(version__in=list(versions), period_id__in=periods).values_list(
        *GROUP_FIELDS
    )
    groups = _typed_frame(rows, columns=[*GROUP_FIELDS[:-1], "typing_e4"])
    groups = (
        groups.assign(rank=groups["kind"].map(sheets.KIND_ORDER))
        .sort_values("rank", kind="stable")
        .drop_duplicates("case_id")
    )
    catalog = CatalogGroup.objects.filter(version__in=list(versions)).values_list(
        "version_id", "code", "name", "score"
    )
    names = _typed_frame(catalog, columns=["version_id", "group_code", "group_name", "score_e4"])
    return groups.merge(names, on=["version_id", "group_code"], how="left", sort=False)[
        ["case_id", "kind", "group_code", "group_name", "score_e4", "typing_e4"]
    ]


def pack_findings(*, region: Region, year: int, month: int) -> list[dict]:
    """The month's supervision findings of every status (``sheets.FINDING_COLUMNS``), by institution code and rule."""
    findings = Finding.objects.filter(institution__region=region, year=year, month=month).order_by(
        "institution__code", "rule"
    )
    return list(findings.values(*sheets.FINDING_COLUMNS))


def pack_quality(*, region: Region, year: int, month: int) -> list[dict]:
    """The month's data-quality scores (``sheets.QUALITY_COLUMNS``): counts as int, rates as Decimal."""
    scores = DataQualityScore.objects.filter(
        institution__region=region, year=year, month=month
    ).order_by("institution__code")
    return [
        {
            "institution_id": institution_id,
            "score": score,
            **{key: _component(key, components.get(key, "0")) for key in COMPONENTS},
        }
        for institution_id, score, components in scores.values_list(
            "institution_id", "score", "components"
        )
    ]


def _component(key: str, text: str) -> int | Decimal:
    return int(text) if key in COUNTS else Decimal(text)


# --- settlement runs -------------------------------------------------------------------------------


def monthly_runs(*, region: Region, year: int, month: int) -> QuerySet[SettlementRun]:
    """The month's current monthly runs (completed, not superseded), one per scheme and category."""
    runs = run_list(
        region=region, year=year, run_type=RunType.MONTHLY, status=RunStatus.COMPLETED
    ).filter(number=month)
    return runs.select_related("catalog_version", "parameter_set").order_by("scheme", "category")


def _run_row(run: SettlementRun) -> dict:
    return {
        "run_id": run.pk,
        "scheme": run.scheme,
        "category": run.category,
        "kind": run.kind,
        "case_count": run.case_count,
        "pool": run.pool,
        "points_total": run.points_total,
        "point_value": run.point_value,
        "total": run.total,
        "finished_at": timezone.localtime(run.finished_at) if run.finished_at else None,
    }


def run_statements(runs: Sequence[SettlementRun]) -> list[dict]:
    """The institution rows (结算单) of ``runs`` (``sheets.STATEMENT_COLUMNS``), exactly as the runs stored them,
    each marked ``published`` when its run is published (公示): an institution's own workbook holds those only."""
    published = set(
        RunInstitution.objects.filter(run__in=list(runs))
        .published()
        .values_list("run_id", flat=True)
        .distinct()
    )
    rows = RunInstitution.objects.filter(run__in=list(runs)).order_by("run_id", "institution_id")
    fields = {
        "run_id": "run_id",
        "run__scheme": "scheme",
        "run__category": "category",
        **{f: f for f in sheets.STATEMENT_COLUMNS[3:]},
    }
    return [
        {
            **{fields[key]: value for key, value in row.items()},
            "published": row["run_id"] in published,
        }
        for row in rows.values(*fields)
    ]
