from __future__ import annotations

import pytest

from tests.world import World, world_create


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
