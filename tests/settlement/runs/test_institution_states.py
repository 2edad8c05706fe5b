"""A run uses the institution states in force on its period's last day (the register's history,
catalogs/register/) and freezes them: a later change leaves the stored run and its reproduction alone,
a rerun on purpose takes the new state."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.services import user_create
from catalogs.models import Institution
from catalogs.register.services import institution_change
from settlement.grouping.selectors import period_cases
from settlement.models import SettlementPeriod
from settlement.runs.models import RunCase
from settlement.runs.selectors import member_run_list_for_user
from settlement.runs.simulation import Scenario, run_simulate
from tests.settlement.runs.conftest import YEAR
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db
JULY = datetime.date(YEAR, 7, 1)


def member_with_cases(demo) -> Institution:
    """A consortium member with cases in March and in August."""
    members = Institution.objects.filter(
        region=demo.region, consortium_lead__isnull=False
    ).order_by("code")
    cases = {
        month: period_cases(
            periods=[SettlementPeriod.objects.get(region=demo.region, year=YEAR, month=month)],
            kind="DIP",
            scheme="310",
        )
        for month in (3, 8)
    }
    return next(m for m in members if all(c.filter(institution=m).exists() for c in cases.values()))


def leave_consortium(demo, member: Institution, day: datetime.date) -> None:
    institution_change(
        actor=demo.officer,
        institution=member,
        effective_from=day,
        changes={"consortium_lead_id": None},
        reason="退出医共体",
    )


def booked_to(run, member: Institution) -> set[int]:
    return set(
        RunCase.objects.filter(run=run, institution_id=member.pk).values_list(
            "booked_id", flat=True
        )
    )


def test_a_change_effective_in_july_is_used_by_augusts_run_and_not_by_marchs(demo_region, client):
    member = member_with_cases(demo_region)
    lead = member.consortium_lead_id
    leave_consortium(demo_region, member, JULY)
    march, august = demo_region.run("monthly", 3), demo_region.run("monthly", 8)
    assert booked_to(march, member) == {lead} and booked_to(august, member) == {member.pk}
    assert member.pk in march.institutions.get(institution_id=lead).members
    assert not march.institutions.filter(institution_id=member.pk).exists()
    assert august.institutions.filter(institution_id=member.pk).exists()
    assert march.institution_states[str(member.pk)]["consortium_lead_id"] == lead
    assert august.institution_states[str(member.pk)]["consortium_lead_id"] is None
    client.force_login(demo_region.officer)
    page = client.get(reverse("settlement:run_detail", args=[march.pk])).content.decode()
    assert f"{len(march.institution_states)}家机构 2024-03-31 在用" in page
    # the member that left still reads its share of the March run, as the run froze its consortium
    user = user_create(
        actor=None,
        username="member",
        password=PASSWORD,
        role=Role.HOSPITAL,
        display_name="成员",
        institution=member,
    )
    assert [run.pk for run in member_run_list_for_user(user)] == [march.pk]


def test_a_run_freezes_the_states_a_later_change_leaves_its_reproduction_alone_and_a_rerun_takes_it(
    demo_region,
):
    member = member_with_cases(demo_region)
    lead = member.consortium_lead_id
    first = demo_region.run("monthly", 3)
    frozen, input_hash = dict(first.institution_states), first.input_hash
    leave_consortium(demo_region, member, datetime.date(YEAR, 1, 1))
    first.refresh_from_db()
    assert first.institution_states == frozen
    reproduced = run_simulate(run=first, scenario=Scenario())
    assert reproduced["point_value_after"] == str(first.point_value)
    assert {row["institution"] for row in reproduced["institutions"]} == set(
        first.institutions.values_list("institution_id", flat=True)
    )
    rerun = demo_region.run("monthly", 3)
    assert rerun.supersedes_id == first.pk and rerun.input_hash != input_hash
    assert booked_to(first, member) == {lead} and booked_to(rerun, member) == {member.pk}
