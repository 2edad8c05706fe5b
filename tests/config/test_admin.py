"""The Django admin covers every model of ours, in Chinese, and each admin page opens."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

OUR_APPS = {
    "accounts",
    "audit",
    "budgets",
    "catalogs",
    "disputes",
    "jobs",
    "notices",
    "reconciliation",
    "reports",
    "settlement",
}
# The admin cannot address a composite primary key; these are shown by pages of their own.
OUTSIDE_ADMIN = ["settlement.CaseGroup"]


def our_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and model._meta.label not in OUTSIDE_ADMIN
    ]


def test_only_the_models_with_a_composite_key_stay_outside_the_admin():
    composite = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and model._meta.is_composite_pk
    ]
    assert composite == OUTSIDE_ADMIN


def test_every_model_of_ours_is_in_the_admin_with_a_chinese_name():
    missing = [model._meta.label for model in our_models() if model not in admin.site._registry]
    assert missing == []
    english = [
        model._meta.label for model in our_models() if str(model._meta.verbose_name).isascii()
    ]
    assert english == []


@pytest.mark.django_db
def test_each_admin_list_page_opens_for_a_superuser(admin_client):
    for model in our_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_read_only_pages_with_inlines_open_and_offer_no_editing(client_for, world):
    from budgets.models import Budget
    from budgets.services import budget_create

    budget = budget_create(actor=world.officer, region=world.region, year=2025, scheme="310")
    page = client_for(world.bureau_admin).get(
        reverse("admin:budgets_budget_change", args=[budget.pk])
    )
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert Budget.objects.count() == 1
