"""audit/supervision.py: detection on the demo region, idempotent reruns, audited review, tenancy, stored indicators
and data-quality scores, rule sets with four eyes, the job kinds."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal as D

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.choices import Role
from accounts.services import user_create
from audit.models import AuditEvent
from catalogs.models import Region
from demo import domain
from demo.services import demo_generate
from jobs.models import Job
from jobs.services import job_start
from settlement.models import CaseRecord, CaseRecordVersion, ImportBatch
from settlement.parameters.services import parameter_set_create
from supervision import quality
from supervision import services as supervision
from supervision.choices import FindingStatus, RuleSetStatus
from supervision.models import DataQualityScore, Finding, IndicatorValue, RuleSet
from tests.world import PASSWORD, TZ, case_create

YEAR = 2024


# --- the demo region --------------------------------------------------------------------------------


@pytest.fixture
def demo_region(db) -> Region:
    demo_generate(actor="测试", years=1, cases_per_year=60_000, end_year=YEAR)
    region = Region.objects.get()
    diagnoses = domain.catalog_load().diagnoses
    grassroots = sorted(set(diagnoses.loc[diagnoses["grassroots"] == 1, "category"]))
    RuleSet.objects.create(
        region=region, status=RuleSetStatus.IN_FORCE, grassroots_categories=grassroots
    )
    return region


def planted_codes() -> dict[str, str]:
    return domain.anomalies_of(domain.institutions_frame(region_code="371900", city="泗河市"))


def most_found(rule: str) -> str:
    counts = pd.Series(
        Finding.objects.filter(rule=rule).values_list("institution__code", flat=True)
    ).value_counts()
    return counts.index[0]


def test_detection_finds_each_planted_anomaly_of_the_demo_region_and_a_rerun_keeps_the_reviewed(
    demo_region,
):
    admin = user_create(
        actor=None,
        username="sup_admin",
        password=PASSWORD,
        role=Role.BUREAU_ADMIN,
        display_name="监管",
    )
    summary = supervision.findings_detect(actor=admin, region=demo_region, year=YEAR)
    planted = planted_codes()
    assert most_found("split_admission") == planted[domain.SPLIT_ADMISSION]
    assert most_found("upcoding") == planted[domain.UPCODING]
    assert most_found("low_standard_admission") == planted[domain.LOW_STANDARD_ADMISSION]
    assert most_found("point_inflation") == planted[domain.FAST_GROWTH]
    assert summary["found"] == Finding.objects.count() and summary["rule_set"] == 1
    split = Finding.objects.filter(
        rule="split_admission", institution__code=planted[domain.SPLIT_ADMISSION]
    ).order_by("month")
    assert split.count() == 12 and all(f.status == FindingStatus.OPEN for f in split)
    first = split[0]
    assert CaseRecord.objects.filter(
        institution=first.institution, setl_id__in=first.evidence
    ).count() == len(first.evidence)

    confirmed = supervision.finding_confirm(
        actor=admin, finding=split[0], amount=D("12000.00"), note="核实分解住院"
    )
    dismissed = supervision.finding_dismiss(actor=admin, finding=split[1], reason="病情需要")
    open_before = set(
        Finding.objects.filter(status=FindingStatus.OPEN).values_list("pk", flat=True)
    )

    again = supervision.findings_detect(actor=admin, region=demo_region, year=YEAR)
    assert again["replaced"] == len(open_before) and again["found"] == len(open_before)
    assert Finding.objects.count() == summary["found"]
    assert Finding.objects.get(pk=confirmed.pk).status == FindingStatus.CONFIRMED
    assert Finding.objects.get(pk=dismissed.pk).status == FindingStatus.DISMISSED
    assert not open_before & set(
        Finding.objects.filter(status=FindingStatus.OPEN).values_list("pk", flat=True)
    )
    assert AuditEvent.objects.filter(action="findings_detect", actor=admin).count() == 2


def test_indicators_and_data_quality_are_stored_for_every_institution_month(demo_region):
    steps = ["indicators_compute", "data_quality_compute"]
    before = AuditEvent.objects.filter(
        action__in=steps
    ).count()  # the demo computes them once itself
    summary = supervision.indicators_compute(actor="测试", region=demo_region, year=YEAR)
    assert summary["institutions"] == 60 and IndicatorValue.objects.count() == summary["values"]
    growth = planted_codes()[domain.FAST_GROWTH]
    cases = IndicatorValue.objects.filter(indicator="cases", institution__code=growth).order_by(
        "month"
    )
    assert len(cases) == 12 and sum(v.value for v in cases[6:]) > 2 * sum(
        v.value for v in cases[:6]
    )
    march = IndicatorValue.objects.filter(indicator="readmission_rate", month=3)
    assert (
        len({(v.region_median, v.region_p90) for v in march}) == 1
    )  # one regional benchmark per month
    assert (
        supervision.indicators_compute(actor="测试", region=demo_region, year=YEAR) == summary
    )  # replaced, not added
    assert (
        supervision.data_quality_compute(actor="测试", region=demo_region, year=YEAR)["scores"]
        == 720
    )
    assert AuditEvent.objects.filter(action__in=steps).count() == before + 3


# --- the test world ---------------------------------------------------------------------------------


def stays_with_readmissions(world, institution, *, n: int = 20, returns: int = 5) -> None:
    """``n`` March stays of different patients; the first ``returns`` patients come back 3 days later."""
    for i in range(n):
        adm = datetime(YEAR, 3, 1 + i % 10, 8, tzinfo=TZ)
        case_create(
            institution=institution,
            period=world.period,
            setl_id=f"{institution.code[-1]}S{i:03d}",
            psn_no=f"P{i}",
            maindiag_code="J18.900",
            adm_time=adm,
            dscg_time=adm + timedelta(days=4),
            act_ipt_days=4,
        )
    for i in range(returns):
        adm = datetime(YEAR, 3, 1 + i % 10, 8, tzinfo=TZ) + timedelta(days=7)
        case_create(
            institution=institution,
            period=world.period,
            setl_id=f"{institution.code[-1]}R{i:03d}",
            psn_no=f"P{i}",
            maindiag_code="J18.100",
            adm_time=adm,
            dscg_time=adm + timedelta(days=2),
            act_ipt_days=2,
        )


def categories_create(world) -> None:
    """The year's categories (细分类别) a finding may be charged to: DIP of both schemes and 职工 APG."""
    for scheme, category in [("310", "DIP"), ("390", "DIP"), ("310", "APG")]:
        parameter_set_create(
            actor=world.officer,
            region=world.region,
            year=YEAR,
            scheme=scheme,
            category=category,
            kind=category,
        )


@pytest.fixture
def findings(world) -> dict[str, Finding]:
    """An open split-admission finding at each hospital of the world."""
    categories_create(world)
    stays_with_readmissions(world, world.hospital_a)
    stays_with_readmissions(world, world.hospital_b)
    supervision.findings_detect(actor=world.bureau_admin, region=world.region, year=YEAR, month=3)
    return {f.institution_id: f for f in Finding.objects.filter(rule="split_admission")}


def test_a_month_of_readmissions_is_one_open_finding_with_both_stays_as_evidence(world, findings):
    finding = findings[world.hospital_a.pk]
    assert (finding.year, finding.month, finding.status, finding.evidence_count) == (
        YEAR,
        3,
        FindingStatus.OPEN,
        5,
    )
    assert (
        len(finding.evidence) == 10 and "1R000" in finding.evidence and "1S000" in finding.evidence
    )
    assert (
        finding.rule_set is None and finding.score == D("2.00") and finding.severity == "high"
    )  # 5 of 25 = 20 %


def test_confirm_is_audited_with_the_amount_and_the_reviewer(world, findings):
    finding = supervision.finding_confirm(
        actor=world.bureau_admin,
        finding=findings[world.hospital_a.pk],
        amount=D("3500.50"),
        note="扣减",
    )
    assert (finding.status, finding.amount, finding.reviewed_by) == (
        FindingStatus.CONFIRMED,
        D("3500.50"),
        world.bureau_admin,
    )
    event = AuditEvent.objects.get(action="finding_confirm")
    assert (
        event.before["status"] == "open"
        and event.after["status"] == "confirmed"
        and event.after["amount"] == "3500.50"
    )
    with pytest.raises(ValidationError):
        supervision.finding_dismiss(actor=world.bureau_admin, finding=finding, reason="重复")


def test_detection_charges_each_finding_to_the_scheme_and_category_of_its_evidence(world, findings):
    assert {(f.scheme, f.category) for f in findings.values()} == {
        ("310", "DIP")
    }  # inpatient 职工 cases: 职工 DIP


def test_evidence_of_two_schemes_charges_the_one_holding_the_larger_amount(world):
    categories_create(world)
    stays_with_readmissions(world, world.hospital_a)
    residents = CaseRecord.objects.filter(
        setl_id__in=["1S000", "1R000"]
    )  # 2 of the 10 evidence cases, but 3 × 30,000 more
    residents.update(insutype="390", medfee_sumamt=D("150000.00"))
    supervision.findings_detect(actor=world.bureau_admin, region=world.region, year=YEAR, month=3)
    finding = Finding.objects.get(rule="split_admission")
    assert (finding.scheme, finding.category, finding.charge_label) == (
        "390",
        "DIP",
        "城乡居民基本医疗保险 DIP",
    )


def test_the_officer_changes_the_charge_of_an_open_finding_and_the_change_is_audited(
    world, findings
):
    finding = supervision.finding_charge_set(
        actor=world.officer, finding=findings[world.hospital_a.pk], scheme="390", category="dip"
    )
    assert (finding.scheme, finding.category) == ("390", "DIP")
    event = AuditEvent.objects.get(action="finding_charge_set", object_id=str(finding.pk))
    assert (event.before["scheme"], event.after["scheme"], event.actor) == (
        "310",
        "390",
        world.officer,
    )
    assert "职工基本医疗保险 DIP" in event.message and "城乡居民基本医疗保险 DIP" in event.message
    with pytest.raises(ValidationError, match="2024年没有城乡居民基本医疗保险 APG的结算参数"):
        supervision.finding_charge_set(
            actor=world.officer, finding=finding, scheme="390", category="APG"
        )
    with pytest.raises(PermissionDenied):
        supervision.finding_charge_set(
            actor=world.user_a, finding=finding, scheme="310", category="APG"
        )
    assert Finding.objects.get(pk=finding.pk).scheme == "390"


def test_confirming_with_another_charge_records_the_change_and_a_dismissed_finding_takes_none(
    world, findings
):
    finding = supervision.finding_confirm(
        actor=world.officer,
        finding=findings[world.hospital_a.pk],
        amount=D("3000.00"),
        scheme="310",
        category="APG",
    )
    assert (finding.status, finding.scheme, finding.category) == (
        FindingStatus.CONFIRMED,
        "310",
        "APG",
    )
    events = AuditEvent.objects.filter(
        object_type="supervision.finding", object_id=str(finding.pk)
    ).order_by("id")
    assert list(events.values_list("action", flat=True)) == [
        "finding_charge_set",
        "finding_confirm",
    ]
    dismissed = supervision.finding_dismiss(
        actor=world.officer, finding=findings[world.hospital_b.pk], reason="计划性分次治疗"
    )
    with pytest.raises(ValidationError, match="已排除"):
        supervision.finding_charge_set(
            actor=world.officer, finding=dismissed, scheme="390", category="DIP"
        )


def test_a_deduction_without_a_charge_is_refused_a_warning_without_one_is_not(world, findings):
    Finding.objects.filter(pk__in=[f.pk for f in findings.values()]).update(
        scheme="", category=""
    )  # evidence decided nothing
    with pytest.raises(ValidationError, match="须指定计入的险种和细分类别"):
        supervision.finding_confirm(
            actor=world.officer, finding=findings[world.hospital_a.pk], amount=D("0.01")
        )
    assert Finding.objects.get(pk=findings[world.hospital_a.pk].pk).status == FindingStatus.OPEN
    warned = supervision.finding_confirm(
        actor=world.officer, finding=findings[world.hospital_b.pk], amount=D("0")
    )
    assert (warned.status, warned.scheme) == (FindingStatus.CONFIRMED, "")


def test_dismiss_needs_a_reason_and_is_audited(world, findings):
    finding = findings[world.hospital_a.pk]
    with pytest.raises(ValidationError):
        supervision.finding_dismiss(actor=world.bureau_admin, finding=finding, reason="  ")
    supervision.finding_dismiss(actor=world.bureau_admin, finding=finding, reason="计划性分次治疗")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED and finding.reason == "计划性分次治疗"
    assert (
        AuditEvent.objects.filter(action="finding_dismiss", object_id=str(finding.pk)).count() == 1
    )


def test_a_negative_amount_is_refused(world, findings):
    with pytest.raises(ValidationError):
        supervision.finding_confirm(
            actor=world.bureau_admin, finding=findings[world.hospital_a.pk], amount=D("-1")
        )


def test_an_officer_reviews_a_finding(world, findings):
    supervision.finding_confirm(
        actor=world.officer, finding=findings[world.hospital_a.pk], amount=D("1")
    )
    assert AuditEvent.objects.filter(action="finding_confirm").count() == 1


@pytest.mark.parametrize("who", ["expert", "user_a"])
def test_only_a_bureau_user_with_the_review_permission_may_review(world, findings, who):
    with pytest.raises(PermissionDenied):
        supervision.finding_confirm(
            actor=getattr(world, who), finding=findings[world.hospital_a.pk], amount=D("1")
        )
    assert not AuditEvent.objects.filter(action="finding_confirm").exists()


def test_hospitals_see_only_their_own_confirmed_findings_experts_none_the_bureau_all(
    world, findings
):
    assert Finding.objects.for_user(world.user_a).count() == 0  # open: not yet
    supervision.finding_confirm(
        actor=world.bureau_admin, finding=findings[world.hospital_a.pk], amount=D("0")
    )
    supervision.finding_confirm(
        actor=world.bureau_admin, finding=findings[world.hospital_b.pk], amount=D("0")
    )
    assert list(Finding.objects.for_user(world.user_a)) == [findings[world.hospital_a.pk]]
    assert list(Finding.objects.for_user(world.user_b)) == [findings[world.hospital_b.pk]]
    assert Finding.objects.for_user(world.expert).count() == 0
    assert Finding.objects.for_user(world.officer).count() == 2


def test_a_hospital_sees_its_own_indicators_only(world, findings):
    supervision.indicators_compute(actor="测试", region=world.region, year=YEAR)
    mine = IndicatorValue.objects.for_user(world.user_a)
    assert mine.exists() and set(mine.values_list("institution", flat=True)) == {
        world.hospital_a.pk
    }
    assert IndicatorValue.objects.for_user(world.expert).count() == 0
    cases = mine.get(indicator="cases", month=3)
    assert (cases.value, cases.region_median, cases.region_p90) == (D("25"), D("25"), D("25"))


def test_a_rerun_of_one_month_leaves_other_months_alone(world, findings):
    other = Finding.objects.create(
        rule="shirking",
        institution=world.hospital_a,
        year=YEAR,
        month=4,
        severity="medium",
        score=D("1.10"),
        description="四月",
    )
    supervision.findings_detect(actor=world.bureau_admin, region=world.region, year=YEAR, month=3)
    assert (
        Finding.objects.filter(pk=other.pk).exists()
        and Finding.objects.filter(month=3).count() == 2
    )


# --- data quality -----------------------------------------------------------------------------------


def test_the_data_quality_score_follows_the_documented_formula(world):
    march = datetime(YEAR, 3, 15, 9, tzinfo=TZ)
    ok = ImportBatch.objects.create(
        institution=world.hospital_a,
        source="csv",
        status="succeeded",
        rows_in=100,
        warning_count=10,
    )
    bad = ImportBatch.objects.create(
        institution=world.hospital_a, source="csv", status="rejected", rows_in=50, error_count=5
    )
    ImportBatch.objects.filter(pk__in=[ok.pk, bad.pk]).update(created_at=march)
    cases = [
        case_create(institution=world.hospital_a, period=world.period, setl_id=f"Q{i}")
        for i in range(4)
    ]
    CaseRecord.objects.filter(pk__in=[cases[0].pk, cases[1].pk]).update(
        created_at=datetime(YEAR, 4, 10, 23, 59, tzinfo=TZ)
    )
    CaseRecordVersion.objects.create(case=cases[0], version=1, data={})
    supervision.data_quality_compute(actor="测试", region=world.region, year=YEAR)
    score = DataQualityScore.objects.get(institution=world.hospital_a, month=3)
    # 100 − 40 × (1 − 1/2) − 30 × 10/150 − 20 × 2/4 − 10 × 1/4 = 100 − 20 − 2.001 − 10 − 2.5
    assert score.score == D("65.50")
    assert (
        score.components["warning_rate"] == "0.0667" and score.components["late_share"] == "0.5000"
    )


@pytest.mark.parametrize(
    ("components", "expected"),
    [
        (
            {
                "error_shortfall": D(0),
                "warning_rate": D(0),
                "late_share": D(0),
                "correction_rate": D(0),
            },
            D("100.00"),
        ),
        (
            {
                "error_shortfall": D(1),
                "warning_rate": D(1),
                "late_share": D(1),
                "correction_rate": D(1),
            },
            D("0.00"),
        ),
        (
            {
                "error_shortfall": D("0.25"),
                "warning_rate": D("0.1"),
                "late_share": D(0),
                "correction_rate": D("0.333"),
            },
            D("83.67"),
        ),
    ],
)
def test_score_of_weighs_the_four_shortfalls_and_clamps(components, expected):
    assert quality.score_of(components, quality.QualityWeights()) == expected


def test_a_case_is_late_from_the_day_after_the_deadline():
    assert quality.deadline(2024, 12, 10) == pd.Timestamp("2025-01-11 00:00", tz="Asia/Shanghai")


# --- rule sets --------------------------------------------------------------------------------------


def test_a_rule_set_needs_a_second_person_to_come_into_force(world):
    other_admin = user_create(
        actor=None,
        username="admin2",
        password=PASSWORD,
        role=Role.BUREAU_ADMIN,
        display_name="admin2",
    )
    draft = supervision.rule_set_create(
        actor=world.bureau_admin,
        region=world.region,
        thresholds={"readmission_days": "10"},
        grassroots_categories=["j18", "K35"],
    )
    assert draft.thresholds == {"readmission_days": 10} and draft.grassroots_categories == [
        "J18",
        "K35",
    ]
    supervision.rule_set_submit(actor=world.bureau_admin, rule_set=draft)
    with pytest.raises(ValidationError):
        supervision.rule_set_approve(actor=world.bureau_admin, rule_set=draft)
    supervision.rule_set_approve(actor=other_admin, rule_set=draft)
    thresholds, categories, in_force = supervision.thresholds_for(world.region)
    assert (thresholds.readmission_days, categories, in_force.pk) == (10, ["J18", "K35"], draft.pk)
    second = supervision.rule_set_create(
        actor=world.bureau_admin, region=world.region, thresholds={}, grassroots_categories=[]
    )
    supervision.rule_set_submit(actor=world.bureau_admin, rule_set=second)
    supervision.rule_set_approve(actor=other_admin, rule_set=second)
    draft.refresh_from_db()
    assert (
        draft.status == RuleSetStatus.SUPERSEDED
        and supervision.thresholds_for(world.region)[2].pk == second.pk
    )


def test_a_rule_set_refuses_bad_thresholds_and_categories(world):
    with pytest.raises(ValidationError):
        supervision.rule_set_create(
            actor=world.bureau_admin,
            region=world.region,
            thresholds={"split_rate": "abc"},
            grassroots_categories=[],
        )
    with pytest.raises(ValidationError):
        supervision.rule_set_create(
            actor=world.bureau_admin,
            region=world.region,
            thresholds={},
            grassroots_categories=["J18.9"],
        )
    rule_set = supervision.rule_set_create(
        actor=world.bureau_admin,
        region=world.region,
        thresholds={},
        grassroots_categories=["j18", " I10 "],
    )
    assert rule_set.grassroots_categories == ["I10", "J18"]


# --- jobs -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["supervision_detect", "indicators_compute"])
def test_the_job_kinds_run_their_service(world, findings, kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            actor=world.bureau_admin,
            kind=kind,
            key=f"{kind}:{world.region.pk}:{YEAR}",
            params={"region_id": world.region.pk, "year": YEAR},
        )
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.summary["year"] == YEAR and Job.objects.count() == 1
