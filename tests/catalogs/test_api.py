"""Catalog versions, groups, diffs and coefficient tables over the API: hospitals and experts read
published catalogs only (a draft is 404), coefficient tables in force with their own row; the bureau
reads everything; query parameters are validated; the schema stays warning-free."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS, reset_generator_stats
from drf_spectacular.generators import SchemaGenerator

from catalogs.coefficients import services as coefficient_services
from catalogs.versions.models import CatalogGroup
from tests.catalogs.conftest import PCI

pytestmark = pytest.mark.django_db


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_anonymous_callers_are_refused(client, published, in_force):
    for url in (
        reverse("api:catalog-version-list"),
        reverse("api:catalog-version-detail", args=[published.pk]),
        reverse("api:catalog-group-list"),
        reverse("api:coefficient-table-list"),
    ):
        assert client.get(url).status_code in {401, 403}, url


@pytest.mark.parametrize("who", ["user_a", "expert"])
def test_hospital_and_expert_users_see_published_versions_only(
    world, draft, published, revision, client_for, who
):
    client = client_for(getattr(world, who))
    assert [v["id"] for v in results(client.get(reverse("api:catalog-version-list")))] == [
        published.pk
    ]
    assert client.get(reverse("api:catalog-version-detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("api:catalog-group-list"), {"version": draft.pk}).status_code == 404
    assert (
        client.get(
            reverse("api:catalog-group-detail", args=[draft.groups.get(code=PCI).pk])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("api:catalog-version-diff", args=[published.pk]), {"old": revision.pk}
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("api:catalog-version-diff", args=[revision.pk]), {"old": published.pk}
        ).status_code
        == 404
    )
    assert [
        g["code"]
        for g in results(client.get(reverse("api:catalog-group-list"), {"version": published.pk}))
    ] == ["I21-S", PCI, "J18.900"]


def test_the_bureau_sees_every_version_and_filters(world, draft, published, client_for):
    client = client_for(world.officer)
    assert {v["id"] for v in results(client.get(reverse("api:catalog-version-list")))} == {
        draft.pk,
        published.pk,
    }
    rows = results(
        client.get(
            reverse("api:catalog-version-list"),
            {"status": "draft", "region": "370800", "kind": "DIP", "year": 2025},
        )
    )
    assert [(r["id"], r["status"], r["status_label"], r["kind"]) for r in rows] == [
        (draft.pk, "draft", "草稿", "DIP")
    ]
    bad = client.get(reverse("api:catalog-version-list"), {"status": "approved", "kind": "XYZ"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"status", "kind"}
    detail = client.get(reverse("api:catalog-version-detail", args=[published.pk])).json()
    assert (detail["groups"], detail["approved_by"], detail["submitted_by"]) == (
        3,
        "admin",
        "officer",
    )


def test_groups_are_searched_and_filtered(
    world, published, client_for, django_assert_max_num_queries
):
    client = client_for(world.user_a)
    url = reverse("api:catalog-group-list")
    with django_assert_max_num_queries(8):
        rows = results(client.get(url, {"version": published.pk, "q": "心肌梗死"}))
    assert [r["code"] for r in rows] == ["I21-S", PCI]
    pci = next(r for r in rows if r["code"] == PCI)
    assert (pci["score"], pci["mean_cost"], pci["case_counts"], pci["group_type"]) == (
        "1510.2041",
        "14800.00",
        {"2023": 15, "2024": 15},
        "core",
    )
    assert [
        r["code"]
        for r in results(client.get(url, {"version": published.pk, "flag": "is_grassroots"}))
    ] == ["J18.900"]
    assert [
        r["code"]
        for r in results(client.get(url, {"version": published.pk, "group_type": "comprehensive"}))
    ] == ["I21-S"]
    assert client.get(url).status_code == 400  # the version is required
    assert client.get(url, {"version": published.pk, "flag": "is_vip"}).status_code == 400


def test_the_group_detail_has_its_subtypes(world, published, client_for):
    body = (
        client_for(world.user_b)
        .get(reverse("api:catalog-group-detail", args=[published.groups.get(code=PCI).pk]))
        .json()
    )
    assert body["subtypes"] == [
        {
            "dimension": "death",
            "key": "death",
            "cases": 5,
            "mean_cost": "30000.00",
            "coefficient": "2.0270",
        }
    ]


def test_the_diff_lists_added_removed_and_changed_groups(world, published, revision, client_for):
    CatalogGroup.objects.create(version=revision, code="K35.800", score=D("700"))
    client = client_for(world.officer)
    body = client.get(
        reverse("api:catalog-version-diff", args=[revision.pk]), {"old": published.pk}
    ).json()
    assert body == {
        "old": published.pk,
        "new": revision.pk,
        "added": ["K35.800"],
        "removed": [],
        "changed": [{"code": PCI, "old": "1510.2041", "new": "1520.0000", "delta": "9.7959"}],
    }
    assert client.get(reverse("api:catalog-version-diff", args=[revision.pk])).status_code == 400


def test_coefficient_tables_hospitals_read_their_own_row_of_tables_in_force(
    world, in_force, client_for
):
    revision = coefficient_services.coefficient_table_revise(
        actor=world.officer, table=in_force, reason="调整"
    )
    hospital = client_for(world.user_a)
    assert [t["id"] for t in results(hospital.get(reverse("api:coefficient-table-list")))] == [
        in_force.pk
    ]
    assert (
        hospital.get(reverse("api:coefficient-table-detail", args=[revision.pk])).status_code == 404
    )
    rows = hospital.get(reverse("api:coefficient-table-detail", args=[in_force.pk])).json()["rows"]
    assert [(r["institution"], r["level_basic"], r["combined"]) for r in rows] == [
        ("H37080200001", "1.2000", "1.2000")
    ]


def test_coefficient_tables_the_bureau_reads_all_and_experts_none(world, in_force, client_for):
    officer = client_for(world.officer)
    assert (
        len(officer.get(reverse("api:coefficient-table-detail", args=[in_force.pk])).json()["rows"])
        == 2
    )
    assert (
        results(
            officer.get(reverse("api:coefficient-table-list"), {"status": "in_force", "year": 2025})
        )[0]["status_label"]
        == "执行中"
    )
    assert (
        officer.get(reverse("api:coefficient-table-list"), {"status": "active"}).status_code == 400
    )
    expert = client_for(world.expert)
    assert expert.get(reverse("api:coefficient-table-list")).status_code == 403


def test_the_schema_of_the_catalog_api_has_no_warnings():
    reset_generator_stats()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, (GENERATOR_STATS._warn_cache, GENERATOR_STATS._error_cache)
    ours = {
        route: item
        for route, item in schema["paths"].items()
        if route.split("/")[3] in {"catalog-versions", "catalog-groups", "coefficient-tables"}
    }
    assert set(ours) == {
        "/api/v1/catalog-versions/",
        "/api/v1/catalog-versions/{id}/",
        "/api/v1/catalog-versions/{id}/diff/",
        "/api/v1/catalog-groups/",
        "/api/v1/catalog-groups/{id}/",
        "/api/v1/coefficient-tables/",
        "/api/v1/coefficient-tables/{id}/",
    }
    for route, item in ours.items():
        for method, operation in item.items():
            assert {"401", "403", "404"} <= set(operation["responses"]), (route, method)
            has_query = any(
                p["in"] == "query" and p["name"] != "page" for p in operation.get("parameters", [])
            )
            assert ("400" in operation["responses"]) == has_query, (route, method)
