"""Account administration in the portal (issue 19 item 1): one-step accounts with their role's
permissions, bulk hospital accounts, disable/enable, reset forcing a change, unlock, the password
policy, audit, and who may do it."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_create
from audit.models import AuditEvent
from catalogs.models import Institution, Region
from disputes.choices import Specialty
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def workbook(rows: list[list], header=("机构编码", "姓名", "手机", "邮箱", "用户名")) -> io.BytesIO:
    book = Workbook()
    book.active.append(list(header))
    for row in rows:
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    stream.name = "accounts.xlsx"
    return stream


def one_time_passwords(html: str) -> list[str]:
    return [unescape(p) for p in re.findall(r'data-testid="password">([^<]+)</code>', html)]


def test_a_new_officer_works_at_once_from_the_role_alone(world, client_for):
    response = client_for(world.bureau_admin).post(
        reverse("portal:user_create"),
        {"username": "officer2", "display_name": "李四", "role": Role.BUREAU_OFFICER},
    )
    [password] = one_time_passwords(response.content.decode())
    officer = User.objects.get(username="officer2")
    assert (
        officer.has_perm("settlement.view_settlementrun")
        and officer.must_change_password
        and officer.is_staff
    )
    assert officer.check_password(password)
    assert AuditEvent.objects.filter(action="user_create", object_id=str(officer.pk)).exists()


def test_a_user_saved_anywhere_gets_its_roles_permissions_and_no_others(world):
    made_elsewhere = User.objects.create_user(
        username="admin_made", password=PASSWORD, role=Role.BUREAU_OFFICER
    )
    assert made_elsewhere.has_perm("budgets.view_budget") and made_elsewhere.is_staff
    made_elsewhere.role, made_elsewhere.institution = Role.HOSPITAL, world.hospital_a
    made_elsewhere.save()
    user = User.objects.get(pk=made_elsewhere.pk)
    assert not user.has_perm("budgets.view_budget") and not user.is_staff
    assert [g.name for g in user.groups.all()] == ["医疗机构用户"]


def test_an_expert_is_entered_in_the_expert_library_in_the_same_step(world, client_for):
    client_for(world.bureau_admin).post(
        reverse("portal:user_create"),
        {
            "username": "exp2",
            "display_name": "王医生",
            "role": Role.EXPERT,
            "specialty": Specialty.CARDIOLOGY,
            "expert_institution": world.hospital_a.code,
            "title": "主任医师",
        },
    )
    expert = User.objects.get(username="exp2").expert_profile
    assert (expert.specialty, expert.institution, expert.title) == (
        Specialty.CARDIOLOGY,
        world.hospital_a,
        "主任医师",
    )
    assert AuditEvent.objects.filter(action="expert_register").exists()


def test_a_hospital_account_needs_a_known_institution(world, client_for):
    html = (
        client_for(world.bureau_admin)
        .post(
            reverse("portal:user_create"),
            {"username": "h9", "display_name": "赵", "role": Role.HOSPITAL, "institution": "H00"},
        )
        .content.decode()
    )
    assert "机构编码 H00 不存在" in html and not User.objects.filter(username="h9").exists()
    html = (
        client_for(world.bureau_admin)
        .post(
            reverse("portal:user_create"),
            {"username": "h9", "display_name": "赵", "role": Role.HOSPITAL},
        )
        .content.decode()
    )
    assert "医疗机构用户须填写所属机构编码" in html


def test_hospital_accounts_come_in_bulk_from_a_workbook(world, client_for):
    file = workbook(
        [
            [world.hospital_a.code, "甲一", "13800000001", "a1@example.cn", ""],
            [world.hospital_a.code, "甲二", "", "", ""],
            [world.hospital_b.code, "乙一", "0531-88880000", "", "yi_one"],
        ]
    )
    html = (
        client_for(world.bureau_admin)
        .post(reverse("portal:user_import"), {"file": file})
        .content.decode()
    )
    assert len(one_time_passwords(html)) == 3
    made = {
        u.username: (u.institution, u.role, u.phone)
        for u in User.objects.filter(display_name__in=["甲一", "甲二", "乙一"])
    }
    assert made == {
        world.hospital_a.code: (world.hospital_a, Role.HOSPITAL, "13800000001"),
        f"{world.hospital_a.code}-2": (world.hospital_a, Role.HOSPITAL, ""),
        "yi_one": (world.hospital_b, Role.HOSPITAL, "0531-88880000"),
    }


def test_a_bad_row_names_its_row_and_field_and_nothing_is_created(world, client_for):
    file = workbook(
        [[world.hospital_a.code, "甲一", "123", "", ""], ["H99", "", "", "not-an-email", "hosp_a"]]
    )
    html = (
        client_for(world.bureau_admin)
        .post(reverse("portal:user_import"), {"file": file})
        .content.decode()
    )
    for text in (
        "第2行 手机：手机号码格式不正确",
        "第3行 机构编码：机构编码 H99 不存在",
        "第3行 姓名：必填",
        "第3行 邮箱：邮箱格式不正确",
    ):
        assert text in html
    assert not User.objects.filter(display_name="甲一").exists()
    html = (
        client_for(world.bureau_admin)
        .post(
            reverse("portal:user_import"),
            {"file": workbook([[world.hospital_a.code, "甲一", "", "", "hosp_a"]])},
        )
        .content.decode()
    )
    assert "第2行 用户名：用户名 hosp_a 已存在" in html
    html = (
        client_for(world.bureau_admin)
        .post(reverse("portal:user_import"), {"file": workbook([["x"]], header=("名称",))})
        .content.decode()
    )
    assert "缺少列：机构编码、姓名" in html


def test_the_template_downloads_with_the_columns(world, client_for):
    response = client_for(world.bureau_admin).get(reverse("portal:user_import_template"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["机构编码", "姓名", "手机", "邮箱", "用户名"]


def test_disable_enable_reset_and_unlock_are_audited_and_take_effect(world, client_for):
    admin = client_for(world.bureau_admin)
    admin.post(reverse("portal:user_disable", args=[world.user_a.pk]))
    world.user_a.refresh_from_db()
    assert not world.user_a.is_active
    anonymous = Client()
    login = anonymous.post(reverse("accounts:login"), {"username": "hosp_a", "password": PASSWORD})
    assert (
        login.status_code == 200 and "_auth_user_id" not in anonymous.session
    )  # the form again, not signed in
    admin.post(reverse("portal:user_enable", args=[world.user_a.pk]))
    html = admin.post(
        reverse("portal:user_password_reset", args=[world.user_a.pk])
    ).content.decode()
    [password] = one_time_passwords(html)
    world.user_a.refresh_from_db()
    assert world.user_a.must_change_password and world.user_a.check_password(password)
    AccessAttempt.objects.create(
        username="hosp_a",
        ip_address="10.0.0.1",
        user_agent="t",
        failures_since_start=9,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
    )
    html = admin.get(reverse("portal:user_detail", args=[world.user_a.pk])).content.decode()
    assert "已锁定" in html
    admin.post(reverse("portal:user_unlock", args=[world.user_a.pk]))
    assert not AccessAttempt.objects.filter(username="hosp_a").exists()
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(world.user_a.pk), object_type="accounts.user"
        ).values_list("action", flat=True)
    )
    assert {"user_disable", "user_enable", "password_reset", "user_unlock"} <= actions


def test_an_admin_cannot_disable_themselves(world, client_for):
    client_for(world.bureau_admin).post(
        reverse("portal:user_disable", args=[world.bureau_admin.pk])
    )
    world.bureau_admin.refresh_from_db()
    assert world.bureau_admin.is_active


def test_only_the_bureau_admin_manages_accounts(world, client, client_for):
    urls = [
        reverse("portal:user_list"),
        reverse("portal:user_create"),
        reverse("portal:user_import"),
        reverse("portal:user_detail", args=[world.user_b.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    for user in (world.officer, world.expert, world.user_a):
        for url in urls:
            assert client_for(user).get(url).status_code == 403
        assert (
            client_for(user)
            .post(reverse("portal:user_password_reset", args=[world.user_b.pk]))
            .status_code
            == 403
        )
    world.user_b.refresh_from_db()
    assert not world.user_b.must_change_password


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1A!", "10"),
        ("alllowercaseletters", "至少包含以下3类字符"),
        ("Abcdefghijkl", "至少包含以下3类字符"),
    ],
)
def test_the_password_policy_refuses_weak_passwords(world, password, message):
    with pytest.raises(ValidationError, match=message):
        validate_password(password, user=world.user_a)


def test_the_password_policy_refuses_the_last_passwords(world, client_for):
    client_for(world.bureau_admin).post(
        reverse("portal:user_password_reset", args=[world.user_a.pk])
    )
    world.user_a.refresh_from_db()
    with pytest.raises(ValidationError, match="最近5次"):
        validate_password(PASSWORD, user=world.user_a)  # the one before the reset
    validate_password("Another-good-2025", user=world.user_a)


def test_a_reset_user_reaches_only_the_password_page_until_the_password_is_changed(
    world, client_for
):
    client_for(world.bureau_admin).post(
        reverse("portal:user_password_reset", args=[world.user_a.pk])
    )
    world.user_a.refresh_from_db()
    client = Client()
    client.force_login(world.user_a)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and response.url == reverse("accounts:password_change")
    api = client.get("/api/v1/me/")
    assert api.status_code == 403 and "请先修改密码" in api.json()["detail"]
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "wrong",
            "new_password1": "Brand-new-2025!",
            "new_password2": "Brand-new-2025!",
        },
    )
    world.user_a.refresh_from_db()
    assert world.user_a.must_change_password  # the old password was wrong: nothing changed


def test_a_forced_change_is_satisfied_by_the_password_page_and_the_old_password_is_remembered(
    world, client_for
):
    user = world.user_a
    html = (
        client_for(world.bureau_admin)
        .post(reverse("portal:user_password_reset", args=[user.pk]))
        .content.decode()
    )
    [password] = one_time_passwords(html)
    user.refresh_from_db()
    client = Client()
    client.force_login(user)
    token = Client().post("/api/v1/auth/token/", {"username": user.username, "password": password})
    assert token.status_code == 403 and "请先登录平台页面修改密码" in token.json()["detail"]
    reused = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert "最近5次" in reused.content.decode()
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": "Brand-new-2025!",
            "new_password2": "Brand-new-2025!",
        },
    )
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Brand-new-2025!")
    assert client.get(reverse("portal:home")).status_code == 200
    assert user.password_history.count() == 2  # the original and the reset one


def test_after_a_forced_change_the_user_lands_on_the_home_page_and_later_changes_on_the_token_page(
    world, client_for
):
    user = world.user_a
    html = (
        client_for(world.bureau_admin)
        .post(reverse("portal:user_password_reset", args=[user.pk]))
        .content.decode()
    )
    [password] = one_time_passwords(html)
    user.refresh_from_db()
    client = Client()
    client.force_login(user)
    first = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": "Brand-new-2025!",
            "new_password2": "Brand-new-2025!",
        },
        follow=True,
    )
    assert first.redirect_chain == [(reverse("portal:home"), 302)]
    assert (
        "密码已修改，以后请使用新密码登录。" in first.content.decode()
        and "接口令牌已撤销" not in first.content.decode()
    )
    later = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Brand-new-2025!",
            "new_password1": "Newer-pass-2026#",
            "new_password2": "Newer-pass-2026#",
        },
        follow=True,
    )
    assert (
        later.redirect_chain == [(reverse("accounts:token_list"), 302)]
        and "接口令牌已撤销" in later.content.decode()
    )


def test_an_admin_manages_the_accounts_of_its_own_regions_only(world, client_for):
    other = Region.objects.create(code="370900", name="乙统筹区")
    stranger_hospital = Institution.objects.create(
        region=other, code="H37090200001", name="丙医院", level="3A", type="general"
    )
    stranger = user_create(
        actor=None,
        username="b_officer",
        password=PASSWORD,
        role=Role.BUREAU_OFFICER,
        regions=[other],
    )
    stranger_user = user_create(
        actor=None,
        username="b_hosp",
        password=PASSWORD,
        role=Role.HOSPITAL,
        institution=stranger_hospital,
    )
    client = client_for(world.bureau_admin)
    listed = {
        user.username
        for user in client.get(reverse("portal:user_list")).context["page"].object_list
    }
    assert {world.officer.username, world.user_a.username, world.bureau_admin.username} <= listed
    assert listed.isdisjoint({"b_officer", "b_hosp"})
    for account in (stranger, stranger_user):
        assert client.get(reverse("portal:user_detail", args=[account.pk])).status_code == 404
        assert client.post(reverse("portal:user_disable", args=[account.pk])).status_code == 404
        account.refresh_from_db()
        assert account.is_active
    world.bureau_admin.province_wide = True
    world.bureau_admin.save(update_fields=["province_wide"])
    assert client.get(reverse("portal:user_detail", args=[stranger.pk])).status_code == 200


def test_an_admin_cannot_open_accounts_for_an_institution_of_another_region(world, client_for):
    other = Region.objects.create(code="370900", name="乙统筹区")
    Institution.objects.create(
        region=other, code="H37090200001", name="丙医院", level="3A", type="general"
    )
    client = client_for(world.bureau_admin)
    page = client.post(
        reverse("portal:user_create"),
        {
            "username": "c_hosp",
            "display_name": "丙",
            "role": Role.HOSPITAL,
            "institution": "H37090200001",
        },
    )
    assert "不在您管理的统筹区内" in unescape(page.content.decode())
    upload = workbook([["H37090200001", "丙医院用户", "13800000000", "c@example.com", "c_bulk"]])
    page = client.post(reverse("portal:user_import"), {"file": upload})
    assert "不在您管理的统筹区内" in unescape(page.content.decode())
    assert not User.objects.filter(username__in=["c_hosp", "c_bulk"]).exists()
