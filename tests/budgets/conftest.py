"""Budget fixtures: the spec's example E1 compiled as a draft of the shared world's region."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from budgets.choices import LineMethod
from budgets.domain import LineInput
from budgets.models import Budget
from budgets.services import budget_approve, budget_create, budget_lines_set, budget_submit
from catalogs.choices import Scheme

M = D(1_000_000)

E1_INCOME = LineInput("INCOME", "统筹基金收入（不含利息）", amount=1000 * M)
E1_CARVE_OUTS = [
    LineInput(
        "GP", "普通门诊统筹", method=LineMethod.PER_CAPITA, per_capita=D("120.00"), count=1_000_000
    ),
    LineInput("CHRONIC", "门诊慢性病", amount=80 * M),
    LineInput(
        "OFFSITE", "异地联网结算和零星报销", method=LineMethod.GROWTH, base=100 * M, rate=D("0")
    ),
    LineInput("OTHER", "其他付费方式", amount=50 * M),
]
E1_CATEGORIES = [
    LineInput("APG", "门诊慢特病APG", amount=50 * M),
    LineInput("DIP", "住院DIP", method=LineMethod.REMAINDER),
]


def compile_e1(*, actor, budget: Budget, **overrides):
    args = dict(income=E1_INCOME, carve_outs=E1_CARVE_OUTS, categories=E1_CATEGORIES)
    args.update(overrides)
    return budget_lines_set(actor=actor, budget=budget, **args)


@pytest.fixture
def draft(world) -> Budget:
    budget = budget_create(
        actor=world.officer, region=world.region, year=2025, scheme=Scheme.EMPLOYEE
    )
    compile_e1(actor=world.officer, budget=budget)
    return Budget.objects.get(pk=budget.pk)


@pytest.fixture
def in_force(world, draft) -> Budget:
    budget_submit(actor=world.officer, budget=draft)
    budget_approve(actor=world.bureau_admin, budget=draft)
    return Budget.objects.get(pk=draft.pk)
