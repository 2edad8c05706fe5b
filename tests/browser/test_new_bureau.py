"""The new-bureau path in real headless Chromium (tests/browser/support.py), through the pages only:
the bureau admin creates an officer and an expert on 账号管理; the officer, forced to change the initial
password at the first login, imports the institution register (定点医疗机构名录); the admin creates the
hospital accounts in bulk from the downloaded template; the officer runs a month and publishes it (公示);
one hospital confirms, one objects, and the bureau's answers page shows one confirmed, one objected and
the third still pending. Setup (a region with cases, budget, parameters and a catalog) is the demo
generator's. Screenshots go to var/screenshots/."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalogs.models import Institution, InstitutionState
from demo.services import demo_generate
from settlement.publication.models import StatementResponse
from settlement.runs.models import RunInstitution, SettlementRun
from tests.browser.support import Page, expect, login, logout, screenshot
from tests.settlement.runs.conftest import YEAR
from tests.settlement.runs.test_browser import JOB_TIMEOUT_MS, start_monthly_run
from tests.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_CODE = "H37089900001"


@pytest.fixture
def bureau() -> dict:
    """The demo region (cases, budget, parameters, a published catalog) with its admin, and three of its
    hospitals that have no portal account yet."""
    demo_generate(actor="测试", years=2, cases_per_year=1500, end_year=YEAR, months_settled=False)
    admin = get_user_model().objects.get(username="admin")
    admin.set_password(PASSWORD)
    admin.save(update_fields=["password"])
    hospital = get_user_model().objects.get(username="hospital")
    hospitals = list(
        Institution.objects.filter(level__in=["3A", "3"])
        .exclude(pk=hospital.institution_id)
        .order_by("code")[:3]
    )
    return {"admin": admin, "hospitals": hospitals, "region": hospitals[0].region}


def first_sign_in(page: Page, username: str, initial: str) -> None:
    """A new account's first login: every page sends it to 修改密码 until it sets its own password."""
    login(page, username, initial)
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    page.get_by_test_id("sidebar").get_by_role("link", name="首页").click()
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()  # still held there
    page.fill("#id_old_password", initial)
    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_text("密码已修改，以后请使用新密码登录。")).to_be_visible()
    expect(
        page.get_by_test_id("dashboard-title")
    ).to_be_visible()  # back home, not on the token page
    assert not get_user_model().objects.get(username=username).must_change_password


def create_account(page: Page, username: str, role: str, **extra: str) -> str:
    """Create one account on 账号管理 → 新建账号 and return its one-time initial password."""
    page.get_by_test_id("sidebar").get_by_role("link", name="账号管理").click()
    page.get_by_test_id("user-create-link").click()
    page.fill("#id_username", username)
    page.fill("#id_display_name", f"新{username}")
    page.select_option("#id_role", role)
    for field, value in extra.items():
        page.select_option(f"#id_{field}", value)
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_role("heading", name="账号已创建")).to_be_visible()
    return page.get_by_test_id("password").inner_text()


def register_sheet(hospitals: list[Institution], region_code: str) -> bytes:
    """The register as a bureau receives it: the three hospitals with their agreement period (协议期) from
    2024, and a new clinic."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "定点医药机构编码",
            "机构名称",
            "统筹区编码",
            "医院等级",
            "机构类别",
            "基层医疗机构",
            "医共体牵头机构编码",
            "协议期起",
            "协议期止",
            "生效日期",
        ]
    )
    for institution in hospitals:
        lead = institution.consortium_lead.code if institution.consortium_lead else ""
        sheet.append(
            [
                institution.code,
                institution.name,
                region_code,
                institution.get_level_display(),
                institution.get_type_display(),
                "是" if institution.is_grassroots else "否",
                lead,
                "2024-01-01",
                "2026-12-31",
                "2024-01-01",
            ]
        )
    sheet.append(
        [
            NEW_CODE,
            "新开诊所",
            region_code,
            "0",
            "general",
            "否",
            "",
            "2024-06-01",
            "2027-05-31",
            "2024-06-01",
        ]
    )
    stream = BytesIO()
    book.save(stream)
    return stream.getvalue()


def accounts_sheet(page: Page, hospitals: list[Institution]) -> bytes:
    """The downloaded template, its sample row replaced by one row per hospital."""
    with page.expect_download() as download:
        page.get_by_test_id("user-import-template").click()
    book = openpyxl.load_workbook(BytesIO(download.value.path().read_bytes()))
    sheet = book.active
    assert [cell.value for cell in sheet[1]][:2] == ["机构编码", "姓名"]
    sheet.delete_rows(2, sheet.max_row)
    for number, institution in enumerate(hospitals, start=1):
        sheet.append(
            [
                institution.code,
                f"医保办{number}",
                f"1380000000{number}",
                f"yb{number}@example.cn",
                "",
            ]
        )
    stream = BytesIO()
    book.save(stream)
    return stream.getvalue()


def one_time_passwords(page: Page) -> dict[str, str]:
    rows = page.get_by_test_id("one-time-passwords").locator("tbody tr")
    return {
        rows.nth(i).locator("td").first.inner_text(): rows.nth(i)
        .get_by_test_id("password")
        .inner_text()
        for i in range(rows.count())
    }


def test_a_new_bureau_sets_up_accounts_and_register_runs_publishes_and_hospitals_answer(
    page: Page, bureau
):
    hospitals = bureau["hospitals"]
    codes = [institution.code for institution in hospitals]

    # 1. The bureau admin creates an officer and an expert on 账号管理.
    login(page, "admin")
    officer_password = create_account(page, "jingban", "bureau_officer")
    expert_password = create_account(page, "zhuanjia", "expert", specialty="internal")
    assert officer_password != expert_password
    assert get_user_model().objects.get(username="zhuanjia").expert_profile.specialty == "internal"
    page.get_by_test_id("sidebar").get_by_role("link", name="账号管理").click()
    listing = page.get_by_test_id("user-list")
    expect(listing.locator("tr", has_text="jingban")).to_contain_text("经办人员")
    expect(listing.locator("tr", has_text="zhuanjia")).to_contain_text("待改密码")
    screenshot(page, "new-bureau-accounts")
    logout(page)

    # 2. The officer's first login forces a new password; then the officer imports the register.
    first_sign_in(page, "jingban", officer_password)
    page.get_by_test_id("sidebar").get_by_role("link", name="目录与机构").click()
    page.get_by_role("link", name="定点医疗机构").click()
    page.get_by_role("link", name="名录导入导出").click()
    with page.expect_download() as export:  # the officer's region is preselected
        page.get_by_test_id("register-export").get_by_role("button", name="导出 Excel").click()
    assert export.value.suggested_filename.startswith(f"定点医疗机构名录_{bureau['region'].code}_")
    page.get_by_test_id("register-import").locator("input[type=file]").set_input_files(
        {
            "name": "名录.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": register_sheet(hospitals, bureau["region"].code),
        }
    )
    page.get_by_test_id("register-import").get_by_role("button", name="导入").click()
    expect(page.get_by_text("机构名录已导入：新增 1 家，变更 3 家，未变 0 家。")).to_be_visible()
    assert Institution.objects.get(code=NEW_CODE).name == "新开诊所"
    for code in codes:
        assert InstitutionState.objects.filter(
            institution__code=code, agreement_to="2026-12-31"
        ).exists()
    screenshot(page, "new-bureau-register")
    logout(page)

    # 3. The admin creates the three hospital accounts in bulk from the template.
    login(page, "admin")
    page.get_by_test_id("sidebar").get_by_role("link", name="账号管理").click()
    page.get_by_test_id("user-import-link").click()
    sheet = accounts_sheet(page, hospitals)
    page.get_by_test_id("user-import-form").locator("input[type=file]").set_input_files(
        {
            "name": "账号.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": sheet,
        }
    )
    page.get_by_test_id("user-import-form").get_by_role("button", name="导入").click()
    expect(page.get_by_role("heading", name="已导入 3 个医疗机构账号")).to_be_visible()
    passwords = one_time_passwords(page)
    assert sorted(passwords) == sorted(codes)  # the username defaults to the institution code
    for institution in hospitals:
        assert get_user_model().objects.get(username=institution.code).institution == institution
    logout(page)

    # 4. The officer runs January and publishes it (公示).
    login(page, "jingban")
    start_monthly_run(page, 1)
    expect(page.get_by_test_id("job-status")).to_have_text("已完成", timeout=JOB_TIMEOUT_MS)
    run = SettlementRun.objects.get(run_type="monthly", number=1)
    assert RunInstitution.objects.filter(run=run, institution__in=hospitals).count() == 3
    page.get_by_test_id("sidebar").get_by_role("link", name="结算运行").click()
    page.get_by_test_id("run-list").get_by_role("link", name=f"#{run.pk}", exact=True).click()
    page.get_by_test_id("run-publish").click()
    expect(page.get_by_test_id("count-pending")).to_have_text(str(run.institutions.count()))
    logout(page)

    # 5. The first hospital confirms, the second objects, the third does nothing.
    first_sign_in(page, codes[0], passwords[codes[0]])
    open_statement(page, hospitals[0])
    page.get_by_test_id("statement-confirm").click()
    expect(page.get_by_test_id("statement-answer")).to_contain_text("已确认")
    logout(page)

    first_sign_in(page, codes[1], passwords[codes[1]])
    open_statement(page, hospitals[1])
    page.get_by_test_id("statement-object-form").locator("textarea").fill(
        "一月病例分组有误，结算金额偏低。"
    )
    page.get_by_test_id("statement-object").click()
    expect(page.get_by_test_id("statement-answer")).to_contain_text("已提出异议")
    screenshot(page, "new-bureau-objection")
    logout(page)

    # 6. The bureau sees one confirmed, one objected, the third pending.
    login(page, "jingban")
    page.goto(reverse("settlement:run_detail", args=[run.pk]))
    page.get_by_test_id("run-publication").get_by_role("link", name="查看确认情况").click()
    expect(page.get_by_test_id("count-confirmed")).to_have_text("1")
    expect(page.get_by_test_id("count-objected")).to_have_text("1")
    expect(page.get_by_test_id("count-pending")).to_have_text(str(run.institutions.count() - 2))
    expect(page.get_by_test_id(f"state-{codes[0]}")).to_have_text("已确认")
    expect(page.get_by_test_id(f"state-{codes[1]}")).to_have_text("已提出异议")
    expect(page.get_by_test_id(f"state-{codes[2]}")).to_have_text("待回复")
    expect(
        page.get_by_test_id("responses")
        .locator("tr", has_text=codes[1])
        .locator("td")
        .last.locator("a")
    ).to_have_count(1)  # the dispute
    assert StatementResponse.objects.filter(publication__run=run).count() == 2
    screenshot(page, "new-bureau-responses")


def open_statement(page: Page, institution: Institution) -> None:
    """我的结算单 → the published run's statement of the own institution."""
    page.get_by_test_id("sidebar").get_by_role("link", name="我的结算单").click()
    expect(page.get_by_test_id("statement-list")).to_contain_text(f"{YEAR}年1月")
    page.get_by_test_id("statement-list").get_by_role("link", name="查看").first.click()
    expect(page.get_by_test_id("statement-institution")).to_have_text(institution.name)
