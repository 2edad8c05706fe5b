"""Signal receivers that put logins, logouts, failed logins and lockouts on the audit trail, that
revoke a user's API tokens when the password changes, and that keep a user's groups those of its role."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password

from accounts.choices import Role
from accounts.roles import group_for
from accounts.services import (
    ACTION_LOCKED_OUT,
    ACTION_LOGIN,
    ACTION_LOGIN_FAILED,
    ACTION_LOGOUT,
    auth_event_record,
    tokens_revoke_all,
)


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


def _password_changed(user, stored_hash: str | None) -> bool:
    if stored_hash is None or stored_hash == user.password:
        return False
    # ``_password`` holds the raw password from set_password() until the save completes. If it still
    # matches the stored hash, Django only re-hashed it (a stronger hasher, at login): not a change.
    raw = getattr(user, "_password", None)
    return raw is None or not check_password(raw, stored_hash)


def on_user_saving(sender, instance, update_fields=None, **kwargs) -> None:
    """pre_save: note whether this save changes the password — a change on the page, a reset in the
    admin, ``manage.py changepassword``, or an unusable password set for a leaver — and the role."""
    fields = set(update_fields) if update_fields is not None else {"password", "role"}
    instance.password_changed_now = instance.role_changed_now = False
    if instance.pk is None or not fields & {"password", "role"}:
        instance.role_changed_now = instance.pk is None
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", "role").first()
    stored_hash, stored_role = stored if stored else (None, None)
    instance.password_changed_now = "password" in fields and _password_changed(
        instance, stored_hash
    )
    instance.role_changed_now = "role" in fields and stored_role != instance.role


def on_user_saved(sender, instance, **kwargs) -> None:
    """post_save: a new password revokes every API token of the user, in the same transaction."""
    if getattr(instance, "password_changed_now", False):
        instance.password_changed_now = False
        tokens_revoke_all(actor=instance, user=instance, reason="密码已修改或重置")


def on_user_role_saved(sender, instance, created=False, **kwargs) -> None:
    """post_save: the role alone decides the permissions. A new user, or one whose role changed, is put
    in its role's group and no other, and bureau roles get staff status, however the user was saved (a
    page, the admin, a command)."""
    if not (created or getattr(instance, "role_changed_now", False)):
        return
    instance.role_changed_now = False
    group = group_for(instance.role)
    if list(instance.groups.values_list("pk", flat=True)) != [group.pk]:
        instance.groups.set([group])
    staff = instance.role in Role.bureau()
    if instance.is_staff != staff:
        sender.objects.filter(pk=instance.pk).update(is_staff=staff)
        instance.is_staff = staff
