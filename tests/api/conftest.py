from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token


@pytest.fixture
def token_headers():
    """``token_headers(user)``: request headers that authenticate as that user with an API token."""

    def headers(user) -> dict[str, str]:
        token, _ = Token.objects.get_or_create(user=user)
        return {"HTTP_AUTHORIZATION": f"Token {token.key}"}

    return headers
