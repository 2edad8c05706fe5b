"""Assessment writes (考核): schemes and their items, computing a year's scores, manual items, and the
four-eyes workflow (draft → submitted → approved; returned to draft with a reason). Each service runs in
one transaction and records its audit event there."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import audit_record, audited_update, snapshot
from supervision.assessment import domain, selectors
from supervision.assessment.choices import AssessmentStatus
from supervision.assessment.models import (
    Assessment,
    AssessmentItem,
    AssessmentScheme,
    AssessmentScore,
)
from workflow import services as workflow
from workflow.models import ERR_SELF_APPROVAL
from workflow.services import locked_in

COMPILE = "supervision.compile_assessment"
APPROVE = "supervision.approve_assessment"
DEFAULT_SCHEME_NAME = "年度考核默认方案"
ERR_COMPILE_PERMISSION = "仅有考核编制权限的经办机构用户可以修改考核方案或考核结果。"
ERR_APPROVE_PERMISSION = "仅有考核审批权限的经办机构用户可以审批考核结果。"
ERR_SUBMITTED_OPEN = "第{version}版考核已提交待审批，请先审批或退回后再重新计算。"
ERR_NOT_DRAFT = "只有草稿状态的考核可以修改或提交。"
ERR_NOT_SUBMITTED = "只有待审批的考核可以审批或退回。"
ERR_SELF_APPROVE = ERR_SELF_APPROVAL + "请由另一位经办人员审批。"
ERR_MANUAL_MISSING = "尚有{count}项人工评分未录入，不能提交。"
ERR_NOT_MANUAL = "只有人工评分项可以录入得分。"
ERR_REASON = "请填写退回原因。"


def _require(actor, permission: str, message: str) -> None:
    if actor is None or not getattr(actor, "is_bureau", False) or not actor.has_perm(permission):
        raise PermissionDenied(message)


# --- schemes ----------------------------------------------------------------------------------------


def _items_state(scheme: AssessmentScheme) -> dict:
    return {
        "name": scheme.name,
        "description": scheme.description,
        "items": [i.to_json() for i in selectors.scheme_items(scheme)],
    }


def _items_replace(scheme: AssessmentScheme, items: Sequence[domain.Item]) -> None:
    if errors := domain.scheme_errors(items):
        raise ValidationError(errors)
    scheme.items.all().delete()
    rows = [
        AssessmentItem(
            scheme=scheme,
            position=n,
            code=i.code,
            name=i.name,
            kind=i.kind,
            weight=i.weight,
            indicator=i.indicator,
            per_finding=i.per_finding,
            rule=i.rule,
        )
        for n, i in enumerate(items, start=1)
    ]
    for row in rows:
        row.full_clean(exclude=["scheme"])
    AssessmentItem.objects.bulk_create(rows)


@transaction.atomic
def scheme_create(
    *, actor, region, name: str, items: Sequence[domain.Item], description: str = ""
) -> AssessmentScheme:
    """A new scheme with its items (weights summing to 100)."""
    _require(actor, COMPILE, ERR_COMPILE_PERMISSION)
    scheme = AssessmentScheme(
        region=region, name=name.strip(), description=description.strip(), created_by=actor
    )
    scheme.full_clean()
    scheme.save()
    _items_replace(scheme, items)
    audit_record(
        actor=actor, action="assessment_scheme_create", instance=scheme, after=_items_state(scheme)
    )
    return scheme


@transaction.atomic
def scheme_update(
    *,
    actor,
    scheme: AssessmentScheme,
    name: str,
    items: Sequence[domain.Item],
    description: str = "",
) -> AssessmentScheme:
    """Rename a scheme and replace its items. Assessments already computed keep the items they copied."""
    _require(actor, COMPILE, ERR_COMPILE_PERMISSION)
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    before = _items_state(scheme)
    scheme.name, scheme.description = name.strip(), description.strip()
    scheme.full_clean()
    scheme.save(update_fields=["name", "description", "updated_at"])
    _items_replace(scheme, items)
    audit_record(
        actor=actor,
        action="assessment_scheme_update",
        instance=scheme,
        before=before,
        after=_items_state(scheme),
    )
    return scheme


@transaction.atomic
def scheme_default_create(*, actor, region) -> AssessmentScheme:
    """The region's default scheme (``domain.DEFAULT_SCHEME``), created once; the existing one otherwise.
    ``actor`` may be a job or command name (the demo generator) as well as a user."""
    existing = AssessmentScheme.objects.filter(region=region, name=DEFAULT_SCHEME_NAME).first()
    if existing is not None:
        return existing
    scheme = AssessmentScheme.objects.create(
        region=region,
        name=DEFAULT_SCHEME_NAME,
        created_by=actor if hasattr(actor, "pk") else None,
        description="四项费用与效率指标、违规扣分、数据质量和现场考核，合计100分。",
    )
    _items_replace(scheme, domain.DEFAULT_SCHEME)
    audit_record(
        actor=actor,
        action="assessment_scheme_create",
        instance=scheme,
        after=_items_state(scheme),
        message="默认考核方案",
    )
    return scheme


# --- computing a year -------------------------------------------------------------------------------


def _open_or_new(
    *, actor, region, year: int, scheme: AssessmentScheme, items: list[dict]
) -> tuple[Assessment, dict | None]:
    """The series' draft to recompute (with its state before), or a new draft version."""
    series = Assessment.objects.select_for_update().filter(region=region, year=year)
    current = series.filter(status__in=AssessmentStatus.open()).first()
    if current is not None and current.status == AssessmentStatus.SUBMITTED:
        raise ValidationError(ERR_SUBMITTED_OPEN.format(version=current.version))
    if current is not None:
        before = snapshot(current)
        current.scheme, current.items, current.computed_at = scheme, items, timezone.now()
        current.full_clean()
        current.save(update_fields=["scheme", "items", "computed_at"])
        return current, before
    version = (series.aggregate(v=Max("version"))["v"] or 0) + 1
    assessment = Assessment(
        region=region,
        year=year,
        version=version,
        scheme=scheme,
        items=items,
        computed_at=timezone.now(),
        created_by=actor,
    )
    assessment.full_clean()
    assessment.save()
    return assessment, None


@transaction.atomic
def assessment_compute(*, actor, region, year: int, scheme: AssessmentScheme) -> Assessment:
    """Score every institution of the region for ``year`` under ``scheme`` from the stored indicators,
    confirmed findings and data-quality scores. Recomputes the open draft (keeping manual scores of items
    still manual) or starts a new draft version after an approved one."""
    _require(actor, COMPILE, ERR_COMPILE_PERMISSION)
    items = selectors.scheme_items(scheme)
    if errors := domain.scheme_errors(items):
        raise ValidationError(errors)
    assessment, before = _open_or_new(
        actor=actor, region=region, year=year, scheme=scheme, items=[i.to_json() for i in items]
    )
    manual_codes = {item.code for item in items if item.kind == domain.MANUAL}
    kept = {
        (s.institution_id, s.item_code): s.points
        for s in assessment.scores.filter(item_code__in=manual_codes, points__isnull=False)
    }
    scores = domain.score_institutions(
        items, **selectors.scoring_inputs(region=region, year=year, items=items), manual=kept
    )
    assessment.scores.all().delete()
    AssessmentScore.objects.bulk_create(
        [
            AssessmentScore(
                assessment=assessment,
                institution_id=s.institution,
                item_code=s.code,
                points=s.points,
                basis=s.basis[:200],
            )
            for s in scores
        ]
    )
    summary = {
        "institutions": len({s.institution for s in scores}),
        "items": len(items),
        "manual_kept": len(kept),
    }
    audit_record(
        actor=actor,
        action="assessment_compute",
        instance=assessment,
        before=before,
        after={**snapshot(assessment), **summary},
        message=f"按“{scheme.name}”计算{year}年度考核得分",
    )
    return assessment


FLOW = workflow.Flow(
    action="assessment",
    in_force=AssessmentStatus.APPROVED,
    superseded=AssessmentStatus.SUPERSEDED,
    not_draft=ERR_NOT_DRAFT,
    not_submitted=ERR_NOT_SUBMITTED,
    self_approval=ERR_SELF_APPROVE,
    reason_required=ERR_REASON,
    return_reason_field="reason",
)


@transaction.atomic
def assessment_manual_set(
    *,
    actor,
    assessment: Assessment,
    institution: int,
    item_code: str,
    points: Decimal,
    note: str = "",
) -> AssessmentScore:
    """Enter (or correct) a manual item's points for one institution of a draft."""
    _require(actor, COMPILE, ERR_COMPILE_PERMISSION)
    assessment = locked_in(assessment, AssessmentStatus.DRAFT, ERR_NOT_DRAFT)
    item = next(
        (
            i
            for i in selectors.assessment_items(assessment)
            if i.code == item_code and i.kind == domain.MANUAL
        ),
        None,
    )
    if item is None:
        raise ValidationError(ERR_NOT_MANUAL)
    try:
        checked = domain.manual_points(Decimal(points), item.weight)
    except ValueError as error:
        raise ValidationError({"points": str(error)}) from error
    score = AssessmentScore.objects.select_for_update().get(
        assessment=assessment, institution_id=institution, item_code=item_code
    )
    return audited_update(
        actor=actor,
        instance=score,
        action="assessment_manual_set",
        message=note.strip(),
        points=checked,
        note=note.strip(),
        basis="人工评分",
        entered_by=actor,
        entered_at=timezone.now(),
    )


@transaction.atomic
def assessment_submit(*, actor, assessment: Assessment) -> Assessment:
    _require(actor, COMPILE, ERR_COMPILE_PERMISSION)
    assessment = locked_in(assessment, AssessmentStatus.DRAFT, ERR_NOT_DRAFT)
    missing = assessment.scores.filter(points__isnull=True).count()
    return workflow.submit(
        FLOW,
        actor=actor,
        record=assessment,
        empty=ERR_MANUAL_MISSING.format(count=missing) if missing else "",
        reason="",
    )


@transaction.atomic
def assessment_return(*, actor, assessment: Assessment, reason: str) -> Assessment:
    """Send a submitted assessment back to draft (退回) with the reason."""
    _require(actor, APPROVE, ERR_APPROVE_PERMISSION)
    return workflow.send_back(FLOW, actor=actor, record=workflow.locked(assessment), reason=reason)


@transaction.atomic
def assessment_approve(*, actor, assessment: Assessment) -> Assessment:
    """Approve a submitted assessment (not by its submitter); the version approved before it is superseded.
    From now on clearing reads its totals (``selectors.approved_assessment_scores``)."""
    _require(actor, APPROVE, ERR_APPROVE_PERMISSION)
    assessment = workflow.locked(assessment)
    approver = workflow.approver(FLOW, actor=actor, record=assessment)
    return workflow.approve(FLOW, actor=actor, record=assessment, approver=approver)
