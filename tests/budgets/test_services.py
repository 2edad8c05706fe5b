"""The budget workflow: compile, submit, four-eyes approval, immutability, adjustment versions, year end, audit."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from budgets import selectors, services
from budgets.choices import BudgetStatus, LineKind, PhasingMethod
from budgets.domain import LineInput
from budgets.models import Budget
from catalogs.choices import Scheme
from tests.budgets.conftest import E1_CARVE_OUTS, E1_CATEGORIES, M, compile_e1

pytestmark = pytest.mark.django_db


def actions_for(budget: Budget) -> list[str]:
    events = AuditEvent.objects.filter(
        object_type="budgets.budget", object_id=str(budget.pk)
    ).order_by("pk")
    return list(events.values_list("action", flat=True))


def test_compiling_e1_stores_the_derivation_and_exact_phasing(draft):
    derivation = selectors.budget_derivation(budget=draft)
    assert derivation.pool == 550 * M and derivation.reserve == 100 * M
    assert [(line.code, line.amount) for line in derivation.of_kind(LineKind.CATEGORY)] == [
        ("APG", 50 * M),
        ("DIP", 500 * M),
    ]
    phasing = {row.code: row for row in selectors.budget_phasing(budget=draft)}
    assert sum(phasing["DIP"].months) == 500 * M and sum(phasing["DIP"].quarters) == 500 * M
    assert phasing["APG"].months[0] == D("4166666.67")
    assert actions_for(draft) == ["budget_create", "budget_lines_set"]


def test_the_lines_keep_their_forecast_inputs(draft):
    gp = draft.lines.get(code="GP")
    assert (gp.method, gp.per_capita, gp.count, gp.amount) == (
        "per_capita",
        D("120.00"),
        1_000_000,
        120 * M,
    )


def test_phasing_by_last_years_pattern(world, draft):
    weights = [D(1)] * 11 + [D(12)]
    compile_e1(
        actor=world.officer,
        budget=draft,
        phasing_method=PhasingMethod.PATTERN,
        phasing_weights=weights,
    )
    dip = {row.code: row for row in selectors.budget_phasing(budget=draft)}["DIP"]
    assert dip.months[-1] == D("260869565.22") and sum(dip.months) == 500 * M


def test_phasing_entered_by_month_must_match_each_category(world, draft):
    apg = [D("5000000")] * 10 + [D("0")] * 2
    dip = [40 * M] * 12
    with pytest.raises(ValidationError, match="差额 20,000,000.00"):
        compile_e1(
            actor=world.officer,
            budget=draft,
            phasing_method=PhasingMethod.ENTERED,
            phasing_entered={"APG": apg, "DIP": dip},
        )
    dip[-1] = 60 * M
    compile_e1(
        actor=world.officer,
        budget=draft,
        phasing_method=PhasingMethod.ENTERED,
        phasing_entered={"APG": apg, "DIP": dip},
    )
    rows = {row.code: row for row in selectors.budget_phasing(budget=draft)}
    assert rows["APG"].months == apg and rows["DIP"].quarters == [
        120 * M,
        120 * M,
        120 * M,
        140 * M,
    ]


def test_an_overdrawing_line_is_refused_and_nothing_changes(world, draft):
    with pytest.raises(ValidationError) as error:
        compile_e1(
            actor=world.officer,
            budget=draft,
            carve_outs=[*E1_CARVE_OUTS, LineInput("CI", "大病保险", amount=600 * M)],
        )
    assert error.value.code == "CI" and "大病保险" in error.value.messages[0]
    assert selectors.budget_derivation(budget=draft).pool == 550 * M


def test_a_second_budget_for_the_same_year_and_scheme_is_refused(world, draft):
    with pytest.raises(ValidationError, match="已存在"):
        services.budget_create(
            actor=world.officer, region=world.region, year=2025, scheme=Scheme.EMPLOYEE
        )
    other = services.budget_create(
        actor=world.officer, region=world.region, year=2025, scheme=Scheme.RESIDENT
    )
    assert other.version == 1


def test_the_submitter_cannot_approve(world, draft):
    services.budget_submit(actor=world.officer, budget=draft)
    with pytest.raises(ValidationError) as error:
        services.budget_approve(actor=world.officer, budget=draft)
    assert error.value.messages == [services.ERR_SELF_APPROVE]
    assert Budget.objects.get(pk=draft.pk).status == BudgetStatus.SUBMITTED


def test_approval_by_another_user_puts_the_budget_in_force(world, in_force):
    assert in_force.status == BudgetStatus.IN_FORCE and in_force.approved_by == world.bureau_admin
    assert (
        selectors.budget_in_force(region_id=world.region.pk, year=2025, scheme=Scheme.EMPLOYEE)
        == in_force
    )
    assert actions_for(in_force) == [
        "budget_create",
        "budget_lines_set",
        "budget_submit",
        "budget_approve",
    ]


def test_the_database_refuses_self_approval_too(world, in_force):
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=in_force.pk).update(approved_by=in_force.submitted_by)


@pytest.mark.parametrize("status_of", ["submitted", "in_force"])
def test_a_submitted_or_approved_budget_is_immutable(world, draft, status_of):
    services.budget_submit(actor=world.officer, budget=draft)
    if status_of == "in_force":
        services.budget_approve(actor=world.bureau_admin, budget=draft)
    with pytest.raises(ValidationError) as error:
        compile_e1(
            actor=world.officer,
            budget=draft,
            categories=[LineInput("DIP", "住院DIP", method="remainder")],
        )
    assert error.value.messages == [services.ERR_NOT_DRAFT]
    assert draft.lines.filter(kind=LineKind.CATEGORY).count() == 2


def test_a_returned_budget_can_be_edited_again(world, draft):
    services.budget_submit(actor=world.officer, budget=draft)
    with pytest.raises(ValidationError):
        services.budget_return(actor=world.bureau_admin, budget=draft, reason=" ")
    services.budget_return(actor=world.bureau_admin, budget=draft, reason="慢病预算偏低")
    compile_e1(
        actor=world.officer,
        budget=draft,
        categories=[LineInput("DIP", "住院DIP", method="remainder")],
    )
    assert selectors.budget_derivation(budget=draft).of_kind(LineKind.CATEGORY)[0].amount == 550 * M


def test_a_mid_year_adjustment_is_a_new_version_with_its_own_approval(world, in_force):
    with pytest.raises(ValidationError, match="原因"):
        services.budget_adjust(actor=world.officer, budget=in_force, reason="")
    v2 = services.budget_adjust(actor=world.officer, budget=in_force, reason="疫情影响，住院量下降")
    assert (v2.version, v2.status, v2.based_on) == (2, BudgetStatus.DRAFT, in_force)
    assert (
        selectors.budget_derivation(budget=v2).lines
        == selectors.budget_derivation(budget=in_force).lines
    )
    assert selectors.budget_phasing(budget=v2) == selectors.budget_phasing(budget=in_force)
    with pytest.raises(ValidationError, match="未批准的第2版"):
        services.budget_adjust(actor=world.officer, budget=in_force, reason="再次调整")

    compile_e1(
        actor=world.officer,
        budget=v2,
        carve_outs=[*E1_CARVE_OUTS[:3], LineInput("OTHER", "其他付费方式", amount=70 * M)],
    )
    services.budget_submit(actor=world.officer, budget=v2)
    services.budget_approve(actor=world.bureau_admin, budget=v2)

    versions = list(selectors.budget_versions(budget=v2))
    assert [(b.version, b.status) for b in versions] == [
        (1, BudgetStatus.SUPERSEDED),
        (2, BudgetStatus.IN_FORCE),
    ]
    diff = {
        d.code: d.delta for d in selectors.budget_compare(a=versions[0], b=versions[1]) if d.changed
    }
    assert diff == {"OTHER": 20 * M, "POOL": -20 * M, "DIP": -20 * M}
    assert "budget_supersede" in actions_for(in_force)


def test_year_end_statement_of_e1(world, in_force):
    actuals = {"GP": 140 * M, "CHRONIC": 80 * M, "OFFSITE": 100 * M}
    services.budget_yearend_record(actor=world.officer, budget=in_force, actuals=actuals)
    assert selectors.budget_reserve_statement(budget=in_force) is None  # one line still missing
    services.budget_yearend_record(actor=world.officer, budget=in_force, actuals={"OTHER": 50 * M})
    statement = selectors.budget_reserve_statement(budget=in_force)
    assert (statement.cover, statement.to_settlement, statement.adjustment_fund) == (
        20 * M,
        56 * M,
        24 * M,
    )
    assert statement.settlement_total == 606 * M
    event = AuditEvent.objects.filter(action="budget_yearend_record").order_by("pk").last()
    assert event.after["OTHER"] == "50000000.00" and event.before["GP"] == "140000000.00"


def test_year_end_actuals_carry_over_to_the_next_version_unless_changed(world, in_force):
    services.budget_yearend_record(
        actor=world.officer, budget=in_force, actuals={"GP": 140 * M, "OTHER": 50 * M}
    )
    v2 = services.budget_adjust(actor=world.officer, budget=in_force, reason="年终调整")
    services.budget_submit(actor=world.officer, budget=v2)
    services.budget_approve(actor=world.bureau_admin, budget=v2)
    assert selectors.budget_actuals(budget=v2) == {"GP": 140 * M, "OTHER": 50 * M}
    assert "budget_yearend_record" in actions_for(v2)
    services.budget_yearend_record(actor=world.officer, budget=v2, actuals={"GP": 150 * M})
    assert selectors.budget_actuals(budget=v2) == {"GP": 150 * M, "OTHER": 50 * M}
    assert selectors.budget_actuals(budget=in_force) == {
        "GP": 140 * M,
        "OTHER": 50 * M,
    }  # the past unchanged


@pytest.mark.parametrize(
    "actuals, text", [({"DIP": D(1)}, "不是本预算的单列支出"), ({"GP": D(-1)}, "不能为负数")]
)
def test_year_end_refuses_bad_actuals(world, in_force, actuals, text):
    with pytest.raises(ValidationError, match=text):
        services.budget_yearend_record(actor=world.officer, budget=in_force, actuals=actuals)


def test_year_end_needs_a_budget_in_force(world, draft):
    with pytest.raises(ValidationError, match="执行中"):
        services.budget_yearend_record(actor=world.officer, budget=draft, actuals={"GP": D(1)})


def test_submitting_an_empty_budget_is_refused(world):
    budget = services.budget_create(
        actor=world.officer, region=world.region, year=2026, scheme=Scheme.RESIDENT
    )
    with pytest.raises(ValidationError, match="请先编制"):
        services.budget_submit(actor=world.officer, budget=budget)


def test_audit_of_lines_set_has_before_and_after(world, draft):
    compile_e1(actor=world.officer, budget=draft, categories=[E1_CATEGORIES[1]])
    event = AuditEvent.objects.filter(action="budget_lines_set").order_by("pk").last()
    assert len(event.before["lines"]) == 9 and len(event.after["lines"]) == 8
