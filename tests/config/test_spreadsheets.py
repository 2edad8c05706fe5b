"""The one spreadsheet module: what a text cell may hold, the neutralising writer, the download response,
and that no app writes a workbook or answers a download around them."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import numpy
import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory
from django.urls import reverse

from config.middleware import SpreadsheetRefusedMiddleware
from config.spreadsheets import (
    CELL_LIMIT,
    CSV,
    XLSX,
    CellAtLimit,
    CellTooLong,
    download_response,
    spreadsheet_safe,
)
from config.spreadsheets.reader import grid_checked, sheet_values
from config.spreadsheets.writer import (
    csv_bytes,
    rows_workbook,
    workbook_bytes,
    workbook_new,
)

ROOT = Path(__file__).resolve().parents[2]
# Every package of the portal (an app added later is covered without editing this list).
APPS = sorted(
    path.parent.name
    for path in ROOT.glob("*/__init__.py")
    if path.parent.name not in ("tests", "bench")
)
# Only config/spreadsheets may save an openpyxl workbook, use XlsxWriter, export tablib as xlsx, write a
# CSV file to serve, answer a download, or open an uploaded workbook (past the zip-bomb and DTD checks).
HAND_BUILT = re.compile(
    r"openpyxl import Workbook|openpyxl\.Workbook\(|\.export\(\"xlsx\"\)|Content-Disposition|FileResponse\("
    r"|spreadsheetml\.sheet\"|text/csv|import xlsxwriter|\.encode\(\"utf-8-sig\"\)"
    r"|load_workbook|python_calamine"
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


def test_streamed_tables_keep_a_bold_frozen_header_and_the_values_types():
    rows = [
        ["I21.000", Decimal("1234.56"), datetime(2024, 3, 1, 8, 30)],
        ["http://x", 3, None],
    ]
    sheet = openpyxl.load_workbook(
        io.BytesIO(rows_workbook([("表", ["编码", "金额", "时间"], rows)]))
    )["表"]
    assert sheet.freeze_panes == "A2" and all(cell.font.b for cell in sheet[1])
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["I21.000", 1234.56, datetime(2024, 3, 1, 8, 30)],
        ["http://x", 3, None],
    ]
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm:ss" and sheet["A3"].hyperlink is None


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


def test_a_chinese_file_name_reaches_the_browser_whole(world, client_for):
    """A real download page: the exact name as RFC 5987 UTF-8, an ASCII fallback for old clients."""
    response = client_for(world.bureau_admin).get(reverse("portal:user_import_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        'attachment; filename="__________.xlsx"; '
        "filename*=UTF-8''%E5%8C%BB%E7%96%97%E6%9C%BA%E6%9E%84%E8%B4%A6%E5%8F%B7%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    assert (
        unquote(response["Content-Disposition"].split("UTF-8''")[1]) == "医疗机构账号导入模板.xlsx"
    )


def test_a_csv_is_written_neutralised_with_a_bom():
    content = csv_bytes(["编码", "名称"], [["=1+1", "医院"], [12, None]])
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines() == ["编码,名称", "'=1+1,医院", "12,"]


def test_no_module_reads_or_writes_a_workbook_or_answers_a_download_by_hand():
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


def test_the_longest_text_a_cell_keeps_is_written_and_read_back_whole():
    longest = "I" * (CELL_LIMIT - 1)
    book = openpyxl.load_workbook(
        io.BytesIO(rows_workbook([("清单", ["编码"], [[longest]])])), read_only=True
    )
    assert sheet_values(book["清单"]) == [("编码",), (longest,)]


@pytest.mark.parametrize("text", ["I" * CELL_LIMIT, "=" + "I" * (CELL_LIMIT - 1), "I" * 80_000])
def test_the_writer_refuses_a_text_that_would_be_cut_naming_its_cell(text):
    with pytest.raises(CellTooLong) as refused:
        rows_workbook([("清单", ["机构", "编码"], [["H1", "ok"], ["H2", text]])])
    assert refused.value.message.startswith(
        f"工作表“清单”B3 单元格内容有 {len(text) + text.startswith('=')} 个字符"
    )
    book = workbook_new()
    book.active.title = "表"
    book.active["C5"] = text
    with pytest.raises(CellTooLong, match="工作表“表”C5 单元格"):
        workbook_bytes(book)


def test_a_cell_holding_exactly_the_limit_is_refused_as_probably_cut():
    book = openpyxl.Workbook()
    book.active.title = "诊断编码"
    book.active.append(["诊断编码", "诊断名称"])
    book.active.append(["I21.000", "X" * CELL_LIMIT])
    buffer = io.BytesIO()
    book.save(buffer)
    read = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    with pytest.raises(CellAtLimit, match="工作表“诊断编码”B2 单元格恰好有 32767 个字符"):
        sheet_values(read["诊断编码"])
    grid = numpy.array([["a", None], [1.5, "Y" * CELL_LIMIT]], dtype=object)
    with pytest.raises(CellAtLimit, match="工作表“数据”B2 "):
        grid_checked(grid, sheet="数据")
    assert grid_checked(grid[:, :1], sheet="数据") is not None


def _refused(path: str, referer: str = ""):
    request = RequestFactory().get(path, HTTP_REFERER=referer)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    middleware = SpreadsheetRefusedMiddleware(lambda r: None)
    return request, middleware.process_exception(
        request, CellTooLong(40_000, where="工作表“清单”B3 ")
    )


def test_a_refused_download_answers_with_the_reason_never_a_500():
    request, response = _refused("/catalogs/1/export/", referer="http://testserver/catalogs/1/")
    assert (response.status_code, response["Location"]) == (
        302,
        "http://testserver/catalogs/1/",
    )
    assert next(str(m) for m in get_messages(request)).startswith(
        "工作表“清单”B3 单元格内容有 40000 个字符"
    )
    assert _refused("/catalogs/1/export/", referer="https://evil.example/")[1]["Location"] == "/"
    api = _refused("/api/v1/x/")[1]
    assert api.status_code == 400 and "40000" in json.loads(api.content)["detail"]
    assert (
        SpreadsheetRefusedMiddleware(lambda r: None).process_exception(request, ValueError("x"))
        is None
    )
