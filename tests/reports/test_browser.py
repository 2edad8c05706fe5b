"""In real headless Chromium: the officer opens the supervision dashboard, then the download centre, and
downloads the month's regional workbook; a hospital user sees and downloads only its own workbook."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest

from reports import services
from tests.browser.support import expect, login, logout, screenshot
from tests.reports.conftest import month as month  # noqa: F401  (the grouped month with findings and scores)
from tests.settlement.grouping.conftest import period_cases as period_cases  # noqa: F401
from tests.settlement.grouping.conftest import procedures as procedures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_opens_the_dashboard_and_downloads_the_pack_and_a_hospital_only_its_own(
    page, world, month
):
    services.report_pack_generate(actor=world.officer, region=world.region, year=2024, month=3)
    login(page, world.officer.username)
    page.get_by_test_id("sidebar").get_by_role("link", name="监管看板").click()
    expect(page.get_by_test_id("chart-fund")).to_have_attribute("data-rendered", "true")
    page.get_by_test_id("sidebar").get_by_role("link", name="报表中心").click()
    rows = page.get_by_test_id("report-list").locator("tbody tr")
    expect(rows).to_have_count(3)  # the region's workbook and one per hospital
    with page.expect_download() as download:
        rows.filter(has_text="统筹区").get_by_role("link", name="下载").click()
    workbook = openpyxl.load_workbook(BytesIO(download.value.path().read_bytes()))
    assert "病例明细" in workbook.sheetnames
    screenshot(page, "reports-download-centre-bureau")
    logout(page)

    login(page, world.user_a.username)
    page.get_by_test_id("sidebar").get_by_role("link", name="报表中心").click()
    expect(rows).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text(world.hospital_b.name)
    with page.expect_download() as download:
        rows.get_by_role("link", name="下载").click()
    own = openpyxl.load_workbook(BytesIO(download.value.path().read_bytes()))
    region_cases, own_cases = (list(book["病例明细"].values) for book in (workbook, own))
    assert 0 < len(own_cases) < len(region_cases)  # its own cases only, not the region's
    assert not any(world.hospital_b.code in str(value) for row in own_cases for value in row)
    assert any(world.hospital_b.code in str(value) for row in region_cases for value in row)
