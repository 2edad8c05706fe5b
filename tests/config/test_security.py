"""Deployment hygiene seen from outside: the API description needs a login, every page carries a
Content-Security-Policy that the templates satisfy, and authenticated answers are never cached."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from accounts.services import token_create

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\")\b)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE_ELEMENT = re.compile(r"<style\b", re.I)
APPS = [
    "accounts",
    "audit",
    "budgets",
    "catalogs",
    "config",
    "demo",
    "disputes",
    "jobs",
    "reports",
    "settlement",
]
PAGES = ["portal:home", "settlement:case_list", "api-docs", "api-redoc"]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_the_schema_refuses_anonymous_callers(world, client):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 401
    assert "paths" not in response.content.decode()


@pytest.mark.parametrize("name", ["api-docs", "api-redoc"])
def test_the_interactive_docs_send_anonymous_users_to_login(world, client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_the_schema_answers_a_token(world, client):
    _, key = token_create(user=world.user_a)
    response = client.get(reverse("api-schema"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_the_login_page_has_a_strict_content_security_policy(world, client):
    policy = directives(client.get(reverse("accounts:login")))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("name", PAGES)
def test_every_main_page_carries_the_policy(world, client_for, name):
    response = client_for(world.officer).get(reverse(name))
    assert response.status_code == 200
    assert "'unsafe-inline'" not in directives(response)["script-src"]


def test_the_swagger_page_loads_its_start_script_from_this_server(world, client_for):
    client = client_for(world.officer)
    html = client.get(reverse("api-docs")).content.decode()
    assert not INLINE_SCRIPT.search(html) and not INLINE_STYLE_ELEMENT.search(html)
    scripts = re.findall(r"<script src=\"([^\"]+)\"", html)
    started = client.get(scripts[-1].replace("&amp;", "&"))
    assert started.status_code == 200 and reverse("api-schema").encode() in started.content


def test_no_template_carries_inline_script_or_style_element():
    """script-src and style-src allow this server's files only: an inline script, handler or style
    element would be blocked by the browser, so none may exist."""
    offending = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if any(
            pattern.search(path.read_text(encoding="utf-8"))
            for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE_ELEMENT)
        )
    ]
    assert offending == []


def test_no_form_widget_carries_an_inline_handler():
    """Widgets' attrs are markup too (``forms.Select(attrs={"onchange": …})`` would be refused)."""
    handler_key = re.compile(
        r"[\"']on(change|click|submit|input|load|error|blur|focus|key[a-z]+|mouse[a-z]+)[\"']\s*:"
    )
    sources = [path for app in APPS for path in (Path(settings.BASE_DIR) / app).rglob("*.py")]
    assert [
        str(path) for path in sources if handler_key.search(path.read_text(encoding="utf-8"))
    ] == []


@pytest.mark.parametrize("name", ["portal:home", "settlement:case_list", "api:case-list"])
def test_authenticated_answers_are_not_stored(world, client_for, name):
    response = client_for(world.user_a).get(reverse(name))
    assert "no-store" in response["Cache-Control"]


def test_token_authenticated_api_answers_are_not_stored(world, client):
    _, key = token_create(user=world.user_a)
    response = client.get(reverse("api:case-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_static_files_stay_cacheable(world, client_for):
    response = client_for(world.user_a).get(static("css/portal.css"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
