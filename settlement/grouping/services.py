"""The one write of grouping: ``period_group`` groups every case of a period (or a whole year) under the
catalog version in force and replaces that version's results of the period, in one transaction.

Read → group (``settlement.grouping.domain``, pure and vectorised) → delete the version's old rows of the
period → bulk write → one audit event with the counts per trace. Two ways (``_Plan``): when a result depends
on the key columns only (DIP without auxiliary typing, APG), the distinct keys are read with their case
counts, grouped, and joined back to the cases inside the database (``bulk.case_groups_insert_by_key``);
otherwise every case is read (``values_list`` into pandas) and its result copied in (``bulk.case_groups_copy``,
COPY on PostgreSQL). A whole year's grouping replaces the version's partition wholesale on PostgreSQL
(``bulk.version_results_replaced``); a month's or a scheme's deletes the old rows and writes in place.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from catalogs.choices import CatalogKind, CatalogStatus
from catalogs.models import Region
from catalogs.versions.models import CatalogVersion
from config.lazy import pandas as pd
from jobs.models import Job
from jobs.services import job_start
from settlement.grouping import domain, selectors
from settlement.grouping.bulk import (
    case_groups_copy,
    case_groups_insert_by_key,
    version_results_replaced,
)
from settlement.grouping.models import CaseGroup

Progress = Callable[[int, str], None]

JOB_KIND = "case_group"  # registered in settlement/tasks.py

ERR_NO_VERSION = "{region}{year}年没有已发布的{kind}，无法分组。请先审核发布该年度的目录版本。"
ERR_VERSION_ELSEWHERE = "所选目录版本不属于{region}{year}年，无法分组。"
ERR_VERSION_UNPUBLISHED = "只能按已发布（或已停用）的目录版本分组，{version}的状态为{status}。"
ERR_NO_PERIODS = "{region}{year}年{month}没有结算期间，无法分组。"
ERR_CATALOG = "目录版本无法用于分组：{reason}"
GROUPABLE_STATUSES = (CatalogStatus.PUBLISHED, CatalogStatus.RETIRED)


def _no_progress(percent: int, message: str = "") -> None:
    return None


def _version_checked(
    *, region: Region, year: int, kind: str, version: CatalogVersion | None
) -> CatalogVersion:
    """The version to group with — the one given, or the one in force — locked, so that two runs of one
    version do not interleave their delete and write."""
    if version is None:
        version = selectors.catalog_version_in_force(region=region, kind=kind, year=year)
        if version is None:
            raise ValidationError(
                ERR_NO_VERSION.format(region=region.name, year=year, kind=CatalogKind(kind).label)
            )
    version = CatalogVersion.objects.select_for_update().get(pk=version.pk)
    if version.region_id != region.pk or version.year != year:
        raise ValidationError(ERR_VERSION_ELSEWHERE.format(region=region.name, year=year))
    if version.status not in GROUPABLE_STATUSES:
        raise ValidationError(
            ERR_VERSION_UNPUBLISHED.format(version=version, status=version.get_status_display())
        )
    return version


@transaction.atomic
def period_group(
    *,
    actor,
    region: Region,
    year: int,
    month: int | None = None,
    scheme: str | None = None,
    kind: str = CatalogKind.DIP,
    version: CatalogVersion | None = None,
    progress: Progress | None = None,
) -> dict:
    """Group the cases of a region's month (or, without ``month``, its whole year) of one scheme (or all)
    with the catalog version in force of ``kind`` — or with ``version`` — and store one ``CaseGroup`` per
    case; that version's earlier results of the same cases are replaced. Returns a JSON-ready summary."""
    report = progress or _no_progress
    version = _version_checked(
        region=region, year=year, kind=version.kind if version else kind, version=version
    )
    periods = selectors.period_list_for(region=region, year=year, month=month)
    if not periods:
        raise ValidationError(
            ERR_NO_PERIODS.format(
                region=region.name, year=year, month=f"{month}月" if month else ""
            )
        )
    seconds: dict[str, float] = {}
    tick = time.perf_counter()
    catalog = selectors.grouping_catalog(version)
    plan = _Plan(
        version=version,
        periods=periods,
        scheme=scheme,
        whole=month is None and not scheme,
        columns=domain.case_columns(catalog),
        by_key=domain.groups_by_key(catalog),
    )
    report(5, "正在读取结算清单")
    cases = plan.read()
    seconds["read"], tick = time.perf_counter() - tick, time.perf_counter()
    report(35, f"正在为 {plan.count(cases)} 条结算清单分组")
    try:
        grouped = domain.cases_grouped(cases, catalog)
    except ValueError as error:  # a catalog table that breaks the grouper's contract
        raise ValidationError(ERR_CATALOG.format(reason=error)) from error
    seconds["group"], tick = time.perf_counter() - tick, time.perf_counter()
    report(60, "正在写入分组结果")
    replaced = plan.write(cases, grouped)
    seconds["write"] = time.perf_counter() - tick
    traces = domain.trace_counts(grouped, cases["cases"] if plan.by_key else None)
    summary = _summary(
        version=version,
        year=year,
        month=month,
        scheme=scheme,
        traces=traces,
        replaced=replaced,
        seconds=seconds,
    )
    audit_record(
        actor=actor,
        action="case_group",
        instance=version,
        after=summary,
        message=f"按{version}为{region.name}{year}年{f'{month}月' if month else ''}{summary['cases']}条结算清单分组，"
        f"不能入组{summary['ungroupable']}条",
    )
    report(100, "分组完成")
    return summary


@dataclass(frozen=True)
class _Plan:
    """How one grouping run reads and writes. ``by_key``: the result depends on the key columns only, so the
    distinct keys are read and grouped, and the database joins their results back to the cases (no case row
    travels to Python); otherwise (auxiliary typing) every case is read and its result copied in. ``whole``:
    the run covers every result the version can have — all periods of its year (a version belongs to one
    region and year), every scheme — so the old results can be replaced wholesale."""

    version: CatalogVersion
    periods: list
    scheme: str | None
    whole: bool
    columns: tuple[str, ...]
    by_key: bool

    def read(self) -> pd.DataFrame:
        read = selectors.period_case_keys if self.by_key else selectors.period_case_frame
        return read(
            periods=self.periods, kind=self.version.kind, columns=self.columns, scheme=self.scheme
        )

    def count(self, cases: pd.DataFrame) -> int:
        return int(cases["cases"].sum()) if self.by_key else len(cases)

    def write(self, cases: pd.DataFrame, grouped: pd.DataFrame) -> int:
        """Replace the version's results of the periods (of the scheme) with the new ones; returns rows replaced."""
        version, now = self.version, timezone.now()
        old = CaseGroup.objects.filter(version=version, period__in=self.periods)
        old = old.filter(case__insutype=self.scheme) if self.scheme else old
        with version_results_replaced(version_id=version.pk, old=old, whole=self.whole) as target:
            if self.by_key:
                case_groups_insert_by_key(
                    grouped.assign(**{name: cases[name] for name in self.columns}),
                    key_columns=self.columns,
                    cases=selectors.period_cases(
                        periods=self.periods, kind=version.kind, scheme=self.scheme
                    ),
                    version_id=version.pk,
                    kind=version.kind,
                    grouped_at=now,
                    table=target.table,
                )
            else:
                rows = grouped.assign(
                    case_id=cases["id"],
                    period_id=cases["period_id"],
                    version_id=version.pk,
                    kind=version.kind,
                )
                case_groups_copy(rows, grouped_at=now, table=target.table)
        return target.replaced


def _summary(
    *,
    version: CatalogVersion,
    year: int,
    month: int | None,
    scheme: str | None,
    traces: dict,
    replaced: int,
    seconds: dict,
) -> dict:
    ungroupable = domain.UNGROUPABLE_TRACES[version.kind]
    return {
        "version_id": version.pk,
        "version": str(version),
        "kind": version.kind,
        "year": year,
        "month": month,
        "scheme": scheme or "",
        "cases": sum(traces.values()),
        "replaced": replaced,
        "traces": traces,
        "ungroupable": sum(n for trace, n in traces.items() if trace in ungroupable),
        "seconds": {step: round(value, 3) for step, value in seconds.items()},
    }


def case_group_start(
    *,
    actor,
    region: Region,
    year: int,
    month: int | None = None,
    scheme: str | None = None,
    kind: str = CatalogKind.DIP,
    dispatch: bool = True,
) -> Job:
    """Start ``period_group`` as a background job (one active job per region, year, month, scheme and kind);
    refused at once, with the same message, when no version is in force."""
    if selectors.catalog_version_in_force(region=region, kind=kind, year=year) is None:
        raise ValidationError(
            ERR_NO_VERSION.format(region=region.name, year=year, kind=CatalogKind(kind).label)
        )
    params = {
        "region_id": region.pk,
        "year": year,
        "month": month,
        "scheme": scheme or "",
        "kind": kind,
    }
    key = f"{JOB_KIND}:{region.pk}:{year}:{month or 'all'}:{scheme or 'all'}:{kind}"
    return job_start(actor=actor, kind=JOB_KIND, key=key, params=params, dispatch=dispatch)
