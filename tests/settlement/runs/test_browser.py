"""In real headless Chromium (tests/browser/support.py): the officer starts a monthly run from the page,
watches its job to the end, opens the run (charts drawn) and a statement; the demo hospital then finds
the statement under 我的结算单 once the officer published the run, downloads it and confirms it.
Screenshots go to var/screenshots/."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from demo.services import demo_generate
from settlement.runs.models import RunInstitution, SettlementRun
from tests.browser.support import Page, expect, login, logout, screenshot
from tests.settlement.runs.conftest import YEAR
from tests.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOB_TIMEOUT_MS = 60_000


@pytest.fixture
def demo_users() -> dict:
    demo_generate(actor="测试", years=2, cases_per_year=1500, end_year=YEAR, months_settled=False)
    users = {name: get_user_model().objects.get(username=name) for name in ("officer", "hospital")}
    for user in users.values():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return users


def start_monthly_run(page: Page, month: int) -> None:
    page.get_by_test_id("sidebar").get_by_role("link", name="结算运行").click()
    page.get_by_test_id("run-start-link").click()
    page.fill("#id_year", str(YEAR))
    page.select_option("#id_scheme", "310")
    page.fill("#id_category", "DIP")
    page.select_option("#id_run_type", "monthly")
    page.fill("#id_number", str(month))
    page.get_by_role("button", name="开始运行").click()


def test_an_officer_starts_a_run_watches_it_finish_and_opens_a_statement(page: Page, demo_users):
    login(page, "officer")
    start_monthly_run(page, 1)
    expect(page.get_by_text("已排队")).to_be_visible()
    expect(page.get_by_test_id("job-status")).to_have_text("已完成", timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_test_id("job-progress")).to_have_text("100%")
    run = SettlementRun.objects.get(run_type="monthly", number=1)
    screenshot(page, "run-job")

    page.get_by_test_id("sidebar").get_by_role("link", name="结算运行").click()
    page.get_by_test_id("run-list").get_by_role("link", name=f"#{run.pk}", exact=True).click()
    expect(page.get_by_test_id("run-title")).to_contain_text(f"{YEAR}年1月")
    expect(page.get_by_test_id("run-status")).to_have_text("有效")
    expect(page.get_by_test_id("result-hash")).to_have_text(run.result_hash)
    expect(page.locator("[data-chart=chart-points]")).to_have_attribute("data-rendered", "true")
    expect(page.locator("[data-chart=chart-deviations]")).to_have_attribute("data-rendered", "true")
    screenshot(page, "run-detail")

    own = demo_users["hospital"].institution
    row = RunInstitution.objects.get(run=run, institution=own)
    page.locator(
        f"a[href='{reverse('settlement:statement_detail', args=[run.pk, own.code])}']"
    ).click()
    expect(page.get_by_test_id("statement-institution")).to_have_text(own.name)
    expect(page.get_by_test_id("line-结算金额（点数×点值）")).to_have_text(f"{row.settlement:,.2f}")
    expect(page.get_by_test_id("line-本期应拨付（负数为追回）")).to_have_text(f"{row.payment:,.2f}")
    expect(page.get_by_test_id("run-cases")).to_be_visible()
    screenshot(page, "run-statement-bureau")
    page.goto(reverse("settlement:run_detail", args=[run.pk]))
    page.get_by_test_id("run-publish").click()
    expect(page.get_by_test_id("count-pending")).to_have_text(str(run.institutions.count()))
    screenshot(page, "run-responses")
    logout(page)

    login(page, "hospital")
    expect(page.get_by_test_id("unread-notices")).to_contain_text("1")
    page.get_by_test_id("sidebar").get_by_role("link", name="我的结算单").click()
    expect(page.get_by_test_id("statement-list")).to_contain_text(f"{YEAR}年1月")
    page.get_by_test_id("statement-list").get_by_role("link", name="查看").first.click()
    expect(page.get_by_test_id("statement-title")).to_contain_text("结算单")
    with page.expect_download() as download:
        page.get_by_test_id("statement-export").click()
    sheet = openpyxl.load_workbook(BytesIO(download.value.path().read_bytes())).active
    values = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r[0]}
    assert Decimal(str(values["结算金额（点数×点值）"])).quantize(Decimal("0.01")) == row.settlement
    screenshot(page, "run-statement-hospital")
    page.get_by_test_id("statement-confirm").click()
    expect(page.get_by_test_id("statement-answer")).to_contain_text("已确认")
    logout(page)
