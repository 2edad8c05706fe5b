"""Reads for grouping: the catalog version in force, a period's cases as a frame, the catalog as the
grouper's tables, and the results (per case, and summarised per period) through ``for_user``."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet

from catalogs import drg, grouping
from catalogs.choices import CatalogKind, CatalogStatus
from catalogs.dip import DipConfig
from catalogs.models import CatalogVersion, GroupSubtype, Region
from catalogs.selectors import drg_rule_set_for_version, drg_rules_of, procedure_types
from config.lazy import pandas as pd
from settlement.choices import MedType
from settlement.grouping.domain import TRACE_TEXT, UNGROUPABLE_TRACES, GroupingCatalog
from settlement.grouping.models import CaseGroup
from settlement.models import CaseRecord, SettlementPeriod

# Which cases each kind groups: DIP and DRG the inpatient ones (住院), APG the outpatient chronic ones (门诊慢特病).
MED_TYPES = {
    CatalogKind.DIP: MedType.inpatient(),
    CatalogKind.DRG: MedType.inpatient(),
    CatalogKind.APG: {MedType.CHRONIC_SPECIAL},
}
TOP_GROUPS = 20
ERR_NO_DRG_RULES = (
    "{region}{year}年没有已发布的DRG分组规则，无法按DRG分组。请先导入并审核发布分组规则。"
)


def catalog_versions_in_force(*, region, kind: str, year: int) -> QuerySet:
    """The published versions of the region's catalog of ``kind`` for ``year`` (at most one); ``region`` may be
    an ``OuterRef`` (the preview looks several up in one query)."""
    return CatalogVersion.objects.filter(
        region=region, kind=kind, year=year, status=CatalogStatus.PUBLISHED
    )


def catalog_version_in_force(*, region: Region, kind: str, year: int) -> CatalogVersion | None:
    """目录版本 in force: the published version of the region's catalog of ``kind`` for ``year`` (at most one)."""
    return catalog_versions_in_force(region=region, kind=kind, year=year).first()


def period_list_for(
    *, region: Region, year: int, month: int | None = None
) -> list[SettlementPeriod]:
    periods = SettlementPeriod.objects.filter(region=region, year=year).order_by("month")
    return list(periods.filter(month=month) if month else periods)


def latest_year(*, region: Region) -> int | None:
    return (
        SettlementPeriod.objects.filter(region=region)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def period_cases(
    *, periods: Sequence[SettlementPeriod], kind: str, scheme: str | None = None
) -> QuerySet:
    cases = CaseRecord.objects.filter(period__in=periods, med_type__in=MED_TYPES[kind])
    return cases.filter(insutype=scheme) if scheme else cases


def period_case_frame(
    *,
    periods: Sequence[SettlementPeriod],
    kind: str,
    columns: Sequence[str],
    scheme: str | None = None,
) -> pd.DataFrame:
    """The cases ``kind`` groups in ``periods``: ``id``, ``period_id`` and ``columns``; plain rows, no model instances.

    One fetch, not a chunked server-side cursor: the frame holds every row anyway, and a million rows come
    a third faster (a million 8-column tuples are ~150 MB while the frame is built). ``bulkread.frame_of``
    (COPY parsed by Arrow) gives the identical frame but measured slower for the year's 860,801 DRG cases
    (bench/README.md, case_group): the server sends one COPY message per row, which psycopg hands over
    one at a time."""
    names = ["id", "period_id", *columns]
    rows = list(
        period_cases(periods=periods, kind=kind, scheme=scheme).order_by().values_list(*names)
    )
    return pd.DataFrame.from_records(rows, columns=names)


def period_case_keys(
    *,
    periods: Sequence[SettlementPeriod],
    kind: str,
    columns: Sequence[str],
    scheme: str | None = None,
) -> pd.DataFrame:
    """The distinct values of ``columns`` among the cases ``kind`` groups in ``periods``, and ``cases`` per
    value: a year's million cases carry a few thousand distinct (diagnosis, procedure) keys."""
    rows = (
        period_cases(periods=periods, kind=kind, scheme=scheme)
        .order_by()
        .values_list(*columns)
        .annotate(cases=Count("id"))
    )
    return pd.DataFrame.from_records(list(rows), columns=[*columns, "cases"])


def grouping_catalog(version: CatalogVersion) -> GroupingCatalog:
    """The version as the grouper's input: its groups and subtypes (DIP), or the DRG rule set it was built
    with, else the one in force (DRG); APG groups by fixed logic."""
    kind = version.kind
    groups = pd.DataFrame(
        list(version.groups.values_list(*grouping.GROUPS_COLUMNS)),
        columns=list(grouping.GROUPS_COLUMNS),
    )
    if kind != CatalogKind.DIP:
        return GroupingCatalog(
            kind=kind,
            procedure_types=procedure_types(),
            groups=groups,
            drg_rules=_drg_rules(version) if kind == CatalogKind.DRG else None,
        )
    subtype_rows = GroupSubtype.objects.filter(group__version=version).values_list(
        "group__code", "dimension", "key", "coefficient"
    )
    subtypes = pd.DataFrame(list(subtype_rows), columns=list(grouping.SUBTYPES_COLUMNS))
    return GroupingCatalog(
        kind=kind,
        procedure_types=procedure_types(),
        groups=groups,
        subtypes=subtypes,
        unmapped_procedure_type=DipConfig.from_params(version.build_params).unmapped_procedure_type,
    )


def _drg_rules(version: CatalogVersion) -> drg.DrgRules:
    rule_set = drg_rule_set_for_version(version)
    if rule_set is None:
        raise ValidationError(
            ERR_NO_DRG_RULES.format(region=version.region.name, year=version.year)
        )
    return drg_rules_of(rule_set)


# --- results ---------------------------------------------------------------------------------------


def case_group_list_for_user(user) -> QuerySet:
    """Grouping results the user may see: a hospital user only its own institution's cases' results."""
    return CaseGroup.objects.for_user(user).select_related("version")


def case_groups_of_case(user, case: CaseRecord) -> list[CaseGroup]:
    """The results of one case (one per catalog version), newest version first."""
    return list(
        case_group_list_for_user(user)
        .filter(case=case)
        .order_by("kind", "-version__year", "-version__version")
    )


def grouped_versions(
    user, *, region: Region, year: int, periods: Sequence[SettlementPeriod]
) -> list[CatalogVersion]:
    """The region's catalog versions of ``year`` that have results in ``periods``, for the summary page's choice."""
    results = case_group_list_for_user(user).filter(period__in=periods)
    candidates = CatalogVersion.objects.filter(region=region, year=year).order_by(
        "kind", "-version"
    )
    return [version for version in candidates if results.filter(version=version).exists()]


def grouping_summary(user, *, version: CatalogVersion, periods: Sequence[SettlementPeriod]) -> dict:
    """Counts per trace (with its text) and per group type, and the largest groups, of a version's results."""
    rows = case_group_list_for_user(user).filter(version=version, period__in=periods).order_by()
    counts = pd.DataFrame(
        list(rows.values("trace", "group_type").annotate(n=Count("case"))),
        columns=["trace", "group_type", "n"],
    )
    traces = (
        counts.groupby("trace", as_index=False)["n"]
        .sum()
        .sort_values(["n", "trace"], ascending=[False, True])
    )
    traces["trace_text"] = traces["trace"].map(
        lambda trace: TRACE_TEXT[version.kind].get(trace, trace)
    )
    types = (
        counts.groupby("group_type", as_index=False)["n"]
        .sum()
        .sort_values(["n", "group_type"], ascending=[False, True])
    )
    ungroupable = traces["trace"].isin(UNGROUPABLE_TRACES[version.kind])
    top = (
        rows.exclude(group_code="")
        .values("group_code")
        .annotate(n=Count("case"))
        .order_by("-n", "group_code")[:TOP_GROUPS]
    )
    return {
        "total": int(traces["n"].sum()),
        "ungroupable": int(traces.loc[ungroupable, "n"].sum()),
        "traces": traces.assign(ungroupable=ungroupable).to_dict("records"),
        "group_types": types.to_dict("records"),
        "top_groups": list(top),
    }
