from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
HOME = reverse("portal:home")
IP_1, IP_2 = "10.20.0.1", "10.20.0.2"
WRONG = "not-the-password"


def login(username: str, password: str = PASSWORD, *, ip: str = IP_1, client: Client | None = None):
    return (client or Client()).post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response.url == HOME


def lock_out(username: str, *, ip: str = IP_1):
    """Fail ``AXES_FAILURE_LIMIT`` times; the last answer is the lockout page."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(username, WRONG, ip=ip)
    return response


def dashboard_title(response) -> str:
    match = re.search(
        r'data-testid="dashboard-title">\s*(.*?)\s*</h1>', response.content.decode(), re.S
    )
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    ("who", "title"),
    [
        ("bureau_admin", "经办机构工作台"),
        ("officer", "经办机构工作台"),
        ("expert", "专家工作台"),
        ("user_a", "甲医院 工作台"),
    ],
)
def test_each_role_logs_in_to_its_dashboard(world, who, title):
    client = Client()
    response = client.post(
        LOGIN, {"username": getattr(world, who).username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain == [(HOME, 302)]
    assert dashboard_title(response) == title


def test_a_wrong_password_shows_the_chinese_error_and_no_session(world):
    client = Client()
    response = login("hosp_a", WRONG, client=client)
    assert response.status_code == 200 and "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_by_post_ends_the_session(world):
    client = Client()
    assert logged_in(login("hosp_a", client=client))
    assert client.get(reverse("accounts:logout")).status_code == 405  # a link cannot log anyone out
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == LOGIN
    assert client.get(HOME).status_code == 302


def test_five_failures_lock_that_username_from_that_address_even_with_the_right_password(world):
    assert lock_out("hosp_a").status_code == 429
    client = Client()
    response = login("hosp_a", client=client)
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login("hosp_a", WRONG)
    assert logged_in(login("hosp_a"))


def test_lockout_spares_the_same_user_elsewhere_and_colleagues_behind_the_same_nat(world):
    lock_out("hosp_a", ip=IP_1)
    assert logged_in(login("hosp_a", ip=IP_2))
    assert logged_in(login("hosp_b", ip=IP_1))
    assert login("hosp_a", ip=IP_1).status_code == 429


def test_lockout_page_is_chinese_and_says_when_to_retry(world):
    body = lock_out("hosp_a").content.decode()
    assert "登录已暂时锁定" in body and "hosp_a" in body
    assert re.search(r"请于 15 分钟后（\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} 之后）重试", body)
    assert "PT15M" not in body


def test_login_works_again_after_the_cool_off(world):
    lock_out("hosp_a")
    cool_off = settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - cool_off + timedelta(minutes=1))
    assert login("hosp_a").status_code == 429  # still inside the cool-off; this attempt restarts it

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - cool_off - timedelta(seconds=1))
    assert logged_in(login("hosp_a"))


def test_failures_and_lockouts_are_visible_in_the_admin(world):
    lock_out("hosp_a")
    admin = Client()
    admin.force_login(world.bureau_admin)
    body = admin.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "hosp_a" in body and IP_1 in body


def test_session_lasts_one_working_day(world):
    client = Client()
    login("hosp_a", client=client)
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert client.session.get_expiry_age() == 8 * 60 * 60
    stored = Session.objects.get(session_key=client.session.session_key)
    assert abs(stored.expire_date - (timezone.now() + timedelta(hours=8))) < timedelta(minutes=1)
    assert (
        client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""
    )  # and it ends with the browser

    Session.objects.filter(pk=stored.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(HOME)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_login_and_logout_are_audited_with_the_address(world):
    client = Client()
    login("hosp_a", ip=IP_2, client=client)
    client.post(reverse("accounts:logout"), REMOTE_ADDR=IP_2)

    events = AuditEvent.objects.filter(
        object_id=str(world.user_a.pk), action__in=["login", "logout"]
    ).order_by("id")
    assert [(e.action, e.actor) for e in events] == [
        ("login", world.user_a),
        ("logout", world.user_a),
    ]
    assert IP_2 in events[0].message
    assert all(e.request_id for e in events)


def test_failures_and_lockout_are_audited_without_the_password(world):
    lock_out("hosp_a")
    failed = AuditEvent.objects.filter(action="login_failed")
    assert failed.count() == settings.AXES_FAILURE_LIMIT
    assert {(e.actor_id, e.actor_name, e.object_id) for e in failed} == {
        (None, "hosp_a", str(world.user_a.pk))
    }
    locked = AuditEvent.objects.get(action="login_locked_out")
    assert "hosp_a" in locked.message and IP_1 in locked.message
    recorded = [str([e.before, e.after, e.message]) for e in AuditEvent.objects.all()]
    assert not any(WRONG in text or PASSWORD in text for text in recorded)


def test_failure_for_an_unknown_username_is_audited_without_an_object_id(world):
    login("nobody", WRONG)
    event = AuditEvent.objects.get(action="login_failed")
    assert (event.actor_name, event.object_type, event.object_id) == ("nobody", "accounts.user", "")


def test_officers_review_findings_but_never_read_the_audit_trail(world):
    officer, admin = world.officer, world.bureau_admin
    assert officer.has_perm("supervision.review_finding") and officer.has_perm(
        "supervision.approve_ruleset"
    )
    assert officer.has_perm("supervision.view_finding")
    assert not officer.has_perm("audit.view_auditevent") and admin.has_perm("audit.view_auditevent")
    assert not any(
        officer.has_perm(f"audit.{verb}_auditevent") for verb in ("add", "change", "delete")
    )
    assert not world.user_a.has_perm("supervision.review_finding") and not world.expert.has_perm(
        "supervision.view_finding"
    )
