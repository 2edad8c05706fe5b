"""The grouping summary page (bureau only), starting a grouping job, and a case's group on its page
(hospitals see only their own cases' results)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import Job
from settlement.grouping import selectors, services
from settlement.grouping.models import CaseGroup

pytestmark = pytest.mark.django_db

SUMMARY = reverse("settlement:grouping_summary")


@pytest.fixture
def grouped(world, period_cases, catalog):
    services.period_group(actor=world.officer, region=world.region, year=2024, month=3)
    return period_cases


def test_the_summary_shows_counts_per_trace_type_and_group(
    world, grouped, catalog, client_for, django_assert_max_num_queries
):
    client = client_for(world.officer)
    with django_assert_max_num_queries(15):
        response = client.get(SUMMARY, {"year": 2024, "month": 3})
    assert response.status_code == 200
    page = response.content.decode()
    assert "共 6 条结算清单，不能入组 2 条" in page
    assert "不能入组：主要诊断编码无效" in page and "I21.000+36.0601" in page
    summary = response.context["summary"]
    assert {row["trace"]: row["n"] for row in summary["traces"]}["core"] == 2
    assert summary["top_groups"][0] == {"group_code": "I21.000+36.0601", "n": 2}
    assert {row["group_type"]: row["n"] for row in summary["group_types"]} == {
        "core": 3,
        "comprehensive": 1,
        "": 2,
    }


def test_a_period_without_results_says_so(world, catalog, client_for):
    response = client_for(world.officer).get(SUMMARY, {"year": 2024, "month": 3})
    assert response.status_code == 200 and "该期间还没有分组结果" in response.content.decode()


@pytest.mark.parametrize("user", ["user_a", "expert"])
def test_the_summary_is_for_bureau_users_only(world, user, client_for):
    assert client_for(getattr(world, user)).get(SUMMARY).status_code == 403


def test_anonymous_users_are_sent_to_login(client):
    assert client.get(SUMMARY).status_code == 302


def test_a_bureau_user_starts_a_grouping_job(
    world, period_cases, catalog, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.officer).post(
            reverse("settlement:grouping_start"), {"year": 2024, "month": 3, "kind": "DIP"}
        )
    job = Job.objects.get(kind="case_group")
    assert response.status_code == 302 and response.url == reverse("jobs:job_detail", args=[job.pk])
    assert CaseGroup.objects.count() == 6


def test_starting_without_a_version_shows_the_reason(world, period_cases, client_for):
    response = client_for(world.officer).post(
        reverse("settlement:grouping_start"), {"year": 2024, "month": 3}, follow=True
    )
    assert "没有已发布的DIP病种目录" in response.content.decode() and not Job.objects.exists()


def test_a_hospital_cannot_start_grouping(world, client_for):
    assert (
        client_for(world.user_a)
        .post(reverse("settlement:grouping_start"), {"year": 2024})
        .status_code
        == 403
    )


def test_the_case_page_shows_its_group_type_trace_and_coefficient(world, grouped, client_for):
    response = client_for(world.user_a).get(
        reverse("settlement:case_detail", args=[grouped["S1"].pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "I21.000+36.0601" in page
        and "age=65+" in page
        and "1.2000" in page
        and "主要诊断与主要手术操作组合精确匹配" in page
    )


def test_an_ungrouped_case_page_has_no_group_table(world, period_cases, client_for):
    response = client_for(world.user_a).get(
        reverse("settlement:case_detail", args=[period_cases["S1"].pk])
    )
    assert 'data-testid="case-groups"' not in response.content.decode()


def test_a_hospital_sees_only_its_own_cases_groups(world, grouped, client_for):
    b_case = grouped["S4"]
    assert (
        client_for(world.user_a)
        .get(reverse("settlement:case_detail", args=[b_case.pk]))
        .status_code
        == 404
    )
    own = {
        row.case.setl_id
        for row in selectors.case_group_list_for_user(world.user_a).select_related("case")
    }
    assert own == {"S1", "S2", "S3"}
    assert selectors.case_groups_of_case(world.user_a, b_case) == []
    assert len(selectors.case_groups_of_case(world.officer, b_case)) == 1
