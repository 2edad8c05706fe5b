"""Supervision pages: bureau findings, review forms, indicator and data-quality tables, the hospital's 监管结果."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_create
from audit.models import AuditEvent
from jobs.models import Job
from supervision import services as supervision
from supervision.choices import FindingStatus, RuleSetStatus
from supervision.models import Finding, RuleSet
from tests.supervision.test_supervision import YEAR, categories_create, stays_with_readmissions
from tests.world import PASSWORD

BUREAU_PAGES = ["supervision:indicator_table", "supervision:quality_table"]


@pytest.fixture
def findings(world) -> dict[int, Finding]:
    categories_create(world)
    stays_with_readmissions(world, world.hospital_a)
    stays_with_readmissions(world, world.hospital_b)
    supervision.findings_detect(actor=world.bureau_admin, region=world.region, year=YEAR, month=3)
    supervision.indicators_compute(actor="测试", region=world.region, year=YEAR)
    supervision.data_quality_compute(actor="测试", region=world.region, year=YEAR)
    return {f.institution_id: f for f in Finding.objects.all()}


def detail_url(finding: Finding) -> str:
    return reverse("supervision:finding_detail", args=[finding.pk])


# --- permissions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["supervision:finding_list", "supervision:my_results", *BUREAU_PAGES]
)
def test_anonymous_users_are_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize("who", ["expert", "user_a"])
@pytest.mark.parametrize("name", BUREAU_PAGES)
def test_bureau_pages_refuse_hospitals_and_experts(world, client_for, who, name):
    assert client_for(getattr(world, who)).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("who", ["expert", "user_a"])
def test_the_finding_detail_and_review_are_bureau_only(world, findings, client_for, who):
    client = client_for(getattr(world, who))
    finding = findings[world.hospital_a.pk]
    assert client.get(detail_url(finding)).status_code == 403
    assert (
        client.post(
            reverse("supervision:finding_confirm", args=[finding.pk]), {"amount": "1"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("supervision:finding_charge", args=[finding.pk]), {"charge": "390/DIP"}
        ).status_code
        == 403
    )
    assert Finding.objects.values_list("status", "scheme").get(pk=finding.pk) == (
        FindingStatus.OPEN,
        "310",
    )


def test_the_list_sends_a_hospital_to_its_results_and_refuses_an_expert(world, client_for):
    assert client_for(world.user_a).get(reverse("supervision:finding_list")).url == reverse(
        "supervision:my_results"
    )
    assert client_for(world.expert).get(reverse("supervision:finding_list")).status_code == 403


def test_the_results_page_is_for_hospitals(world, client_for):
    assert client_for(world.officer).get(reverse("supervision:my_results")).status_code == 403


def test_a_bureau_user_without_the_review_permission_sees_findings_but_cannot_review(
    world, findings, client_for
):
    from accounts.roles import group_for

    world.officer.groups.remove(group_for(world.officer.role))  # e.g. a read-only bureau account
    world.officer.user_permissions.add(*Permission.objects.filter(codename="view_finding"))
    officer = type(world.officer).objects.get(pk=world.officer.pk)  # drop the permission cache
    client = client_for(officer)
    finding = findings[world.hospital_a.pk]
    page = client.get(detail_url(finding)).content.decode()
    assert "分解住院" in page and 'data-testid="confirm-form"' not in page
    assert (
        client.post(
            reverse("supervision:finding_dismiss", args=[finding.pk]), {"reason": "x"}
        ).status_code
        == 403
    )
    assert client.post(reverse("supervision:findings_detect"), {"year": YEAR}).status_code == 403


# --- bureau pages -----------------------------------------------------------------------------------


def test_the_findings_list_filters_by_institution_rule_and_status(
    world, findings, client_for, django_assert_max_num_queries
):
    client = client_for(world.bureau_admin)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("supervision:finding_list")).content.decode()
    assert page.count('data-testid="finding"') == 2 and "甲医院" in page and "乙医院" in page
    only_a = client.get(
        reverse("supervision:finding_list"),
        {"institution": world.hospital_a.pk, "rule": "split_admission"},
    )
    assert only_a.content.decode().count('data-testid="finding"') == 1
    confirmed = client.get(
        reverse("supervision:finding_list"), {"status": "confirmed"}
    ).content.decode()
    assert 'data-testid="finding"' not in confirmed
    invalid = client.get(reverse("supervision:finding_list"), {"month": "13"}).content.decode()
    assert 'data-testid="finding"' not in invalid


def test_the_detail_links_each_evidence_case(world, findings, client_for):
    finding = findings[world.hospital_a.pk]
    page = client_for(world.bureau_admin).get(detail_url(finding)).content.decode()
    assert page.count(reverse("settlement:case_detail", args=[0])[:-2]) >= 10
    assert "1R000" in page and 'data-testid="confirm-form"' in page


def test_confirming_records_the_amount_and_an_audit_event(world, findings, client_for):
    finding = findings[world.hospital_a.pk]
    response = client_for(world.bureau_admin).post(
        reverse("supervision:finding_confirm", args=[finding.pk]),
        {"amount": "8800.00", "note": "核实"},
    )
    assert response.status_code == 302 and response.url == detail_url(finding)
    finding.refresh_from_db()
    assert (finding.status, finding.amount, finding.note) == (
        FindingStatus.CONFIRMED,
        D("8800.00"),
        "核实",
    )
    assert AuditEvent.objects.filter(
        action="finding_confirm", object_id=str(finding.pk), actor=world.bureau_admin
    ).exists()


def test_the_detail_shows_the_charge_and_the_officer_changes_it_on_the_page(
    world, findings, client_for
):
    client = client_for(world.officer)
    finding = findings[world.hospital_a.pk]
    page = client.get(detail_url(finding)).content.decode()
    assert (
        "职工基本医疗保险 DIP" in page
        and 'data-testid="charge-form"' in page
        and 'value="390/DIP"' in page
    )
    url = reverse("supervision:finding_charge", args=[finding.pk])
    client.post(url, {"charge": "390/APG"})  # not a category of the year
    assert Finding.objects.get(pk=finding.pk).scheme == "310"
    assert client.post(url, {"charge": "390/DIP"}).url == detail_url(finding)
    assert Finding.objects.values_list("scheme", "category").get(pk=finding.pk) == ("390", "DIP")
    assert AuditEvent.objects.filter(
        action="finding_charge_set", object_id=str(finding.pk), actor=world.officer
    ).exists()


def test_confirming_on_the_page_may_name_another_charge(world, findings, client_for):
    finding = findings[world.hospital_b.pk]
    client_for(world.officer).post(
        reverse("supervision:finding_confirm", args=[finding.pk]),
        {"amount": "3000.00", "charge": "310/APG"},
    )
    finding.refresh_from_db()
    assert (finding.status, finding.amount, finding.scheme, finding.category) == (
        FindingStatus.CONFIRMED,
        D("3000.00"),
        "310",
        "APG",
    )


def test_a_negative_amount_or_a_missing_reason_changes_nothing(world, findings, client_for):
    client = client_for(world.bureau_admin)
    finding = findings[world.hospital_a.pk]
    client.post(reverse("supervision:finding_confirm", args=[finding.pk]), {"amount": "-5"})
    client.post(reverse("supervision:finding_dismiss", args=[finding.pk]), {"reason": ""})
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.OPEN
    assert client.get(reverse("supervision:finding_confirm", args=[finding.pk])).status_code == 405


def test_dismissing_with_a_reason(world, findings, client_for):
    finding = findings[world.hospital_b.pk]
    client_for(world.bureau_admin).post(
        reverse("supervision:finding_dismiss", args=[finding.pk]), {"reason": "分次化疗"}
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED and finding.reason == "分次化疗"


def test_running_detection_starts_a_job(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.bureau_admin).post(
            reverse("supervision:findings_detect"), {"year": YEAR, "month": 3}
        )
    job = Job.objects.get(kind="supervision_detect")
    assert response.url == reverse("jobs:job_detail", args=[job.pk]) and job.params["month"] == 3


def test_the_indicator_table_shows_each_institution_beside_the_regional_median_and_p90(
    world, findings, client_for
):
    page = (
        client_for(world.officer)
        .get(reverse("supervision:indicator_table"), {"year": YEAR, "month": 3})
        .content.decode()
    )
    assert page.count('data-testid="indicator-row"') == 2 and "甲医院" in page and "乙医院" in page
    assert 'data-testid="region-median"' in page and 'data-testid="region-p90"' in page
    assert "20.00%" in page  # 15日内再入院率: 5 of 25 stays followed by a return


def test_the_quality_table_shows_a_score_per_institution_month(world, findings, client_for):
    page = (
        client_for(world.officer)
        .get(reverse("supervision:quality_table"), {"year": YEAR})
        .content.decode()
    )
    assert page.count('data-testid="quality-row"') == 2


# --- the hospital's results -------------------------------------------------------------------------


def test_a_hospital_sees_its_own_confirmed_findings_and_indicators_never_another_hospital(
    world, findings, client_for
):
    client = client_for(world.user_a)
    before = client.get(reverse("supervision:my_results")).content.decode()
    assert 'data-testid="finding"' not in before  # open findings are not shown
    for finding in findings.values():
        supervision.finding_confirm(
            actor=world.bureau_admin,
            finding=finding,
            amount=D("100.00"),
            note=f"确认{finding.institution_id}",
        )
    page = client.get(reverse("supervision:my_results")).content.decode()
    assert (
        page.count('data-testid="finding"') == 1
        and f"确认{world.hospital_a.pk}" in page
        and "职工基本医疗保险 DIP" in page
    )
    assert (
        f"确认{world.hospital_b.pk}" not in page
        and "乙医院" not in page
        and world.hospital_b.code not in page
    )
    assert 'data-testid="my-indicators"' in page and "全区P90" in page
    assert page.count('data-testid="my-quality"') == 1


def test_a_hospital_never_sees_who_reviewed_its_findings(world, findings, client_for):
    reviewer = user_create(
        actor=None,
        username="jg_zhaominghui",
        password=PASSWORD,
        role=Role.BUREAU_ADMIN,
        display_name="赵明慧",
    )
    User.objects.filter(pk=reviewer.pk).update(first_name="明慧", last_name="公孙")
    reviewer.refresh_from_db()
    supervision.finding_confirm(
        actor=reviewer, finding=findings[world.hospital_a.pk], amount=D("100.00"), note="已核实"
    )
    page = client_for(world.user_a).get(reverse("supervision:my_results")).content.decode()
    assert "已核实" in page
    assert [
        name
        for name in ("jg_zhaominghui", "赵明慧", reviewer.get_full_name(), "公孙明慧")
        if name in page
    ] == []


def test_the_navigation_points_hospitals_and_the_bureau_at_supervision(world, client_for):
    for user in (world.user_a, world.officer):
        page = client_for(user).get(reverse("portal:home")).content.decode()
        assert reverse("supervision:finding_list") in page


# --- rule sets --------------------------------------------------------------------------------------


def rule_set_post() -> dict:
    form = {
        f"t_{key}": value
        for key, value in supervision.anomalies.DEFAULT_THRESHOLDS.to_json().items()
    }
    return {
        **form,
        "t_readmission_days": "10",
        "grassroots_categories": "J18, K35；I10",
        "reason": "按本地协议调整",
    }


def test_a_rule_set_is_drafted_submitted_and_approved_by_a_second_admin_on_the_page(
    world, client_for
):
    client = client_for(world.bureau_admin)
    assert client.get(reverse("supervision:rule_set_list")).status_code == 200
    client.post(reverse("supervision:rule_set_create"), rule_set_post())
    draft = RuleSet.objects.get()
    assert draft.thresholds["readmission_days"] == 10 and draft.grassroots_categories == [
        "I10",
        "J18",
        "K35",
    ]
    client.post(reverse("supervision:rule_set_submit", args=[draft.pk]))
    client.post(
        reverse("supervision:rule_set_approve", args=[draft.pk])
    )  # by the submitter: refused
    assert RuleSet.objects.get().status == RuleSetStatus.SUBMITTED
    second = user_create(
        actor=None,
        username="admin2",
        password=PASSWORD,
        role=Role.BUREAU_ADMIN,
        display_name="admin2",
        regions=[world.region],
    )
    client_for(second).post(reverse("supervision:rule_set_approve", args=[draft.pk]))
    assert RuleSet.objects.get().status == RuleSetStatus.IN_FORCE
    page = client_for(second).get(reverse("supervision:rule_set_list")).content.decode()
    assert "第1版" in page and "分解住院：再入院间隔天数" in page


def test_rule_set_pages_refuse_hospitals_and_officers_may_draft(world, client_for):
    assert client_for(world.user_a).get(reverse("supervision:rule_set_list")).status_code == 403
    assert (
        client_for(world.user_a)
        .post(reverse("supervision:rule_set_create"), rule_set_post())
        .status_code
        == 403
    )
    assert not RuleSet.objects.exists()
    assert (
        client_for(world.officer)
        .post(reverse("supervision:rule_set_create"), rule_set_post())
        .status_code
        == 302
    )
    assert RuleSet.objects.count() == 1
