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


def postgres_only(connection) -> None:
    require_service("PostgreSQL database (DATABASE_URL=postgres://...)", connection.vendor == "postgresql")
