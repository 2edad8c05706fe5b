"""The pre-grouping page (预分组): pasted rows or an uploaded file, the same answers as the API, in a table."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.spreadsheets.writer import rows_workbook
from settlement.grouping import preview
from settlement.grouping.forms import ERR_PAGE_FILE_TYPE
from settlement.intake import domain as intake
from tests.settlement.grouping.preview_world import dip_catalog, dip_parameters, point_value_run
from tests.settlement.intake_rows import csv_bytes, valid_row

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
    assert response.context["errors"][0]["row"] == 2 and response.context["errors"][0]["column"] == "fixmedins_code"
    assert "I21.000+36.0601" not in page


def test_hospital_b_previews_its_own_case_on_the_page(world, client_for):
    response = client_for(world.user_b).post(PAGE, {"text": tsv([valid_row("S1", institution=world.hospital_b.code)])})
    assert response.context["result"]["cases"][0]["fixmedins_code"] == world.hospital_b.code


def test_nothing_pasted_or_both_given_is_refused_in_chinese(world, client_for):
    client = client_for(world.user_a)
    assert "请粘贴病例或上传文件" in client.post(PAGE, {"text": ""}).content.decode()
    upload = SimpleUploadedFile("cases.csv", csv_bytes([valid_row("S1")]))
    assert "请粘贴病例或上传文件" in client.post(PAGE, {"text": tsv([valid_row("S1")]), "file": upload}).content.decode()


@pytest.mark.parametrize("name", ["cases.txt", "setlinfo.zip"])
def test_a_file_of_another_type_is_refused(world, client_for, name):
    upload = SimpleUploadedFile(name, b"setl_id\nS1\n")
    assert ERR_PAGE_FILE_TYPE in client_for(world.user_a).post(PAGE, {"file": upload}).content.decode()


def test_a_workbook_with_a_sheet_per_national_table_is_refused_not_misread(world, client_for):
    content = rows_workbook([("结算清单", ["setl_id", "fixmedins_code"], [["S1", world.hospital_a.code]]),
                             ("诊断", ["setl_id", "diag_code", "maindiag_flag"], [["S1", "I21.000", "1"]])])
    upload = SimpleUploadedFile("national.xlsx", content)
    response = client_for(world.user_a).post(PAGE, {"file": upload})
    assert response.status_code == 200
    assert ERR_PAGE_FILE_TYPE in response.content.decode()
