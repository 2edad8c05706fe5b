"""Revolving funds (周转金): recorded and corrected on a page by the bureau, audited, refused once the
year is closed, and read by clearing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from settlement.choices import PeriodStatus
from settlement.funds import services
from settlement.models import SettlementPeriod
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.models import RevolvingFund, SettlementRun
from settlement.runs.selectors import revolving_funds

pytestmark = pytest.mark.django_db
URL = reverse("settlement:fund_list")


def form(world, **overrides) -> dict:
    return {
        "region": world.region.pk,
        "year": 2024,
        "scheme": "310",
        "category": "dip",
        "institution": world.hospital_a.code,
        "amount": "500000.00",
        "granted_at": "2024-01-15",
        **overrides,
    }


def year_close(world, year: int = 2024) -> None:
    for month in range(1, 13):
        SettlementPeriod.objects.update_or_create(
            region=world.region, year=year, month=month, defaults={"status": PeriodStatus.CLOSED}
        )
    SettlementRun.objects.create(
        region=world.region,
        year=year,
        scheme="310",
        category="DIP",
        kind="DIP",
        run_type=RunType.CLEARING,
        status=RunStatus.COMPLETED,
    )


def test_an_officer_records_and_corrects_a_fund_that_clearing_then_reads(world, client_for):
    client = client_for(world.officer)
    response = client.post(URL, form(world))
    assert response.status_code == 302
    client.post(URL, form(world, amount="450000.00", granted_at="2024-02-01"))
    fund = RevolvingFund.objects.get()
    assert (fund.category, fund.amount, str(fund.granted_at), fund.created_by) == (
        "DIP",
        D("450000.00"),
        "2024-02-01",
        world.officer,
    )
    assert revolving_funds(region=world.region, year=2024, scheme="310", category="DIP") == {
        world.hospital_a.pk: D("450000.00")
    }
    events = AuditEvent.objects.filter(action="revolving_fund_set").order_by("pk")
    assert [e.after["amount"] for e in events] == ["500000.00", "450000.00"] and events[1].before[
        "amount"
    ] == "500000.00"
    html = client.get(URL, {"year": 2024}).content.decode()
    assert world.hospital_a.code in html and 'data-testid="fund-total">450,000.00' in html


def test_bad_input_is_named_in_chinese_and_nothing_is_written(world, client_for):
    client = client_for(world.officer)
    html = client.post(URL, form(world, institution="H00000000000", amount="-1")).content.decode()
    assert "机构编码 H00000000000 不存在" in html and not RevolvingFund.objects.exists()


def test_a_closed_year_refuses_new_funds_and_removal(world, client_for):
    fund = services.revolving_fund_set(
        actor=world.officer,
        region=world.region,
        year=2024,
        scheme="310",
        category="DIP",
        institution=world.hospital_a,
        amount=D("1.00"),
        granted_at=date(2024, 1, 1),
    )
    year_close(world)
    html = client_for(world.officer).post(URL, form(world), follow=True).content.decode()
    assert "2024年度已关账，不能再登记或修改周转金" in html
    with pytest.raises(ValidationError, match="已关账"):
        services.revolving_fund_remove(actor=world.bureau_admin, fund=fund)
    assert RevolvingFund.objects.get().amount == D("1.00")


def test_only_the_bureau_admin_removes_a_fund_and_the_trail_keeps_it(world, client_for):
    services.revolving_fund_set(
        actor=world.officer,
        region=world.region,
        year=2024,
        scheme="310",
        category="DIP",
        institution=world.hospital_b,
        amount=D("20.00"),
        granted_at=date(2024, 1, 2),
    )
    fund = RevolvingFund.objects.get()
    url = reverse("settlement:fund_remove", args=[fund.pk])
    assert client_for(world.officer).post(url).status_code == 403
    assert client_for(world.bureau_admin).post(url).status_code == 302
    assert not RevolvingFund.objects.exists()
    assert AuditEvent.objects.get(action="revolving_fund_remove").before["amount"] == "20.00"


def test_hospitals_and_experts_cannot_open_the_page_and_anonymous_users_log_in(
    world, client, client_for
):
    assert client.get(URL).status_code == 302
    for user in (world.user_a, world.expert):
        assert client_for(user).get(URL).status_code == 403
        assert client_for(user).post(URL, form(world)).status_code == 403
    assert not RevolvingFund.objects.exists()
