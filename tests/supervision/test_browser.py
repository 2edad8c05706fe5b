"""In real headless Chromium: the bureau dashboard draws its charts with the vendored ECharts, and a
hospital's dashboard draws its own figures. Browser plumbing in tests/browser/support.py."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from settlement.models import SettlementPeriod
from supervision.models import IndicatorValue
from tests.browser.support import expect, login, screenshot
from tests.world import World, case_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def figures(world: World) -> None:
    january = SettlementPeriod.objects.create(region=world.region, year=2024, month=1)
    case_create(institution=world.hospital_a, period=january, setl_id="A1")
    case_create(institution=world.hospital_b, period=world.period, setl_id="B3")
    for institution, cost, stay in (
        (world.hospital_a, "12000", "7"),
        (world.hospital_b, "9000", "11"),
    ):
        for code, value, median, p90 in (
            ("cost_per_stay", cost, "10500", "11700"),
            ("avg_stay", stay, "9", "10.6"),
        ):
            IndicatorValue.objects.create(
                institution=institution,
                year=2024,
                month=3,
                indicator=code,
                value=D(value),
                region_median=D(median),
                region_p90=D(p90),
            )


def test_the_bureau_dashboard_draws_fund_use_and_the_ranking_on_a_canvas(page, world, figures):
    login(page, world.officer.username)
    page.get_by_test_id("sidebar").get_by_role("link", name="监管看板").click()
    expect(page.get_by_test_id("dashboard-heading")).to_have_text("监管看板 · 2024年")
    for chart in ("chart-fund", "chart-ranking"):
        expect(page.get_by_test_id(chart)).to_have_attribute("data-rendered", "true")
        expect(page.get_by_test_id(chart).locator("canvas")).to_have_count(1)
    width = page.get_by_test_id("chart-fund").locator("canvas").evaluate("canvas => canvas.width")
    assert width > 300  # drawn at the card's width, not a collapsed box
    page.select_option("#id_indicator", "avg_stay")
    expect(page.get_by_text("机构指标排名：平均住院日（3月）")).to_be_visible()
    expect(page.get_by_test_id("chart-ranking").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("chart-findings-rule")).to_have_text(
        "该年度无监管发现"
    )  # nothing to draw: said, not blank
    screenshot(page, "supervision-dashboard-bureau")


def test_a_hospital_dashboard_draws_its_own_indicator(page, world, figures):
    login(page, world.user_a.username)
    page.get_by_test_id("sidebar").get_by_role("link", name="监管看板").click()
    expect(page.get_by_test_id("dashboard-heading")).to_have_text("本院监管看板 · 2024年")
    expect(page.get_by_test_id("chart-indicator").locator("canvas")).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text("乙医院")
    screenshot(page, "supervision-dashboard-hospital")
