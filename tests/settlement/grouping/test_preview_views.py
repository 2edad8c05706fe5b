"""The pre-grouping page (预分组): pasted rows or an uploaded file, the same answers as the API, in a table."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from config.spreadsheets.writer import rows_workbook
from settlement.grouping import preview
from settlement.grouping.forms import ERR_JSON_SHAPE, ERR_PAGE_FILE_TYPE
from settlement.intake import domain as intake
from tests.settlement.grouping.preview_world import dip_catalog, dip_parameters, point_value_run
from tests.settlement.intake_rows import csv_bytes, valid_row
from tests.settlement.national_records import national_record, national_tables

pytestmark = pytest.mark.django_db
PAGE = reverse("settlement:grouping_preview")


@pytest.fixture(autouse=True)
def priced(world, procedures):
    preview.preview_cache_clear()
    dip_catalog(world), dip_parameters(world), point_value_run(world)


def tsv(rows: list[dict[str, str]]) -> str:
    """Rows as Excel puts them on the clipboard: tab-separated, header first."""
    return "\n".join("\t".join(row.values()) for row in [dict(zip(rows[0], rows[0])), *rows])


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_an_expert_may_not_open_the_page(world, client_for):
    assert client_for(world.expert).get(PAGE).status_code == 403


@pytest.mark.parametrize("user", ["user_a", "officer"])
def test_hospital_and_bureau_users_open_the_page(world, client_for, user):
    response = client_for(getattr(world, user)).get(PAGE)
    assert response.status_code == 200 and "预分组" in response.content.decode()


def test_pasted_rows_show_group_and_estimate_in_a_table(world, client_for):
    response = client_for(world.user_a).post(PAGE, {"text": tsv([valid_row("S1")])})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="preview-results"' in page and "I21.000+36.0601" in page
    assert "估算金额 15000.00 元" in page and "估算点数 1500.0000" in page
    assert response.context["result"]["cases"][0]["dip"]["estimate"]["label"] == "估算"


def test_an_uploaded_csv_is_previewed_with_its_warnings(world, client_for):
    row = valid_row("S1", fee_drug="", fee_material="", fee_exam="", fee_treatment="", fee_other="")
    upload = SimpleUploadedFile("cases.csv", csv_bytes([row]))
    page = client_for(world.user_a).post(PAGE, {"file": upload}).content.decode()
    assert "I21.000+36.0601" in page and intake.WARN_FEE_BREAKDOWN_MISSING in page


def test_hospital_a_cannot_preview_hospital_bs_case_on_the_page(world, client_for):
    rows = [valid_row("S1"), valid_row("S2", institution=world.hospital_b.code)]
    response = client_for(world.user_a).post(PAGE, {"text": tsv(rows)})
    page = response.content.decode()
    assert response.status_code == 200 and response.context["result"] is None
    assert 'data-testid="preview-errors"' in page and intake.ERR_INSTITUTION_NOT_OWN in page
    assert (
        response.context["errors"][0]["row"] == 2
        and response.context["errors"][0]["column"] == "fixmedins_code"
    )
    assert "I21.000+36.0601" not in page


def test_hospital_b_previews_its_own_case_on_the_page(world, client_for):
    response = client_for(world.user_b).post(
        PAGE, {"text": tsv([valid_row("S1", institution=world.hospital_b.code)])}
    )
    assert response.context["result"]["cases"][0]["fixmedins_code"] == world.hospital_b.code


def test_nothing_pasted_or_both_given_is_refused_in_chinese(world, client_for):
    client = client_for(world.user_a)
    assert "请粘贴病例或上传文件" in client.post(PAGE, {"text": ""}).content.decode()
    upload = SimpleUploadedFile("cases.csv", csv_bytes([valid_row("S1")]))
    assert (
        "请粘贴病例或上传文件"
        in client.post(PAGE, {"text": tsv([valid_row("S1")]), "file": upload}).content.decode()
    )


@pytest.mark.parametrize("name", ["cases.txt", "cases.xls"])
def test_a_file_of_another_type_is_refused(world, client_for, name):
    upload = SimpleUploadedFile(name, b"setl_id\nS1\n")
    assert (
        ERR_PAGE_FILE_TYPE in client_for(world.user_a).post(PAGE, {"file": upload}).content.decode()
    )


def test_a_zip_that_is_not_one_is_refused_with_a_message_not_a_500(world, client_for):
    response = client_for(world.user_a).post(
        PAGE, {"file": SimpleUploadedFile("national.zip", b"setl_id\nS1\n")}
    )
    assert response.status_code == 200 and response.context["result"] is None
    assert response.context["form"].non_field_errors()


def national_workbook(records: list[dict]) -> bytes:
    """The records as a workbook with a sheet per 4101 table (setl_id joins the lists to their record)."""
    sheets = []
    for table, rows in national_tables(records).items():
        headers = list(dict.fromkeys(key for row in rows for key in row))
        sheets.append(
            (table, headers, [[row.get(header, "") for header in headers] for row in rows])
        )
    return rows_workbook(sheets)


def api_answer(user, records: list[dict]) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/grouping/preview/", {"records": records}, format="json").json()


def test_a_pasted_4101_record_shows_what_the_api_answers(world, client_for):
    record = national_record(
        "S1",
        diseinfo=[{"diag_type": "1", "diag_code": "J18.900", "maindiag_flag": "1"}],
        oprninfo=[],
    )
    response = client_for(world.user_a).post(PAGE, {"text": json.dumps(record, ensure_ascii=False)})
    page = response.content.decode()
    assert (
        response.status_code == 200
        and 'data-testid="preview-results"' in page
        and "J18.900" in page
    )
    assert response.context["result"] == api_answer(world.user_a, [record])
    assert (
        response.context["result"]["cases"][0]["dip"]["estimate"]["label"] == "估算"
        and "估算" in page
    )


def test_a_pasted_list_of_records_and_a_json_file_of_flat_rows_are_previewed(world, client_for):
    client = client_for(world.user_a)
    records = [
        national_record("S1"),
        national_record(
            "S2", diseinfo=[{"diag_code": "J18.900", "maindiag_flag": "1"}], oprninfo=[]
        ),
    ]
    listed = client.post(PAGE, {"text": json.dumps(records)}).context["result"]
    assert [case["dip"]["group_code"] for case in listed["cases"]] == ["I21.000+36.0601", "J18.900"]
    upload = SimpleUploadedFile("cases.json", json.dumps({"rows": [valid_row("S1")]}).encode())
    flat = client.post(PAGE, {"file": upload}).context["result"]
    assert flat["cases"][0]["dip"]["group_code"] == "I21.000+36.0601"
    assert flat["cases"][0]["dip"]["estimate"]["amount"] == "15000.00"


def test_a_4101_workbook_with_a_sheet_per_table_is_previewed_with_its_warnings(world, client_for):
    record = national_record(
        "S1", oprninfo=[{"oprn_oprt_code": "36.0601", "main_oprn_flag": ""}]
    )  # no flag: the first, warned
    upload = SimpleUploadedFile("national.xlsx", national_workbook([record]))
    response = client_for(world.user_a).post(PAGE, {"file": upload})
    result = response.context["result"]
    assert result is not None, response.content.decode()[:2000]
    assert result["cases"][0]["dip"]["group_code"] == "I21.000+36.0601"
    assert (
        result["cases"][0]["warnings"]
        == api_answer(world.user_a, [record])["cases"][0]["warnings"]
        != []
    )
    assert result["cases"][0]["warnings"][0]["message"] in response.content.decode()


def test_hospital_a_pasting_hospital_bs_4101_record_sees_a_chinese_error_and_nothing_of_b(
    world, client_for
):
    other = national_record("S2", institution=world.hospital_b.code)
    response = client_for(world.user_a).post(
        PAGE, {"text": json.dumps([national_record("S1"), other])}
    )
    page = response.content.decode()
    assert response.status_code == 200 and response.context["result"] is None
    assert intake.ERR_INSTITUTION_NOT_OWN in page and "病例校验未通过" in page
    assert [(e["row"], e["column"]) for e in response.context["errors"]] == [(2, "fixmedins_code")]
    assert (
        'data-testid="preview-results"' not in page
        and world.hospital_b.name not in page
        and "I21.000+36.0601" not in page
    )


def test_a_4101_workbook_of_another_institution_is_refused_too(world, client_for):
    upload = SimpleUploadedFile(
        "national.xlsx",
        national_workbook([national_record("S2", institution=world.hospital_b.code)]),
    )
    response = client_for(world.user_a).post(PAGE, {"file": upload})
    assert (
        response.context["result"] is None
        and intake.ERR_INSTITUTION_NOT_OWN in response.content.decode()
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"setlinfo": ', "JSON 格式有误（第1行第13列附近）"),
        (
            '{"records": [{"setlinfo": {"setl_id": "S1"}, "ward": []}]}',
            "ward",
        ),  # the API's own refusal, naming the table
    ],
)
def test_bad_json_is_refused_in_chinese(world, client_for, text, message):
    response = client_for(world.user_a).post(PAGE, {"text": text})
    assert response.status_code == 200 and response.context["result"] is None
    assert message in " ".join(response.context["form"].non_field_errors())


def test_a_json_file_of_another_shape_is_refused_in_chinese(world, client_for):
    response = client_for(world.user_a).post(
        PAGE, {"file": SimpleUploadedFile("cases.json", b'"S1"')}
    )
    assert (
        response.context["result"] is None
        and ERR_JSON_SHAPE in response.context["form"].non_field_errors()
    )
