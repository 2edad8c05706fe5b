"""Smoke test in real headless Chromium (tests/browser/support.py): each role logs in through the login
form and sees its own world. Screenshots per role go to var/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jobs.choices import JobStatus
from jobs.models import Job
from jobs.services import job_progress, job_run, job_start
from tests.browser.support import Page, expect, login, logout, screenshot
from tests.jobs.kinds import ERR_TEST_FAILURE
from tests.world import World, case_create

LIVE_UPDATE_TIMEOUT_MS = 10_000

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cases(world: World) -> dict:
    return {
        "a": case_create(institution=world.hospital_a, period=world.period, setl_id="A0001"),
        "b": case_create(institution=world.hospital_b, period=world.period, setl_id="B0001"),
    }


def case_ids(page: Page) -> list[str]:
    return page.locator("[data-testid=case-list] tbody tr td:first-child").all_inner_texts()


def test_a_bureau_officer_sees_the_region_and_every_hospitals_cases(page, world, cases):
    login(page, world.officer.username)
    expect(page.get_by_test_id("dashboard-title")).to_have_text("经办机构工作台")
    expect(page.get_by_test_id("region-name")).to_have_text("测试统筹区")
    expect(page.get_by_test_id("whoami")).to_contain_text("officer")
    sidebar = page.get_by_test_id("sidebar")
    for entry in ["首页", "结算清单", "结算期间", "目录与机构", "后台任务"]:
        expect(sidebar.get_by_role("link", name=entry)).to_be_visible()
    expect(sidebar).not_to_contain_text("审计日志")  # bureau admins only
    screenshot(page, "bureau-officer")

    sidebar.get_by_role("link", name="结算清单").click()
    expect(page.get_by_test_id("case-list")).to_be_visible()
    assert sorted(case_ids(page)) == ["A0001", "B0001"]
    expect(page.get_by_test_id("case-list")).to_contain_text("乙医院")
    logout(page)


def test_a_hospital_user_sees_only_its_own_institution(page, world, cases):
    login(page, world.user_a.username)
    expect(page.get_by_test_id("dashboard-title")).to_have_text("甲医院 工作台")
    expect(page.get_by_test_id("institution-name")).to_have_text("甲医院")
    expect(page.get_by_test_id("case-count")).to_have_text("1")
    sidebar = page.get_by_test_id("sidebar")
    expect(sidebar.get_by_role("link", name="结算清单")).to_be_visible()
    expect(sidebar).not_to_contain_text("结算期间")
    screenshot(page, "hospital-a")

    sidebar.get_by_role("link", name="结算清单").click()
    expect(page.get_by_test_id("case-list")).to_be_visible()
    assert case_ids(page) == ["A0001"]
    assert page.goto(reverse("settlement:case_detail", args=[cases["a"].pk])).status == 200
    assert page.goto(reverse("settlement:case_detail", args=[cases["b"].pk])).status == 404
    logout(page)


def test_the_job_page_shows_a_finished_jobs_full_bar_and_summary(page, world):
    job = job_start(
        actor=world.user_a,
        kind="test_steps",
        key="done",
        params={"steps": 2},
        institution=world.hospital_a,
    )
    assert (
        Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    )  # the test backend runs it at commit
    login(page, world.user_a.username)
    page.goto(reverse("jobs:job_detail", args=[job.pk]))
    expect(page.get_by_test_id("job-progress")).to_have_text("100%")
    expect(page.get_by_test_id("job-status")).to_have_text("已完成")
    expect(page.get_by_test_id("job-summary")).to_contain_text('"total": 3')
    wait_until_bar_is_full(page)


def test_the_progress_bar_follows_a_running_job_until_it_ends(page, world):
    job = job_start(
        actor=world.user_a,
        kind="test_steps",
        key="live",
        params={"steps": 5},
        institution=world.hospital_a,
        dispatch=False,
    )
    login(page, world.user_a.username)
    page.goto(reverse("jobs:job_detail", args=[job.pk]))
    bar = page.get_by_test_id("job-progress")
    expect(bar).to_have_text("0%")
    expect(page.get_by_test_id("job-summary")).to_be_hidden()

    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    job_progress(job.pk, 40, "第 2/5 步")
    expect(bar).to_have_text("40%", timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(page.get_by_test_id("job-status")).to_have_text("运行中")
    expect(page.get_by_test_id("job-message")).to_have_text("第 2/5 步")

    # The progress above stood in for a worker; a worker takes only queued jobs (a running one belongs
    # to a live lease), so the job goes back to the queue before a real run completes it.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    job_run(job_id=job.pk)
    expect(page.get_by_test_id("job-status")).to_have_text("已完成", timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(bar).to_have_text("100%")
    expect(page.get_by_test_id("job-summary")).to_contain_text('"total": 15')
    expect(page.get_by_test_id("job-attempts")).to_have_text("1")
    expect(page.get_by_test_id("job-finished")).not_to_have_text("—")
    expect(bar).not_to_have_class(re.compile(r"progress-bar-animated"))
    wait_until_bar_is_full(page)
    screenshot(page, "job-progress")


def wait_until_bar_is_full(page: Page) -> None:
    """What the eye sees: the bar spans its track (its width is animated, so wait for the end)."""
    page.wait_for_function(
        """() => { const bar = document.querySelector("[data-testid=job-progress]");
                   return bar.getBoundingClientRect().width >= bar.parentElement.getBoundingClientRect().width - 1; }""",
        timeout=LIVE_UPDATE_TIMEOUT_MS,
    )


def test_the_progress_bar_turns_red_with_the_error_when_a_job_fails(page, world):
    job = job_start(
        actor=world.user_a,
        kind="test_fail",
        key="bad",
        institution=world.hospital_a,
        dispatch=False,
    )
    login(page, world.user_a.username)
    page.goto(reverse("jobs:job_detail", args=[job.pk]))
    expect(page.get_by_test_id("job-error")).to_be_hidden()

    job_run(job_id=job.pk)
    expect(page.get_by_test_id("job-error")).to_have_text(
        ERR_TEST_FAILURE, timeout=LIVE_UPDATE_TIMEOUT_MS
    )
    bar = page.get_by_test_id("job-progress")
    expect(bar).to_have_text("30%")
    expect(bar).to_have_class(re.compile(r"\bbg-danger\b"))
    expect(page.get_by_test_id("job-status")).to_have_text("失败")
