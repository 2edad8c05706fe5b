"""POST /api/v1/grouping/preview/ (预分组): groups and estimates as the run would, stores nothing, refuses bad
input as JSON naming row and field, keeps hospitals to their own cases."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from catalogs.choices import CatalogKind, CatalogStatus
from catalogs.drg.grouper import drg_group, drg_rules_load
from catalogs.drg.services import drg_rule_set_seed
from catalogs.models import Institution, Region
from catalogs.versions.models import CatalogGroup, CatalogVersion
from settlement.api.intake import ERR_ONE_SHAPE
from settlement.grouping import preview
from settlement.intake import domain as intake
from tests.settlement.grouping.preview_world import (
    POINT_VALUE,
    costly_row,
    dip_catalog,
    dip_parameters,
    point_value_run,
)
from tests.settlement.intake_rows import valid_row
from tests.settlement.national_records import national_record

pytestmark = pytest.mark.django_db
URL = "/api/v1/grouping/preview/"


@pytest.fixture(autouse=True)
def cold_cache():
    preview.preview_cache_clear()
    yield
    preview.preview_cache_clear()


@pytest.fixture
def priced(world, procedures):
    """A DIP catalog, its parameters and a published point value (the ``procedures`` of the grouping tests)."""
    return dip_catalog(world), dip_parameters(world), point_value_run(world)


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(user, rows, **extra):
    return api_for(user).post(URL, {"rows": rows}, format="json", **extra)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed
    }


def test_the_route_is_named():
    assert reverse("api:grouping-preview") == URL


def test_a_case_is_grouped_with_its_trace_and_priced_as_a_labelled_estimate(world, priced):
    catalog, _, run = priced
    response = post(world.user_a, [valid_row("S1"), costly_row("S2")])
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["estimate"], body["label"], body["count"]) == (True, "估算", 2)
    first, second = body["cases"]
    dip = first["dip"]
    assert dip["available"] and dip["version"] == {
        "id": catalog.pk,
        "name": str(catalog),
        "year": 2024,
    }
    assert (dip["group_code"], dip["trace"], dip["ungroupable"]) == (
        "I21.000+36.0601",
        "core",
        False,
    )
    assert dip["trace_text"]
    estimate = dip["estimate"]
    assert (estimate["estimate"], estimate["label"], estimate["scheme"], estimate["category"]) == (
        True,
        "估算",
        "310",
        "DIP",
    )
    assert (estimate["points"], estimate["deviation"], estimate["point_value"]) == (
        "1500.0000",
        "normal",
        str(POINT_VALUE),
    )
    assert estimate["amount"] == "15000.00" and estimate["point_value_run"]["id"] == run.pk
    assert (
        estimate["point_value_run"]["period"] == "2024年2月"
        and "估算" in estimate["note"]
        and f"#{run.pk}" in estimate["note"]
    )
    # Three times the mean: high cost, (3 − 2 + 1) × 1500 points.
    assert (second["dip"]["estimate"]["deviation"], second["dip"]["estimate"]["points"]) == (
        "high",
        "3000.0000",
    )
    assert second["dip"]["estimate"]["amount"] == "30000.00"


def test_an_ungroupable_case_says_why_and_earns_no_points(world, priced):
    """K35 has no core group and no comprehensive group in the catalog (不能入组)."""
    dip = post(
        world.user_a, [valid_row("S1", maindiag_code="K35.800", main_oprn_oprt_code="")]
    ).json()["cases"][0]["dip"]
    assert (dip["group_code"], dip["trace"], dip["ungroupable"]) == ("", "no_comprehensive", True)
    assert dip["trace_text"].startswith("不能入组")
    assert (dip["estimate"]["points"], dip["estimate"]["deviation"], dip["estimate"]["amount"]) == (
        "0.0000",
        "ungroupable",
        "0.00",
    )


def test_the_warnings_are_the_ones_intake_gives(world, priced):
    body = post(world.user_a, [valid_row("S1"), costly_row("S2")]).json()
    assert body["cases"][0]["warnings"] == []
    [warning] = body["cases"][1]["warnings"]
    assert (warning["row"], warning["column"], warning["message"]) == (
        2,
        "fee_drug",
        intake.WARN_FEE_BREAKDOWN_MISSING,
    )


def test_a_field_the_intake_does_not_know_is_a_warning_of_the_request_not_of_a_case(world, priced):
    body = post(world.user_a, [valid_row("S1", bed_no="12")]).json()
    assert body["cases"][0]["warnings"] == []
    assert [w["message"] for w in body["warnings"]] == [
        intake.WARN_HEADER_UNKNOWN.format(header="bed_no")
    ]


def test_the_latest_published_point_value_is_used(world, priced):
    later = point_value_run(world, number=3, point_value=D("12.500000"))
    estimate = post(world.user_a, [valid_row("S1")]).json()["cases"][0]["dip"]["estimate"]
    assert (estimate["point_value_run"]["id"], estimate["amount"]) == (later.pk, "18750.00")


def test_without_a_point_value_the_points_are_estimated_and_the_amount_is_not(world, procedures):
    dip_catalog(world), dip_parameters(world)
    estimate = post(world.user_a, [valid_row("S1")]).json()["cases"][0]["dip"]["estimate"]
    assert (estimate["points"], estimate["amount"], estimate["point_value"]) == (
        "1500.0000",
        None,
        None,
    )
    assert estimate["label"] == "估算" and "尚无已发布的" in estimate["note"]


def test_a_method_without_a_version_in_force_says_why(world, priced):
    case = post(world.user_a, [valid_row("S1")]).json()["cases"][0]
    assert case["drg"] == {
        "available": False,
        "reason": "测试统筹区2024年没有已发布的DRG病组目录，无法预分组。",
    }


def test_the_drg_side_groups_with_the_published_rule_set(world, priced):
    expected = drg_version_with_rules(world)
    version = CatalogVersion.objects.get(kind=CatalogKind.DRG)
    drg = post(world.user_a, [valid_row("S1")]).json()["cases"][0]["drg"]
    assert expected and (drg["available"], drg["group_code"], drg["version"]["id"]) == (
        True,
        expected,
        version.pk,
    )
    assert drg["estimate"]["points"] is None and "没有执行中的" in drg["estimate"]["note"]


def test_an_outpatient_case_is_not_grouped_by_dip_or_drg(world, priced):
    case = post(
        world.user_a,
        [valid_row("S1", med_type="11", adm_time="", dscg_time="", act_ipt_days="", dscg_way="")],
    ).json()
    assert (
        case["cases"][0]["dip"]["available"] is False
        and "非住院病例" in case["cases"][0]["dip"]["reason"]
    )


def test_nothing_is_stored(world, priced):
    before = row_counts()
    response = post(world.user_a, [valid_row("S1"), costly_row("S2")])
    assert response.status_code == 200 and response.json()["count"] == 2
    assert row_counts() == before


def test_the_same_answer_comes_from_the_warm_cache(world, priced):
    cold = post(world.user_a, [valid_row("S1")]).json()
    assert len(preview._cache) == 1
    assert post(world.user_a, [valid_row("S1")]).json() == cold


def test_a_warm_single_case_costs_three_queries(world, priced, django_assert_max_num_queries):
    """The institutions readable, what is in force (versions, rule set, parameter sets, coefficients) and the
    latest point-value runs; the published objects themselves come from the cache."""
    client = api_for(world.user_a)
    assert client.post(URL, {"rows": [valid_row("S0")]}, format="json").status_code == 200  # warm
    with django_assert_max_num_queries(3):
        response = client.post(URL, {"rows": [valid_row("S1")]}, format="json")
    assert (
        response.status_code == 200
        and response.json()["cases"][0]["dip"]["estimate"]["amount"] == "15000.00"
    )


def test_a_point_value_published_after_the_cache_is_warm_is_used_at_once(world, priced):
    assert (
        post(world.user_a, [valid_row("S1")]).json()["cases"][0]["dip"]["estimate"]["amount"]
        == "15000.00"
    )
    later = point_value_run(world, number=3, point_value=D("12.500000"))
    estimate = post(world.user_a, [valid_row("S1")]).json()["cases"][0]["dip"]["estimate"]
    assert (estimate["point_value_run"]["id"], estimate["amount"]) == (later.pk, "18750.00")


def test_a_version_published_after_the_cache_is_warm_is_used_at_once(world, priced):
    assert post(world.user_a, [valid_row("S1")]).json()["cases"][0]["drg"]["available"] is False
    expected = drg_version_with_rules(world)
    drg = post(world.user_a, [valid_row("S1")]).json()["cases"][0]["drg"]
    assert (drg["available"], drg["group_code"]) == (True, expected)


# --- tenancy ---------------------------------------------------------------------------------------


def test_a_hospital_cannot_preview_another_institutions_case(world, priced):
    before = row_counts()
    response = post(
        world.user_a, [valid_row("S1"), valid_row("S2", institution=world.hospital_b.code)]
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [
        {
            "row": 2,
            "column": "fixmedins_code",
            "column_name": "定点医药机构编号(fixmedins_code)",
            "value": world.hospital_b.code,
            "message": intake.ERR_INSTITUTION_NOT_OWN,
        }
    ]
    assert "cases" not in body and row_counts() == before


def test_hospital_b_previews_its_own_cases(world, priced):
    case = post(world.user_b, [valid_row("S1", institution=world.hospital_b.code)]).json()["cases"][
        0
    ]
    assert (
        case["fixmedins_code"] == world.hospital_b.code
        and case["dip"]["group_code"] == "I21.000+36.0601"
    )


def test_a_bureau_user_previews_any_institution(world, priced):
    response = post(
        world.officer, [valid_row("S1"), valid_row("S2", institution=world.hospital_b.code)]
    )
    assert response.status_code == 200
    assert [case["fixmedins_code"] for case in response.json()["cases"]] == [
        world.hospital_a.code,
        world.hospital_b.code,
    ]


def test_a_bureau_user_cannot_preview_an_institution_of_a_region_it_is_not_bound_to(world, priced):
    other = Region.objects.create(code="370900", name="乙统筹区")
    stranger = Institution.objects.create(
        region=other, code="H37090200001", name="丙医院", level="3A", type="general"
    )
    response = post(world.officer, [valid_row("S1"), valid_row("S2", institution=stranger.code)])
    assert response.status_code == 400
    assert [(e["row"], e["column"], e["message"]) for e in response.json()["errors"]] == [
        (2, "fixmedins_code", intake.ERR_INSTITUTION_UNKNOWN)
    ]


def test_an_expert_is_refused_and_anonymous_is_401(world, client):
    response = post(world.expert, [valid_row("S1")])
    assert response.status_code == 403 and response.json()["detail"] == preview.ERR_ROLE
    assert (
        client.post(URL, {"rows": [valid_row("S1")]}, content_type="application/json").status_code
        == 401
    )


# --- limits and malformed input ---------------------------------------------------------------------


def test_ten_thousand_cases_are_previewed(world, priced):
    rows = [valid_row(f"S{i:05d}") for i in range(preview.MAX_CASES)]
    response = post(world.user_a, rows)
    assert response.status_code == 200 and response.json()["count"] == preview.MAX_CASES
    assert response.json()["cases"][-1]["dip"]["estimate"]["amount"] == "15000.00"


def test_ten_thousand_and_one_cases_are_refused_as_json(world):
    response = post(world.user_a, [valid_row("S1")] * (preview.MAX_CASES + 1))
    assert response.status_code == 400
    assert response.json()["errors"]["rows"] == [
        preview.ERR_TOO_MANY.format(limit=10_000, count=10_001)
    ]


def test_malformed_values_are_refused_naming_each_row_and_field(world, priced):
    rows = [valid_row("S1", gend="3"), valid_row("S2", medfee_sumamt="3万", maindiag_code="心梗")]
    response = post(world.user_a, rows)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    body = response.json()
    assert "病例校验未通过" in body["detail"]
    assert {(e["row"], e["column"]) for e in body["errors"]} >= {
        (1, "gend"),
        (2, "medfee_sumamt"),
        (2, "maindiag_code"),
    }
    assert all(e["message"] and e["column_name"] for e in body["errors"])


@pytest.mark.parametrize(
    "body", [{"rows": []}, {"rows": "S1"}, {}, {"rows": [{"setl_id": ["S1"]}]}]
)
def test_a_malformed_request_is_a_400_json(world, body):
    response = api_for(world.user_a).post(URL, body, format="json")
    assert response.status_code == 400 and response.json()["detail"]


def test_a_body_that_is_not_json_is_a_400_json(world):
    response = api_for(world.user_a).post(URL, "rows=1", content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]


def test_an_unknown_query_parameter_is_refused(world, priced):
    response = api_for(world.user_a).post(
        f"{URL}?dry=1", {"rows": [valid_row("S1")]}, format="json"
    )
    assert response.status_code == 400 and "dry" in response.json()["errors"]


def test_the_endpoint_is_in_the_openapi_schema_with_examples(world, client_for):
    schema = client_for(world.officer).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["post"]
    assert operation["summary"] == "预分组（估算病组与金额）" and {
        "200",
        "400",
        "403",
        "413",
    } <= set(operation["responses"])
    assert operation["requestBody"]["content"]["application/json"]["examples"]
    assert operation["responses"]["200"]["content"]["application/json"]["examples"]


# --- the 4101 shape (records, as cases/batches/ takes them) -----------------------------------------


def post_records(user, records):
    return api_for(user).post(URL, {"records": records}, format="json")


def drg_version_with_rules(world) -> str:
    """A published DRG rule set and a DRG catalog holding the group S1's case falls into; that group's code."""
    drg_rule_set_seed(
        officer=world.officer, admin=world.bureau_admin, region=world.region, year=2024
    )
    frame = intake.cases_validate(
        pd.DataFrame([valid_row("S1")]), known_institutions={world.hospital_a.code: 1}
    ).cases
    expected = str(drg_group(frame, drg_rules_load(), {"36.0601": "surgical"})["drg_code"].iloc[0])
    version = CatalogVersion.objects.create(
        region=world.region, kind=CatalogKind.DRG, year=2024, status=CatalogStatus.PUBLISHED
    )
    CatalogGroup.objects.create(
        version=version, code=expected, group_type="drg", score=D("2.5"), mean_cost=D("30000")
    )
    return expected


def test_a_4101_record_groups_as_its_flat_row(world, priced):
    expected = drg_version_with_rules(world)
    record = national_record("S1")
    flat = valid_row(
        "S1",
        otherdiag_codes="I10.x00;E11.900",
        other_oprn_oprt_codes="88.5501",
        scs_cutd_sum_dura="1/2/30",
    )
    by_record = post_records(world.user_a, [record])
    assert by_record.status_code == 200, by_record.json()
    by_row = post(world.user_a, [flat]).json()["cases"][0]
    case = by_record.json()["cases"][0]
    assert (case["row"], case["setl_id"], case["fixmedins_code"]) == (
        1,
        "S1",
        world.hospital_a.code,
    )
    assert case["dip"]["group_code"] == "I21.000+36.0601" and case["drg"]["group_code"] == expected
    assert (case["dip"], case["drg"]) == (by_row["dip"], by_row["drg"])


def test_a_4101_record_decides_the_group_by_its_lists(world, priced):
    """The main diagnosis and main procedure come from diseinfo/oprninfo, not from anything in setlinfo."""
    record = national_record(
        "S1",
        diseinfo=[{"diag_type": "1", "diag_code": "J18.900", "maindiag_flag": "1"}],
        oprninfo=[],
    )
    case = post_records(world.user_a, [record]).json()["cases"][0]
    assert case["dip"]["group_code"] == "J18.900"


def test_one_bare_record_is_taken(world, priced):
    response = api_for(world.user_a).post(URL, national_record("S1"), format="json")
    assert response.status_code == 200 and response.json()["count"] == 1


def test_a_bad_diagnosis_row_of_a_record_is_refused_naming_it(world, priced):
    before = row_counts()
    bad = national_record(
        "S2",
        diseinfo=[
            {"diag_type": "1", "diag_code": "I21.000", "maindiag_flag": "1"},
            {"diag_type": "1", "diag_code": "I10", "maindiag_flag": "0"},
        ],
    )
    response = post_records(world.user_a, [national_record("S1"), bad])
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    body = response.json()
    assert "cases" not in body and "病例校验未通过" in body["detail"]
    assert [(e["row"], e["column"], e["value"]) for e in body["errors"]] == [
        (2, "diseinfo.diag_code", "I10")
    ]
    assert (
        body["errors"][0]["message"]
        == f"【结算ID S2｜诊断(diseinfo)第2行｜诊断代码 diag_code】{intake.ERR_ICD10}"
    )
    assert row_counts() == before


def test_rows_and_records_together_are_refused(world, priced):
    response = api_for(world.user_a).post(
        URL, {"rows": [valid_row("S1")], "records": [national_record("S2")]}, format="json"
    )
    assert response.status_code == 400 and ERR_ONE_SHAPE in str(response.json())


def test_a_record_of_another_institution_is_refused_for_a_hospital(world, priced):
    own, other = national_record("S1"), national_record("S2", institution=world.hospital_b.code)
    response = post_records(world.user_a, [own, other])
    assert response.status_code == 400 and "cases" not in response.json()
    assert [(e["row"], e["column"], e["value"]) for e in response.json()["errors"]] == [
        (2, "fixmedins_code", world.hospital_b.code)
    ]
    assert intake.ERR_INSTITUTION_NOT_OWN in response.json()["errors"][0]["message"]
    mine = post_records(world.user_b, [other]).json()["cases"]
    assert [case["fixmedins_code"] for case in mine] == [world.hospital_b.code]


def test_more_than_ten_thousand_records_are_refused(world):
    response = post_records(
        world.user_a, [{"setlinfo": {"setl_id": "S1"}}] * (preview.MAX_CASES + 1)
    )
    assert response.status_code == 400
    assert response.json()["errors"]["records"] == [
        preview.ERR_TOO_MANY.format(limit=10_000, count=10_001)
    ]


def test_the_openapi_request_has_a_4101_example(world, client_for):
    schema = client_for(world.officer).get("/api/v1/schema/", {"format": "json"}).json()
    examples = schema["paths"][URL]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ].values()
    assert any(
        "records" in example["value"] and "diseinfo" in example["value"]["records"][0]
        for example in examples
    )


def test_the_openapi_documents_the_limit_with_the_refusal_it_gives(world, client_for):
    schema = client_for(world.officer).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["post"]
    examples = operation["responses"]["400"]["content"]["application/json"]["examples"].values()
    refused = post(world.user_a, [valid_row("S1")] * (preview.MAX_CASES + 1)).json()
    assert refused in [example["value"] for example in examples]
    assert "10000" in operation["description"]
    assert "每次最多 10000 条" in str(schema["components"]["schemas"])
