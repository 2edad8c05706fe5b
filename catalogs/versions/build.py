"""Writes that build a catalog version from case history (由历史病例测算): DIP, DRG and APG. Each reads the
region's history, runs the pure build of its kind (catalogs/dip/, catalogs/drg/, catalogs/apg/) and stores
the groups in the draft, in one audited transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record
from catalogs import selectors
from catalogs.apg import build as apg_build
from catalogs.choices import CatalogKind, CatalogStatus, GroupType, TreatmentType
from catalogs.dictionaries import selectors as dictionary_selectors
from catalogs.dictionaries.models import Diagnosis, Procedure
from catalogs.dip import build as dip_build
from catalogs.dip import catalog as dip_catalog
from catalogs.drg import build as drg_build
from catalogs.drg import selectors as drg_selectors
from catalogs.versions.models import CatalogGroup, CatalogVersion, GroupSubtype
from catalogs.versions.services import CONSERVATIVE, ERR_NOT_DRAFT, Progress
from config.lazy import pandas as pd
from workflow.services import locked_in

ERR_WRONG_KIND = "该目录版本不是{kind}，不能按此方式测算。"


ERR_NO_DRG_RULES = (
    "{region}{year}年没有已发布的DRG分组规则，无法测算DRG目录。请先导入并审核发布分组规则。"
)


def _no_progress(percent: int, message: str = "") -> None:
    return None


def _group_names(results: Sequence[dip_catalog.GroupResult]) -> dict[str, str]:
    """病种名称: diagnosis + procedure names for a core disease, category + treatment for a comprehensive one."""
    diag_codes = {r.diag_code for r in results} | {r.diag_code[:3] for r in results}
    diagnoses = dict(Diagnosis.objects.filter(code__in=diag_codes).values_list("code", "name"))
    procedures = dict(
        Procedure.objects.filter(
            code__in={r.proc_code for r in results if r.proc_code}
        ).values_list("code", "name")
    )
    names = {}
    for r in results:
        diagnosis = diagnoses.get(r.diag_code, r.diag_code)
        if r.group_type == GroupType.CORE:
            names[r.code] = (
                f"{diagnosis}：{procedures.get(r.proc_code, r.proc_code) if r.proc_code else CONSERVATIVE}"
            )
        else:
            names[r.code] = f"{diagnosis}：{TreatmentType(r.treatment_type).label}（综合病种）"
    return names


def _group_rows(
    version: CatalogVersion, catalog: dip_catalog.DipCatalog, names: Mapping[str, str]
) -> list[CatalogGroup]:
    rows = [
        CatalogGroup(
            version=version,
            code=r.code,
            name=names.get(r.code, r.name)[:300],
            group_type=r.group_type,
            diag_code=r.diag_code,
            proc_code=r.proc_code,
            treatment_type=r.treatment_type,
            score=r.score,
            case_counts={str(year): n for year, n in r.case_counts.items()},
            mean_cost=r.mean_cost,
            cv=r.cv,
            level_means={level: str(mean) for level, mean in r.level_means.items()},
            grassroots_share=r.grassroots_share,
            is_grassroots=r.is_grassroots,
            is_tcm=r.is_tcm,
            is_day_surgery=r.is_day_surgery,
        )
        for r in catalog.groups
    ]
    for (
        row
    ) in rows:  # field validation in Python; the database checks the constraints of the whole batch
        row.clean_fields(exclude=["version"])
    return rows


def _subtype_rows(
    groups: Sequence[CatalogGroup], catalog: dip_catalog.DipCatalog
) -> list[GroupSubtype]:
    by_code = {group.code: group for group in groups}
    return [
        GroupSubtype(
            group=by_code[r.code],
            dimension=s.dimension,
            key=s.key,
            cases=s.cases,
            mean_cost=s.mean_cost,
            coefficient=s.coefficient,
        )
        for r in catalog.groups
        for s in r.subtypes
    ]


def _build_summary(
    catalog: dip_catalog.DipCatalog, config: dip_catalog.HistoryConfig, **extra
) -> dict:
    core = sum(1 for g in catalog.groups if g.group_type == GroupType.CORE)
    return {
        "years": list(config.years),
        "cases": catalog.cases,
        "groups": len(catalog.groups),
        "core_groups": core,
        "comprehensive_groups": sum(
            1 for g in catalog.groups if g.group_type == GroupType.COMPREHENSIVE
        ),
        "typed_groups": sum(1 for g in catalog.groups if g.subtypes),
        "grassroots_groups": sum(1 for g in catalog.groups if g.is_grassroots),
        "tcm_groups": sum(1 for g in catalog.groups if g.is_tcm),
        "day_surgery_groups": sum(1 for g in catalog.groups if g.is_day_surgery),
        "base_mean": str(catalog.base_mean),
        "base_mean_exact": str(catalog.base),
        "weights": {str(year): weight for year, weight in catalog.weights.items()},
        "scale": str(config.scale),
        "unmapped_procedures": list(catalog.unmapped_procedures[:50]),
        **extra,
    }


def _buildable(version: CatalogVersion, kind: str) -> CatalogVersion:
    version = locked_in(version, CatalogStatus.DRAFT, ERR_NOT_DRAFT, "region")
    if version.kind != kind:
        raise ValidationError(ERR_WRONG_KIND.format(kind=CatalogKind(kind).label))
    return version


def _config(
    config_class: type[dip_catalog.HistoryConfig], params: Mapping | None, years: Sequence[int]
):
    return config_class.from_params(
        {**(params or {}), "years": tuple(sorted(int(y) for y in years))}
    )


def _catalog_store(
    *,
    actor,
    version: CatalogVersion,
    catalog: dip_catalog.DipCatalog,
    config: dip_catalog.HistoryConfig,
    summary: dict,
    progress: Progress,
    names: Mapping[str, str] | None = None,
    **fields,
) -> dict:
    """Replace a draft's groups by a build's, store its parameters and summary, audit it."""
    progress(70, f"正在写入 {len(catalog.groups)} 个病种")
    before = {"build_params": version.build_params, "build_summary": version.build_summary}
    version.groups.all().delete()
    groups = CatalogGroup.objects.bulk_create(
        _group_rows(version, catalog, names or {}), batch_size=2000
    )
    GroupSubtype.objects.bulk_create(_subtype_rows(groups, catalog), batch_size=2000)
    for name, value in fields.items():
        setattr(version, name, value)
    version.build_params, version.build_summary = config.to_params(), summary
    version.save(update_fields=["build_params", "build_summary", *fields])
    audit_record(
        actor=actor,
        action=f"catalog_build_{version.kind.lower()}",
        instance=version,
        before=before,
        after={
            "build_params": version.build_params,
            "build_summary": version.build_summary,
            **{k: str(v) for k, v in fields.items()},
        },
        message=f"由{catalog.cases}例病例测算出{len(groups)}个病种",
    )
    progress(100, "测算完成")
    return version.build_summary


def _computed(compute: Callable[[], tuple]):
    try:
        return compute()
    except dip_catalog.DipError as error:
        raise ValidationError(error.message) from error


@transaction.atomic
def catalog_build_dip(
    *,
    actor,
    version: CatalogVersion,
    years: Sequence[int],
    params: Mapping | None = None,
    progress: Progress = _no_progress,
    cases: pd.DataFrame | None = None,
) -> dict:
    """Build a draft DIP version's groups from the region's inpatient cases of ``years`` (病种目录库测算).

    ``params`` are ``catalogs.dip.catalog.DipConfig`` fields (threshold, weights, scale, method, typing gates, the
    TCM and day-surgery lists); they are stored with the version. ``cases`` replaces the read from the case
    table (an imported history). Replaces any groups the draft had.
    """
    version = _buildable(version, CatalogKind.DIP)
    config = _config(dip_catalog.DipConfig, params, years)
    progress(5, "正在读取历史病例")
    frame = (
        selectors.case_history_frame(region=version.region, years=config.years)
        if cases is None
        else cases
    )
    progress(30, f"正在测算 {len(frame)} 例病例的病种分值")
    catalog = _computed(
        lambda: dip_build.catalog_from_history(
            frame, procedure_types=dictionary_selectors.procedure_types(), config=config
        )
    )
    return _catalog_store(
        actor=actor,
        version=version,
        catalog=catalog,
        config=config,
        summary=_build_summary(catalog, config),
        names=_group_names(catalog.groups),
        progress=progress,
    )


@transaction.atomic
def catalog_build_drg(
    *,
    actor,
    version: CatalogVersion,
    years: Sequence[int],
    params: Mapping | None = None,
    progress: Progress = _no_progress,
    cases: pd.DataFrame | None = None,
) -> dict:
    """Build a draft DRG version from the region's inpatient cases of ``years``: grouped with the DRG rule set
    in force for the version's year (which the version then keeps), weight = group mean / all mean x scale
    (``params``: ``catalogs.drg.build.WeightConfig`` fields — weights, scale)."""
    version = _buildable(version, CatalogKind.DRG)
    rule_set = drg_selectors.drg_rule_set_in_force(region=version.region, year=version.year)
    if rule_set is None:
        raise ValidationError(
            ERR_NO_DRG_RULES.format(region=version.region.name, year=version.year)
        )
    config = _config(drg_build.WeightConfig, params, years)
    progress(5, "正在读取历史病例")
    frame = (
        selectors.case_history_frame(region=version.region, years=config.years)
        if cases is None
        else cases
    )
    progress(30, f"正在按{rule_set}为 {len(frame)} 例病例分组并测算权重")
    catalog, ungroupable = _computed(
        lambda: drg_build.drg_catalog_from_history(
            frame,
            rules=drg_selectors.drg_rules_of(rule_set),
            procedure_types=dictionary_selectors.procedure_types(),
            config=config,
        )
    )
    summary = _build_summary(catalog, config, ungroupable=ungroupable, rule_set=str(rule_set))
    return _catalog_store(
        actor=actor,
        version=version,
        catalog=catalog,
        config=config,
        summary=summary,
        progress=progress,
        drg_rule_set=rule_set,
    )


@transaction.atomic
def catalog_build_apg(
    *,
    actor,
    version: CatalogVersion,
    years: Sequence[int],
    params: Mapping | None = None,
    progress: Progress = _no_progress,
    cases: pd.DataFrame | None = None,
) -> dict:
    """Build a draft APG version from the region's outpatient chronic/special settlements of ``years`` (two
    years, weighted 2:8 by default): points = group mean / all-sample mean x scale per unit (``params``:
    ``catalogs.drg.build.WeightConfig`` fields — weights, scale, unit = settlement | patient_month)."""
    version = _buildable(version, CatalogKind.APG)
    config = _config(drg_build.WeightConfig, params, years)
    progress(5, "正在读取门诊慢特病结算记录")
    frame = (
        selectors.chronic_history_frame(region=version.region, years=config.years)
        if cases is None
        else cases
    )
    progress(30, f"正在为 {len(frame)} 条结算记录分组并测算点数")
    names = dictionary_selectors.diagnosis_names()
    catalog, ungroupable = _computed(
        lambda: apg_build.apg_catalog_from_history(
            frame,
            procedure_types=dictionary_selectors.procedure_types(),
            config=config,
            disease_names=names,
        )
    )
    summary = _build_summary(catalog, config, ungroupable=ungroupable, unit=config.unit)
    return _catalog_store(
        actor=actor,
        version=version,
        catalog=catalog,
        config=config,
        summary=summary,
        progress=progress,
    )
