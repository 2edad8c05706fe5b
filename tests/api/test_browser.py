"""The vendored Swagger UI and ReDoc work in real Chromium under the Content-Security-Policy (the page
fixture fails on any refusal)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.support import expect, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_lists_the_operations(page, world):
    login(page, world.officer.username)
    page.goto(reverse("api-docs"))
    expect(page.locator(".swagger-ui .opblock-summary-path", has_text="/api/v1/me/")).to_be_visible(
        timeout=15_000
    )


def test_redoc_shows_the_api(page, world):
    login(page, world.officer.username)
    page.goto(reverse("api-redoc"))
    expect(page.get_by_role("heading", name="医保支付方式管理平台 API")).to_be_visible(
        timeout=15_000
    )
