"""Assessment services and the selector clearing calls: compute from stored supervision results, manual
items, four-eyes approval, versions, audit events (real database, the shared world)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.choices import Role
from accounts.services import user_create
from audit.models import AuditEvent
from supervision.assessment import domain, services
from supervision.assessment.choices import AssessmentStatus
from supervision.assessment.models import Assessment, AssessmentScheme, AssessmentScore
from supervision.assessment.selectors import approved_assessment_scores
from supervision.choices import FindingStatus
from supervision.models import DataQualityScore, Finding, IndicatorValue
from tests.supervision.test_assessment_domain import SCHEME
from tests.world import PASSWORD

YEAR = 2024


def finding(institution, month: int, status: str, rule: str = "split_admission") -> Finding:
    extra = {
        FindingStatus.CONFIRMED: {"amount": D("100.00")},
        FindingStatus.DISMISSED: {"reason": "无误"},
    }.get(status, {})
    return Finding.objects.create(
        rule=rule,
        institution=institution,
        year=YEAR,
        month=month,
        severity="medium",
        score=D("1.5"),
        description="测试",
        status=status,
        **extra,
    )


def supervision_results(world) -> None:
    """Hospital A: costs at or below the median, no confirmed finding, quality 95 and 85.
    Hospital B: costs halfway to P90 then at P90, two confirmed split admissions, quality 70."""
    for institution, values in (
        (world.hospital_a, ["9000", "10000"]),
        (world.hospital_b, ["12000", "14000"]),
    ):
        for month, value in enumerate(values, start=1):
            IndicatorValue.objects.create(
                institution=institution,
                year=YEAR,
                month=month,
                indicator="cost_per_stay",
                value=D(value),
                region_median=D("10000"),
                region_p90=D("14000"),
            )
    IndicatorValue.objects.create(
        institution=world.hospital_b,
        year=YEAR - 1,
        month=1,
        indicator="cost_per_stay",
        value=D("99999"),
        region_median=D("1"),
        region_p90=D("2"),
    )  # another year: ignored
    finding(world.hospital_a, 3, FindingStatus.OPEN)
    finding(world.hospital_a, 4, FindingStatus.DISMISSED)
    finding(world.hospital_b, 3, FindingStatus.CONFIRMED)
    finding(world.hospital_b, 4, FindingStatus.CONFIRMED)
    for institution, month, score in (
        (world.hospital_a, 1, "95"),
        (world.hospital_a, 2, "85"),
        (world.hospital_b, 1, "70"),
    ):
        DataQualityScore.objects.create(
            institution=institution, year=YEAR, month=month, score=D(score)
        )


@pytest.fixture
def scheme(world) -> AssessmentScheme:
    return services.scheme_create(
        actor=world.officer, region=world.region, name="测试方案", items=SCHEME
    )


@pytest.fixture
def draft(world, scheme) -> Assessment:
    supervision_results(world)
    return services.assessment_compute(
        actor=world.officer, region=world.region, year=YEAR, scheme=scheme
    )


def points(assessment: Assessment) -> dict[tuple[int, str], D | None]:
    return {(s.institution_id, s.item_code): s.points for s in assessment.scores.all()}


def enter_manual(world, assessment: Assessment, a: str = "9", b: str = "6") -> None:
    for institution, value in ((world.hospital_a, a), (world.hospital_b, b)):
        services.assessment_manual_set(
            actor=world.officer,
            assessment=assessment,
            institution=institution.pk,
            item_code="ONSITE",
            points=D(value),
            note="现场检查",
        )


def approve(world, assessment: Assessment) -> Assessment:
    services.assessment_submit(actor=world.officer, assessment=assessment)
    return services.assessment_approve(actor=world.bureau_admin, assessment=assessment)


def test_scores_are_computed_from_indicators_confirmed_findings_and_data_quality(world, draft):
    a, b = world.hospital_a.pk, world.hospital_b.pk
    assert points(draft) == {
        (a, "COST"): D("40.00"),
        (a, "SPLIT"): D("30.00"),
        (a, "QUALITY"): D("18.00"),
        (a, "ONSITE"): None,
        (b, "COST"): D("10.00"),
        (b, "SPLIT"): D("10.00"),
        (b, "QUALITY"): D("14.00"),
        (b, "ONSITE"): None,
    }
    assert (draft.status, draft.version) == (AssessmentStatus.DRAFT, 1)
    assert [i["code"] for i in draft.items] == [
        "COST",
        "SPLIT",
        "QUALITY",
        "ONSITE",
    ]  # the scheme's items, copied
    event = AuditEvent.objects.get(action="assessment_compute")
    assert (
        event.object_id == str(draft.pk)
        and event.after["institutions"] == 2
        and event.actor == world.officer
    )


def test_clearing_reads_the_totals_of_the_approved_assessment_only(world, draft):
    assert approved_assessment_scores(region=world.region, year=YEAR) == {}
    enter_manual(world, draft)
    services.assessment_submit(actor=world.officer, assessment=draft)
    assert (
        approved_assessment_scores(region=world.region, year=YEAR) == {}
    )  # submitted is not approved
    services.assessment_approve(actor=world.bureau_admin, assessment=draft)
    scores = approved_assessment_scores(region=world.region, year=YEAR)
    assert scores == {world.hospital_a.pk: D("97.00"), world.hospital_b.pk: D("40.00")}
    assert all(total.as_tuple().exponent == -2 for total in scores.values())  # Decimal, 2 places
    assert (
        approved_assessment_scores(region=world.region.pk, year=YEAR) == scores
    )  # a region id does as well
    assert approved_assessment_scores(region=world.region, year=YEAR + 1) == {}


def test_submitting_needs_every_manual_item(world, draft):
    with pytest.raises(ValidationError, match="尚有2项人工评分未录入"):
        services.assessment_submit(actor=world.officer, assessment=draft)
    enter_manual(world, draft)
    assert (
        services.assessment_submit(actor=world.officer, assessment=draft).status
        == AssessmentStatus.SUBMITTED
    )


def test_a_manual_score_is_audited_and_checked_against_the_items_weight(world, draft):
    enter_manual(world, draft, a="9.5")
    score = AssessmentScore.objects.get(
        assessment=draft, institution=world.hospital_a, item_code="ONSITE"
    )
    assert (score.points, score.note, score.entered_by) == (D("9.50"), "现场检查", world.officer)
    event = AuditEvent.objects.get(action="assessment_manual_set", object_id=str(score.pk))
    assert event.before["points"] is None and event.after["points"] == "9.50"
    with pytest.raises(ValidationError, match="0到10分"):
        services.assessment_manual_set(
            actor=world.officer,
            assessment=draft,
            institution=world.hospital_a.pk,
            item_code="ONSITE",
            points=D("10.5"),
        )
    with pytest.raises(ValidationError, match=services.ERR_NOT_MANUAL):
        services.assessment_manual_set(
            actor=world.officer,
            assessment=draft,
            institution=world.hospital_a.pk,
            item_code="COST",
            points=D("1"),
        )


def test_the_submitter_cannot_approve_and_a_second_user_can(world, draft):
    enter_manual(world, draft)
    services.assessment_submit(actor=world.officer, assessment=draft)
    with pytest.raises(ValidationError, match="审批人不能是提交人"):
        services.assessment_approve(actor=world.officer, assessment=draft)
    approved = services.assessment_approve(actor=world.bureau_admin, assessment=draft)
    assert (approved.status, approved.approved_by, approved.submitted_by) == (
        AssessmentStatus.APPROVED,
        world.bureau_admin,
        world.officer,
    )
    assert list(
        AuditEvent.objects.filter(object_type="supervision.assessment")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["assessment_compute", "assessment_submit", "assessment_approve"]


def test_the_database_refuses_an_approver_who_submitted(world, draft):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=draft.pk).update(
            submitted_by=world.officer, approved_by=world.officer
        )


def test_an_approved_assessment_is_frozen_and_a_recompute_is_a_new_version_that_supersedes_it(
    world, draft, scheme
):
    enter_manual(world, draft)
    first = approve(world, draft)
    with pytest.raises(ValidationError, match=services.ERR_NOT_DRAFT):
        services.assessment_manual_set(
            actor=world.officer,
            assessment=first,
            institution=world.hospital_a.pk,
            item_code="ONSITE",
            points=D("1"),
        )
    finding(world.hospital_a, 5, FindingStatus.CONFIRMED)  # confirmed after the first approval
    second = services.assessment_compute(
        actor=world.officer, region=world.region, year=YEAR, scheme=scheme
    )
    assert (second.version, second.status) == (2, AssessmentStatus.DRAFT)
    assert approved_assessment_scores(region=world.region, year=YEAR)[world.hospital_a.pk] == D(
        "97.00"
    )  # still version 1
    enter_manual(world, second)
    approve(world, second)
    assert Assessment.objects.get(pk=first.pk).status == AssessmentStatus.SUPERSEDED
    assert approved_assessment_scores(region=world.region, year=YEAR)[world.hospital_a.pk] == D(
        "87.00"
    )  # one split admission: −10


NEW_ITEMS = [
    domain.Item("COST", "次均费用", domain.METRIC, D(30), indicator="cost_per_stay"),
    *SCHEME[1:],
    domain.Item("STAY", "平均住院日", domain.METRIC, D(10), indicator="avg_stay"),
]


def test_recomputing_a_draft_keeps_entered_manual_scores_and_takes_the_schemes_new_items(
    world, draft, scheme
):
    enter_manual(world, draft)
    services.scheme_update(
        actor=world.officer, scheme=scheme, name="测试方案（修订）", items=NEW_ITEMS
    )
    again = services.assessment_compute(
        actor=world.officer, region=world.region, year=YEAR, scheme=scheme
    )
    assert (again.pk, again.version) == (draft.pk, 1)
    a, b = world.hospital_a.pk, world.hospital_b.pk
    table = points(again)
    assert (table[(a, "ONSITE")], table[(b, "ONSITE")]) == (D("9.00"), D("6.00"))  # kept
    assert (table[(a, "COST")], table[(b, "COST")], table[(a, "STAY")]) == (
        D("30.00"),
        D("7.50"),
        D("10.00"),
    )  # STAY: no data
    event = AuditEvent.objects.filter(action="assessment_compute").first()
    assert event.before is not None and event.after["manual_kept"] == 2


def test_editing_a_scheme_never_changes_an_approved_assessment(world, draft, scheme):
    enter_manual(world, draft)
    approved = approve(world, draft)
    services.scheme_update(actor=world.officer, scheme=scheme, name=scheme.name, items=NEW_ITEMS)
    assert [i["code"] for i in Assessment.objects.get(pk=approved.pk).items] == [
        "COST",
        "SPLIT",
        "QUALITY",
        "ONSITE",
    ]
    assert approved_assessment_scores(region=world.region, year=YEAR)[world.hospital_a.pk] == D(
        "97.00"
    )


def test_a_submitted_assessment_is_returned_with_a_reason_before_it_can_be_recomputed(
    world, draft, scheme
):
    enter_manual(world, draft)
    services.assessment_submit(actor=world.officer, assessment=draft)
    with pytest.raises(ValidationError, match="已提交待审批"):
        services.assessment_compute(
            actor=world.officer, region=world.region, year=YEAR, scheme=scheme
        )
    with pytest.raises(ValidationError, match=services.ERR_REASON):
        services.assessment_return(actor=world.bureau_admin, assessment=draft, reason=" ")
    returned = services.assessment_return(
        actor=world.bureau_admin, assessment=draft, reason="现场考核分需复核"
    )
    assert (returned.status, returned.reason, returned.submitted_by) == (
        AssessmentStatus.DRAFT,
        "现场考核分需复核",
        None,
    )
    assert AuditEvent.objects.filter(
        action="assessment_return", message="现场考核分需复核"
    ).exists()


def test_a_scheme_must_add_up_to_100_points_and_its_creation_is_audited(world):
    with pytest.raises(ValidationError, match="合计应为100分（当前90分）"):
        services.scheme_create(
            actor=world.officer, region=world.region, name="缺分方案", items=SCHEME[:3]
        )
    assert not AssessmentScheme.objects.exists()
    scheme = services.scheme_create(
        actor=world.officer, region=world.region, name="方案", items=SCHEME
    )
    event = AuditEvent.objects.get(action="assessment_scheme_create")
    assert event.object_id == str(scheme.pk) and [i["code"] for i in event.after["items"]] == [
        "COST",
        "SPLIT",
        "QUALITY",
        "ONSITE",
    ]


def test_the_default_scheme_is_created_once_and_is_worth_100_points(world):
    scheme = services.scheme_default_create(actor="演示数据", region=world.region)
    assert services.scheme_default_create(actor=world.officer, region=world.region) == scheme
    assert (
        scheme.name == services.DEFAULT_SCHEME_NAME
        and sum(i.weight for i in scheme.items.all()) == 100
    )
    assert list(scheme.items.values_list("code", flat=True)) == [
        i.code for i in domain.DEFAULT_SCHEME
    ]
    assert AuditEvent.objects.get(action="assessment_scheme_create").actor_name == "演示数据"


def test_the_default_scheme_computes_for_the_world(world):
    supervision_results(world)
    scheme = services.scheme_default_create(actor="演示数据", region=world.region)
    assessment = services.assessment_compute(
        actor=world.officer, region=world.region, year=YEAR, scheme=scheme
    )
    table = points(assessment)
    # B: cost_per_stay halfway then at P90 → 20 × 1/4; two confirmed findings → 20 − 2 × 5; quality 70 → 15 × 0.7
    assert (
        table[(world.hospital_b.pk, "COST")],
        table[(world.hospital_b.pk, "VIOLATION")],
        table[(world.hospital_b.pk, "QUALITY")],
    ) == (D("5.00"), D("10.00"), D("10.50"))


@pytest.mark.parametrize("who", ["user_a", "expert"])
def test_only_the_bureau_compiles_and_approves(world, scheme, who):
    user = getattr(world, who)
    with pytest.raises(PermissionDenied):
        services.assessment_compute(actor=user, region=world.region, year=YEAR, scheme=scheme)
    with pytest.raises(PermissionDenied):
        services.scheme_create(actor=user, region=world.region, name="x", items=SCHEME)
    assert not Assessment.objects.exists()


def test_a_hospital_sees_only_its_own_scores_and_only_once_approved(world, draft):
    from supervision.assessment.models import AssessmentScore as Score

    enter_manual(world, draft)
    assert not Score.objects.for_user(world.user_a).exists()  # draft: nothing
    approve(world, draft)
    assert set(Score.objects.for_user(world.user_a).values_list("institution_id", flat=True)) == {
        world.hospital_a.pk
    }
    assert not Score.objects.for_user(world.expert).exists()
    assert Score.objects.for_user(world.officer).count() == 8


def test_a_second_bureau_admin_approves_what_the_first_submitted(world, draft):
    second = user_create(
        actor=None,
        username="admin2",
        password=PASSWORD,
        role=Role.BUREAU_ADMIN,
        display_name="admin2",
    )
    enter_manual(world, draft)
    services.assessment_submit(actor=world.bureau_admin, assessment=draft)
    assert services.assessment_approve(actor=second, assessment=draft).approved_by == second
