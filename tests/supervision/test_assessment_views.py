"""Assessment pages: permissions, the bureau's scheme → compute → manual → submit → approve flow, and a
hospital's own approved results (never another institution's)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from supervision.assessment import services
from supervision.assessment.choices import AssessmentStatus
from supervision.assessment.models import Assessment, AssessmentScheme
from supervision.assessment.selectors import approved_assessment_scores
from tests.supervision.test_assessment import YEAR, approve, enter_manual, supervision_results
from tests.supervision.test_assessment_domain import SCHEME


@pytest.fixture
def draft(world) -> Assessment:
    supervision_results(world)
    scheme = services.scheme_create(
        actor=world.officer, region=world.region, name="测试方案", items=SCHEME
    )
    return services.assessment_compute(
        actor=world.officer, region=world.region, year=YEAR, scheme=scheme
    )


@pytest.fixture
def approved(world, draft) -> Assessment:
    enter_manual(world, draft)
    return approve(world, draft)


def institution_url(assessment: Assessment, institution) -> str:
    return reverse("supervision:assessment_institution", args=[assessment.pk, institution.pk])


def scheme_post(items: list[tuple[str, str, str, str, str, str]], name: str = "页面方案") -> dict:
    """(code, name, kind, weight, indicator, per_finding) rows as the scheme form's POST."""
    data = {
        "name": name,
        "description": "",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, (code, label, kind, weight, indicator, per_finding) in enumerate(items):
        data.update(
            {
                f"items-{n}-code": code,
                f"items-{n}-name": label,
                f"items-{n}-kind": kind,
                f"items-{n}-weight": weight,
                f"items-{n}-indicator": indicator,
                f"items-{n}-per_finding": per_finding,
                f"items-{n}-rule": "",
            }
        )
    return data


PAGE_ITEMS = [
    ("COST", "次均费用", "metric", "60", "cost_per_stay", ""),
    ("VIOL", "违规", "deduction", "30", "", "10"),
    ("SITE", "现场考核", "manual", "10", "", ""),
]


# --- permissions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["supervision:assessment_list", "supervision:scheme_create"])
def test_anonymous_users_are_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "login" in response.url


def test_experts_are_refused(world, draft, client_for):
    client = client_for(world.expert)
    assert client.get(reverse("supervision:assessment_list")).status_code == 403
    assert client.get(institution_url(draft, world.hospital_a)).status_code == 403


def test_hospitals_cannot_reach_the_bureaus_pages_or_steps(world, draft, client_for):
    client = client_for(world.user_a)
    assert client.get(reverse("supervision:scheme_create")).status_code == 403
    assert client.get(reverse("supervision:assessment_detail", args=[draft.pk])).status_code == 403
    assert (
        client.post(
            reverse("supervision:assessment_compute"), {"year": YEAR, "scheme": draft.scheme_id}
        ).status_code
        == 403
    )
    manual = {"institution": world.hospital_a.pk, "item_code": "ONSITE", "points": "10"}
    assert (
        client.post(reverse("supervision:assessment_manual", args=[draft.pk]), manual).status_code
        == 403
    )
    assert client.post(reverse("supervision:assessment_submit", args=[draft.pk])).status_code == 403
    assert (
        Assessment.objects.get().status == AssessmentStatus.DRAFT
        and Assessment.objects.count() == 1
    )


def test_a_hospital_sees_its_own_approved_score_and_items_never_another_institutions(
    world, approved, client_for
):
    client = client_for(world.user_a)
    page = client.get(reverse("supervision:assessment_list")).content.decode()
    assert 'data-testid="my-assessment"' in page and "总分 97.00" in page and "次均费用" in page
    assert "乙医院" not in page and world.hospital_b.code not in page
    own = client.get(institution_url(approved, world.hospital_a))
    assert own.status_code == 200 and "97.00" in own.content.decode()
    assert client.get(institution_url(approved, world.hospital_b)).status_code == 404


def test_a_hospital_sees_nothing_of_a_draft(world, draft, client_for):
    client = client_for(world.user_a)
    assert (
        "尚无已审批的考核结果"
        in client.get(reverse("supervision:assessment_list")).content.decode()
    )
    assert client.get(institution_url(draft, world.hospital_a)).status_code == 404


# --- the bureau's flow ------------------------------------------------------------------------------


def test_a_scheme_is_created_and_edited_on_the_page(world, client_for):
    client = client_for(world.officer)
    assert client.get(reverse("supervision:scheme_create")).status_code == 200
    refused = client.post(reverse("supervision:scheme_create"), scheme_post(PAGE_ITEMS[:2]))
    assert (
        "合计应为100分（当前90分）" in refused.content.decode()
        and not AssessmentScheme.objects.exists()
    )
    assert (
        client.post(reverse("supervision:scheme_create"), scheme_post(PAGE_ITEMS)).status_code
        == 302
    )
    scheme = AssessmentScheme.objects.get()
    assert [(i.code, i.kind, i.weight, i.indicator, i.per_finding) for i in scheme.items.all()] == [
        ("COST", "metric", D("60.00"), "cost_per_stay", D("0.00")),
        ("VIOL", "deduction", D("30.00"), "", D("10.00")),
        ("SITE", "manual", D("10.00"), "", D("0.00")),
    ]
    edit = client.get(reverse("supervision:scheme_edit", args=[scheme.pk])).content.decode()
    assert 'value="COST"' in edit and 'value="60.00"' in edit
    items = [
        ("COST", "次均费用", "metric", "50", "avg_stay", ""),
        *PAGE_ITEMS[1:],
        ("QUAL", "数据质量", "quality", "10", "", ""),
    ]
    client.post(
        reverse("supervision:scheme_edit", args=[scheme.pk]), scheme_post(items, name="页面方案二")
    )
    scheme.refresh_from_db()
    assert scheme.name == "页面方案二" and list(scheme.items.values_list("code", "indicator")) == [
        ("COST", "avg_stay"),
        ("VIOL", ""),
        ("SITE", ""),
        ("QUAL", ""),
    ]


def test_compute_enter_submit_and_approve_through_the_pages(world, client_for):
    supervision_results(world)
    scheme = services.scheme_create(
        actor=world.officer, region=world.region, name="测试方案", items=SCHEME
    )
    officer = client_for(world.officer)
    response = officer.post(
        reverse("supervision:assessment_compute"), {"year": YEAR, "scheme": scheme.pk}
    )
    assessment = Assessment.objects.get()
    assert response.url == reverse("supervision:assessment_detail", args=[assessment.pk])
    officer.post(
        reverse("supervision:assessment_submit", args=[assessment.pk])
    )  # manual items missing: refused
    assert Assessment.objects.get().status == AssessmentStatus.DRAFT
    for institution, points in ((world.hospital_a, "9"), (world.hospital_b, "6")):
        form = officer.get(institution_url(assessment, institution)).content.decode()
        assert 'data-testid="manual-form"' in form
        officer.post(
            reverse("supervision:assessment_manual", args=[assessment.pk]),
            {
                "institution": institution.pk,
                "item_code": "ONSITE",
                "points": points,
                "note": "现场",
            },
        )
    officer.post(reverse("supervision:assessment_submit", args=[assessment.pk]))
    officer.post(
        reverse("supervision:assessment_approve", args=[assessment.pk])
    )  # the submitter: refused
    assert Assessment.objects.get().status == AssessmentStatus.SUBMITTED
    client_for(world.bureau_admin).post(
        reverse("supervision:assessment_approve", args=[assessment.pk])
    )
    assert Assessment.objects.get().status == AssessmentStatus.APPROVED
    assert approved_assessment_scores(region=world.region, year=YEAR) == {
        world.hospital_a.pk: D("97.00"),
        world.hospital_b.pk: D("40.00"),
    }


def test_the_approver_returns_a_submission_with_a_reason(world, draft, client_for):
    enter_manual(world, draft)
    services.assessment_submit(actor=world.officer, assessment=draft)
    client = client_for(world.bureau_admin)
    client.post(reverse("supervision:assessment_return", args=[draft.pk]), {"reason": ""})
    assert Assessment.objects.get().status == AssessmentStatus.SUBMITTED
    client.post(reverse("supervision:assessment_return", args=[draft.pk]), {"reason": "请复核"})
    assert Assessment.objects.get().status == AssessmentStatus.DRAFT
    assert (
        "退回原因：请复核"
        in client.get(reverse("supervision:assessment_detail", args=[draft.pk])).content.decode()
    )


def test_a_manual_score_above_the_weight_is_refused_on_the_page(world, draft, client_for):
    post = {"institution": world.hospital_a.pk, "item_code": "ONSITE", "points": "11"}
    response = client_for(world.officer).post(
        reverse("supervision:assessment_manual", args=[draft.pk]), post, follow=True
    )
    assert "人工评分应在0到10分之间" in response.content.decode()
    assert draft.scores.get(institution=world.hospital_a, item_code="ONSITE").points is None


def test_the_lists_and_matrix_show_every_institutions_total(
    world, approved, client_for, django_assert_max_num_queries
):
    client = client_for(world.officer)
    with django_assert_max_num_queries(10):
        listing = client.get(reverse("supervision:assessment_list")).content.decode()
    assert "测试方案" in listing and "已审批" in listing
    with django_assert_max_num_queries(10):
        page = client.get(
            reverse("supervision:assessment_detail", args=[approved.pk])
        ).content.decode()
    assert (
        page.count('data-testid="assessment-row"') == 2
        and "97.00" in page
        and "40.00" in page
        and "乙医院" in page
    )


def test_the_navigation_offers_the_dashboard_and_the_assessment(world, client_for):
    for user in (world.user_a, world.officer):
        page = client_for(user).get(reverse("portal:home")).content.decode()
        assert (
            reverse("supervision:dashboard") in page
            and reverse("supervision:assessment_list") in page
        )


@pytest.mark.parametrize(
    "model", ["assessmentscheme", "assessmentitem", "assessment", "assessmentscore"]
)
def test_the_admin_shows_the_assessment_records_read_only(client, approved, model):
    from accounts.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    page = client.get(reverse(f"admin:supervision_{model}_changelist"))
    assert (
        page.status_code == 200
        and reverse(f"admin:supervision_{model}_add") not in page.content.decode()
    )
