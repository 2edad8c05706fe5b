"""The filing workbook: formatted export, round-trip import, row-level errors, nothing written on error."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from budgets import excel, selectors, services
from budgets.domain import LineInput
from catalogs.choices import Scheme
from tests.budgets.conftest import E1_CARVE_OUTS, E1_INCOME, M, compile_e1

pytestmark = pytest.mark.django_db


def workbook(budget):
    return load_workbook(BytesIO(excel.budget_workbook(budget=budget)))


def header_row(ws) -> int:
    return next(row[0].row for row in ws.iter_rows() if row[0].value == "序号")


def test_the_export_is_the_formatted_filing_table(draft):
    ws = workbook(draft)[excel.SHEET_LINES]
    start = header_row(ws)
    assert [c.value for c in ws[start]] == excel.COLUMNS
    pool = next(row for row in ws.iter_rows(min_row=start + 1) if row[2].value == "POOL")
    assert pool[9].value == 550_000_000 and pool[9].number_format == "#,##0.00"
    totals = {
        row[3].value: row[9].value
        for row in ws.iter_rows(min_row=start + 1)
        if row[1].value == "合计"
    }
    assert totals == {"单列支出合计": 350_000_000, "细分类别合计": 550_000_000}
    months = workbook(draft)[excel.SHEET_MONTHS]
    assert months["B2"].value == "门诊慢特病APG" and months["S2"].value == 50_000_000
    assert (
        months.cell(row=4, column=2).value == "合计"
        and months.cell(row=4, column=19).value == 550_000_000
    )


def test_an_exported_budget_imports_back_to_the_same_lines(world, draft):
    other = services.budget_create(
        actor=world.officer, region=world.region, year=2025, scheme=Scheme.RESIDENT
    )
    excel.budget_lines_import(
        actor=world.officer, budget=other, file=BytesIO(excel.budget_workbook(budget=draft))
    )
    fields = [
        "kind",
        "code",
        "name",
        "method",
        "amount",
        "entered_amount",
        "base",
        "rate",
        "per_capita",
        "count",
    ]
    assert list(other.lines.values_list(*fields)) == list(draft.lines.values_list(*fields))
    assert [r.months for r in selectors.budget_phasing(budget=other)] == [
        r.months for r in selectors.budget_phasing(budget=draft)
    ]


def test_user_text_is_neutralised_against_formulas_and_survives_the_round_trip(world, draft):
    compile_e1(
        actor=world.officer,
        budget=draft,
        carve_outs=[*E1_CARVE_OUTS, LineInput("=X", '=HYPERLINK("http://x")', amount=1 * M)],
        categories=[LineInput("DIP", "@住院", method="remainder")],
    )
    ws = workbook(draft)[excel.SHEET_LINES]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert '\'=HYPERLINK("http://x")' in [c.value for c in cells] and "'@住院" in [
        c.value for c in cells
    ]
    parsed = excel.parse_budget_lines(BytesIO(excel.budget_workbook(budget=draft)))
    assert parsed.carve_outs[-1].code == "=X" and parsed.categories[0].name == "@住院"


def broken_workbook(budget) -> BytesIO:
    wb = workbook(budget)
    ws = wb[excel.SHEET_LINES]
    start = header_row(ws)
    rows = {row[2].value: row for row in ws.iter_rows(min_row=start + 1)}
    rows["CHRONIC"][9].value = "八千万"
    rows["OTHER"][4].value = "拍脑袋"
    rows["DIP"][1].value = "奖励"
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_row_errors_are_reported_and_nothing_is_written(world, draft):
    before = list(draft.lines.values_list("code", "amount"))
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        excel.budget_lines_import(actor=world.officer, budget=draft, file=broken_workbook(draft))
    assert error.value.messages == [
        "第9行：“预算金额（元）”不是有效数字：八千万。",
        "第11行：测算方法“拍脑袋”无效。",
        "第14行：类型“奖励”无效，应为 基金收入、单列支出 或 细分类别。",
    ]
    assert (
        list(draft.lines.values_list("code", "amount")) == before
        and AuditEvent.objects.count() == events
    )


def test_a_derivation_error_in_the_file_writes_nothing(world, draft):
    other = services.budget_create(
        actor=world.officer, region=world.region, year=2025, scheme=Scheme.RESIDENT
    )
    compile_e1(actor=world.officer, budget=draft, income=E1_INCOME)
    wb = workbook(draft)
    ws = wb[excel.SHEET_LINES]
    next(row for row in ws.iter_rows() if row[2].value == "CHRONIC")[9].value = 900_000_000
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    with pytest.raises(ValidationError, match="门诊慢性病"):
        excel.budget_lines_import(actor=world.officer, budget=other, file=out)
    assert not other.lines.exists()


def test_a_file_that_is_not_a_workbook_is_refused(world, draft):
    assert excel.parse_budget_lines(BytesIO(b"not a workbook")).errors == [excel.ERR_NOT_XLSX]


def test_import_and_export_through_the_pages(world, draft, client_for):
    client = client_for(world.officer)
    response = client.get(reverse("budgets:budget_export", args=[draft.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = SimpleUploadedFile("b.xlsx", broken_workbook(draft).getvalue())
    page = client.post(
        reverse("budgets:budget_import", args=[draft.pk]), {"file": upload}, follow=True
    )
    assert "第9行" in page.content.decode()
    good = SimpleUploadedFile("b.xlsx", response.content)
    page = client.post(
        reverse("budgets:budget_import", args=[draft.pk]), {"file": good}, follow=True
    )
    assert "已从 Excel 导入" in page.content.decode()
