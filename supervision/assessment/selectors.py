"""Reads of the assessment: the approved totals for clearing, lists and breakdowns for the pages, and the
year's supervision results as the plain rows ``supervision.assessment.domain.score_institutions`` takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.shortcuts import get_object_or_404

from accounts.regions import in_user_regions
from catalogs.models import Institution
from supervision.assessment import domain
from supervision.assessment.choices import AssessmentStatus
from supervision.assessment.models import Assessment, AssessmentScheme, AssessmentScore
from supervision.choices import FindingStatus
from supervision.models import DataQualityScore, Finding, IndicatorValue


def _approved_totals(scores: QuerySet[AssessmentScore], *, year: int) -> dict[int, Decimal]:
    rows = (
        scores.filter(assessment__year=year, assessment__status=AssessmentStatus.APPROVED)
        .values("institution_id")
        .annotate(total=Sum("points"))
        .values_list("institution_id", "total")
    )
    return {institution: domain.total([total]) for institution, total in rows}


def approved_assessment_scores(*, region, year: int) -> dict[int, Decimal]:
    """Institution id → total score (0–100, 2 places) of the region's approved assessment of ``year``;
    empty when none is approved. Clearing deducts deposit × (1 − score ÷ 100) with it."""
    return _approved_totals(AssessmentScore.objects.filter(assessment__region=region), year=year)


def approved_scores_for_user(user, *, year: int) -> dict[int, Decimal]:
    """The approved totals of ``year`` of the institutions the user may see (a hospital: its own)."""
    return _approved_totals(AssessmentScore.objects.for_user(user), year=year)


def scheme_list(*, region) -> QuerySet[AssessmentScheme]:
    return (
        AssessmentScheme.objects.filter(region=region)
        .annotate(item_count=Count("items"))
        .order_by("name")
    )


def scheme_get(*, user, pk: int) -> AssessmentScheme:
    """One scheme of the user's regions, or 404."""
    return get_object_or_404(in_user_regions(AssessmentScheme.objects.all(), user), pk=pk)


def scheme_items(scheme: AssessmentScheme) -> list[domain.Item]:
    return [
        domain.Item(
            code=i.code,
            name=i.name,
            kind=i.kind,
            weight=i.weight,
            indicator=i.indicator,
            per_finding=i.per_finding,
            rule=i.rule,
        )
        for i in scheme.items.order_by("position")
    ]


def assessment_list(*, region) -> QuerySet[Assessment]:
    return Assessment.objects.filter(region=region).select_related(
        "scheme", "created_by", "submitted_by", "approved_by"
    )


def assessment_get(*, user, pk: int) -> Assessment:
    """One assessment of the user's regions, or 404."""
    assessments = Assessment.objects.select_related(
        "region", "scheme", "created_by", "submitted_by", "approved_by"
    )
    return get_object_or_404(in_user_regions(assessments, user), pk=pk)


@dataclass
class Breakdown:
    """One institution's scores of an assessment, items in scheme order (item, AssessmentScore or None)."""

    institution: object
    rows: list[tuple[domain.Item, AssessmentScore | None]]

    @property
    def total(self) -> Decimal:
        return domain.total(score.points for _, score in self.rows if score is not None)


def assessment_items(assessment: Assessment) -> list[domain.Item]:
    return [domain.Item.from_json(item) for item in assessment.items]


def assessment_breakdowns(
    user, assessment: Assessment, *, institution: int | None = None
) -> list[Breakdown]:
    """Per institution the user may see (one, when ``institution`` is given): its item scores, by institution code."""
    items = assessment_items(assessment)
    scores = (
        AssessmentScore.objects.for_user(user)
        .filter(assessment=assessment)
        .select_related("institution", "entered_by")
    )
    if institution is not None:
        scores = scores.filter(institution_id=institution)
    by_institution: dict[int, dict] = {}
    for score in scores.order_by("institution__code"):
        entry = by_institution.setdefault(
            score.institution_id, {"institution": score.institution, "scores": {}}
        )
        entry["scores"][score.item_code] = score
    return [
        Breakdown(entry["institution"], [(item, entry["scores"].get(item.code)) for item in items])
        for entry in by_institution.values()
    ]


def approved_assessments_for_user(user) -> list[tuple[Assessment, Breakdown]]:
    """A hospital's approved assessments, newest year first, each with its own breakdown."""
    assessments = Assessment.objects.filter(
        status=AssessmentStatus.APPROVED, scores__in=AssessmentScore.objects.for_user(user)
    ).distinct()
    result = []
    for assessment in assessments.select_related("scheme").order_by("-year"):
        result += [(assessment, breakdown) for breakdown in assessment_breakdowns(user, assessment)]
    return result


def scoring_inputs(*, region, year: int, items: Sequence[domain.Item]) -> dict:
    """The keyword arguments of ``domain.score_institutions`` for a region's year: its institutions, the stored
    indicator months of the metric items, the confirmed findings by rule, the monthly data-quality scores."""
    in_region = {"institution__region": region, "year": year}
    codes = {item.indicator for item in items if item.kind == domain.METRIC}
    metrics = IndicatorValue.objects.filter(**in_region, indicator__in=codes).values_list(
        "institution_id", "indicator", "value", "region_median", "region_p90"
    )
    findings = (
        Finding.objects.filter(**in_region, status=FindingStatus.CONFIRMED)
        .values("institution_id", "rule")
        .annotate(n=Count("id"))
        .values_list("institution_id", "rule", "n")
    )
    institutions = (
        Institution.objects.filter(region=region).order_by("code").values_list("pk", flat=True)
    )
    return {
        "institutions": list(institutions),
        "metrics": [
            (i, code, domain.Month(value, median, p90)) for i, code, value, median, p90 in metrics
        ],
        "findings": list(findings),
        "quality": list(
            DataQualityScore.objects.filter(**in_region).values_list("institution_id", "score")
        ),
    }
