"""Writes of the monthly case aggregates (``CaseMonthAggregate``): recomputed from the case table for the
institutions and periods a write touched, in the caller's transaction, so a reader never sees a landed
case without its aggregate nor an aggregate without its case."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Sum

from settlement.aggregates.models import CaseMonthAggregate
from settlement.models import CaseRecord


@transaction.atomic
def case_aggregates_refresh(
    *, institution_ids: Iterable[int] | None = None, period_ids: Iterable[int] | None = None
) -> int:
    """Rewrite the aggregates of the cases of ``institution_ids`` × ``period_ids`` (None: every one) from the
    case table; returns the rows written. A pair left without cases loses its row."""
    return aggregates_rewrite(
        CaseRecord, CaseMonthAggregate, institution_ids=institution_ids, period_ids=period_ids
    )


def aggregates_rewrite(
    case_model,
    aggregate_model,
    *,
    institution_ids: Iterable[int] | None = None,
    period_ids: Iterable[int] | None = None,
) -> int:
    """``case_aggregates_refresh`` with the given model classes (the migration that adds the table passes
    its historical ones)."""
    cases = case_model.objects.all()
    stale = aggregate_model.objects.all()
    if institution_ids is not None:
        institution_ids = sorted({int(pk) for pk in institution_ids})
        cases, stale = (
            cases.filter(institution_id__in=institution_ids),
            stale.filter(institution_id__in=institution_ids),
        )
    if period_ids is not None:
        period_ids = sorted({int(pk) for pk in period_ids})
        cases, stale = (
            cases.filter(period_id__in=period_ids),
            stale.filter(period_id__in=period_ids),
        )
    stale.delete()
    sums = (
        cases.order_by()
        .values("institution_id", "period_id", "insutype", "med_type")
        .annotate(
            region_id=F("period__region_id"),
            year=F("period__year"),
            month=F("period__month"),
            n=Count("id"),
            medfee=Sum("medfee_sumamt"),
            fund=Sum("fund_pay_sumamt"),
        )
    )
    rows = [
        aggregate_model(
            region_id=s["region_id"],
            institution_id=s["institution_id"],
            period_id=s["period_id"],
            year=s["year"],
            month=s["month"],
            insutype=s["insutype"],
            med_type=s["med_type"],
            cases=s["n"],
            medfee_sumamt=s["medfee"],
            fund_pay_sumamt=s["fund"],
        )
        for s in sums
    ]
    return len(aggregate_model.objects.bulk_create(rows, batch_size=1000))
