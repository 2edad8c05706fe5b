"""What the management commands of every app share: the actor named on the command line."""

from __future__ import annotations

from django.core.management.base import CommandError

from accounts.models import User

ACTOR = "命令行"  # the audit trail's actor of a command run without --user


def bureau_actor(username: str | None):
    """The active bureau user named by ``--user``, or the command line itself when none is named."""
    if not username:
        return ACTOR
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not user.is_bureau:
        raise CommandError(f"用户不存在或不是经办机构用户：{username}")
    return user
