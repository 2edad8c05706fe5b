"""Background jobs over the API, through for_user."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import Job

pytestmark = pytest.mark.django_db


def job_create(*, key: str, **fields) -> Job:
    return Job.objects.create(kind="test_kind", idempotency_key=key, **fields)


@pytest.fixture
def jobs(world):
    return {
        "a": job_create(
            key="a",
            institution=world.hospital_a,
            created_by=world.user_a,
            status="running",
            progress=40,
        ),
        "b": job_create(key="b", institution=world.hospital_b, created_by=world.user_b),
        "bureau": job_create(
            key="bureau",
            created_by=world.officer,
            status="failed",
            error="导入失败：第3行机构编号未知\nTraceback (most recent call last): ...",
        ),
    }


def keys(response) -> set[str]:
    ids = {row["id"] for row in response.json()["results"]}
    return {job.idempotency_key for job in Job.objects.filter(pk__in=ids)}


def test_hospital_user_lists_only_own_institutions_jobs(world, jobs, client_for):
    assert keys(client_for(world.user_a).get(reverse("api:job-list"))) == {"a"}


def test_bureau_officer_lists_every_job(world, jobs, client, token_headers):
    assert keys(client.get(reverse("api:job-list"), **token_headers(world.officer))) == {
        "a",
        "b",
        "bureau",
    }


def test_hospital_user_gets_404_for_another_institutions_job(world, jobs, client_for):
    client = client_for(world.user_a)
    assert client.get(reverse("api:job-detail", args=[jobs["b"].pk])).status_code == 404
    assert client.get(reverse("api:job-detail", args=[jobs["bureau"].pk])).status_code == 404


def test_job_detail_shows_status_progress_and_owner(world, jobs, client_for):
    body = client_for(world.user_a).get(reverse("api:job-detail", args=[jobs["a"].pk])).json()
    assert (body["status"], body["status_label"], body["progress"]) == ("running", "运行中", 40)
    assert (body["fixmedins_code"], body["created_by"], body["error"]) == (
        "H37080200001",
        "hosp_a",
        "",
    )


def test_job_error_shows_only_its_first_line(world, jobs, client_for):
    body = client_for(world.officer).get(reverse("api:job-detail", args=[jobs["bureau"].pk])).json()
    assert body["error"] == "导入失败：第3行机构编号未知"
    assert body["fixmedins_code"] is None


def test_job_list_query_count_is_flat(world, client_for, django_assert_max_num_queries):
    for n in range(20):
        job_create(key=f"k{n}", institution=world.hospital_a, created_by=world.user_a)
    client = client_for(world.officer)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("api:job-list")).json()["count"] == 20


def test_non_numeric_job_id_is_404(world, client_for):
    assert client_for(world.officer).get("/api/v1/jobs/abc/").status_code == 404
