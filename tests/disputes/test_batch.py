"""Batch filing of special cases (批量申报) from the Excel template: the template, the row parser (pure),
and the upload — every row filed as a draft of the uploader's own institution, or none with the
errors of every row. Another institution's case reads as unknown (its existence is not disclosed)."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.spreadsheets.responses import content_disposition
from disputes import domain, services
from disputes.batch import (
    ERR_EMPTY,
    ERR_NOT_TEMPLATE,
    ERR_UNREADABLE,
    HEADER,
    SHEET,
    batch_read,
    batch_template,
)
from disputes.choices import ItemKind, ItemStatus, Reason
from disputes.models import DisputeItem

BATCH = reverse("disputes:item_batch")
TEMPLATE = reverse("disputes:item_batch_template")


def workbook(*rows) -> SimpleUploadedFile:
    """The template filled with ``rows`` (setl_id, reason1, reason2, reason3, statement)."""
    book = openpyxl.load_workbook(BytesIO(batch_template()))
    for row in rows:
        book[SHEET].append(list(row))
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("batch.xlsx", buffer.getvalue())


# --------------------------------------------------------------------------- template and parser


def test_the_template_has_the_header_a_reason_drop_down_and_the_code_list():
    book = openpyxl.load_workbook(BytesIO(batch_template()))
    sheet = book[SHEET]
    assert [cell.value for cell in sheet[1]] == HEADER
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == '"' + ",".join(Reason.values) + '"'
    assert str(validation.sqref) == "B2:D1001"
    assert list(book["理由代码"].iter_rows(min_row=2, values_only=True)) == list(Reason.choices)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            ("A1", ["high_cost", "", "critical_care"], "ICU"),
            domain.BatchRow(5, "A1", ("high_cost", "critical_care"), "ICU"),
        ),
        (
            ("A1", ["high_cost、long_stay", "high_cost", ""], "x"),
            domain.BatchRow(5, "A1", ("high_cost", "long_stay"), "x"),
        ),
        (("A1", ["", "", ""], "x"), ["请至少选择一项申请理由。"]),
        (("A1", ["high_cost", "too_expensive", ""], "x"), ["未知的申请理由代码：too_expensive。"]),
        (("", ["high_cost", "", ""], ""), ["缺少结算清单号。", "缺少申请陈述。"]),
    ],
)
def test_a_row_is_parsed_or_its_errors_listed(cells, expected):
    assert domain.batch_row_parse(5, *cells) == expected


def test_reading_skips_blank_rows_and_reports_each_bad_row_by_line():
    rows, errors = batch_read(
        workbook(
            ("A1", "high_cost", None, None, "说明"),
            (None,) * 5,
            ("A2", "bogus", None, None, "说明"),
        )
    )
    assert rows == [domain.BatchRow(2, "A1", ("high_cost",), "说明")]
    assert errors == [(4, "未知的申请理由代码：bogus。")]


@pytest.mark.parametrize(
    ("upload", "message"),
    [(SimpleUploadedFile("x.xlsx", b"not a workbook"), ERR_UNREADABLE), (workbook(), ERR_EMPTY)],
)
def test_a_file_that_is_not_a_filled_template_is_refused_as_a_whole(upload, message):
    with pytest.raises(ValueError, match=message):
        batch_read(upload)


def test_a_workbook_with_another_header_is_not_the_template():
    book = openpyxl.Workbook()
    book.active.title = SHEET
    book.active.append(["setl_id", "reason", "statement"])
    buffer = BytesIO()
    book.save(buffer)
    with pytest.raises(ValueError, match=ERR_NOT_TEMPLATE):
        batch_read(BytesIO(buffer.getvalue()))


# --------------------------------------------------------------------------- filing


@pytest.mark.django_db
def test_each_row_becomes_a_draft_of_the_hospitals_own_case(world, cases, client_for):
    upload = workbook(
        ("A1", "high_cost", "critical_care", None, "ICU 12 天"),
        ("A2", "new_technology", None, None, "新型耗材"),
    )
    response = client_for(world.user_a).post(BATCH, {"file": upload})
    assert response.status_code == 302 and response["Location"] == reverse("disputes:item_list")
    items = DisputeItem.objects.order_by("id")
    assert [
        (i.case.setl_id, i.reasons, i.statement, i.institution, i.status, i.kind) for i in items
    ] == [
        (
            "A1",
            ["high_cost", "critical_care"],
            "ICU 12 天",
            world.hospital_a,
            ItemStatus.DRAFT,
            ItemKind.SPECIAL_CASE,
        ),
        (
            "A2",
            ["new_technology"],
            "新型耗材",
            world.hospital_a,
            ItemStatus.DRAFT,
            ItemKind.SPECIAL_CASE,
        ),
    ]


@pytest.mark.django_db
def test_any_bad_row_files_nothing_and_every_error_is_listed(
    world, cases, special_case, client_for, settings
):
    settings.DISPUTES_SPECIAL_CASE_QUOTA_RATE = "1"  # A: 4 places, one taken by A1 below
    special_case(setl_id="A1")
    upload = workbook(
        ("A2", "high_cost", None, None, "ok"),  # fine on its own
        ("A9", "high_cost", None, None, "x"),  # unknown case
        ("B1", "high_cost", None, None, "x"),  # hospital B's case
        ("A1", "high_cost", None, None, "x"),  # already filed
        ("A3", "bogus", None, None, "x"),  # unknown reason
    )
    response = client_for(world.user_a).post(BATCH, {"file": upload})
    assert response.status_code == 200
    assert response.context["errors"] == [
        "第 3 行（A9）：本机构没有结算清单号为「A9」的结算清单。",
        "第 4 行（B1）：本机构没有结算清单号为「B1」的结算清单。",
        "第 5 行（A1）：该结算清单已有未撤回的特病单议申请（一例一议）。",
        "第 6 行：未知的申请理由代码：bogus。",
    ]
    assert 'data-testid="batch-errors"' in response.content.decode()
    assert list(DisputeItem.objects.values_list("case__setl_id", flat=True)) == [
        "A1"
    ]  # A2 was rolled back


@pytest.mark.django_db
def test_the_row_that_passes_the_quota_is_reported(world, cases):
    rows, _ = batch_read(
        workbook(*[(f"A{n}", "long_stay", None, None, "x") for n in (1, 2, 3)])
    )  # A's quota is 2
    with pytest.raises(ValidationError) as refused:
        services.item_batch_file(actor=world.user_a, rows=rows)
    assert refused.value.messages == [
        "第 4 行（A3）：2024年3月特病单议名额已用完：本机构名额 2 例，已申请 2 例，剩余 0 例。"
    ]
    assert not DisputeItem.objects.exists()


@pytest.mark.django_db
def test_the_same_case_twice_in_one_file_is_refused(world, cases):
    rows, _ = batch_read(
        workbook(("A1", "long_stay", None, None, "x"), ("A1", "high_cost", None, None, "y"))
    )
    with pytest.raises(ValidationError, match="一例一议"):
        services.item_batch_file(actor=world.user_a, rows=rows)
    assert not DisputeItem.objects.exists()


@pytest.mark.django_db
def test_hospital_b_files_only_its_own_cases(world, cases):
    rows, _ = batch_read(workbook(("B1", "long_stay", None, None, "x")))
    (item,) = services.item_batch_file(actor=world.user_b, rows=rows)
    assert item.institution == world.hospital_b
    rows, _ = batch_read(workbook(("A1", "long_stay", None, None, "x")))
    with pytest.raises(ValidationError, match="本机构没有结算清单号为「A1」"):
        services.item_batch_file(actor=world.user_b, rows=rows)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer", "expert"])
def test_only_hospitals_file_in_batch(world, cases, who, client_for):
    with pytest.raises(PermissionDenied):
        services.item_batch_file(
            actor=getattr(world, who), rows=[domain.BatchRow(2, "A1", ("long_stay",), "x")]
        )
    client = client_for(getattr(world, who))
    assert client.get(BATCH).status_code == 403 and client.get(TEMPLATE).status_code == 403
    assert (
        client.post(BATCH, {"file": workbook(("A1", "long_stay", None, None, "x"))}).status_code
        == 403
    )
    assert not DisputeItem.objects.exists()


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client, world):
    for target in (BATCH, TEMPLATE):
        response = client.get(target)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_a_hospital_downloads_the_template_and_sees_a_file_level_error(world, client_for):
    client = client_for(world.user_a)
    response = client.get(TEMPLATE)
    assert response["Content-Disposition"] == content_disposition(
        "special-case-batch-template.xlsx"
    )
    assert openpyxl.load_workbook(BytesIO(response.content))[SHEET]["A1"].value == HEADER[0]
    response = client.post(BATCH, {"file": SimpleUploadedFile("x.xlsx", b"garbage")})
    assert response.context["errors"] == [ERR_UNREADABLE]
