"""Signal receivers that put logins, logouts, failed logins and lockouts on the audit trail."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from accounts.services import ACTION_LOCKED_OUT, ACTION_LOGIN, ACTION_LOGIN_FAILED, ACTION_LOGOUT, auth_event_record


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    auth_event_record(action=ACTION_LOGIN, request=request, user=user)


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:  # logging out without a session changes nothing
        auth_event_record(action=ACTION_LOGOUT, request=request, user=user)


def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in ``credentials``; only the username is read.
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")
    auth_event_record(action=ACTION_LOGIN_FAILED, request=request, username=username)


def on_user_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    auth_event_record(action=ACTION_LOCKED_OUT, request=request, username=username or "")
