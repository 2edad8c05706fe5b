"""Permissions follow from the user's role alone (角色即权限).

Django's ``ModelBackend`` grants what the user's groups hold; a user made in the admin with a role but
without ticking the role's group would get 403 on every page. This backend adds the role's group to
the groups the user is in, so the role decides, whatever the group field says.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from accounts.roles import GROUP_NAMES


class RoleModelBackend(ModelBackend):
    def _get_group_permissions(self, user_obj):
        in_groups = Q(group__user=user_obj)
        name = GROUP_NAMES.get(user_obj.role)
        return Permission.objects.filter(in_groups | Q(group__name=name) if name else in_groups).distinct()
