"""Reads of account administration: the user list and an account's login state."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from accounts.regions import region_ids_for_user


def user_list_for_admin(admin: User) -> QuerySet[User]:
    """The accounts an admin manages: those bound to one of its regions or of an institution there, and
    its own; a province-level admin (or a superuser) manages all."""
    users = User.objects.select_related("institution")
    ids = region_ids_for_user(admin)
    if ids is None:
        return users
    scoped = Q(regions__in=ids) | Q(institution__region_id__in=ids) | Q(pk=admin.pk)
    return users.filter(pk__in=User.objects.filter(scoped).values("pk"))


def user_list_filter(
    users: QuerySet[User], *, q: str = "", role: str = "", active: str = ""
) -> QuerySet[User]:
    """``users`` matching a name, display name or institution (``q``), a role, enabled or not."""
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(display_name__icontains=q)
            | Q(institution__name__icontains=q)
            | Q(institution__code__icontains=q)
        )
    if role:
        users = users.filter(role=role)
    if active:
        users = users.filter(is_active=active == "1")
    return users


def login_failures(user: User) -> int:
    """Failed logins counted against the user's name, from every address, within the cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(username=user.username, attempt_time__gte=since)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def is_locked(user: User) -> bool:
    """Locked out (登录锁定) from at least one address."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        username=user.username,
        attempt_time__gte=since,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    ).exists()
