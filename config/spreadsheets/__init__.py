"""Every spreadsheet the portal writes or serves goes through this package.

- ``cells``: ``spreadsheet_safe`` / ``spreadsheet_unsafe``, what a text cell may hold (formula injection,
  and never ``CELL_LIMIT`` characters or more: ``CellTooLong``, so nothing is ever cut);
- ``reader``: ``sheet_values`` / ``rows_checked``, the rows of an uploaded sheet, refusing a cell that holds
  exactly Excel's limit (``CellAtLimit``: the mark of a cut upstream);
- ``writer``: the one way a workbook of ours becomes bytes (``workbook_new`` + ``workbook_bytes`` for an
  openpyxl layout, or ``rows_workbook`` for plain tables, streamed by XlsxWriter); every text cell is
  neutralised on the way out, so a name, a statement or an id starting with ``=`` is never a live formula. We write no formulas of our own
  (totals are computed exactly in Python), so no formula cell ever leaves a writer;
- ``responses``: ``download_response``, the one way a file download is answered (content type, an
  RFC 6266 / RFC 5987 ``Content-Disposition``).

The streaming report writer (``reports.workbook``) writes the package by hand for speed and neutralises
through the same ``spreadsheet_safe``. The apps keep their layouts (``<app>/excel.py``); they build a
workbook here and hand it back here. tests/config/test_spreadsheets_download.py downloads every
spreadsheet the portal serves from a world full of formula-like text and checks no cell is live.
"""

from __future__ import annotations

from config.spreadsheets.cells import (
    CELL_LIMIT,
    FORMULA_TRIGGERS,
    CellAtLimit,
    CellTooLong,
    spreadsheet_safe,
    spreadsheet_unsafe,
)
from config.spreadsheets.responses import CSV, XLSX, download_response

__all__ = [
    "CELL_LIMIT",
    "CSV",
    "FORMULA_TRIGGERS",
    "XLSX",
    "CellAtLimit",
    "CellTooLong",
    "download_response",
    "spreadsheet_safe",
    "spreadsheet_unsafe",
]
