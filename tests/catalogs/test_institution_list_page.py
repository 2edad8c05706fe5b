"""The institution list as a declared list page (config.lists): sort, filter, export, tenancy."""

from __future__ import annotations

from django.urls import reverse

from config import lists
from tests.config.test_lists import csv_rows

INSTITUTIONS = reverse("catalogs:institution_list")
A, B = "H37080200001", "H37080200002"


def codes(response) -> list[str]:
    return [institution.code for institution in response.context["page"]]


def test_the_institution_list_sorts_filters_and_exports(world, client_for):
    client = client_for(world.officer)
    assert codes(client.get(INSTITUTIONS, {"sort": "code"}))[:2] == [A, B]
    assert codes(client.get(INSTITUTIONS, {"sort": "-code"}))[-2:] == [B, A]
    assert codes(client.get(INSTITUTIONS, {"q": "乙医", "level": "2"})) == [B]
    rows = csv_rows(client.get(INSTITUTIONS, {"q": "H370802", "export": "csv"}))
    assert rows[0] == ["机构编号", "名称", "统筹区", "等级", "类别", "基层", "医共体牵头机构"]
    assert [row[0] for row in rows[1:]] == [A, B] and rows[1][1] == "甲医院"


def test_the_institution_list_refuses_an_unknown_level_in_chinese(world, client_for):
    response = client_for(world.officer).get(INSTITUTIONS, {"level": "9Z"})
    assert response.status_code == 200 and lists.ERR_FILTER in response.content.decode()
    assert codes(response) == []


def test_a_hospital_lists_and_exports_only_its_own_institution(world, client_for):
    client = client_for(world.user_a)
    assert codes(client.get(INSTITUTIONS)) == [A]
    rows = csv_rows(client.get(INSTITUTIONS, {"export": "csv"}))
    assert [row[0] for row in rows[1:]] == [A]
