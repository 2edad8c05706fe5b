from __future__ import annotations

from django.db import transaction

from accounts.choices import Role
from accounts.models import User
from accounts.roles import group_for
from audit.services import audit_record, snapshot


@transaction.atomic
def user_create(*, actor, username: str, password: str, role: str, display_name: str = "", institution=None) -> User:
    """Create a user in one role; bureau users may use the Django admin, within their group's permissions."""
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        institution=institution,
        is_staff=role in Role.bureau(),
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set([group_for(role)])
    audit_record(actor=actor, action="user_create", instance=user, after=snapshot(user))
    return user
