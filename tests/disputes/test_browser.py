"""In real headless Chromium (tests/browser/support.py), one special case from filing to the letter:
hospital A files and submits → the officer accepts, screens and draws a panel → the expert votes →
the officer decides → hospital A reads the timeline and downloads the decision letter.
Screenshots go to var/screenshots/."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from disputes.choices import ItemStatus, Specialty
from disputes.models import DisputeItem, Expert
from tests.browser.support import Page, expect, login, logout, screenshot
from tests.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_item(page: Page, item: DisputeItem) -> None:
    page.goto(reverse("disputes:item_detail", args=[item.pk]))
    expect(page.get_by_test_id("item-title")).to_contain_text(item.number)


def test_a_special_case_from_filing_to_the_decision_letter(page, world: World, cases):
    Expert.objects.create(user=world.expert, specialty=Specialty.SURGERY)

    login(page, world.user_a.username)
    page.get_by_test_id("sidebar").get_by_role("link", name="特病单议与争议").click()
    expect(page.get_by_test_id("quota-remaining")).to_have_text("2")
    page.get_by_role("link", name="新建申请").click()
    page.select_option("#id_kind", "special_case")
    page.fill("#id_setl_id", "A1")
    page.get_by_label("费用超过病种标准倍数").check()
    page.get_by_label("重症监护/危重抢救").check()
    page.fill("#id_statement", "费用远超病种标准，ICU 救治 12 天。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_test_id("item-status")).to_have_text("草稿")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_test_id("item-status")).to_have_text("已提交待受理")
    screenshot(page, "disputes-hospital-submitted")
    item = DisputeItem.objects.get()
    logout(page)

    login(page, world.officer.username)
    page.goto(reverse("disputes:item_list"))
    page.get_by_test_id("item-list").get_by_role("link", name=item.number).click()
    page.get_by_role("button", name="受理").click()
    expect(page.get_by_test_id("item-status")).to_have_text("初审中")
    page.get_by_label("通过，进入专家评审").check()
    page.get_by_test_id("screen-form").locator("[name=note]").fill("材料齐全")
    page.get_by_role("button", name="保存初审结论").click()
    expect(page.get_by_test_id("item-status")).to_have_text("专家评审中")
    page.select_option("#id_specialty", Specialty.SURGERY)
    page.fill("#id_size", "1")
    page.get_by_test_id("draw-form").get_by_role("button", name="抽取").click()
    expect(page.get_by_test_id("panel")).to_contain_text("expert")
    expect(page.get_by_test_id("panel")).to_contain_text("未表决")
    screenshot(page, "disputes-officer-panel")
    logout(page)

    login(page, world.expert.username)
    page.goto(reverse("disputes:review_list"))
    page.get_by_test_id("review-list").get_by_role("link", name=item.number).click()
    page.get_by_test_id("vote-form").get_by_label("同意", exact=True).check()
    page.get_by_test_id("vote-form").locator("[name=opinion]").fill("病情危重，支持按项目付费。")
    page.get_by_role("button", name="提交表决").click()
    expect(page.get_by_test_id("votes")).to_contain_text("同意 1 票")
    logout(page)

    login(page, world.officer.username)
    open_item(page, item)
    page.get_by_test_id("decide-form").locator("[name=decision]").select_option("approved_ffs")
    page.get_by_test_id("decide-form").locator("[name=reason]").fill("专家组同意，按项目付费。")
    page.get_by_role("button", name="作出决定").click()
    expect(page.get_by_test_id("item-status")).to_have_text("已决定")
    expect(page.get_by_test_id("decision")).to_contain_text("同意，按项目付费")
    logout(page)

    login(page, world.user_a.username)
    open_item(page, item)
    timeline = page.get_by_test_id("timeline")
    for step in [
        "创建申请草稿",
        "已提交待受理",
        "初审中",
        "专家评审中",
        "抽取评审专家 1 位",
        "专家已表决",
        "已决定",
    ]:
        expect(timeline).to_contain_text(step)
    expect(page.get_by_test_id("panel")).to_have_count(
        0
    )  # the hospital sees the tally, not the experts
    screenshot(page, "disputes-hospital-decided")
    with page.expect_download() as download:
        page.get_by_test_id("letter").click()
    assert download.value.suggested_filename == f"decision-{item.number}.xlsx"
    sheet = openpyxl.load_workbook(BytesIO(download.value.path().read_bytes()))["决定书"]
    facts = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert (facts["申请编号"], facts["结算清单号"], facts["处理决定"], facts["专家组表决"]) == (
        item.number,
        "A1",
        "同意，按项目付费",
        "同意 1 票",
    )
    assert DisputeItem.objects.get().status == ItemStatus.DECIDED
    logout(page)


def test_an_officer_records_a_negotiation_that_the_attending_hospital_reads(page, world: World):
    login(page, world.officer.username)
    page.goto(reverse("disputes:meeting_list"))
    page.get_by_role("link", name="登记协商会议").click()
    page.select_option("#id_region", str(world.region.pk))
    page.fill("#id_year", "2025")
    page.fill("#id_title", "2025年度DIP协商会")
    page.fill("#id_held_on", "2025-01-10")
    page.fill("#id_minutes", "一、审议机构系数调整方案。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("meeting-title")).to_contain_text("2025年度DIP协商会")
    form = page.get_by_test_id("participant-form")
    form.locator("[name=name]").fill("张院长")
    form.locator("[name=institution]").select_option(str(world.hospital_a.pk))
    form.get_by_role("button", name="添加参会人员").click()
    expect(page.get_by_test_id("coverage")).to_contain_text("三级甲等")
    page.get_by_test_id("agenda-form").locator("[name=proposal]").fill(
        "三级医院系数 1.05 调为 1.03"
    )
    page.get_by_role("button", name="添加议题").click()
    item = page.get_by_test_id("agenda-item-1")
    item.locator("[name=participant]").select_option(label="张院长（甲医院）")
    item.locator("[name=stance]").select_option("object")
    item.locator("[name=statement]").fill("降幅过大")
    item.get_by_role("button", name="记录意见").click()
    item = page.get_by_test_id("agenda-item-1")
    item.locator("[name=status]").select_option("agreed")
    item.locator("[name=outcome]").fill("三级医院系数调为 1.04")
    item.get_by_role("button", name="保存结论").click()
    expect(page.get_by_test_id("agenda-status")).to_have_text("达成一致")
    expect(page.get_by_test_id("positions")).to_contain_text("张院长（甲医院）：反对（降幅过大）")
    screenshot(page, "disputes-meeting-officer")
    logout(page)

    login(page, world.user_a.username)
    page.goto(reverse("disputes:meeting_list"))
    page.get_by_test_id("meeting-list").get_by_role("link", name="2025年度DIP协商会").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("三级医院系数调为 1.04")
    expect(page.get_by_test_id("agenda-form")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_test_id("minutes").click()
    assert (
        openpyxl.load_workbook(BytesIO(download.value.path().read_bytes()))["议题"]["F4"].value
        == "三级医院系数调为 1.04"
    )
    screenshot(page, "disputes-meeting-hospital")
    logout(page)
