"""Role → Django group with model permissions. Groups are kept in step after every migrate."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from accounts.choices import Role

# Apps whose data the bureau maintains through forms and the admin.
BUREAU_APPS = [
    "catalogs",
    "budgets",
    "settlement",
    "disputes",
    "notices",
    "jobs",
    "reports",
    "reconciliation",
    "demo",
]

GROUP_NAMES = {
    Role.BUREAU_ADMIN: "经办机构管理员",
    Role.BUREAU_OFFICER: "经办人员",
    Role.EXPERT: "专家",
    Role.HOSPITAL: "医疗机构用户",
}


def role_permissions(role: str):
    perms = Permission.objects.select_related("content_type")
    # The trail and supervision's records change only through services: roles get their view and
    # custom permissions (review, approve, compile), never add/change/delete.
    no_writes = ~Q(codename__regex=r"^(add|change|delete)_")
    if role == Role.BUREAU_ADMIN:
        return perms.filter(
            Q(content_type__app_label__in=[*BUREAU_APPS, "accounts", "axes"])
            | (Q(content_type__app_label__in=["audit", "supervision"]) & no_writes)
        )
    if role == Role.BUREAU_OFFICER:
        # Officers do the supervision work (review findings, rule sets under four eyes) but never read
        # the audit trail itself, which is the bureau admin's.
        supervision = Q(content_type__app_label="supervision") & no_writes
        return perms.filter(Q(content_type__app_label__in=BUREAU_APPS) | supervision).exclude(
            codename__startswith="delete_"
        )
    return perms.none()


def roles_sync(**_kwargs) -> None:
    """post_migrate receiver: create one group per role and give it exactly its permissions."""
    for role, name in GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(role_permissions(role))


def group_for(role: str) -> Group:
    return Group.objects.get(name=GROUP_NAMES[role])
