"""The read-only budget API: permissions, versions, in-force pools with months and quarters, a clean schema."""

from __future__ import annotations

import pytest
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS, reset_generator_stats
from drf_spectacular.generators import SchemaGenerator

from budgets.services import budget_adjust
from tests.budgets.conftest import M

pytestmark = pytest.mark.django_db


def test_anonymous_hospital_and_expert_users_are_refused(world, in_force, client, client_for):
    url = reverse("api:budget-list")
    assert client.get(url).status_code in {
        401,
        403,
    }  # 401 when token authentication is listed first
    for user in (world.user_a, world.expert):
        assert client_for(user).get(url).status_code == 403
        assert (
            client_for(user).get(reverse("api:budget-detail", args=[in_force.pk])).status_code
            == 403
        )


def test_the_list_filters_and_validates(world, in_force, client_for):
    client = client_for(world.officer)
    rows = client.get(
        reverse("api:budget-list"), {"region": "370800", "year": 2025, "scheme": "310"}
    ).json()["results"]
    assert [(r["id"], r["status"], r["approved_by"]) for r in rows] == [
        (in_force.pk, "in_force", "admin")
    ]
    assert client.get(reverse("api:budget-list"), {"scheme": "390"}).json()["results"] == []
    assert client.get(reverse("api:budget-list"), {"scheme": "999"}).status_code == 400
    bad = client.get(reverse("api:budget-list"), {"status": "approved"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_the_detail_has_lines_and_exact_phasing(world, in_force, client_for):
    body = client_for(world.officer).get(reverse("api:budget-detail", args=[in_force.pk])).json()
    pool = next(line for line in body["lines"] if line["kind"] == "pool")
    assert pool["amount"] == "550000000.00"
    dip = next(row for row in body["phasing"] if row["code"] == "DIP")
    assert dip["amount"] == "500000000.00" and len(dip["months"]) == 12
    assert dip["quarters"] == ["125000000.01", "125000000.01", "125000000.00", "124999999.98"]


def test_versions_and_the_budget_in_force(world, in_force, client_for):
    v2 = budget_adjust(actor=world.officer, budget=in_force, reason="年中调整")
    client = client_for(world.officer)
    versions = client.get(reverse("api:budget-versions", args=[v2.pk])).json()
    assert [(v["version"], v["status"], v["based_on"]) for v in versions] == [
        (1, "in_force", None),
        (2, "draft", in_force.pk),
    ]
    url = reverse("api:budget-in-force")
    current = client.get(url, {"region": "370800", "year": 2025, "scheme": "310"}).json()
    assert (
        current["id"] == in_force.pk
        and sum(int(r["amount"].split(".")[0]) for r in current["phasing"]) == 550 * M
    )
    assert client.get(url, {"region": "370800", "year": 2024, "scheme": "310"}).status_code == 404
    assert client.get(url, {"region": "370800"}).status_code == 400


def test_the_schema_of_the_budget_api_has_no_warnings():
    reset_generator_stats()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, (GENERATOR_STATS._warn_cache, GENERATOR_STATS._error_cache)
    budget_paths = {
        route: item
        for route, item in schema["paths"].items()
        if route.startswith("/api/v1/budgets/")
    }
    for route, item in budget_paths.items():
        for method, operation in item.items():
            assert {"401", "403", "404"} <= set(operation["responses"]), (route, method)
            has_query = any(
                p["in"] == "query" and p["name"] != "page" for p in operation.get("parameters", [])
            )
            assert ("400" in operation["responses"]) == has_query, (route, method)
    assert set(budget_paths) == {
        "/api/v1/budgets/",
        "/api/v1/budgets/{id}/",
        "/api/v1/budgets/{id}/versions/",
        "/api/v1/budgets/in-force/",
    }
