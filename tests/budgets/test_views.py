"""Budget pages: permissions per role, the compile form's inline errors, the workflow through the pages."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from budgets import selectors
from budgets.choices import BudgetStatus
from budgets.models import Budget
from config import lists
from tests.budgets.conftest import M
from tests.config.test_lists import csv_rows

pytestmark = pytest.mark.django_db


def pages(budget: Budget) -> list[str]:
    return [
        reverse("budgets:budget_list"),
        reverse("budgets:budget_create"),
        *(
            reverse(f"budgets:budget_{name}", args=[budget.pk])
            for name in ("detail", "edit", "compare", "yearend", "export")
        ),
    ]


def posts(budget: Budget) -> list[str]:
    return [
        reverse(f"budgets:budget_{name}", args=[budget.pk])
        for name in ("submit", "approve", "return", "adjust", "import")
    ]


def test_anonymous_users_are_sent_to_the_login_page(draft):
    for url in pages(draft) + posts(draft):
        response = Client().get(url) if url in pages(draft) else Client().post(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), (
            url
        )


@pytest.mark.parametrize("who", ["user_a", "expert"])
def test_hospital_and_expert_users_get_403_on_every_budget_page(world, draft, client_for, who):
    client = client_for(getattr(world, who))
    for url in pages(draft):
        assert client.get(url).status_code == 403, url
    for url in posts(draft):
        assert client.post(url).status_code == 403, url
    assert Budget.objects.get(pk=draft.pk).status == BudgetStatus.DRAFT


@pytest.mark.parametrize("who", ["officer", "bureau_admin"])
def test_bureau_users_see_every_page(world, draft, client_for, who):
    client = client_for(getattr(world, who))
    for url in pages(draft):
        assert client.get(url).status_code == 200, url


def test_the_list_filters_by_year_and_scheme(
    world, draft, client_for, django_assert_max_num_queries
):
    client = client_for(world.officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("budgets:budget_list"), {"year": "2025", "scheme": "310"})
    assert list(response.context["budgets"]) == [draft]
    assert (
        '<option value="2025" selected>2025年</option>' in response.content.decode()
    )  # no thousands separator in years
    assert (
        list(client.get(reverse("budgets:budget_list"), {"scheme": "390"}).context["budgets"]) == []
    )


def test_the_detail_shows_the_derivation_and_the_waterfall(
    world, in_force, client_for, django_assert_max_num_queries
):
    client = client_for(world.officer)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("budgets:budget_detail", args=[in_force.pk]))
    html = response.content.decode()
    assert "550,000,000.00" in html and "500,000,000.00" in html
    assert response.context["chart"][0] == {
        "name": "统筹基金收入（不含利息）",
        "kind": "income",
        "base": "0.00",
        "amount": "1000000000.00",
    }
    assert "vendor/echarts/echarts.min.js" in html


def test_a_new_budget_is_created_and_opens_the_compile_form(world, client_for):
    client = client_for(world.officer)
    response = client.post(
        reverse("budgets:budget_create"), {"region": world.region.pk, "year": 2026, "scheme": "390"}
    )
    budget = Budget.objects.get(year=2026, scheme="390")
    assert response.url == reverse("budgets:budget_edit", args=[budget.pk])
    form = client.get(response.url)
    assert [f.initial["code"] for f in form.context["carve_outs"].initial_forms] == [
        "GP",
        "CHRONIC",
        "OFFSITE",
        "OTHER",
        "CI",
    ]
    duplicate = client.post(
        reverse("budgets:budget_create"), {"region": world.region.pk, "year": 2026, "scheme": "390"}
    )
    assert "已存在" in duplicate.content.decode()


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def compile_post(
    *, carve_outs: list[dict], categories: list[dict], initial: tuple[int, int] = (0, 0), **settings
) -> dict:
    return {
        "settings-risk_reserve_rate": "0.10",
        "settings-settlement_share": "0.70",
        "settings-phasing_method": "equal",
        **settings,
        "income-name": "统筹基金收入",
        "income-method": "growth",
        "income-base": "950000000",
        "income-rate": "0.05",
        **formset("carve", carve_outs, initial[0]),
        **formset("cat", categories, initial[1]),
    }


CARVE = [
    {
        "code": "GP",
        "name": "普通门诊统筹",
        "method": "per_capita",
        "per_capita": "100",
        "count": "1000000",
    }
]
CATS = [{"code": "DIP", "name": "住院DIP", "method": "remainder"}]


def test_the_compile_form_recomputes_the_budget(world, draft, client_for):
    # As a browser posts it: the draft's 4 carve-outs and 2 categories as initial rows (some deleted), blank extra rows.
    blank = {"code": "", "name": "", "method": "amount"}
    deleted = [
        {"code": code, "name": code, "method": "amount", "amount": "1", "DELETE": "on"}
        for code in ("CHRONIC", "OFFSITE", "OTHER")
    ]
    data = compile_post(
        carve_outs=[*CARVE, *deleted, blank], categories=[deleted[0], *CATS, blank], initial=(4, 2)
    )
    response = client_for(world.officer).post(reverse("budgets:budget_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    derivation = selectors.budget_derivation(budget=draft)
    assert (derivation.income, derivation.reserve, derivation.pool) == (
        D("997500000.00"),
        D("99750000.00"),
        D("797750000.00"),
    )


def test_the_compile_form_names_the_overdrawing_line(world, draft, client_for):
    carve = [*CARVE, {"code": "CI", "name": "大病保险", "method": "amount", "amount": "900000000"}]
    data = compile_post(carve_outs=carve, categories=CATS)
    response = client_for(world.officer).post(reverse("budgets:budget_edit", args=[draft.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "「大病保险」（CI）使点数法预算为负" in html
    assert response.context["carve_outs"].forms[1].non_field_errors() == [response.context["error"]]
    assert selectors.budget_derivation(budget=draft).pool == 550 * M


def test_the_compile_form_shows_missing_inputs_inline(world, draft, client_for):
    carve = [{"code": "GP", "name": "普通门诊统筹", "method": "per_capita", "per_capita": "100"}]
    data = compile_post(carve_outs=carve, categories=CATS, **{"settings-phasing_method": "pattern"})
    response = client_for(world.officer).post(reverse("budgets:budget_edit", args=[draft.pk]), data)
    assert response.status_code == 200
    assert response.context["carve_outs"].forms[0].errors["count"] == ["该测算方法需要填写此项。"]
    assert "请填写12个月" in response.content.decode()


def test_the_workflow_through_the_pages_needs_two_users(world, draft, client_for):
    submit, approve = (
        reverse(f"budgets:budget_{name}", args=[draft.pk]) for name in ("submit", "approve")
    )
    officer = client_for(world.officer)
    officer.post(submit)
    response = officer.post(approve, follow=True)
    assert "审批人不能是提交人" in response.content.decode()
    assert Budget.objects.get(pk=draft.pk).status == BudgetStatus.SUBMITTED
    admin = Client()
    admin.force_login(world.bureau_admin)
    admin.post(approve)
    assert Budget.objects.get(pk=draft.pk).status == BudgetStatus.IN_FORCE
    assert (
        officer.get(reverse("budgets:budget_edit", args=[draft.pk])).status_code == 302
    )  # immutable: back to the detail
    officer.post(reverse("budgets:budget_adjust", args=[draft.pk]), {"reason": "年中医保待遇调整"})
    v2 = Budget.objects.get(version=2)
    compare = officer.get(reverse("budgets:budget_compare", args=[v2.pk]))
    assert compare.context["base"] == Budget.objects.get(pk=draft.pk) and not any(
        d.changed for d in compare.context["diffs"]
    )


def test_year_end_page_records_actuals_and_shows_e1(world, in_force, client_for):
    url = reverse("budgets:budget_yearend", args=[in_force.pk])
    data = {"GP": "140000000", "CHRONIC": "80000000", "OFFSITE": "100000000", "OTHER": "50000000"}
    client = client_for(world.officer)
    assert client.post(url, data).status_code == 302
    html = client.get(url).content.decode()
    assert "56,000,000.00" in html and "24,000,000.00" in html and "606,000,000.00" in html


# --- the budget list as a declared list page (config.lists): sort, filter, export, bureau only ---


def test_the_budget_list_sorts_and_exports_the_filtered_list(world, draft, client_for):
    client = client_for(world.officer)
    budgets = reverse("budgets:budget_list")
    sorted_up = client.get(budgets, {"sort": "scheme"}).context["budgets"]
    schemes = [budget.scheme for budget in sorted_up]
    assert schemes == sorted(schemes) and draft in sorted_up
    rows = csv_rows(client.get(budgets, {"year": "2025", "scheme": "310", "export": "csv"}))
    assert rows[0][:5] == ["年度", "统筹区", "险种", "版本", "状态"]
    assert [row[:4] for row in rows[1:]] == [
        ["2025", world.region.name, draft.get_scheme_display(), str(draft.version)]
    ]
    assert rows[1][4] == draft.get_status_display()
    assert client.get(budgets, {"year": "abc"}).context["filter_error"] == lists.ERR_FILTER


def test_hospitals_export_no_budgets(world, draft, client_for):
    response = client_for(world.user_a).get(reverse("budgets:budget_list"), {"export": "csv"})
    assert response.status_code == 403
