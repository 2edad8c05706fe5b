"""Writes of catalogs: create or copy a version, build a DIP catalog from case history, edit a score,
add golden cases, submit, return, publish (four eyes; every golden case must pass).

Every service locks the version it changes, refuses anything its status does not allow, and records
one audit event inside its own transaction. Only a draft is editable: a submitted or published
version changes only by copying it into a new draft.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max

from audit.services import audit_record, snapshot
from catalogs.apg import grouper as apg_grouper
from catalogs.choices import CatalogKind, CatalogStatus
from catalogs.dictionaries import selectors as dictionary_selectors
from catalogs.dip import catalog as dip_catalog
from catalogs.dip import golden as dip_golden
from catalogs.dip import grouper as dip_grouper
from catalogs.drg import grouper as drg_grouper
from catalogs.drg import selectors as drg_selectors
from catalogs.models import Region
from catalogs.versions.models import (
    ERR_SELF_APPROVAL,
    ERR_VERSION_LOCKED,
    CatalogGroup,
    CatalogVersion,
    GoldenCase,
    GroupSubtype,
)
from config.lazy import pandas as pd
from workflow import services as workflow
from workflow.services import locked, locked_in, user_of

Progress = Callable[[int, str], None]

ERR_OPEN_VERSION = "{year}年{kind}已有未发布的第{version}版，请先完成审核或退回。"
ERR_NOT_DRAFT = ERR_VERSION_LOCKED
ERR_NOT_SUBMITTED = "只有待审核的目录版本可以发布或退回。"
ERR_SELF_PUBLISH = ERR_SELF_APPROVAL + "请由另一位经办人员审核发布。"
ERR_NO_GROUPS = "目录版本还没有病种，不能提交。"
ERR_SUBMIT_BY_USER = "提交审核须由经办人员本人操作，不能由系统任务提交。"
ERR_REASON = "请填写原因。"
ERR_GOLDEN_FAILED = "标准病例校验未通过，不能发布：{failures}"
GOLDEN_FAILURE = (
    "「{label}」预期 {expected_code}（{expected_score}），实际 {actual_code}（{actual_score}）"
)
NO_GROUP = "无此病种"
UNGROUPABLE = "不能入组"
CONSERVATIVE = "保守治疗"


def published_flow(action: str) -> workflow.Flow:
    """The lifecycle of a series published like a catalog (catalog versions, DRG rule sets): a named user
    submits, another publishes, the version published before is retired."""
    return workflow.Flow(
        action=action,
        in_force=CatalogStatus.PUBLISHED,
        superseded=CatalogStatus.RETIRED,
        approve="publish",
        supersede="retire",
        superseded_at="retired_at",
        not_draft=ERR_NOT_DRAFT,
        not_submitted=ERR_NOT_SUBMITTED,
        self_approval=ERR_SELF_PUBLISH,
        reason_required=ERR_REASON,
        submitter_unnamed=ERR_SUBMIT_BY_USER,
    )


FLOW = published_flow("catalog_version")


def series_draft(
    model: type[models.Model], *, actor, label: str, series: Mapping, **fields
) -> models.Model:
    """The next numbered draft of a versioned series (``model.SERIES`` fields = ``series``), refused while
    another version of it is open. ``label`` names the series in the refusal."""
    versions = model.objects.filter(**series)
    open_version = versions.filter(status__in=CatalogStatus.open()).first()
    if open_version:
        raise ValidationError(
            ERR_OPEN_VERSION.format(year=series["year"], kind=label, version=open_version.version)
        )
    number = (versions.aggregate(v=Max("version"))["v"] or 0) + 1
    record = model(**series, version=number, created_by=user_of(actor), **fields)
    record.full_clean()
    record.save()
    return record


def _new_version(*, actor, region: Region, kind: str, year: int, **fields) -> CatalogVersion:
    return series_draft(
        CatalogVersion,
        actor=actor,
        label=CatalogKind(kind).label,
        series={"region": region, "kind": kind, "year": year},
        **fields,
    )


@transaction.atomic
def version_create(
    *,
    actor,
    region: Region,
    year: int,
    kind: str = CatalogKind.DIP,
    name: str = "",
    effective_from: date | None = None,
    effective_to: date | None = None,
) -> CatalogVersion:
    """Open the next version of a region's catalog for a year, as an empty draft."""
    version = _new_version(
        actor=actor,
        region=region,
        kind=kind,
        year=year,
        name=name,
        effective_from=effective_from,
        effective_to=effective_to,
    )
    audit_record(
        actor=actor, action="catalog_version_create", instance=version, after=snapshot(version)
    )
    return version


@transaction.atomic
def version_copy(*, actor, version: CatalogVersion, year: int | None = None) -> CatalogVersion:
    """A new draft holding a copy of a version's groups, subtypes and golden cases (e.g. to adjust a
    published catalog, or to carry it into the next year)."""
    source = locked(version, "region")
    copy = _new_version(
        actor=actor,
        region=source.region,
        kind=source.kind,
        year=year or source.year,
        name=source.name,
        based_on=source,
        build_params=source.build_params,
        build_summary=source.build_summary,
    )
    _groups_copy(source, copy)
    GoldenCase.objects.bulk_create(
        GoldenCase(
            version=copy,
            label=g.label,
            case=g.case,
            expected_code=g.expected_code,
            expected_score=g.expected_score,
        )
        for g in source.golden_cases.all()
    )
    audit_record(
        actor=actor,
        action="catalog_version_copy",
        instance=copy,
        before=snapshot(source),
        after=snapshot(copy),
        message=f"复制自{source}",
    )
    return copy


def _groups_copy(source: CatalogVersion, target: CatalogVersion) -> None:
    originals = list(source.groups.order_by("code").prefetch_related("subtypes"))
    copies = CatalogGroup.objects.bulk_create(
        CatalogGroup(
            **{
                f.attname: getattr(g, f.attname)
                for f in CatalogGroup._meta.concrete_fields
                if not f.primary_key
            }
            | {"version_id": target.pk}
        )
        for g in originals
    )
    GroupSubtype.objects.bulk_create(
        GroupSubtype(
            group=new,
            dimension=s.dimension,
            key=s.key,
            cases=s.cases,
            mean_cost=s.mean_cost,
            coefficient=s.coefficient,
        )
        for old, new in zip(originals, copies, strict=True)
        for s in old.subtypes.all()
    )


# --- building a DIP catalog from history ----------------------------------------------------------


# --- editing a draft ------------------------------------------------------------------------------


def _group_edit(*, actor, group: CatalogGroup, reason: str, action: str, **fields) -> CatalogGroup:
    """One audited change of a draft's group (with the reason) — a score, the flags."""
    reason = workflow.reason_given(reason, ERR_REASON)
    locked_in(group.version, CatalogStatus.DRAFT, ERR_NOT_DRAFT, "region")
    group = CatalogGroup.objects.select_related("version").get(pk=group.pk)
    before = snapshot(group)
    for name, value in fields.items():
        setattr(group, name, value)
    group.full_clean()
    group.save(update_fields=list(fields))
    audit_record(
        actor=actor,
        action=action,
        instance=group,
        before=before,
        after=snapshot(group),
        message=reason,
    )
    return group


@transaction.atomic
def group_score_edit(*, actor, group: CatalogGroup, score: Decimal, reason: str) -> CatalogGroup:
    """Adjust one group's score by hand (e.g. after expert review, 专家论证), with the reason audited."""
    return _group_edit(
        actor=actor,
        group=group,
        reason=reason,
        action="catalog_group_score_edit",
        score=Decimal(score).quantize(dip_catalog.SCORE_QUANTUM, rounding=dip_catalog.ROUNDING),
    )


GROUP_FLAGS = ("is_grassroots", "is_tcm", "is_day_surgery")


@transaction.atomic
def group_flags_edit(
    *, actor, group: CatalogGroup, flags: Mapping[str, bool], reason: str
) -> CatalogGroup:
    """Set a draft group's 基层 / 中医优势 / 日间手术 flags by hand (the build proposes them), with the reason audited."""
    return _group_edit(
        actor=actor,
        group=group,
        reason=reason,
        action="catalog_group_flags_edit",
        **{name: bool(value) for name, value in flags.items() if name in GROUP_FLAGS},
    )


@transaction.atomic
def golden_case_add(
    *,
    actor,
    version: CatalogVersion,
    label: str,
    case: Mapping,
    expected_code: str,
    expected_score: Decimal,
) -> GoldenCase:
    """A golden case (标准病例) the version must group and score as expected before it is published."""
    version = locked_in(version, CatalogStatus.DRAFT, ERR_NOT_DRAFT, "region")
    golden = GoldenCase(
        version=version,
        label=label,
        case=dict(case),
        expected_code=expected_code,
        expected_score=expected_score,
    )
    golden.full_clean()
    golden.save()
    audit_record(
        actor=actor, action="catalog_golden_case_add", instance=golden, after=snapshot(golden)
    )
    return golden


# --- workflow (workflow.services) ------------------------------------------------------------------


@transaction.atomic
def version_submit(*, actor, version: CatalogVersion) -> CatalogVersion:
    version = locked(version, "region")
    return workflow.submit(
        FLOW, actor=actor, record=version, empty="" if version.groups.exists() else ERR_NO_GROUPS
    )


@transaction.atomic
def version_return(*, actor, version: CatalogVersion, reason: str) -> CatalogVersion:
    """Send a submitted version back to its author as a draft (退回), with the reason."""
    return workflow.send_back(FLOW, actor=actor, record=locked(version, "region"), reason=reason)


GOLDEN_FIELDS = ("maindiag_code", "main_oprn_oprt_code", "otherdiag_codes", "opsp_dise_code")


def _golden_assigned(
    version: CatalogVersion, golden: pd.DataFrame, groups: pd.DataFrame
) -> pd.Series:
    """The group code the version's grouper gives each golden case ("" = ungroupable): DIP by its groups,
    DRG by its rule set (none: every case ungroupable), APG by disease and treatment pattern."""
    procedure_types = dictionary_selectors.procedure_types()
    if version.kind == CatalogKind.DRG:
        rule_set = drg_selectors.drg_rule_set_for_version(version)
        if rule_set is None:
            return pd.Series("", index=golden.index)
        return drg_grouper.drg_group(golden, drg_selectors.drg_rules_of(rule_set), procedure_types)[
            "drg_code"
        ].astype(str)
    if version.kind == CatalogKind.APG:
        return apg_grouper.apg_group(golden, procedure_types)["apg_code"].astype(str)
    return dip_grouper.dip_group(
        golden,
        groups,
        procedure_types,
        unmapped_procedure_type=dip_catalog.DipConfig.from_params(
            version.build_params
        ).unmapped_procedure_type,
    )["dip_code"]


def golden_failures(version: CatalogVersion) -> list[dip_golden.GoldenResult]:
    """The golden cases of a version that its grouper (DIP, DRG or APG) does not put in their expected group
    with their expected score."""
    golden = pd.DataFrame(
        [
            {
                "label": g.label,
                **{name: str(g.case.get(name, "") or "") for name in GOLDEN_FIELDS},
                "expected_code": g.expected_code,
                "expected_score": g.expected_score,
            }
            for g in version.golden_cases.all()
        ],
        columns=["label", *GOLDEN_FIELDS, "expected_code", "expected_score"],
    )
    if golden.empty:
        return []
    groups = pd.DataFrame(
        list(version.groups.values(*dip_grouper.GROUPS_COLUMNS, "score")),
        columns=[*dip_grouper.GROUPS_COLUMNS, "score"],
    )
    assigned = _golden_assigned(version, golden, groups)
    results = dip_golden.golden_check(
        golden, assigned=assigned, scores=dict(zip(groups["code"], groups["score"], strict=True))
    )
    return [result for result in results if not result.passed]


def golden_failure_lines(version: CatalogVersion) -> list[str]:
    """One line per failing golden case, as the publish refusal and the pages show them."""
    return [_failure_text(result) for result in golden_failures(version)]


def _failure_text(result: dip_golden.GoldenResult) -> str:
    actual_score = NO_GROUP if result.actual_score is None else result.actual_score
    return GOLDEN_FAILURE.format(
        label=result.label,
        expected_code=result.expected_code,
        expected_score=result.expected_score,
        actual_code=result.actual_code or UNGROUPABLE,
        actual_score=actual_score,
    )


@transaction.atomic
def version_publish(*, actor, version: CatalogVersion) -> CatalogVersion:
    """Publish a submitted version (by someone other than its submitter) once every golden case passes;
    the version published before it for the same region, kind and year is retired."""
    version = locked(version, "region")
    approver = workflow.approver(FLOW, actor=actor, record=version)
    failures = golden_failures(version)
    if failures:
        raise ValidationError(
            ERR_GOLDEN_FAILED.format(failures="；".join(_failure_text(f) for f in failures)),
            code="golden",
        )
    return workflow.approve(FLOW, actor=actor, record=version, approver=approver)
