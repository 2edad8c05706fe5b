"""In real headless Chromium: an officer compiles E1 and submits it, a second user approves it.

Browser plumbing in tests/browser/support.py. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from budgets.choices import BudgetStatus
from budgets.models import Budget
from tests.browser.support import Page, expect, login, logout, screenshot
from tests.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


E1_FIELDS = {
    "income-amount": "1000000000",
    "carve-0-per_capita": "120",
    "carve-0-count": "1000000",
    "carve-1-base": "80000000",
    "carve-1-rate": "0",
    "carve-2-base": "100000000",
    "carve-2-rate": "0",
    "carve-3-base": "50000000",
    "carve-3-rate": "0",
    "cat-0-amount": "50000000",
}


def compile_e1(page: Page, *, with_critical_illness: bool = False) -> None:
    page.select_option("[name=income-method]", "amount")
    for name, value in E1_FIELDS.items():
        page.fill(f"[name='{name}']", value)
    page.set_checked(
        "[name=carve-4-DELETE]", not with_critical_illness
    )  # E1 has no critical-illness line
    page.get_by_role("button", name="测算并保存").click()


def test_compile_submit_and_approve_as_two_users(page, world: World):
    login(page, world.officer.username)
    page.get_by_test_id("sidebar").get_by_role("link", name="总额预算").click()
    page.get_by_role("link", name="新建年度预算").click()
    page.select_option("#id_region", str(world.region.pk))
    page.fill("#id_year", "2025")
    page.select_option("#id_scheme", "310")
    page.get_by_role("button", name="创建草稿").click()

    page.fill(
        "[name='carve-4-per_capita']", "1000"
    )  # critical illness 1,000 x 1,000,000 overdraws by 450M
    page.fill("[name='carve-4-count']", "1000000")
    compile_e1(page, with_critical_illness=True)
    expect(page.get_by_test_id("form-errors")).to_contain_text(
        "「大病保险」（CI）使点数法预算为负：透支 450,000,000.00 元"
    )
    screenshot(page, "budget-edit-overdrawn")
    compile_e1(page)
    expect(page.get_by_test_id("derivation")).to_contain_text("550,000,000.00")
    expect(page.get_by_test_id("phasing")).to_contain_text("41,666,666.67")
    expect(page.locator("[data-testid=waterfall] canvas")).to_be_visible()
    screenshot(page, "budget-draft")
    page.get_by_role("button", name="提交审批").click()
    expect(page.get_by_test_id("budget-actions")).to_contain_text("须由提交人以外的经办人员审批")
    logout(page)

    budget = Budget.objects.get(year=2025, scheme="310")
    login(page, world.bureau_admin.username)
    page.goto(reverse("budgets:budget_detail", args=[budget.pk]))
    page.get_by_role("button", name="审批通过").click()
    expect(page.get_by_test_id("budget-status").first).to_have_text("已批准执行")
    screenshot(page, "budget-approved")
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.IN_FORCE

    page.fill("[name=reason]", "年中医保待遇调整")
    page.get_by_role("button", name="发起年中调整").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("第2版")
    page.get_by_role("link", name="与本版比较").click()
    expect(page.get_by_test_id("compare")).to_contain_text("第1版（元）")
    screenshot(page, "budget-compare")
    logout(page)
