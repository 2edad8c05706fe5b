"""What the settlement commands share: the region named on the command line, and the actor (accounts.commands)."""

from __future__ import annotations

from django.core.management.base import CommandError

from accounts.commands import bureau_actor
from catalogs.models import Region

__all__ = ["bureau_actor", "region_named"]


def region_named(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise CommandError(f"统筹区不存在：{code}")
    return region
