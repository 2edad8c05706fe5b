"""What a settlement run takes from the apps above settlement, in one module (docs/architecture.md):

- disputes: the approved special-case decisions (特例单议) on the run's cases, and marking a decision
  applied once the run has taken effect, in the run's transaction;
- supervision (``audit/`` until it becomes its own app): the confirmed findings' deductions (违规扣款)
  and the approved annual assessment's scores (考核得分) that clearing applies.

Settlement sits below disputes and supervision, so these are the layer contract's declared exceptions
(``[tool.importlinter]`` in pyproject.toml): no other settlement module imports either app.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import QuerySet, Sum

from catalogs.models import Region
from disputes.choices import Decision as DecisionChoice
from disputes.choices import ItemKind, ItemStatus
from disputes.models import DisputeItem
from settlement.engine.params import SpecialOutcome
from settlement.models import SettlementPeriod
from settlement.runs.domain import Decision
from settlement.runs.models import SettlementRun
from supervision.assessment.selectors import approved_assessment_scores
from supervision.choices import FindingStatus
from supervision.models import Finding

OUTCOMES = {
    DecisionChoice.APPROVED_FFS: SpecialOutcome.FFS,
    DecisionChoice.ADJUSTED_SCORE: SpecialOutcome.POINTS,
    DecisionChoice.PARTLY: SpecialOutcome.POINTS,
}


def special_decisions(*, periods: Sequence[SettlementPeriod]) -> tuple[list[Decision], list[int]]:
    """Approved special-case decisions on cases of the periods, decided or already applied by an earlier run,
    and the ids of partly-approved items that cannot be applied (no approved points given)."""
    items = DisputeItem.objects.filter(
        kind=ItemKind.SPECIAL_CASE,
        period__in=periods,
        status__in=[ItemStatus.DECIDED, ItemStatus.APPLIED],
        decision__in=DecisionChoice.approving(),
    )
    decisions, skipped = [], []
    for item_id, case_id, decision, value in items.values_list(
        "id", "case_id", "decision", "decision_value"
    ).order_by("id"):
        if OUTCOMES[decision] == SpecialOutcome.POINTS and value is None:
            skipped.append(item_id)
            continue
        decisions.append(
            Decision(
                item_id,
                case_id,
                OUTCOMES[decision],
                value if OUTCOMES[decision] == SpecialOutcome.POINTS else None,
            )
        )
    return decisions, skipped


def decided_items(ids: Sequence[int]) -> QuerySet[DisputeItem]:
    """The items among ``ids`` not yet marked applied."""
    return DisputeItem.objects.filter(pk__in=list(ids), status=ItemStatus.DECIDED)


def _confirmed_findings(*, region: Region, year: int) -> QuerySet[Finding]:
    return Finding.objects.filter(
        institution__region=region, year=year, status=FindingStatus.CONFIRMED
    )


def confirmed_deductions(
    *, region: Region, year: int, scheme: str, category: str
) -> tuple[dict[int, Decimal], list[int]]:
    """Confirmed supervision findings of the year (违规扣款) charged to the scheme and category, per
    institution, and their ids: each finding is charged to one pair, so one clearing deducts it."""
    findings = _confirmed_findings(region=region, year=year).filter(
        scheme=scheme, category=category
    )
    totals = dict(
        findings.values("institution_id")
        .annotate(total=Sum("amount"))
        .values_list("institution_id", "total")
    )
    return totals, sorted(findings.values_list("id", flat=True))


def uncharged_deductions(*, region: Region, year: int) -> list[int]:
    """Ids of the year's confirmed findings with an amount to deduct but no scheme and category named."""
    findings = _confirmed_findings(region=region, year=year).filter(scheme="", amount__gt=0)
    return sorted(findings.values_list("id", flat=True))


def assessment_scores(*, region: Region, year: int) -> dict[int, Decimal] | None:
    """The approved annual assessment's total score per institution (考核得分), or None when none is approved."""
    scores = approved_assessment_scores(region=region, year=year)
    return scores or None


def decisions_mark_applied(run: SettlementRun, item_ids: list[int]) -> None:
    # Imported on use: disputes.services itself imports settlement.runs (its models).
    from disputes.services import item_mark_applied

    for item in decided_items(item_ids):
        item_mark_applied(
            actor=None, item=item, note=f"已在结算运行 #{run.pk}（{run.period_label}）中执行"
        )
