from __future__ import annotations

import os

import pytest

from tests.world import World, world_create

pytest_plugins = ["tests.browser.support"]  # the browser and page fixtures


@pytest.fixture
def world(db) -> World:
    return world_create()


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


def require_service(name: str, available: bool) -> None:
    """Skip a test whose real service is missing on a developer machine; in CI a missing service fails."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI: {name} is required but not available")
    pytest.skip(f"{name} not available")


_current_test: pytest.Item | None = None


@pytest.fixture(autouse=True)
def _remember_current_test(request):
    global _current_test
    _current_test = request.node
    yield
    _current_test = None


def postgres_only(connection) -> None:
    """Skip (fail in CI) unless on PostgreSQL. The test must carry ``@pytest.mark.postgres``: the SQLite
    pass of ``run.py test`` deselects by that marker, and in CI an unmarked PostgreSQL test would fail there."""
    if _current_test is not None and _current_test.get_closest_marker("postgres") is None:
        pytest.fail("A test that calls postgres_only() must be marked @pytest.mark.postgres.")
    require_service(
        "PostgreSQL database (DATABASE_URL=postgres://...)", connection.vendor == "postgresql"
    )
