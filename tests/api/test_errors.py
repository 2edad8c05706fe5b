"""Every /api/v1/ error is JSON in the API's error shape, and a query parameter an endpoint does not take
is refused with a Chinese 400 naming it instead of being silently ignored."""

from __future__ import annotations

import pytest

from settlement.intake.models import ImportBatch
from tests.world import case_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(world, client, token_headers):
    client.defaults.update(token_headers(world.officer))
    return client


def test_unknown_filter_on_the_case_list_is_refused_naming_it(world, officer_client):
    case_create(institution=world.hospital_a, period=world.period, setl_id="A1")
    response = officer_client.get("/api/v1/cases/", {"institution": world.hospital_b.code})
    assert response.status_code == 400
    assert response.json()["errors"] == {"institution": ["不支持的查询参数“institution”。"]}


@pytest.mark.parametrize("path", ["/api/v1/periods/", "/api/v1/regions/", "/api/v1/jobs/"])
def test_unknown_parameter_on_a_list_without_filters_is_refused(world, officer_client, path):
    response = officer_client.get(path, {"status": "open"})
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_unknown_parameter_on_a_query_action_is_refused(world, officer_client):
    response = officer_client.get(
        "/api/v1/budgets/in-force/",
        {"region": world.region.pk, "year": 2024, "scheme": "310", "x": "1"},
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"x"}


def test_pagination_and_format_parameters_are_known(world, officer_client):
    case_create(institution=world.hospital_a, period=world.period, setl_id="A1")
    response = officer_client.get("/api/v1/cases/", {"page": 1, "format": "json", "year": 2024})
    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/abc/",
        "/api/v1/cases/-1/points/",
        "/api/v1/no-such-thing/",
        "/api/v1/jobs/1x/",
    ],
)
def test_a_path_that_matches_no_route_answers_json_404(world, officer_client, path):
    response = officer_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}


def test_pages_outside_the_api_keep_the_html_404(world, client_for):
    response = client_for(world.officer).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "value, message",
    [
        (["I21.000"], "第2行字段“maindiag_code”：应为文本或数字，不能是列表或对象。"),
        ({"code": "I21.000"}, "第2行字段“maindiag_code”：应为文本或数字，不能是列表或对象。"),
        ("I21\x00.000", "第2行字段“maindiag_code”：含有不允许的空字符（\\u0000）。"),
    ],
)
def test_a_batch_row_value_that_is_not_plain_text_is_refused_naming_row_and_field(
    world, client, token_headers, value, message
):
    rows = [
        {"setl_id": "S1", "maindiag_code": "I21.000"},
        {"setl_id": "S2", "maindiag_code": value},
    ]
    response = client.post(
        "/api/v1/cases/batches/",
        {"rows": rows},
        content_type="application/json",
        **token_headers(world.user_a),
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"rows": [message]}
    assert not ImportBatch.objects.exists()
