from __future__ import annotations

import pytest

from accounts.services import token_create


@pytest.fixture
def token_headers():
    """``token_headers(user)``: request headers that authenticate as that user with a new API token."""

    def headers(user) -> dict[str, str]:
        _, key = token_create(user=user)
        return {"HTTP_AUTHORIZATION": f"Token {key}"}

    return headers
