"""Statement (结算单) and case-explanation workbooks: they open with openpyxl, their figures equal the stored
run rows to the fen, money is written as numbers with thousands-separator formats, text is neutralised."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from config.spreadsheets import XLSX
from settlement.runs import excel
from settlement.runs.models import RunCase, RunInstitution
from tests.settlement.runs.test_views import computed  # noqa: F401  (the module-scoped demo region with runs)

pytestmark = pytest.mark.django_db

FEN = Decimal("0.01")


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def labelled_values(sheet) -> dict[str, object]:
    return {
        row[0]: row[1]
        for row in sheet.iter_rows(values_only=True)
        if row[0] and len(row) > 1 and row[1] is not None
    }


def as_decimal(value, places: Decimal = FEN) -> Decimal:
    return Decimal(str(value)).quantize(places)


def statement_sheet(client, row: RunInstitution):
    return workbook(
        client.get(reverse("settlement:statement_export", args=[row.run_id, row.institution.code]))
    ).active


@pytest.mark.parametrize("run_name", ["monthly", "clearing"])
def test_the_statements_amounts_equal_the_stored_row_to_the_fen(computed, client_for, run_name):  # noqa: F811
    row = (
        getattr(computed, run_name)
        .institutions.select_related("run", "institution")
        .get(institution=computed.own.institution)
    )
    values = labelled_values(statement_sheet(client_for(computed.demo.hospital_user), row))
    checked = 0
    for section in excel.statement_sections(row):
        for line in section.lines:
            if line.fmt == excel.MONEY:
                assert (
                    as_decimal(values[line.label]) == line.value == getattr(row, _field(line.label))
                ), line.label
                checked += 1
    assert checked >= 5
    assert (
        as_decimal(values["有效点数"], Decimal("0.0001")) == row.points
        and values["病例数"] == row.cases
    )
    assert as_decimal(values["点值"], Decimal("0.000001")) == row.run.point_value


def _field(label: str) -> str:
    return next(
        f.name
        for f in RunInstitution._meta.get_fields()
        if getattr(f, "verbose_name", None) == label
    )


def test_the_statement_is_formatted_with_a_frozen_header_thousands_formats_and_widths(
    computed, client_for
):  # noqa: F811
    sheet = statement_sheet(client_for(computed.demo.officer), computed.own)
    header = next(r for r in range(1, 20) if sheet.cell(row=r, column=1).value == "项目")
    assert sheet.freeze_panes == f"A{header + 1}" and sheet.cell(row=header, column=1).font.bold
    assert sheet.column_dimensions["A"].width >= 30
    money_cells = [
        row[1]
        for row in sheet.iter_rows(min_row=header + 1)
        if row[0].value == "结算金额（点数×点值）"
    ]
    assert (
        money_cells
        and money_cells[0].number_format == "#,##0.00"
        and isinstance(money_cells[0].value, (int, float))
    )
    assert "点数构成（按偏差类型）" in [c.value for c in sheet["A"]]


def test_text_that_a_spreadsheet_would_evaluate_is_written_as_text(computed, client_for):  # noqa: F811
    institution = computed.own.institution
    institution.name = '=HYPERLINK("http://x")'
    institution.save(update_fields=["name"])
    sheet = statement_sheet(client_for(computed.demo.officer), computed.own)
    assert labelled_values(sheet)["定点医疗机构"].startswith("'=HYPERLINK")


def test_the_case_explanation_workbook_equals_the_run_case_rows(computed, client_for):  # noqa: F811
    response = client_for(computed.demo.hospital_user).get(
        reverse("settlement:case_points_export", args=[computed.own_case.pk])
    )
    sheet = workbook(response).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "结算运行")
    columns = {name: i for i, name in enumerate(rows[header])}
    results = list(
        RunCase.objects.filter(case=computed.own_case)
        .select_related("run")
        .order_by("-run__created_at", "-run_id")
    )
    assert (
        len(rows) - header - 1 == len(results) >= 3
    )  # both monthly runs and the annual run (a clearing has no case rows)
    for result, row in zip(results, rows[header + 1 :], strict=True):
        assert row[columns["结算运行"]].startswith(f"#{result.run_id} ")
        assert as_decimal(row[columns["病例点数"]], Decimal("0.0001")) == result.points
        assert as_decimal(row[columns["折算金额（元）"]]) == result.amount
        assert as_decimal(row[columns["基准分值"]], Decimal("0.0001")) == result.score
        assert as_decimal(row[columns["偏差比"]], Decimal("0.0001")) == result.ratio
        assert as_decimal(row[columns["机构系数"]], Decimal("0.0001")) == result.inst_coef
        assert row[columns["偏差类型"]] == excel.deviation_label(result.deviation)
