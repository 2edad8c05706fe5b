"""GET /api/v1/parameter-sets/: bureau only, labelled values, the version in force on a date."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from settlement.parameters import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(world):
    first = services.parameter_set_create(
        actor=world.officer,
        region=world.region,
        year=2025,
        scheme="310",
        category="DIP",
        kind="DIP",
    )
    services.parameter_set_submit(actor=world.officer, parameter_set=first)
    services.parameter_set_approve(actor=world.bureau_admin, parameter_set=first)
    second = services.parameter_set_revise(
        actor=world.officer,
        parameter_set=first,
        reason="调整",
        effective_from=datetime.date(2025, 7, 1),
    )
    services.parameter_set_update(
        actor=world.officer, parameter_set=second, values={**second.values, "deposit_rate": "0.03"}
    )
    services.parameter_set_submit(actor=world.officer, parameter_set=second)
    services.parameter_set_approve(actor=world.bureau_admin, parameter_set=second)
    return first, second


def test_hospitals_and_experts_get_403(world, client_for, versions):
    for user in (world.user_a, world.expert):
        assert client_for(user).get(reverse("api:parameterset-list")).status_code == 403


def test_the_list_filters_and_shows_labelled_values(world, client_for, versions):
    client = client_for(world.officer)
    body = client.get(reverse("api:parameterset-list"), {"year": 2025, "category": "DIP"}).json()
    assert [row["version"] for row in body["results"]] == [2, 1]
    deposit = next(v for v in body["results"][0]["values"] if v["key"] == "deposit_rate")
    assert deposit == {"key": "deposit_rate", "label": "月度预付保证金比例", "value": "0.03"}
    assert client.get(reverse("api:parameterset-list"), {"scheme": "999"}).status_code == 400


def test_in_force_on_a_date_picks_the_version_that_covered_it(world, client_for, versions):
    client = client_for(world.officer)
    url = reverse("api:parameterset-in-force")
    query = {"region": world.region.code, "year": 2025, "scheme": "310", "category": "DIP"}
    assert client.get(url, {**query, "on": "2025-03-01"}).json()["version"] == 1
    assert client.get(url, {**query, "on": "2025-08-01"}).json()["version"] == 2
    assert client.get(url, query).json()["version"] == 2
    assert client.get(url, {**query, "category": "APG"}).status_code == 404
    assert client.get(url, {"region": world.region.code}).status_code == 400
