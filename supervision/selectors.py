"""Reading the supervision data (监管) for its pages and services."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from catalogs.models import Institution
from config.lazy import pandas as pd
from settlement.engine.fixed import MONEY_PLACES, to_units
from settlement.grouping.selectors import MED_TYPES
from settlement.intake.models import CaseRecordVersion, ImportBatch
from settlement.models import CaseRecord, SettlementPeriod
from settlement.parameters.models import ParameterSet
from settlement.runs.models import SettlementRun
from supervision import charging, indicators
from supervision.choices import RuleSetStatus
from supervision.models import DataQualityScore, Finding, IndicatorValue, RuleSet

#: CaseRecord field → column of the frame that ``supervision.indicators`` and ``supervision.anomalies`` read.
SUPERVISION_CASE_FIELDS = {
    "institution_id": "institution",
    "period__year": "year",
    "period__month": "month",
    "setl_id": "setl_id",
    "insutype": "scheme",
    "psn_no": "psn_no",
    "med_type": "med_type",
    "adm_time": "adm_time",
    "dscg_time": "dscg_time",
    "act_ipt_days": "act_ipt_days",
    "dscg_way": "dscg_way",
    "days_rinp_flag_31": "days_rinp_flag_31",
    "maindiag_code": "maindiag_code",
    "otherdiag_codes": "otherdiag_codes",
    "medfee_sumamt": "medfee",
    "psn_part_amt": "psn_part",
    "fulamt_ownpay_amt": "fulamt_ownpay",
    "fee_exam": "fee_exam",
    "fee_drug": "fee_drug",
    "fee_material": "fee_material",
}
MONEY_COLUMNS = ["medfee", "psn_part", "fulamt_ownpay", "fee_exam", "fee_drug", "fee_material"]


def _fen(values: pd.Series) -> pd.Series:
    """Decimal yuan (None as 0) → int64 fen, exactly (the engine's conversion; no float on the way)."""
    return pd.Series(
        to_units(values.astype(object).where(values.notna(), Decimal(0)), MONEY_PLACES),
        index=values.index,
    )


def supervision_case_frame(*, region, years: Sequence[int]) -> pd.DataFrame:
    """The region's cases of the settlement years, one row per case, money as int64 fen."""
    case_model = CaseRecord
    rows = (
        case_model.objects.filter(institution__region=region, period__year__in=list(years))
        .values_list(*SUPERVISION_CASE_FIELDS)
        .iterator(chunk_size=20_000)
    )
    frame = pd.DataFrame.from_records(rows, columns=list(SUPERVISION_CASE_FIELDS.values()))
    for column in MONEY_COLUMNS:
        frame[column] = _fen(frame[column])
    for column in ["adm_time", "dscg_time"]:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["act_ipt_days"] = pd.array(frame["act_ipt_days"], dtype="Int64")
    return frame


def quality_inputs(*, region, year: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The frames of ``supervision.quality.data_quality_scores`` for a region's year: batches by upload month,
    cases by settlement month (with when they were first written), corrections by settlement month."""
    batch_model = ImportBatch
    case_model = CaseRecord
    version_model = CaseRecordVersion
    batches = pd.DataFrame.from_records(
        batch_model.objects.filter(
            institution__region=region, created_at__year=year, status__in=["succeeded", "rejected"]
        ).values_list(
            "institution_id", "created_at", "status", "error_count", "rows_in", "warning_count"
        ),
        columns=["institution", "created_at", "status", "error_count", "rows_in", "warning_count"],
    )
    local = pd.to_datetime(batches["created_at"], utc=True).dt.tz_convert("Asia/Shanghai")
    batches = batches.assign(
        year=local.dt.year,
        month=local.dt.month,
        error_free=(batches["status"] == "succeeded") & (batches["error_count"] == 0),
    )
    cases = pd.DataFrame.from_records(
        case_model.objects.filter(institution__region=region, period__year=year)
        .values_list("institution_id", "period__year", "period__month", "created_at")
        .iterator(chunk_size=50_000),
        columns=["institution", "year", "month", "created_at"],
    )
    corrections = pd.DataFrame.from_records(
        version_model.objects.filter(case__institution__region=region, case__period__year=year)
        .values("case__institution_id", "case__period__year", "case__period__month")
        .annotate(n=Count("id"))
        .values_list("case__institution_id", "case__period__year", "case__period__month", "n"),
        columns=["institution", "year", "month", "corrections"],
    )
    return batches, cases, corrections


def rule_set_in_force(*, region):
    return RuleSet.objects.filter(region=region, status=RuleSetStatus.IN_FORCE).first()


def _parameter_sets(*, region, year: int) -> QuerySet:
    return ParameterSet.objects.filter(region=region, year=year).order_by()


def charge_categories(*, region, year: int) -> dict[tuple[str, str], str]:
    """(scheme, medical type) → the category that pays it in ``year`` (``supervision.charging``)."""
    sets = (
        _parameter_sets(region=region, year=year)
        .values_list("scheme", "category", "kind")
        .distinct()
    )
    return charging.categories_by_med_type(sets, MED_TYPES)


def charge_choices(*, region, year: int) -> list[tuple[str, str]]:
    """The (scheme, category) pairs a finding of ``year`` may be charged to: those with parameter sets that year."""
    return sorted(set(_parameter_sets(region=region, year=year).values_list("scheme", "category")))


def charge_cleared(*, region, year: int, scheme: str, category: str) -> bool:
    """Whether the pair has a current year-end clearing of ``year`` (a finding charged to it is deducted there)."""
    runs = SettlementRun.objects
    return runs.filter(
        region=region,
        year=year,
        scheme=scheme,
        category=category,
        run_type="clearing",
        status="completed",
    ).exists()


def finding_list_for_user(
    user,
    *,
    rule: str = "",
    institution: int | None = None,
    status: str = "",
    year: int | None = None,
    month: int | None = None,
    region=None,
) -> QuerySet[Finding]:
    """Findings as the user may see them (hospitals: their own confirmed ones), filtered, newest month first."""
    findings = Finding.objects.for_user(user).select_related("institution", "reviewed_by")
    exact = {
        "rule": rule,
        "institution_id": institution,
        "status": status,
        "year": year,
        "month": month,
        "institution__region": region,
    }
    findings = findings.filter(**{field: value for field, value in exact.items() if value})
    return findings.order_by("-year", "-month", "-score", "rule", "institution__code")


def finding_get_for_user(user, pk: int) -> Finding:
    return get_object_or_404(
        Finding.objects.for_user(user).select_related("institution", "reviewed_by", "rule_set"),
        pk=pk,
    )


def finding_evidence_cases(finding: Finding, user) -> list:
    """The evidence cases of a finding that the user may open, by settlement id."""
    case_model = CaseRecord
    return list(
        case_model.objects.for_user(user)
        .filter(institution=finding.institution_id, setl_id__in=finding.evidence)
        .only(
            "id",
            "setl_id",
            "psn_no",
            "maindiag_code",
            "adm_time",
            "dscg_time",
            "act_ipt_days",
            "dscg_way",
            "medfee_sumamt",
        )
        .order_by("adm_time", "setl_id")
    )


def _in_region(queryset: QuerySet, region, field: str = "institution__region") -> QuerySet:
    """A supervision page works on one region at a time (its medians and ranks are the region's)."""
    return queryset if region is None else queryset.filter(**{field: region})


def indicator_periods(region=None) -> list[tuple[int, int]]:
    """The (year, month) pairs with stored indicators (of the region, if given), newest first."""
    values = _in_region(IndicatorValue.objects.all(), region)
    return list(values.order_by("-year", "-month").values_list("year", "month").distinct())


def indicator_table_for_user(
    user, *, year: int, month: int, codes: Sequence[str], region=None
) -> dict:
    """The month's indicators as a table: ``columns`` (``supervision.indicators.Indicator``), the region's
    ``benchmarks`` (kind, median, p90) per column, and one row per institution the user may see with its
    ``cells`` (``IndicatorValue`` or None) in column order."""
    values = _in_region(IndicatorValue.objects.for_user(user), region)
    values = values.filter(year=year, month=month, indicator__in=codes).select_related(
        "institution"
    )
    by_institution: dict[int, dict] = {}
    benchmarks: dict[str, tuple] = {}
    for value in values.order_by("institution__code"):
        row = by_institution.setdefault(
            value.institution_id, {"institution": value.institution, "values": {}}
        )
        row["values"][value.indicator] = value
        benchmarks.setdefault(value.indicator, (value.region_median, value.region_p90))
    columns = [indicators.BY_CODE[code] for code in codes]
    rows = [
        {"institution": row["institution"], "cells": [row["values"].get(code) for code in codes]}
        for row in by_institution.values()
    ]
    bench = [
        dict(
            zip(["median", "p90"], benchmarks.get(column.code, (None, None)), strict=True),
            kind=column.kind,
        )
        for column in columns
    ]
    return {"columns": columns, "benchmarks": bench, "rows": rows}


def quality_table_for_user(user, *, year: int, region=None) -> list[dict]:
    """One row per institution the user may see: its data-quality scores of ``year``, one cell per month (None when absent)."""
    rows: dict[int, dict] = {}
    scores = (
        _in_region(DataQualityScore.objects.for_user(user), region)
        .filter(year=year)
        .select_related("institution")
    )
    for score in scores.order_by("institution__code", "month"):
        row = rows.setdefault(
            score.institution_id, {"institution": score.institution, "cells": [None] * 12}
        )
        row["cells"][score.month - 1] = score
    return list(rows.values())


def supervision_years(region=None) -> list[int]:
    """Years with periods (of the region, if given), newest first (the choices of the supervision pages)."""
    periods = _in_region(SettlementPeriod.objects.all(), region, "region")
    return list(periods.order_by("-year").values_list("year", flat=True).distinct())


def region_institutions(user, region=None) -> QuerySet:
    return _in_region(Institution.objects.for_user(user), region, "region").order_by("code")


def rule_set_list(*, region) -> QuerySet[RuleSet]:
    return (
        RuleSet.objects.filter(region=region)
        .select_related("created_by", "submitted_by", "approved_by")
        .order_by("-version")
    )
