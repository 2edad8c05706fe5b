"""A pooling region (统筹区) and its settlement periods: creating a region with the months it settles.

The region lives in ``catalogs``; its periods live here, so the service that makes both lives here too.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.choices import Role
from accounts.regions import region_cache_clear
from audit.services import audit_record, snapshot
from catalogs.models import Region
from settlement.models import SettlementPeriod
from settlement.partitions.services import year_partitions_ensure

ERR_REGION_EXISTS = "统筹区 {code} 已存在。"
ERR_YEARS = "请至少填写一个年度（2000—2100）。"
ERR_YEAR_EXISTS = "统筹区 {code} 已有 {year} 年的结算期间。"
MIN_YEAR, MAX_YEAR = 2000, 2100


def _years_checked(years: Iterable[int]) -> list[int]:
    years = sorted(set(years))
    if not years or any(year < MIN_YEAR or year > MAX_YEAR for year in years):
        raise ValidationError({"years": ERR_YEARS})
    return years


@transaction.atomic
def region_periods_add(*, actor, region: Region, years: Iterable[int]) -> list[SettlementPeriod]:
    """Open the twelve monthly settlement periods (结算期间) of each year for a region."""
    years = _years_checked(years)
    taken = set(
        SettlementPeriod.objects.filter(region=region, year__in=years).values_list(
            "year", flat=True
        )
    )
    if taken:
        raise ValidationError({"years": ERR_YEAR_EXISTS.format(code=region.code, year=min(taken))})
    periods = SettlementPeriod.objects.bulk_create(
        SettlementPeriod(region=region, year=year, month=month)
        for year in years
        for month in range(1, 13)
    )
    year_partitions_ensure(years)
    audit_record(
        actor=actor,
        action="region_periods_add",
        instance=region,
        after={"years": years},
        message=f"为统筹区 {region} 开设 {'、'.join(map(str, years))} 年结算期间",
    )
    return periods


@transaction.atomic
def region_create(*, actor, code: str, name: str, years: Iterable[int]) -> Region:
    """Create a region (统筹区) with the monthly periods of the given years.

    A bureau user who creates it without seeing every region is bound to it, so the new region does not
    vanish from the creator's own pages.
    """
    code, name = code.strip(), name.strip()
    if Region.objects.filter(code=code).exists():
        raise ValidationError({"code": ERR_REGION_EXISTS.format(code=code)})
    years = _years_checked(years)
    region = Region(code=code, name=name)
    region.full_clean()
    region.save()
    audit_record(
        actor=actor,
        action="region_create",
        instance=region,
        after=snapshot(region),
        message=f"新建统筹区 {region}",
    )
    region_periods_add(actor=actor, region=region, years=years)
    if (
        getattr(actor, "is_authenticated", False)
        and actor.role != Role.HOSPITAL
        and not actor.province_wide
    ):
        actor.regions.add(region)
        region_cache_clear(actor)
    return region
