"""The one neutralising workbook writer: an openpyxl workbook of ours becomes bytes only here.

``workbook_new()`` gives a workbook to lay out with openpyxl as usual (styles, merged cells, data
validation); ``workbook_bytes(book)`` neutralises every text cell (``spreadsheet_safe``) however it was
written — ``append``, ``cell()``, ``sheet["A1"] = …`` — and saves. A text that openpyxl took for a
formula (it starts with ``=``) is turned back into quoted text. ``rows_workbook`` streams plain tables
(a bold, frozen header and rows) in write-only mode, neutralising each cell as it is appended.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from config.spreadsheets.cells import spreadsheet_safe

HEADER_FONT = Font(bold=True)
CELL_LIMIT = 32_767  # characters Excel keeps in a cell; a longer text would be cut when the file is opened
ERR_CELL_TOO_LONG = "单元格内容超过 Excel 上限（{limit} 个字符），不能写入工作簿：{start}…"


def _checked(value):
    """A cell value that fits: a text over the cell limit is refused, never silently cut."""
    if isinstance(value, str) and len(value) > CELL_LIMIT:
        raise ValueError(ERR_CELL_TOO_LONG.format(limit=CELL_LIMIT, start=value[:30]))
    return spreadsheet_safe(value)


def workbook_new() -> Workbook:
    """An empty workbook (one sheet) to lay out; turn it into bytes with ``workbook_bytes``."""
    return Workbook()


def _neutralise(book: Workbook) -> None:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                safe = _checked(cell.value)
                if safe is not cell.value:
                    cell.value = safe


def workbook_bytes(book: Workbook) -> bytes:
    """The .xlsx of ``book`` with every text cell neutralised."""
    _neutralise(book)
    return _saved(book)


def rows_workbook(sheets: Iterable[tuple[str, Sequence, Iterable[Sequence]]]) -> bytes:
    """A write-only workbook from ``(title, header, rows)``: a bold header row that stays frozen, then the
    rows; every text cell passes ``spreadsheet_safe``."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        sheet.append([_header_cell(sheet, value) for value in header])
        for row in rows:
            sheet.append([_checked(value) for value in row])
    return _saved(book)


def _header_cell(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=spreadsheet_safe(value))
    cell.font = HEADER_FONT
    return cell


def _saved(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
