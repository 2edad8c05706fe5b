"""The OpenAPI schema validates without warnings, documents the error answers and is described in
Chinese; the interactive docs load their assets from this server only."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.drainage import reset_generator_stats

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    path = tmp_path_factory.mktemp("schema") / "openapi.json"
    reset_generator_stats()
    with django_db_blocker.unblock():
        # Raises on any warning or error, and on a schema that does not validate against OpenAPI 3.
        call_command(
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--format",
            "openapi-json",
            "--file",
            str(path),
        )
    return json.loads(path.read_text(encoding="utf-8"))


def operations(schema: dict):
    for route, item in schema["paths"].items():
        for method, operation in item.items():
            yield route, method, operation


def test_schema_lists_every_endpoint(schema):
    assert set(schema["paths"]) >= {
        "/api/v1/me/",
        "/api/v1/auth/token/",
        "/api/v1/regions/",
        "/api/v1/institutions/",
        "/api/v1/institutions/{code}/",
        "/api/v1/periods/",
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/jobs/",
        "/api/v1/jobs/{id}/",
    }


def test_every_operation_documents_401_403_404(schema):
    for route, method, operation in operations(schema):
        assert {"401", "403", "404"} <= set(operation["responses"]), (route, method)
        assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }


def test_400_is_documented_where_input_is_validated(schema):
    for route, method, operation in operations(schema):
        sends_body = "requestBody" in operation
        validates_query = any(p["in"] == "query" for p in operation.get("parameters", []))
        assert ("400" in operation["responses"]) == (sends_body or validates_query), (route, method)


def test_every_operation_has_a_chinese_summary_and_description(schema):
    for route, method, operation in operations(schema):
        assert CHINESE.search(operation.get("summary", "")), (route, method)
        assert CHINESE.search(operation.get("description", "")), (route, method)


def test_money_fields_are_decimal_strings_in_the_schema(schema):
    properties = schema["components"]["schemas"]["CaseDetail"]["properties"]
    assert properties["medfee_sumamt"]["type"] == "string"
    assert properties["medfee_sumamt"]["format"] == "decimal"


@pytest.mark.parametrize("name", ["api-docs", "api-redoc"])
def test_interactive_docs_load_assets_from_local_static_only(world, client_for, name):
    client = client_for(world.officer)
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html)
    assets = [
        asset.replace("&amp;", "&")
        for asset in re.findall(r"(?:src|href)=[\"']([^\"']+)[\"']", html)
    ]
    # Swagger UI's start script is served by the docs page itself (?script=), the rest from static/.
    assert assets and all(
        asset.startswith(("/static/", reverse(name) + "?script")) for asset in assets
    )
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_swagger_ui_script_points_at_the_local_schema(world, client_for):
    client = client_for(world.officer)
    script = client.get(reverse("api-docs") + "?script=").content.decode()
    assert reverse("api-schema") in script
    assert "cdn" not in script.lower()


@pytest.mark.parametrize(
    "component, fields",
    [
        ("Budget", ["submitted_by", "approved_by"]),
        ("CatalogVersion", ["submitted_by", "approved_by"]),
        ("DisputeItem", ["period", "run"]),
    ],
)
def test_fields_read_from_nullable_columns_are_nullable(schema, component, fields):
    properties = schema["components"]["schemas"][component]["properties"]
    assert all(properties[name].get("nullable") for name in fields), {
        name: properties[name] for name in fields
    }


def test_batch_refusal_documents_both_shapes_it_answers(schema):
    refused = schema["paths"]["/api/v1/cases/batches/"]["post"]["responses"]["400"]["content"][
        "application/json"
    ]["schema"]
    assert schema["components"]["schemas"][refused["$ref"].rsplit("/", 1)[1]]["oneOf"] == [
        {"$ref": "#/components/schemas/BatchError"},
        {"$ref": "#/components/schemas/Error"},
    ]
