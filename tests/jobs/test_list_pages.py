"""The job list as a declared list page (config.lists): sort, page size, filter, export, tenancy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from config import lists
from jobs.models import Job
from jobs.services import job_start
from tests.config.test_lists import csv_rows
from tests.jobs import kinds  # noqa: F401  (registers the test job kinds)

JOBS = reverse("jobs:job_list")


@pytest.fixture
def three_jobs(world) -> list[Job]:
    return [
        job_start(actor=world.user_a, kind="test_steps", key=f"k{i}", institution=world.hospital_a)
        for i in range(3)
    ] + [job_start(actor=world.user_b, kind="test_steps", key="b", institution=world.hospital_b)]


def test_the_job_list_sorts_pages_filters_and_exports(world, client_for, three_jobs):
    client = client_for(world.user_a)
    page = client.get(JOBS, {"sort": "id", "per_page": 25})
    assert [job.pk for job in page.context["page"]] == sorted(j.pk for j in three_jobs[:3])
    assert 'data-testid="sort-id"' in page.content.decode()
    Job.objects.filter(pk=three_jobs[0].pk).update(status="failed")
    filtered = client.get(JOBS, {"status": "failed"})
    assert [job.pk for job in filtered.context["page"]] == [three_jobs[0].pk]
    rows = csv_rows(client.get(JOBS, {"status": "queued", "sort": "-id", "export": "csv"}))
    assert rows[0] == ["#", "任务", "状态", "进度", "发起人", "创建时间", "结束时间"]
    assert [int(row[0]) for row in rows[1:]] == [three_jobs[2].pk, three_jobs[1].pk]
    assert rows[1][2:4] == ["排队中", "0"]


def test_the_job_list_refuses_an_unknown_status_in_chinese(world, client_for, three_jobs):
    response = client_for(world.user_a).get(JOBS, {"status": "exploded"})
    assert response.status_code == 200 and lists.ERR_FILTER in response.content.decode()
    assert list(response.context["page"]) == []


def test_the_job_list_query_count_does_not_grow_with_its_rows(
    world, client_for, three_jobs, django_assert_max_num_queries
):
    client = client_for(world.officer)
    for i in range(30):
        job_start(actor=world.officer, kind="test_steps", key=f"o{i}")
    with django_assert_max_num_queries(12):
        assert client.get(JOBS, {"per_page": 200}).status_code == 200
