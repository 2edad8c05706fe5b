"""Regions (bureau only) and institutions (through for_user) over the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalogs.models import Institution

pytestmark = pytest.mark.django_db


def codes(response) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


def test_bureau_officer_lists_regions(world, client_for):
    response = client_for(world.officer).get(reverse("api:region-list"))
    assert response.status_code == 200
    assert response.json()["results"] == [{"code": "370800", "name": "测试统筹区"}]


@pytest.mark.parametrize("who", ["user_a", "expert"])
def test_regions_refuse_non_bureau_users_with_403(world, client_for, who):
    response = client_for(getattr(world, who)).get(reverse("api:region-list"))
    assert response.status_code == 403
    assert response.json() == {"detail": "仅经办机构用户可访问此接口。"}


def test_hospital_user_lists_only_own_institution(world, client_for):
    assert codes(client_for(world.user_a).get(reverse("api:institution-list"))) == ["H37080200001"]


def test_bureau_officer_lists_every_institution(world, client, token_headers):
    response = client.get(reverse("api:institution-list"), **token_headers(world.officer))
    assert codes(response) == ["H37080200001", "H37080200002"]


def test_expert_lists_no_institution(world, client_for):
    assert client_for(world.expert).get(reverse("api:institution-list")).json()["count"] == 0


def test_hospital_user_gets_404_for_another_institution(world, client_for):
    client = client_for(world.user_a)
    assert (
        client.get(reverse("api:institution-detail", args=[world.hospital_b.code])).status_code
        == 404
    )
    own = client.get(reverse("api:institution-detail", args=[world.hospital_a.code]))
    assert own.status_code == 200
    assert own.json() == {
        "code": "H37080200001",
        "name": "甲医院",
        "region": "370800",
        "level": "3A",
        "level_label": "三级甲等",
        "type": "general",
        "type_label": "综合",
        "is_grassroots": False,
        "consortium_lead": None,
        "active_from": None,
        "active_to": None,
    }


def test_unknown_institution_code_is_404_with_detail(world, client_for):
    response = client_for(world.officer).get(
        reverse("api:institution-detail", args=["H99999999999"])
    )
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"level": "2"}, ["H37080200002"]),
        ({"type": "general"}, ["H37080200001", "H37080200002"]),
        ({"type": "tcm"}, []),
        ({"q": "甲"}, ["H37080200001"]),
        ({"q": "200002"}, ["H37080200002"]),
    ],
)
def test_institution_filters(world, client_for, query, expected):
    assert codes(client_for(world.officer).get(reverse("api:institution-list"), query)) == expected


def test_consortium_lead_is_shown_by_code(world, client_for):
    Institution.objects.filter(pk=world.hospital_b.pk).update(consortium_lead=world.hospital_a)
    body = (
        client_for(world.officer)
        .get(reverse("api:institution-detail", args=[world.hospital_b.code]))
        .json()
    )
    assert body["consortium_lead"] == "H37080200001"


def test_bad_level_filter_answers_400_with_errors(world, client_for):
    response = client_for(world.officer).get(reverse("api:institution-list"), {"level": "9Z"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert list(body["errors"]) == ["level"]


def test_institution_list_query_count_is_flat(world, client_for, django_assert_max_num_queries):
    for n in range(3, 23):
        Institution.objects.create(
            region=world.region,
            code=f"H370802{n:05d}",
            name=f"医院{n}",
            level="1",
            type="general",
            consortium_lead=world.hospital_a,
        )
    client = client_for(world.officer)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("api:institution-list"))
    assert response.json()["count"] == 22
