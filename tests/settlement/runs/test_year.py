"""A whole demo year, as the issue's "done means": months, quarters, the year and clearing for both schemes
and both categories, the year closed; the figures reconcile across the runs to the fen."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db.models import Sum

from catalogs.choices import Scheme
from settlement.choices import PeriodStatus
from settlement.models import SettlementPeriod
from settlement.runs import selectors, services
from settlement.runs.choices import RunStatus
from settlement.runs.models import RunInstitution
from tests.settlement.runs.conftest import YEAR

pytestmark = pytest.mark.django_db

CATEGORIES = ("DIP", "APG")


def total(run, field):
    return run.institutions.aggregate(t=Sum(field))["t"] or D("0.00")


def test_a_whole_year_of_both_schemes_reconciles_and_closes(demo_region):
    for scheme in Scheme.values:
        for category in CATEGORIES:
            months = [
                demo_region.run("monthly", m, scheme=scheme, category=category)
                for m in range(1, 13)
            ]
            quarters = [
                demo_region.run("quarterly", q, scheme=scheme, category=category)
                for q in range(1, 5)
            ]
            annual = demo_region.run("annual", scheme=scheme, category=category)
            clearing = demo_region.run("clearing", scheme=scheme, category=category)
            runs = [*months, *quarters, annual, clearing]
            assert all(run.status == RunStatus.COMPLETED for run in runs), [
                run.error for run in runs if run.error
            ]
            # the year's cases are the months' cases, and the fund booked adds up across the run types
            assert (
                annual.case_count
                == sum(m.case_count for m in months)
                == sum(q.case_count for q in quarters)
            )
            assert (
                total(annual, "fund")
                == sum(total(m, "fund") for m in months)
                == sum(total(q, "fund") for q in quarters)
            )
            for run in [*months, *quarters, annual]:
                assert total(run, "settlement") == run.total
            # each quarter settles its months' payments; clearing settles what the year paid
            for number, quarter in enumerate(quarters, start=1):
                paid = sum(total(m, "payment") for m in months[3 * number - 3 : 3 * number])
                assert total(quarter, "advances_paid") == paid
            assert total(clearing, "paid_before") == sum(
                total(q, "payment") for q in quarters
            ) + sum(total(m, "payment") for m in months)
            assert total(clearing, "payment") == total(clearing, "final") - total(
                clearing, "paid_before"
            ) - total(clearing, "revolving_fund")
            assert total(clearing, "deposit") == sum(total(q, "deposit") for q in quarters)
    months_closed = services.year_close(
        actor=demo_region.officer, region=demo_region.region, year=YEAR
    )
    assert months_closed == 12
    assert not SettlementPeriod.objects.filter(
        region=demo_region.region, year=YEAR, status=PeriodStatus.OPEN
    ).exists()
    with pytest.raises(Exception, match="年度已关账"):
        services.run_start(
            actor=demo_region.officer,
            region=demo_region.region,
            year=YEAR,
            scheme="310",
            category="DIP",
            run_type="annual",
            dispatch=False,
        )
    statement = selectors.statement_list_for_user(demo_region.hospital_user, year=YEAR).first()
    assert (
        statement is not None
        and statement.institution_id == demo_region.hospital_user.institution_id
    )
    assert RunInstitution.objects.filter(run__status=RunStatus.COMPLETED, run__year=YEAR).exists()
