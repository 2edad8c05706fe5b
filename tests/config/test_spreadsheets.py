"""The one spreadsheet module: what a text cell may hold, the neutralising writer, the download response,
and that no app writes a workbook or answers a download around them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest

from config.spreadsheets import CSV, XLSX, download_response, spreadsheet_safe
from config.spreadsheets.writer import rows_workbook, workbook_bytes, workbook_new

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "accounts",
    "audit",
    "budgets",
    "catalogs",
    "config",
    "demo",
    "disputes",
    "jobs",
    "reports",
    "settlement",
)
# Only config/spreadsheets may save an openpyxl workbook, export tablib as xlsx, or answer a download.
HAND_BUILT = re.compile(
    r"openpyxl import Workbook|openpyxl\.Workbook\(|\.export\(\"xlsx\"\)|Content-Disposition|FileResponse\("
    r"|spreadsheetml\.sheet\"|text/csv"
)


def cells(content: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("I21.000", "I21.000"),
        (12, 12),
        (None, None),
    ],
)
def test_spreadsheet_cells_are_neutralised(value, safe):
    assert spreadsheet_safe(value) == safe


def test_streamed_tables_never_start_a_cell_with_a_formula():
    content = rows_workbook([("s", ["=x"], [["+1", "ok", 3]])])
    assert [cell.value for cell in cells(content)] == ["'=x", "'+1", "ok", 3]


def test_a_laid_out_workbook_is_neutralised_however_its_cells_were_written():
    book = workbook_new()
    sheet = book.active
    sheet.append(['=HYPERLINK("http://x")', -1])
    sheet.cell(row=2, column=1, value="@SUM(A1)")
    sheet["A3"] = "=1+1"
    sheet["A4"].value = "-2"
    sheet.merge_cells("B3:C4")
    written = cells(workbook_bytes(book))
    assert [cell.value for cell in written] == [
        '\'=HYPERLINK("http://x")',
        -1,
        "'@SUM(A1)",
        "'=1+1",
        "'-2",
    ]
    assert not [cell for cell in written if cell.data_type == "f"]


def test_a_download_names_its_file_for_every_browser():
    response = download_response(b"x", '决定书-=1+"A".xlsx')
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        "attachment; filename=\"___-=1+_A_.xlsx\"; filename*=UTF-8''%E5%86%B3%E5%AE%9A%E4%B9%A6-%3D1%2B%22A%22.xlsx"
    )
    assert download_response(b"a,b\n", "t.csv")["Content-Type"] == CSV


def test_a_stored_file_is_streamed():
    response = download_response(io.BytesIO(b"PK"), "r.xlsx")
    assert response.streaming and b"".join(response.streaming_content) == b"PK"
    assert (
        response["Content-Disposition"]
        == "attachment; filename=\"r.xlsx\"; filename*=UTF-8''r.xlsx"
    )


def test_no_module_writes_a_workbook_or_answers_a_download_by_hand():
    sources = [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    ]
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources
        if path.parent.name != "spreadsheets"
        and HAND_BUILT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_cell_over_the_excel_limit_is_refused_never_cut():
    from config.spreadsheets.writer import CELL_LIMIT

    assert rows_workbook([("表", ["列"], [["x" * CELL_LIMIT]])])
    with pytest.raises(ValueError, match="单元格内容超过 Excel 上限"):
        rows_workbook([("表", ["列"], [["x" * (CELL_LIMIT + 1)]])])
