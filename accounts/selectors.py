"""Reads of the user's own account: its API tokens."""

from __future__ import annotations

from django.utils import timezone
from knox.models import AuthToken


def token_list_for_user(user):
    """The user's own API tokens that have not expired, newest first (an expired one no longer works)."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")
