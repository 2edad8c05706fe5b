"""Writes of catalogs: create or copy a version, build a DIP catalog from case history, edit a score,
add golden cases, submit, return, publish (four eyes; every golden case must pass).

Every service locks the version it changes, refuses anything its status does not allow, and records
one audit event inside its own transaction. Only a draft is editable: a submitted or published
version changes only by copying it into a new draft.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import audit_record, audited_update, snapshot
from catalogs import dip, grouping, selectors
from catalogs.choices import CatalogKind, CatalogStatus, GroupType, TreatmentType
from catalogs.models import (
    ERR_SELF_APPROVAL, ERR_VERSION_LOCKED, CatalogGroup, CatalogVersion, Diagnosis, GoldenCase, GroupSubtype, Procedure, Region,
)  # fmt: skip

Progress = Callable[[int, str], None]

ERR_OPEN_VERSION = "{year}年{kind}已有未发布的第{version}版，请先完成审核或退回。"
ERR_NOT_DRAFT = ERR_VERSION_LOCKED
ERR_NOT_SUBMITTED = "只有待审核的目录版本可以发布或退回。"
ERR_SELF_PUBLISH = ERR_SELF_APPROVAL + "请由另一位经办人员审核发布。"
ERR_NO_GROUPS = "目录版本还没有病种，不能提交。"
ERR_SUBMIT_BY_USER = "提交审核须由经办人员本人操作，不能由系统任务提交。"
ERR_REASON = "请填写原因。"
ERR_NOT_DIP = "只有DIP目录可以由历史病例测算。"
ERR_GOLDEN_FAILED = "标准病例校验未通过，不能发布：{failures}"
GOLDEN_FAILURE = "「{label}」预期 {expected_code}（{expected_score}），实际 {actual_code}（{actual_score}）"
NO_GROUP = "无此病种"
UNGROUPABLE = "不能入组"
CONSERVATIVE = "保守治疗"


def _no_progress(percent: int, message: str = "") -> None:
    return None


def _user(actor):
    """The user behind an actor; ``None`` for a system actor (a command or a job, named by a string)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _locked(version: CatalogVersion) -> CatalogVersion:
    return CatalogVersion.objects.select_for_update().select_related("region").get(pk=version.pk)


def _require(version: CatalogVersion, status: str, message: str) -> None:
    if version.status != status:
        raise ValidationError(message)


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError(ERR_REASON)
    return reason.strip()


def _new_version(*, actor, region: Region, kind: str, year: int, **fields) -> CatalogVersion:
    """The next numbered draft of a series, refused while another version of it is open."""
    series = CatalogVersion.objects.filter(region=region, kind=kind, year=year)
    open_version = series.filter(status__in=CatalogStatus.open()).first()
    if open_version:
        raise ValidationError(ERR_OPEN_VERSION.format(year=year, kind=open_version.get_kind_display(), version=open_version.version))
    number = (series.aggregate(v=Max("version"))["v"] or 0) + 1
    version = CatalogVersion(region=region, kind=kind, year=year, version=number, created_by=_user(actor), **fields)
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def version_create(
    *, actor, region: Region, year: int, kind: str = CatalogKind.DIP, name: str = "",
    effective_from: date | None = None, effective_to: date | None = None,
) -> CatalogVersion:
    """Open the next version of a region's catalog for a year, as an empty draft."""
    version = _new_version(actor=actor, region=region, kind=kind, year=year, name=name,
                           effective_from=effective_from, effective_to=effective_to)
    audit_record(actor=actor, action="catalog_version_create", instance=version, after=snapshot(version))
    return version


@transaction.atomic
def version_copy(*, actor, version: CatalogVersion, year: int | None = None) -> CatalogVersion:
    """A new draft holding a copy of a version's groups, subtypes and golden cases (e.g. to adjust a
    published catalog, or to carry it into the next year)."""
    source = _locked(version)
    copy = _new_version(actor=actor, region=source.region, kind=source.kind, year=year or source.year, name=source.name,
                        based_on=source, build_params=source.build_params, build_summary=source.build_summary)
    _groups_copy(source, copy)
    GoldenCase.objects.bulk_create(
        GoldenCase(version=copy, label=g.label, case=g.case, expected_code=g.expected_code, expected_score=g.expected_score)
        for g in source.golden_cases.all()
    )
    audit_record(actor=actor, action="catalog_version_copy", instance=copy, before=snapshot(source), after=snapshot(copy),
                 message=f"复制自{source}")
    return copy


def _groups_copy(source: CatalogVersion, target: CatalogVersion) -> None:
    originals = list(source.groups.order_by("code").prefetch_related("subtypes"))
    copies = CatalogGroup.objects.bulk_create(
        CatalogGroup(**{f.attname: getattr(g, f.attname) for f in CatalogGroup._meta.concrete_fields if not f.primary_key}
                     | {"version_id": target.pk})
        for g in originals
    )  # fmt: skip
    GroupSubtype.objects.bulk_create(
        GroupSubtype(group=new, dimension=s.dimension, key=s.key, cases=s.cases, mean_cost=s.mean_cost, coefficient=s.coefficient)
        for old, new in zip(originals, copies, strict=True) for s in old.subtypes.all()
    )  # fmt: skip


# --- building a DIP catalog from history ----------------------------------------------------------


def _group_names(results: Sequence[dip.GroupResult]) -> dict[str, str]:
    """病种名称: diagnosis + procedure names for a core disease, category + treatment for a comprehensive one."""
    diag_codes = {r.diag_code for r in results} | {r.diag_code[:3] for r in results}
    diagnoses = dict(Diagnosis.objects.filter(code__in=diag_codes).values_list("code", "name"))
    procedures = dict(Procedure.objects.filter(code__in={r.proc_code for r in results if r.proc_code}).values_list("code", "name"))
    names = {}
    for r in results:
        diagnosis = diagnoses.get(r.diag_code, r.diag_code)
        if r.group_type == GroupType.CORE:
            names[r.code] = f"{diagnosis}：{procedures.get(r.proc_code, r.proc_code) if r.proc_code else CONSERVATIVE}"
        else:
            names[r.code] = f"{diagnosis}：{TreatmentType(r.treatment_type).label}（综合病种）"
    return names


def _group_rows(version: CatalogVersion, catalog: dip.DipCatalog) -> list[CatalogGroup]:
    names = _group_names(catalog.groups)
    rows = [
        CatalogGroup(
            version=version, code=r.code, name=names[r.code][:300], group_type=r.group_type, diag_code=r.diag_code,
            proc_code=r.proc_code, treatment_type=r.treatment_type, score=r.score,
            case_counts={str(year): n for year, n in r.case_counts.items()}, mean_cost=r.mean_cost, cv=r.cv,
            level_means={level: str(mean) for level, mean in r.level_means.items()}, grassroots_share=r.grassroots_share,
            is_grassroots=r.is_grassroots,
        )
        for r in catalog.groups
    ]  # fmt: skip
    for row in rows:  # field validation in Python; the database checks the constraints of the whole batch
        row.clean_fields(exclude=["version"])
    return rows


def _subtype_rows(groups: Sequence[CatalogGroup], catalog: dip.DipCatalog) -> list[GroupSubtype]:
    by_code = {group.code: group for group in groups}
    return [
        GroupSubtype(group=by_code[r.code], dimension=s.dimension, key=s.key, cases=s.cases, mean_cost=s.mean_cost,
                     coefficient=s.coefficient)
        for r in catalog.groups for s in r.subtypes
    ]  # fmt: skip


def _build_summary(catalog: dip.DipCatalog, years: Sequence[int]) -> dict:
    core = sum(1 for g in catalog.groups if g.group_type == GroupType.CORE)
    return {
        "years": list(years), "cases": catalog.cases, "groups": len(catalog.groups), "core_groups": core,
        "comprehensive_groups": len(catalog.groups) - core, "typed_groups": sum(1 for g in catalog.groups if g.subtypes),
        "grassroots_groups": sum(1 for g in catalog.groups if g.is_grassroots), "base_mean": str(catalog.base_mean),
        "weights": {str(year): weight for year, weight in catalog.weights.items()},
        "unmapped_procedures": list(catalog.unmapped_procedures[:50]),
    }  # fmt: skip


@transaction.atomic
def catalog_build_dip(
    *, actor, version: CatalogVersion, years: Sequence[int], params: Mapping | None = None, progress: Progress = _no_progress,
    cases: pd.DataFrame | None = None,
) -> dict:
    """Build a draft DIP version's groups from the region's inpatient cases of ``years`` (病种目录库测算).

    ``params`` are ``catalogs.dip.DipConfig`` fields (threshold, weights, scale, method, typing gates);
    they are stored with the version. ``cases`` replaces the read from the case table (an imported
    history). Replaces any groups the draft had.
    """
    version = _locked(version)
    _require(version, CatalogStatus.DRAFT, ERR_NOT_DRAFT)
    if version.kind != CatalogKind.DIP:
        raise ValidationError(ERR_NOT_DIP)
    config = dip.DipConfig.from_params({**(params or {}), "years": tuple(sorted(int(y) for y in years))})
    progress(5, "正在读取历史病例")
    frame = selectors.case_history_frame(region=version.region, years=config.years) if cases is None else cases
    progress(30, f"正在测算 {len(frame)} 例病例的病种分值")
    try:
        catalog = dip.catalog_from_history(frame, procedure_types=selectors.procedure_types(), config=config)
    except dip.DipError as error:
        raise ValidationError(error.message) from error
    progress(70, f"正在写入 {len(catalog.groups)} 个病种")
    before = {"build_params": version.build_params, "build_summary": version.build_summary}
    version.groups.all().delete()
    groups = CatalogGroup.objects.bulk_create(_group_rows(version, catalog), batch_size=2000)
    GroupSubtype.objects.bulk_create(_subtype_rows(groups, catalog), batch_size=2000)
    version.build_params, version.build_summary = config.to_params(), _build_summary(catalog, config.years)
    version.save(update_fields=["build_params", "build_summary"])
    audit_record(actor=actor, action="catalog_build_dip", instance=version, before=before,
                 after={"build_params": version.build_params, "build_summary": version.build_summary},
                 message=f"由{len(frame)}例病例测算出{len(groups)}个病种")  # fmt: skip
    progress(100, "测算完成")
    return version.build_summary


# --- editing a draft ------------------------------------------------------------------------------


@transaction.atomic
def group_score_edit(*, actor, group: CatalogGroup, score: Decimal, reason: str) -> CatalogGroup:
    """Adjust one group's score by hand (e.g. after expert review, 专家论证), with the reason audited."""
    reason = _reason(reason)
    version = _locked(group.version)
    _require(version, CatalogStatus.DRAFT, ERR_NOT_DRAFT)
    group = CatalogGroup.objects.select_related("version").get(pk=group.pk)
    before = snapshot(group)
    group.score = Decimal(score).quantize(dip.SCORE_QUANTUM, rounding=dip.ROUNDING)
    group.full_clean()
    group.save(update_fields=["score"])
    audit_record(actor=actor, action="catalog_group_score_edit", instance=group, before=before, after=snapshot(group),
                 message=reason)  # fmt: skip
    return group


@transaction.atomic
def golden_case_add(
    *, actor, version: CatalogVersion, label: str, case: Mapping, expected_code: str, expected_score: Decimal
) -> GoldenCase:
    """A golden case (标准病例) the version must group and score as expected before it is published."""
    version = _locked(version)
    _require(version, CatalogStatus.DRAFT, ERR_NOT_DRAFT)
    golden = GoldenCase(version=version, label=label, case=dict(case), expected_code=expected_code, expected_score=expected_score)
    golden.full_clean()
    golden.save()
    audit_record(actor=actor, action="catalog_golden_case_add", instance=golden, after=snapshot(golden))
    return golden


# --- workflow -------------------------------------------------------------------------------------


@transaction.atomic
def version_submit(*, actor, version: CatalogVersion) -> CatalogVersion:
    version = _locked(version)
    _require(version, CatalogStatus.DRAFT, ERR_NOT_DRAFT)
    if not version.groups.exists():
        raise ValidationError(ERR_NO_GROUPS)
    if _user(actor) is None:  # four eyes need a named submitter
        raise ValidationError(ERR_SUBMIT_BY_USER)
    return audited_update(actor=actor, instance=version, action="catalog_version_submit",
                          status=CatalogStatus.SUBMITTED, submitted_by=_user(actor), submitted_at=timezone.now())


@transaction.atomic
def version_return(*, actor, version: CatalogVersion, reason: str) -> CatalogVersion:
    """Send a submitted version back to its author as a draft (退回), with the reason."""
    version = _locked(version)
    _require(version, CatalogStatus.SUBMITTED, ERR_NOT_SUBMITTED)
    return audited_update(actor=actor, instance=version, action="catalog_version_return", message=_reason(reason),
                          status=CatalogStatus.DRAFT, submitted_by=None, submitted_at=None)


def golden_failures(version: CatalogVersion) -> list[dip.GoldenResult]:
    """The golden cases of a version that the DIP grouper does not put in their expected group with
    their expected score."""
    golden = pd.DataFrame(
        [{"label": g.label, "maindiag_code": g.case.get("maindiag_code", ""), "main_oprn_oprt_code": g.case.get("main_oprn_oprt_code", ""),
          "expected_code": g.expected_code, "expected_score": g.expected_score} for g in version.golden_cases.all()],
        columns=["label", "maindiag_code", "main_oprn_oprt_code", "expected_code", "expected_score"],
    )  # fmt: skip
    groups = pd.DataFrame(list(version.groups.values(*grouping.GROUPS_COLUMNS, "score")), columns=[*grouping.GROUPS_COLUMNS, "score"])
    assigned = grouping.dip_group(
        golden, groups, selectors.procedure_types(),
        unmapped_procedure_type=dip.DipConfig.from_params(version.build_params).unmapped_procedure_type,
    )["dip_code"]  # fmt: skip
    results = dip.golden_check(golden, assigned=assigned, scores=dict(zip(groups["code"], groups["score"], strict=True)))
    return [result for result in results if not result.passed]


def golden_failure_lines(version: CatalogVersion) -> list[str]:
    """One line per failing golden case, as the publish refusal and the pages show them."""
    return [_failure_text(result) for result in golden_failures(version)]


def _failure_text(result: dip.GoldenResult) -> str:
    actual_score = NO_GROUP if result.actual_score is None else result.actual_score
    return GOLDEN_FAILURE.format(label=result.label, expected_code=result.expected_code, expected_score=result.expected_score,
                                 actual_code=result.actual_code or UNGROUPABLE, actual_score=actual_score)  # fmt: skip


@transaction.atomic
def version_publish(*, actor, version: CatalogVersion) -> CatalogVersion:
    """Publish a submitted version (by someone other than its submitter) once every golden case passes;
    the version published before it for the same region, kind and year is retired."""
    version = _locked(version)
    _require(version, CatalogStatus.SUBMITTED, ERR_NOT_SUBMITTED)
    approver = _user(actor)
    if approver is None or approver.pk == version.submitted_by_id:
        raise ValidationError(ERR_SELF_PUBLISH)
    failures = golden_failures(version)
    if failures:
        raise ValidationError(ERR_GOLDEN_FAILED.format(failures="；".join(_failure_text(f) for f in failures)), code="golden")
    now = timezone.now()
    for previous in CatalogVersion.objects.select_for_update().filter(
        region=version.region_id, kind=version.kind, year=version.year, status=CatalogStatus.PUBLISHED
    ):
        audited_update(actor=actor, instance=previous, action="catalog_version_retire", message=f"被第{version.version}版替代",
                       status=CatalogStatus.RETIRED, retired_at=now)  # fmt: skip
    return audited_update(actor=actor, instance=version, action="catalog_version_publish",
                          status=CatalogStatus.PUBLISHED, approved_by=approver, approved_at=now)
