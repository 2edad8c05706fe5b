"""POST /api/v1/cases/batches/: same rules as a file, errors as JSON, tenancy, OpenAPI."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from settlement.intake import domain, services
from settlement.intake.models import ImportBatch
from settlement.models import CaseRecord
from tests.settlement.intake_rows import valid_row

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases/batches/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_route_is_named():
    assert reverse("api:case-batch-create") == URL


def test_a_valid_batch_is_written_and_warnings_returned(world):
    rows = [
        valid_row("S1"),
        valid_row("S2", fee_drug="", fee_material="", fee_exam="", fee_treatment="", fee_other=""),
    ]
    response = api_for(world.user_a).post(URL, {"rows": rows}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["rows_written"], body["warning_count"]) == ("succeeded", 2, 1)
    assert (
        body["warnings"][0]["row"] == 2
        and body["warnings"][0]["message"] == domain.WARN_FEE_BREAKDOWN_MISSING
    )
    assert CaseRecord.objects.filter(institution=world.hospital_a).count() == 2


def test_numbers_are_accepted_as_json_numbers(world):
    row = valid_row(
        "S1",
        age=60,
        act_ipt_days=7,
        medfee_sumamt=30000,
        fund_pay_sumamt=21000.5,
        hifp_pay=21000.5,
        psn_part_amt=8999.5,
        fee_other=5000,
    )
    response = api_for(world.officer).post(URL, {"rows": [row]}, format="json")
    assert response.status_code == 201, response.json()
    assert str(CaseRecord.objects.get().fund_pay_sumamt) == "21000.50"


def test_a_batch_with_errors_answers_400_with_every_error_and_writes_nothing(world):
    rows = [
        valid_row("S1"),
        valid_row("S2", gend="3", dscg_time="2024-02-01"),
        valid_row("S3", institution=world.hospital_b.code),
    ]
    response = api_for(world.user_a).post(URL, {"rows": rows}, format="json")
    assert response.status_code == 400
    body = response.json()
    found = {(error["row"], error["column"]) for error in body["errors"]}
    assert found == {(2, "gend"), (2, "dscg_time"), (3, "fixmedins_code")}
    gend = next(error for error in body["errors"] if error["column"] == "gend")
    assert (
        gend["column_name"] == "性别(gend)" and gend["value"] == "3" and "字典" in gend["message"]
    )
    assert body["batch"]["status"] == "rejected" and CaseRecord.objects.count() == 0


def test_an_expert_is_refused_and_anonymous_is_401(world, client):
    assert (
        api_for(world.expert).post(URL, {"rows": [valid_row("S1")]}, format="json").status_code
        == 403
    )
    assert client.post(
        URL, {"rows": [valid_row("S1")]}, content_type="application/json"
    ).status_code in (401, 403)


def test_an_empty_or_oversize_batch_is_refused(world, monkeypatch):
    client = api_for(world.officer)
    assert client.post(URL, {"rows": []}, format="json").status_code == 400
    monkeypatch.setattr(services, "API_MAX_ROWS", 2)
    response = client.post(URL, {"rows": [valid_row(f"S{i}") for i in range(3)]}, format="json")
    assert response.status_code == 400 and "不能超过2条" in response.json()["detail"]


def test_the_endpoint_is_in_the_openapi_schema(world, client_for):
    schema = client_for(world.officer).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["post"]
    assert operation["summary"] == "提交结算清单批次" and {"201", "400"} <= set(
        operation["responses"]
    )


def test_the_documented_maximum_batch_of_10000_rows_is_accepted(world):
    rows = [valid_row(f"S{i:05d}") for i in range(services.API_MAX_ROWS)]
    response = api_for(world.user_a).post(URL, {"rows": rows}, format="json")
    assert len(response.wsgi_request.body) > 2_621_440  # more than Django's default limit of 2.5 MB
    assert response.status_code == 201, response.content[:300]
    assert CaseRecord.objects.filter(institution=world.hospital_a).count() == services.API_MAX_ROWS


def test_a_body_over_the_limit_gets_a_json_413_in_chinese_and_no_batch(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
    rows = [valid_row(f"S{i:05d}") for i in range(3_000)]
    response = api_for(world.user_a).post(URL, {"rows": rows}, format="json")
    assert response.status_code == 413 and response["Content-Type"] == "application/json"
    assert "请求体超过 2 MB 的上限" in response.json()["detail"]
    assert not ImportBatch.objects.exists() and not CaseRecord.objects.exists()
