from __future__ import annotations

import html
import json

import pytest
from django.test import Client
from django.urls import reverse

from jobs.choices import JobStatus
from jobs.models import Job
from jobs.services import job_run, job_start
from tests.jobs.kinds import ERR_TEST_FAILURE

pytestmark = pytest.mark.django_db

LIST = reverse("jobs:job_list")


def finished_job(*, actor, institution=None, key: str, kind: str = "test_steps") -> Job:
    job = job_start(actor=actor, kind=kind, key=key, params={"steps": 2}, institution=institution)
    job_run(job_id=job.pk)
    return Job.objects.get(pk=job.pk)


@pytest.fixture
def jobs(world) -> dict[str, Job]:
    return {
        "a": finished_job(actor=world.user_a, institution=world.hospital_a, key="a"),
        "b": finished_job(actor=world.user_b, institution=world.hospital_b, key="b"),
        "bureau": finished_job(actor=world.officer, key="bureau"),
    }


def detail(job: Job) -> str:
    return reverse("jobs:job_detail", args=[job.pk])


def status(job: Job) -> str:
    return reverse("jobs:job_status", args=[job.pk])


def listed_ids(response) -> set[int]:
    return {job.pk for job in response.context["page"]}


@pytest.mark.parametrize("url", [lambda job: LIST, detail, status])
def test_anonymous_users_are_sent_to_the_login_page(jobs, url):
    response = Client().get(url(jobs["a"]))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_hospital_user_sees_only_its_institutions_jobs(jobs, world, client_for):
    client = client_for(world.user_a)
    assert listed_ids(client.get(LIST)) == {jobs["a"].pk}
    assert client.get(detail(jobs["a"])).status_code == 200


@pytest.mark.parametrize("url", [detail, status])
@pytest.mark.parametrize("other", ["b", "bureau"])
def test_another_institutions_job_is_not_found_for_a_hospital_user(
    jobs, world, client_for, url, other
):
    assert client_for(world.user_a).get(url(jobs[other])).status_code == 404


def test_bureau_users_see_every_job(jobs, world, client_for):
    client = client_for(world.officer)
    assert listed_ids(client.get(LIST)) == {job.pk for job in jobs.values()}
    assert client.get(detail(jobs["b"])).status_code == 200


def test_an_expert_sees_only_the_jobs_they_started(jobs, world, client_for):
    own = finished_job(actor=world.expert, key="expert")
    client = client_for(world.expert)
    assert listed_ids(client.get(LIST)) == {own.pk}
    assert client.get(detail(jobs["bureau"])).status_code == 404


def test_the_status_json_reports_progress_status_and_summary(jobs, world, client_for):
    data = client_for(world.user_a).get(status(jobs["a"])).json()
    assert data == {
        "id": jobs["a"].pk,
        "status": "succeeded",
        "status_display": "已完成",
        "progress": 100,
        "message": "第 2/2 步",
        "active": False,
        "error": "",
        "summary": {"steps": 2, "total": 3, "说明": "完成"},
    }


def test_the_status_json_of_a_running_job_says_it_is_active(world, client_for):
    job = job_start(actor=world.user_a, kind="test_steps", key="live", institution=world.hospital_a)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=40, progress_message="第 2/5 步"
    )
    data = client_for(world.user_a).get(status(job)).json()
    assert (data["active"], data["progress"], data["status_display"], data["message"]) == (
        True,
        40,
        "运行中",
        "第 2/5 步",
    )


def test_the_status_json_of_a_failed_job_gives_the_first_line_of_the_error(world, client_for):
    job = finished_job(
        actor=world.user_a, institution=world.hospital_a, key="bad", kind="test_fail"
    )
    data = client_for(world.user_a).get(status(job)).json()
    assert (data["status"], data["error"], data["progress"]) == ("failed", ERR_TEST_FAILURE, 30)


def test_the_detail_page_shows_a_finished_jobs_progress_and_summary(jobs, world, client_for):
    page = client_for(world.user_a).get(detail(jobs["a"])).content.decode()
    assert (
        'data-active="0"' in page
        and "width: 100%" in page
        and "已完成" in page
        and "测试任务（分步）" in page
    )
    summary = json.loads(
        html.unescape(page.split('data-testid="job-summary">')[1].split("</pre>")[0])
    )
    assert summary == {"steps": 2, "total": 3, "说明": "完成"}


def test_the_detail_page_of_a_failed_job_shows_the_error_on_a_red_bar(world, client_for):
    job = finished_job(
        actor=world.user_a, institution=world.hospital_a, key="bad", kind="test_fail"
    )
    page = client_for(world.user_a).get(detail(job)).content.decode()
    assert ERR_TEST_FAILURE in page and "bg-danger" in page and "width: 30%" in page
    assert "Traceback" not in page  # the traceback is for the logs and the admin, not for users


def test_the_list_page_runs_a_bounded_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    for n in range(30):
        finished_job(actor=world.user_a, institution=world.hospital_a, key=f"k{n}")
    client = client_for(world.officer)
    with django_assert_max_num_queries(5):  # session, user, count, page; not one per job
        response = client.get(LIST)
    assert len(response.context["page"]) == 30
