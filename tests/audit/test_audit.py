from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_create
from audit.forms import ERR_DATE_RANGE
from audit.middleware import RequestIdMiddleware
from audit.models import AuditEvent
from audit.services import audit_record
from catalogs.models import Institution
from tests.conftest import postgres_only
from tests.world import PASSWORD, TZ

pytestmark = pytest.mark.django_db

EVENT_LIST = reverse("audit:event_list")


def event_at(when: datetime, *, actor=None, action: str = "test_action", **fields) -> AuditEvent:
    """An event as if written at ``when`` (``created_at`` is set by the database row's insert)."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        return audit_record(actor=actor, action=action, **fields)


def admin_form_data(instance, **changes) -> dict:
    data = {key: ("" if value is None else value) for key, value in model_to_dict(instance).items()}
    return {**data, **changes, "_save": "保存"}


# --- written with the change -------------------------------------------------------------------


def test_user_create_records_its_event_with_the_request_id_of_the_request(world):
    def view(request):
        user_create(
            actor=request.user, username="newbie", password=PASSWORD, role=Role.BUREAU_OFFICER
        )
        return HttpResponse("ok")

    request = RequestFactory().post("/", HTTP_X_REQUEST_ID="req-0123456789")
    request.user = world.bureau_admin
    response = RequestIdMiddleware(view)(request)

    event = AuditEvent.objects.get(
        action="user_create", object_id=str(User.objects.get(username="newbie").pk)
    )
    assert response["X-Request-ID"] == "req-0123456789"
    assert event.request_id == "req-0123456789"
    assert event.actor == world.bureau_admin
    assert event.before is None
    assert event.after["username"] == "newbie" and event.after["role"] == Role.BUREAU_OFFICER
    assert "password" not in event.after


def test_middleware_binds_a_fresh_id_and_echoes_it(client):
    first = client.get(reverse("accounts:login"))["X-Request-ID"]
    second = client.get(reverse("accounts:login"))["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_middleware_keeps_a_well_formed_caller_id_and_replaces_a_malformed_one(client):
    assert (
        client.get(reverse("accounts:login"), HTTP_X_REQUEST_ID="trace-42-abcdef")["X-Request-ID"]
        == "trace-42-abcdef"
    )
    replaced = client.get(reverse("accounts:login"), HTTP_X_REQUEST_ID="bad id <script>")[
        "X-Request-ID"
    ]
    assert replaced != "bad id <script>" and len(replaced) == 32


def test_audit_record_refuses_to_run_outside_a_transaction(transactional_db):
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="orphan", object_type="tests.nothing")
    assert not AuditEvent.objects.exists()


def test_admin_change_records_before_and_after_of_the_changed_field(world, client_for):
    client = client_for(world.bureau_admin)
    url = reverse("admin:catalogs_institution_change", args=[world.hospital_a.pk])
    response = client.post(
        url,
        admin_form_data(world.hospital_a, name="甲医院（新院区）"),
        HTTP_X_REQUEST_ID="admin-change-01",
    )

    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    event = AuditEvent.objects.get(action="admin_change")
    assert (event.object_type, event.object_id) == (
        "catalogs.institution",
        str(world.hospital_a.pk),
    )
    assert event.actor == world.bureau_admin and event.request_id == "admin-change-01"
    assert event.before["name"] == "甲医院" and event.after["name"] == "甲医院（新院区）"
    changed = [change for change in event.changes if change.changed]
    assert [(c.key, c.label, c.before, c.after) for c in changed] == [
        ("name", "机构名称", "甲医院", "甲医院（新院区）")
    ]


def test_admin_delete_records_the_deleted_row(world, client_for):
    doomed = Institution.objects.create(
        region=world.region, code="H37080200099", name="待撤销医院", level="1", type="general"
    )
    response = client_for(world.bureau_admin).post(
        reverse("admin:catalogs_institution_delete", args=[doomed.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Institution.objects.filter(pk=doomed.pk).exists()
    event = AuditEvent.objects.get(action="admin_delete")
    assert (
        event.object_id == str(doomed.pk)
        and event.before["code"] == "H37080200099"
        and event.after is None
    )


def test_admin_password_change_is_audited_without_the_password(world, client_for):
    url = reverse("admin:auth_user_password_change", args=[world.officer.pk])
    new_password = "Another-pass-2025!"
    response = client_for(world.bureau_admin).post(
        url, {"password1": new_password, "password2": new_password, "usable_password": "true"}
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin_password_change")
    assert event.object_id == str(world.officer.pk) and event.actor == world.bureau_admin
    assert new_password not in str([event.before, event.after, event.message])


# --- nothing edits or deletes an event ---------------------------------------------------------


def test_orm_cannot_update_or_delete_an_event(world):
    event = AuditEvent.objects.filter(action="user_create").first()
    event.message = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(message="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).message == ""


def test_database_rejects_raw_update_of_an_event(world):
    """On both databases: the trigger of migration audit 0002 (a table rebuild on SQLite would drop it)."""
    event = AuditEvent.objects.filter(action="user_create").first()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditevent SET message = 'rewritten' WHERE id = %s", [event.pk]
        )
    assert AuditEvent.objects.get(pk=event.pk).message == ""


@pytest.mark.postgres
def test_postgresql_rejects_raw_delete_of_an_event(world):
    postgres_only(connection)
    count = AuditEvent.objects.count()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == count


def test_the_test_database_flush_still_empties_the_trail(transactional_db):
    """Transactional tests are emptied with TRUNCATE (PostgreSQL) or DELETE (SQLite); the triggers allow both."""
    with transaction.atomic():
        audit_record(actor=None, action="flush_probe", object_type="tests.probe")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()


def test_admin_site_offers_no_add_change_or_delete_of_events(world, client_for):
    superuser = User.objects.create_superuser(
        username="root", password=PASSWORD, role=Role.BUREAU_ADMIN
    )
    event = AuditEvent.objects.first()
    for user in (world.bureau_admin, superuser):
        client = client_for(user)
        changelist = client.get(reverse("admin:audit_auditevent_changelist"))
        assert changelist.status_code == 200
        assert "delete_selected" not in changelist.content.decode()
        assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
        assert (
            client.post(
                reverse("admin:audit_auditevent_change", args=[event.pk]), {"message": "x"}
            ).status_code
            == 403
        )
        assert (
            client.get(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
        )
        assert (
            b'name="_save"'
            not in client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).content
        )
    assert AuditEvent.objects.get(pk=event.pk).message == event.message


# --- the audit page ----------------------------------------------------------------------------


def rows(response) -> list[AuditEvent]:
    return list(response.context["page"])


def test_page_filters_by_action(world, client_for):
    audit_record(
        actor=world.officer, action="budget_approve", object_type="budgets.budget", object_id="7"
    )
    response = client_for(world.bureau_admin).get(EVENT_LIST, {"action": "budget_approve"})
    assert response.status_code == 200
    assert [e.action for e in rows(response)] == ["budget_approve"]


def test_page_filters_by_user_name(world, client_for):
    audit_record(
        actor=world.officer, action="budget_approve", object_type="budgets.budget", object_id="7"
    )
    audit_record(
        actor=world.expert, action="review_submit", object_type="disputes.review", object_id="3"
    )
    response = client_for(world.bureau_admin).get(EVENT_LIST, {"actor": "offi"})
    assert {e.actor for e in rows(response)} == {world.officer}


def test_page_filters_by_object_type_and_id(world, client_for):
    audit_record(
        actor=world.officer, action="budget_approve", object_type="budgets.budget", object_id="7"
    )
    audit_record(
        actor=world.officer, action="budget_approve", object_type="budgets.budget", object_id="8"
    )
    response = client_for(world.bureau_admin).get(
        EVENT_LIST, {"object_type": "budgets.budget", "object_id": "8"}
    )
    assert [(e.object_type, e.object_id) for e in rows(response)] == [("budgets.budget", "8")]


def test_page_filters_by_date_range_in_local_days(world, client_for):
    event_at(datetime(2024, 2, 29, 23, 59, tzinfo=TZ), object_type="t.t", object_id="before")
    event_at(datetime(2024, 3, 1, 0, 0, tzinfo=TZ), object_type="t.t", object_id="first")
    event_at(datetime(2024, 3, 31, 23, 59, tzinfo=TZ), object_type="t.t", object_id="last")
    event_at(datetime(2024, 4, 1, 0, 0, tzinfo=TZ), object_type="t.t", object_id="after")
    response = client_for(world.bureau_admin).get(
        EVENT_LIST, {"date_from": "2024年3月1日", "date_to": "2024-03-31"}
    )
    assert [e.object_id for e in rows(response)] == ["last", "first"]


def test_page_rejects_a_reversed_date_range_and_shows_nothing(world, client_for):
    response = client_for(world.bureau_admin).get(
        EVENT_LIST, {"date_from": "2024-03-31", "date_to": "2024-03-01"}
    )
    assert ERR_DATE_RANGE in response.content.decode()
    assert rows(response) == []


def test_page_walks_the_trail_newest_first_by_keyset_in_bounded_queries(
    world, client_for, django_assert_max_num_queries
):
    start = datetime(2024, 3, 1, 8, 0, tzinfo=TZ)
    for minute in range(110):  # the last ten share one time: the id breaks the tie
        event_at(
            start + timedelta(minutes=min(minute, 100)),
            action="bulk",
            object_type="t.t",
            object_id=str(minute),
        )
    client, seen, query = client_for(world.bureau_admin), [], {"action": "bulk"}
    while True:
        with django_assert_max_num_queries(10):
            response = client.get(EVENT_LIST, query)
        seen.append([e.object_id for e in rows(response)])
        assert "共 110 条" in response.content.decode()
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
        assert f"action=bulk&amp;cursor={cursor}" in response.content.decode()
        query = {"action": "bulk", "cursor": cursor}
    assert [len(page) for page in seen] == [50, 50, 10]
    assert sum(seen, []) == [str(m) for m in range(109, -1, -1)]
    back = client.get(EVENT_LIST, {"cursor": response.context["page"].previous_cursor})
    assert [e.object_id for e in rows(back)] == seen[1]


def test_page_says_a_bad_cursor_and_shows_the_first_page(world, client_for):
    audit_record(actor=world.officer, action="bulk", object_type="t.t", object_id="1")
    response = client_for(world.bureau_admin).get(EVENT_LIST, {"cursor": "bad"})
    assert "翻页游标无效" in response.content.decode() and len(rows(response)) >= 1


def test_page_highlights_only_the_changed_fields(world, client_for):
    before = {"name": "甲医院", "level": "3A", "code": "H37080200001"}
    audit_record(
        actor=world.bureau_admin,
        action="admin_change",
        instance=world.hospital_a,
        before=before,
        after={**before, "name": "甲医院（新院区）"},
    )
    body = (
        client_for(world.bureau_admin).get(EVENT_LIST, {"action": "admin_change"}).content.decode()
    )
    assert body.count('data-testid="changed-field"') == 1
    assert (
        "机构名称" in body and "<del>甲医院</del>" in body and "<ins>甲医院（新院区）</ins>" in body
    )
    assert "未变更字段（2）" in body


@pytest.mark.parametrize("who", ["officer", "expert", "user_a"])
def test_page_is_forbidden_to_everyone_but_the_bureau_admin(world, client_for, who):
    assert client_for(getattr(world, who)).get(EVENT_LIST).status_code == 403


def test_page_sends_anonymous_visitors_to_login(client):
    response = client.get(EVENT_LIST)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
