"""What the settlement commands share: the region named on the command line, and the actor."""

from __future__ import annotations

from django.core.management.base import CommandError

from accounts.models import User
from catalogs.models import Region

ACTOR = "命令行"


def bureau_actor(username: str | None):
    if not username:
        return ACTOR
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not user.is_bureau:
        raise CommandError(f"用户不存在或不是经办机构用户：{username}")
    return user


def region_named(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise CommandError(f"统筹区不存在：{code}")
    return region
