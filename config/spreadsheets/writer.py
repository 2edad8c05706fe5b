"""The one neutralising workbook writer: an openpyxl workbook of ours becomes bytes only here.

``workbook_new()`` gives a workbook to lay out with openpyxl as usual (styles, merged cells, data
validation); ``workbook_bytes(book)`` neutralises every text cell (``spreadsheet_safe``) however it was
written — ``append``, ``cell()``, ``sheet["A1"] = …`` — and saves. A text that openpyxl took for a
formula (it starts with ``=``) is turned back into quoted text. ``rows_workbook`` streams plain tables
(a bold, frozen header and rows) with XlsxWriter, neutralising each cell as it is written; ``csv_bytes``
writes the same shape as CSV (UTF-8 with a BOM, so Excel and WPS open Chinese text correctly), each cell
neutralised too, since a spreadsheet evaluates a CSV cell starting with ``=`` just the same.

No text is ever cut: a cell that would hold ``CELL_LIMIT`` characters or more stops the writer with
``CellTooLong`` naming the sheet and cell, and no file comes out (``config.spreadsheets.cells``). A page
that asked for the file shows that message instead (``config.middleware.SpreadsheetRefusedMiddleware``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from io import BytesIO, StringIO
from typing import TYPE_CHECKING

from config.spreadsheets.cells import CellTooLong, spreadsheet_safe

if TYPE_CHECKING:
    from openpyxl import Workbook

DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSXWRITER_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "default_date_format": DATE_FORMAT,
}


def workbook_new() -> Workbook:
    """An empty workbook (one sheet) to lay out; turn it into bytes with ``workbook_bytes``."""
    from openpyxl import Workbook

    return Workbook()


def _neutralise(book: Workbook) -> None:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                try:
                    safe = spreadsheet_safe(cell.value)
                except CellTooLong as error:
                    raise error.located(sheet.title, cell.coordinate) from None
                if safe is not cell.value:
                    cell.value = safe


def workbook_bytes(book: Workbook) -> bytes:
    """The .xlsx of ``book`` with every text cell neutralised."""
    _neutralise(book)
    return _saved(book)


def rows_workbook(sheets: Iterable[tuple[str, Sequence, Iterable[Sequence]]]) -> bytes:
    """A workbook from ``(title, header, rows)``: a bold header row that stays frozen, then the rows; every
    text cell passes ``spreadsheet_safe``. Written by XlsxWriter in constant-memory mode (rows stream to a
    temporary file; 1.9x openpyxl's write-only mode on 200,000 rows, docs/dependencies.md); text is
    always text (no formulas, numbers or links guessed from it), dates get ``DATE_FORMAT``."""
    import xlsxwriter

    buffer = BytesIO()
    # The with-block closes the book (and removes its temporary files) on a refusal too.
    with xlsxwriter.Workbook(buffer, XLSXWRITER_OPTIONS) as book:
        bold = book.add_format({"bold": True})
        for title, header, rows in sheets:
            sheet = book.add_worksheet(title)
            sheet.freeze_panes(1, 0)
            sheet.write_row(0, 0, _row_safe(title, 1, header), bold)
            for number, row in enumerate(rows, start=2):
                sheet.write_row(number - 1, 0, _row_safe(title, number, row))
    return buffer.getvalue()


def csv_bytes(header: Sequence, rows: Iterable[Sequence] = ()) -> bytes:
    """A CSV file of ``header`` and ``rows``, every cell through ``spreadsheet_safe``, UTF-8 with a BOM."""
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_row_safe("CSV", 1, header))
    for number, row in enumerate(rows, start=2):
        writer.writerow(_row_safe("CSV", number, row))
    return buffer.getvalue().encode("utf-8-sig")


def _row_safe(title: str, number: int, row: Sequence) -> list:
    from openpyxl.utils import get_column_letter

    safe = []
    for column, value in enumerate(row, start=1):
        try:
            safe.append(spreadsheet_safe(value))
        except CellTooLong as error:
            raise error.located(title, f"{get_column_letter(column)}{number}") from None
    return safe


def _saved(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
