"""Parameter pages: permissions, create/edit with errors in Chinese, workflow, Excel round-trip."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.spreadsheets import spreadsheet_safe
from settlement.parameters import domain, excel, services
from settlement.parameters.models import ParameterSet, ParameterStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world) -> ParameterSet:
    return services.parameter_set_create(
        actor=world.officer,
        region=world.region,
        year=2025,
        scheme="390",
        category="DRG",
        kind="DRG",
    )


def test_hospital_and_expert_users_get_403_and_anonymous_goes_to_login(
    world, client_for, client, draft
):
    urls = [
        reverse("settlement:parameter_list"),
        reverse("settlement:parameter_detail", args=[draft.pk]),
        reverse("settlement:parameter_export", args=[draft.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    for user in (world.user_a, world.expert):
        for url in urls:
            assert client_for(user).get(url).status_code == 403


def test_an_officer_creates_a_set_with_the_defaults_and_sees_it_listed(world, client_for):
    client = client_for(world.officer)
    response = client.post(
        reverse("settlement:parameter_create"),
        {
            "region": world.region.pk,
            "year": 2025,
            "scheme": "310",
            "category": "dip",
            "kind": "DIP",
        },
    )
    created = ParameterSet.objects.get()
    assert (
        response.status_code == 302
        and created.category == "DIP"
        and created.values == domain.defaults("DIP")
    )
    body = client.get(reverse("settlement:parameter_list")).content.decode()
    assert "第1版" in body and "2025" in body and "2,025" not in body


def test_a_bad_value_is_shown_in_chinese_next_to_its_field_and_nothing_is_saved(
    world, client_for, draft
):
    data = {
        **draft.values,
        "deposit_rate": "5%",
        "effective_from": "2025年1月1日",
        "effective_to": "",
    }
    response = client_for(world.officer).post(
        reverse("settlement:parameter_edit", args=[draft.pk]), data
    )
    assert response.status_code == 200 and domain.ERR_NUMBER in response.content.decode()
    assert ParameterSet.objects.get(pk=draft.pk).values == domain.defaults("DRG")


def test_an_edit_saves_and_the_detail_marks_values_off_default(world, client_for, draft):
    client = client_for(world.officer)
    data = {
        **draft.values,
        "high_ratio_tertiary": "2.5",
        "effective_from": "2025-01-01",
        "effective_to": "",
    }
    assert (
        client.post(reverse("settlement:parameter_edit", args=[draft.pk]), data).status_code == 302
    )
    assert ParameterSet.objects.get(pk=draft.pk).values["high_ratio_tertiary"] == "2.5"
    body = client.get(reverse("settlement:parameter_detail", args=[draft.pk])).content.decode()
    assert '<td class="text-end fw-bold">2.5' in body


def test_submit_and_approve_through_the_pages_needs_a_second_user(world, client_for, draft):
    client_for(world.officer).post(reverse("settlement:parameter_submit", args=[draft.pk]))
    body = (
        client_for(world.officer)
        .get(reverse("settlement:parameter_detail", args=[draft.pk]))
        .content.decode()
    )
    assert "须由提交人以外的经办人员审批" in body
    client_for(world.bureau_admin).post(reverse("settlement:parameter_approve", args=[draft.pk]))
    assert ParameterSet.objects.get(pk=draft.pk).status == ParameterStatus.IN_FORCE


def test_export_then_import_gives_the_same_values_and_an_edited_cell_is_taken(
    world, client_for, draft
):
    client = client_for(world.officer)
    exported = client.get(reverse("settlement:parameter_export", args=[draft.pk])).content
    workbook = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = workbook[excel.SHEET]
    assert [c.value for c in sheet[3]] == excel.HEADER and sheet.freeze_panes == "A4"
    row = next(r for r in sheet.iter_rows(min_row=4) if r[1].value == "deposit_rate")
    row[2].value = 0.08  # typed as a number in Excel
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("p.xlsx", buffer.getvalue())
    assert (
        client.post(
            reverse("settlement:parameter_import", args=[draft.pk]), {"file": upload}
        ).status_code
        == 302
    )
    assert ParameterSet.objects.get(pk=draft.pk).values == {
        **domain.defaults("DRG"),
        "deposit_rate": "0.08",
    }


def test_an_import_with_bad_rows_reports_each_row_and_writes_nothing(world, client_for, draft):
    workbook = openpyxl.load_workbook(io.BytesIO(excel.parameter_workbook(draft)))
    sheet = workbook[excel.SHEET]
    for row in sheet.iter_rows(min_row=4):
        if row[1].value == "scale":
            row[2].value = "一千"
        if row[1].value == "basis":
            row[2].value = "=HYPERLINK(1)"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client_for(world.officer).post(
        reverse("settlement:parameter_import", args=[draft.pk]),
        {"file": SimpleUploadedFile("p.xlsx", buffer.getvalue())},
        follow=True,
    )
    body = response.content.decode()
    assert (
        "第4行（分值/点数标尺 K）：应为数字。" in body and "第11行（点值口径）" in body
    )  # after 偏差比舍入 (row 9)
    assert ParameterSet.objects.get(pk=draft.pk).values == domain.defaults("DRG")


def test_the_workbook_neutralises_text_that_a_spreadsheet_would_evaluate(world, draft):
    draft.values = {**draft.values, "basis": "=cmd|' /C calc'!A0"}
    sheet = openpyxl.load_workbook(io.BytesIO(excel.parameter_workbook(draft)))[excel.SHEET]
    cell = next(r[2].value for r in sheet.iter_rows(min_row=4) if r[1].value == "basis")
    assert cell == spreadsheet_safe("=cmd|' /C calc'!A0") and cell.startswith("'=")
