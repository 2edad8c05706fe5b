"""Writes of revolving funds: record (or correct) one institution's fund for a year, scheme and category,
and remove one recorded in error. Both audited; both refused once the year is closed."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record, snapshot
from catalogs.models import Institution, Region
from settlement.runs.models import RevolvingFund
from settlement.runs.selectors import year_closed

ERR_YEAR_CLOSED = "{year}年度已关账，不能再登记或修改周转金。"
ERR_OTHER_REGION = "机构 {code} 不属于统筹区 {region}。"
ERR_NEGATIVE = "周转金不能为负数。"


def _check_open(region: Region, year: int) -> None:
    if year_closed(region, year):
        raise ValidationError(ERR_YEAR_CLOSED.format(year=year))


@transaction.atomic
def revolving_fund_set(
    *,
    actor,
    region: Region,
    year: int,
    scheme: str,
    category: str,
    institution: Institution,
    amount: Decimal,
    granted_at: datetime.date,
) -> RevolvingFund:
    """Record an institution's revolving fund, or correct the one recorded for the same year, scheme and category."""
    _check_open(region, year)
    if institution.region_id != region.pk:
        raise ValidationError(ERR_OTHER_REGION.format(code=institution.code, region=region.name))
    if amount < 0:
        raise ValidationError(ERR_NEGATIVE)
    fund = (
        RevolvingFund.objects.select_for_update()
        .filter(year=year, scheme=scheme, category=category, institution=institution)
        .first()
    )
    before = snapshot(fund)
    fund = fund or RevolvingFund(
        region=region, year=year, scheme=scheme, category=category, institution=institution
    )
    fund.amount, fund.granted_at = amount, granted_at
    fund.created_by = fund.created_by or (actor if getattr(actor, "pk", None) else None)
    fund.full_clean()
    fund.save()
    audit_record(
        actor=actor,
        action="revolving_fund_set",
        instance=fund,
        before=before,
        after=snapshot(fund),
        message=f"{institution.name} {year}年周转金 {fund.amount} 元",
    )
    return fund


@transaction.atomic
def revolving_fund_remove(*, actor, fund: RevolvingFund) -> None:
    """Remove a fund recorded in error (the audit trail keeps what it was)."""
    fund = (
        RevolvingFund.objects.select_for_update()
        .select_related("region", "institution")
        .get(pk=fund.pk)
    )
    _check_open(fund.region, fund.year)
    audit_record(
        actor=actor,
        action="revolving_fund_remove",
        instance=fund,
        before=snapshot(fund),
        after=None,
        message=f"删除 {fund.institution.name} {fund.year}年周转金",
    )
    fund.delete()
