"""Authentication of the API: anonymous and bad tokens are refused on every endpoint, tokens work,
``/me/`` describes the caller."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from tests.world import PASSWORD, case_create

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "api:me",
    "api:region-list",
    "api:institution-list",
    "api:period-list",
    "api:case-list",
    "api:job-list",
]
ERR_NOT_AUTHENTICATED = "身份认证信息未提供。"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_request_is_refused_with_401_and_a_token_challenge(world, client, name):
    response = client.get(reverse(name))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": ERR_NOT_AUTHENTICATED}


def test_anonymous_detail_request_is_refused_before_any_lookup(world, client):
    case = case_create(institution=world.hospital_a, period=world.period, setl_id="A1")
    assert client.get(reverse("api:case-detail", args=[case.pk])).status_code == 401
    assert (
        client.get(reverse("api:institution-detail", args=[world.hospital_a.code])).status_code
        == 401
    )


@pytest.mark.parametrize("name", ENDPOINTS)
def test_invalid_token_is_refused(world, client, name):
    response = client.get(
        reverse(name), HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000"
    )
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_token_authenticates_without_session(world, client, token_headers):
    response = client.get(reverse("api:me"), **token_headers(world.user_a))
    assert response.status_code == 200
    assert response.json()["username"] == "hosp_a"


def test_token_endpoint_exchanges_password_for_token(world, client):
    response = client.post(reverse("api:token"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {token}")
    assert me.json()["username"] == "officer"


def test_token_endpoint_with_wrong_password_answers_error_shape(world, client):
    response = client.post(reverse("api:token"), {"username": "officer", "password": "wrong"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "non_field_errors" in body["errors"]


def test_me_describes_hospital_user_with_institution(world, client_for):
    body = client_for(world.user_a).get(reverse("api:me")).json()
    assert body == {
        "username": "hosp_a",
        "display_name": "hosp_a",
        "role": {"code": "hospital", "label": "医疗机构用户"},
        "institution": {"code": "H37080200001", "name": "甲医院"},
    }


def test_me_of_bureau_officer_has_no_institution(world, client_for):
    body = client_for(world.officer).get(reverse("api:me")).json()
    assert body["role"] == {"code": "bureau_officer", "label": "经办人员"}
    assert body["institution"] is None


def test_token_endpoint_locks_out_after_repeated_wrong_passwords(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("api:token"), {"username": "officer", "password": "wrong"})
    response = client.post(reverse("api:token"), {"username": "officer", "password": PASSWORD})
    # Axes refuses the right password too; the answer does not say whether the password was right.
    assert response.status_code == 400
    assert "token" not in response.json()


def test_token_endpoint_answers_when_the_token_expires(world, client, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(days=3)}
    body = client.post(reverse("api:token"), {"username": "officer", "password": PASSWORD}).json()
    expiry = datetime.fromisoformat(body["expiry"])
    assert abs(expiry - (timezone.now() + timedelta(days=3))) < timedelta(minutes=1)


def test_deleting_the_token_revokes_the_calling_token_only(world, client):
    first, second = (
        client.post(reverse("api:token"), {"username": "officer", "password": PASSWORD}).json()[
            "token"
        ]
        for _ in range(2)
    )
    assert (
        client.delete(reverse("api:token"), HTTP_AUTHORIZATION=f"Token {first}").status_code == 204
    )
    assert client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {first}").status_code == 401
    assert client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {second}").status_code == 200


def test_deleting_the_tokens_revokes_every_token_of_the_caller(world, client, token_headers):
    first, second = (
        client.post(reverse("api:token"), {"username": "officer", "password": PASSWORD}).json()[
            "token"
        ]
        for _ in range(2)
    )
    other = token_headers(world.user_a)
    assert (
        client.delete(reverse("api:tokens"), HTTP_AUTHORIZATION=f"Token {first}").status_code == 204
    )
    for key in (first, second):
        assert client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert client.get(reverse("api:me"), **other).status_code == 200


def test_an_expired_token_is_refused_in_chinese(world, client, token_headers):
    headers = token_headers(world.user_a)
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("api:me"), **headers)
    assert response.status_code == 401
    assert CHINESE.search(response.json()["detail"])
