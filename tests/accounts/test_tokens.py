"""API tokens (接口令牌): they expire, a user sees and revokes their own on a page, and changing or
resetting a password revokes every token of that user."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from accounts.services import token_create
from audit.models import AuditEvent
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

TOKENS = reverse("accounts:token_list")
NEW_PASSWORD = "Another-secret-2025!"


def api_me(client, key: str):
    return client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_expires_after_the_configured_time(world, client, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=2)}
    token, key = token_create(user=world.officer)
    assert abs(token.expiry - (timezone.now() + timedelta(hours=2))) < timedelta(minutes=1)
    assert api_me(client, key).status_code == 200
    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert api_me(client, key).status_code == 401


def test_the_page_lists_only_the_users_own_tokens(world, client_for):
    own, _ = token_create(user=world.user_a)
    other, _ = token_create(user=world.user_b)
    html = client_for(world.user_a).get(TOKENS).content.decode()
    assert own.token_key in html and other.token_key not in html


def test_a_token_created_on_the_page_is_shown_once_and_works(world, client, client_for):
    response = client_for(world.user_a).post(TOKENS, follow=True)
    key = response.context["new_token"]
    assert key in response.content.decode()
    assert key not in client.get(TOKENS).content.decode()
    client.logout()
    assert api_me(client, key).json()["username"] == "hosp_a"
    assert AuditEvent.objects.filter(
        action="api_token_create", object_id=str(world.user_a.pk)
    ).exists()


def test_a_user_revokes_one_token_on_the_page(world, client, client_for):
    kept, kept_key = token_create(user=world.user_a)
    revoked, revoked_key = token_create(user=world.user_a)
    client_for(world.user_a).post(reverse("accounts:token_revoke"), {"token": revoked.pk})
    client.logout()
    assert api_me(client, revoked_key).status_code == 401
    assert api_me(client, kept_key).status_code == 200
    assert AuditEvent.objects.filter(
        action="api_token_revoke", object_id=str(world.user_a.pk)
    ).exists()


def test_a_user_cannot_revoke_another_users_token(world, client_for):
    other, _ = token_create(user=world.user_b)
    response = client_for(world.user_a).post(reverse("accounts:token_revoke"), {"token": other.pk})
    assert response.status_code == 404
    assert AuthToken.objects.filter(pk=other.pk).exists()


def test_a_user_revokes_all_own_tokens_on_the_page(world, client_for):
    for _ in range(2):
        token_create(user=world.user_a)
    other, _ = token_create(user=world.user_b)
    client_for(world.user_a).post(reverse("accounts:token_revoke_all"))
    assert not AuthToken.objects.filter(user=world.user_a).exists()
    assert AuthToken.objects.filter(pk=other.pk).exists()


def test_anonymous_users_are_sent_to_login(world, client):
    response = client.get(TOKENS)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_changing_the_password_on_the_page_revokes_all_tokens(world, client, client_for):
    _, key = token_create(user=world.user_a)
    other, _ = token_create(user=world.user_b)
    response = client_for(world.user_a).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    client.logout()
    assert api_me(client, key).status_code == 401
    assert AuthToken.objects.filter(pk=other.pk).exists()
    assert AuditEvent.objects.filter(
        action="api_tokens_revoke_all", object_id=str(world.user_a.pk)
    ).exists()


def test_a_password_reset_by_the_bureau_admin_revokes_all_tokens(world, client, client_for):
    _, key = token_create(user=world.user_a)
    url = reverse("admin:auth_user_password_change", args=[world.user_a.pk])
    response = client_for(world.bureau_admin).post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 302
    client.logout()
    assert api_me(client, key).status_code == 401


@pytest.mark.parametrize(("password", "status"), [(NEW_PASSWORD, 401), (PASSWORD, 200)])
def test_a_password_set_from_the_shell_revokes_all_tokens_unless_only_rehashed(
    world, client, password, status
):
    """``manage.py changepassword`` revokes; Django re-hashing the same password at login (a stronger
    hasher) is not a change and keeps the tokens."""
    _, key = token_create(user=world.user_a)
    world.user_a.set_password(password)
    world.user_a.save()
    assert api_me(client, key).status_code == status


def test_saving_a_user_without_a_new_password_keeps_the_tokens(world, client):
    _, key = token_create(user=world.user_a)
    world.user_a.display_name = "甲医院 医保办"
    world.user_a.save()
    assert api_me(client, key).status_code == 200
