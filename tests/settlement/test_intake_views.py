"""Intake pages: upload, batch list/detail, error report, templates — permissions and tenancy."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from config.spreadsheets import FORMULA_TRIGGERS
from settlement.intake.choices import ImportStatus
from settlement.intake.columns import COLUMNS
from settlement.intake.models import ImportBatch
from settlement.models import CaseRecord
from tests.settlement.intake_rows import csv_bytes, valid_row

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_login(client):
    for name in (
        "settlement:batch_list",
        "settlement:batch_upload",
        "settlement:template_download",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login" in response["Location"]


def test_an_expert_cannot_open_the_upload_page(world, client_for):
    assert client_for(world.expert).get(reverse("settlement:batch_upload")).status_code == 403


def test_a_hospital_uploads_and_sees_its_cases_land(
    world, client_for, media_root, django_capture_on_commit_callbacks
):
    client = client_for(world.user_a)
    page = client.get(reverse("settlement:batch_upload"))
    assert page.status_code == 200 and "甲医院" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("settlement:batch_upload"),
            {"file": SimpleUploadedFile("a.csv", csv_bytes([valid_row("S1")]))},
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "settlement:batch_detail", args=[batch.pk]
    )
    detail = client.get(response["Location"]).content.decode()
    assert "已导入" in detail and reverse("jobs:job_detail", args=[batch.job_id]) in detail
    assert CaseRecord.objects.filter(institution=world.hospital_a, setl_id="S1").exists()


@override_settings(INTAKE_MAX_UPLOAD_MB=1)
def test_an_oversize_upload_is_refused_on_the_form(world, client_for, media_root):
    response = client_for(world.user_a).post(
        reverse("settlement:batch_upload"),
        {"file": SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 10))},
    )
    assert response.status_code == 200 and "文件大小超过上限 1 MB" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_the_batch_detail_shows_row_errors_in_chinese_paginated(world, client_for, upload):
    rows = [valid_row(f"S{i}", age="200") for i in range(150)]
    batch = upload(world.user_a, rows)
    client = client_for(world.user_a)
    first = client.get(reverse("settlement:batch_detail", args=[batch.pk])).content.decode()
    assert "年龄(岁)(age)" in first and "应为0到150之间的整数。" in first and "共 150 条" in first
    second = client.get(
        reverse("settlement:batch_detail", args=[batch.pk]), {"page": 2}
    ).content.decode()
    assert "第 2 / 2 页" in second


def test_a_hospital_gets_404_for_another_hospitals_batch(world, client_for, upload):
    batch = upload(world.user_b, [valid_row("S1", institution=world.hospital_b.code)])
    client = client_for(world.user_a)
    assert client.get(reverse("settlement:batch_detail", args=[batch.pk])).status_code == 404
    assert client.get(reverse("settlement:batch_report", args=[batch.pk])).status_code == 404
    assert f"#{batch.pk}" not in client.get(reverse("settlement:batch_list")).content.decode()
    assert (
        f"#{batch.pk}"
        in client_for(world.user_b).get(reverse("settlement:batch_list")).content.decode()
    )


def test_the_bureau_sees_every_batch(world, client_for, upload):
    batch = upload(world.user_b, [valid_row("S1", institution=world.hospital_b.code)])
    assert (
        client_for(world.officer)
        .get(reverse("settlement:batch_detail", args=[batch.pk]))
        .status_code
        == 200
    )


def test_the_batch_list_runs_a_bounded_number_of_queries(
    world, client_for, upload, django_assert_max_num_queries
):
    for i in range(5):
        upload(world.user_a, [valid_row(f"S{i}")])
    client = client_for(world.officer)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("settlement:batch_list")).status_code == 200


def test_the_error_report_neutralises_formulas(world, client_for, upload):
    batch = upload(
        world.user_a,
        [
            valid_row(
                "S1", psn_no='=HYPERLINK("http://evil")' + "x" * 30, mdtrt_id="@SUM(A1)" + "y" * 30
            )
        ],
    )
    assert batch.status == ImportStatus.REJECTED
    response = client_for(world.user_a).get(reverse("settlement:batch_report", args=[batch.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [
        cell
        for row in sheet.iter_rows(min_row=2, values_only=True)
        for cell in row
        if isinstance(cell, str)
    ]
    assert '\'=HYPERLINK("http://evil")' + "x" * 30 in values and "'@SUM(A1)" + "y" * 30 in values
    assert not any(value.startswith(FORMULA_TRIGGERS) for value in values)
    header = [cell.value for cell in sheet[1]]
    assert header == ["级别", "行号", "列代码", "列名称", "值", "说明"]


def test_the_xlsx_template_has_headers_instructions_and_drop_downs(world, client_for):
    response = client_for(world.user_a).get(reverse("settlement:template_download"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["结算清单", "填写说明"]
    sheet = workbook["结算清单"]
    assert [cell.value for cell in sheet[1]] == [column.header for column in COLUMNS]
    lists = {
        str(rule.sqref).split(":")[0]: rule.formula1
        for rule in sheet.data_validations.dataValidation
    }
    assert lists["E2"] == '"310,390"' and len(lists) == sum(
        1 for column in COLUMNS if column.choices
    )
    instructions = {row[1]: row for row in workbook["填写说明"].iter_rows(values_only=True)}
    assert instructions["maindiag_code"][2:5] == ("主要诊断编码", "ICD-10医保版诊断编码", "是")
    assert instructions["opsp_dise_code"][3] == "门诊慢特病病种代码"


def test_the_csv_template_round_trips_through_the_parser(world, client_for, upload):
    template = (
        client_for(world.user_a)
        .get(reverse("settlement:template_download"), {"format": "csv"})
        .content
    )
    header_line = template.decode("utf-8-sig").strip()
    row = valid_row("S1")
    content = (header_line + "\n" + ",".join(row[column.code] for column in COLUMNS) + "\n").encode(
        "utf-8"
    )
    assert upload(world.user_a, content=content).status == ImportStatus.SUCCEEDED


def test_the_case_list_links_to_the_intake(world, client_for):
    page = client_for(world.user_a).get(reverse("settlement:case_list")).content.decode()
    assert reverse("settlement:batch_upload") in page and reverse("settlement:batch_list") in page
