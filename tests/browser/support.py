"""Shared plumbing for tests in real headless Chromium (tests/browser, tests/<app>/test_browser.py).

Chromium is the Debian package (/usr/bin/chromium), driven by Playwright's Python package; nothing
is downloaded at test time (never ``playwright install``). CJK glyphs need the ``fonts-noto-cjk``
package (.ci/run installs it). tests/conftest.py loads this module as a plugin, so the ``browser`` and
``page`` fixtures are there for every test; a test module imports the helpers it calls:

    from tests.browser.support import Page, expect, login, logout, screenshot
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import require_service
from tests.world import PASSWORD

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except (
    ImportError
):  # the dev dependency group is not installed; the browser fixture skips (fails in CI)
    Browser = Page = expect = sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an asyncio event loop in this thread, and Django then refuses ORM
    calls here (SynchronousOnlyOperation) although nothing runs concurrently: the test thread only
    prepares rows and the live server answers in its own thread. Allowed while a browser is open."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(allow_orm_beside_playwright) -> Iterator[Browser]:
    require_service("Playwright (dev dependencies)", sync_playwright is not None)
    require_service(f"Chromium at {CHROMIUM} (Debian package chromium)", CHROMIUM.exists())
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A fresh browser context (no cookies) that fails the test on any broken static asset, and on anything
    the Content-Security-Policy refused (Chromium reports each refusal on the console)."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1400, "height": 900}
    )
    broken: list[str] = []
    context.on(
        "response",
        lambda response: (
            broken.append(f"{response.status} {response.url}")
            if "/static/" in response.url and response.status >= 400
            else None
        ),
    )
    page = context.new_page()
    page.on(
        "console",
        lambda message: broken.append(message.text) if csp_refusal(message.text) else None,
    )
    yield page
    context.close()
    assert broken == []


# ReDoc's sidebar links its "Redocly" logo from the vendor's CDN; refusing that outside load is the
# policy doing its job (the portal loads nothing from the internet), not a broken page.
EXPECTED_CSP_REFUSALS = ["https://cdn.redoc.ly/"]


def csp_refusal(console_text: str) -> bool:
    return "Content Security Policy" in console_text and not any(
        url in console_text for url in EXPECTED_CSP_REFUSALS
    )


def login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form and wait for the portal shell."""
    page.goto(reverse("accounts:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("sidebar")).to_be_visible()


def logout(page: Page) -> None:
    """Log out from the home page and check that home now sends an anonymous visitor to log in."""
    page.goto(reverse("portal:home"))
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="登录医保支付方式管理平台")).to_be_visible()
    page.goto(reverse("portal:home"))
    expect(page.locator("#id_username")).to_be_visible()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
