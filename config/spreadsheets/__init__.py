"""Every spreadsheet the portal reads, writes or serves goes through this package.

- ``cells``: ``spreadsheet_safe`` / ``spreadsheet_unsafe``, what a text cell may hold (formula injection,
  and never ``CELL_LIMIT`` characters or more: ``CellTooLong``, so nothing is ever cut);
- ``guard``: the defences in front of every .xlsx reader (``zip_check``: member count, declared sizes,
  ratio; ``xml_check``: no DTD, UTF-8 only), refusing with ``FileRefused``;
- ``reader``: ``sheet_names`` / ``sheet_rows`` (large uploads: python-calamine behind ``guard``),
  ``workbook_loaded`` (small uploads: openpyxl read-only behind ``zip_check``), ``sheet_values`` /
  ``rows_checked`` / ``grid_checked`` (refuse a cell holding exactly Excel's limit: ``CellAtLimit``),
  ``sheet_records`` (a one-sheet table with named columns);
- ``writer``: the one neutralising writer: ``workbook_new`` + ``workbook_bytes`` for an openpyxl layout,
  ``rows_workbook`` for plain tables (XlsxWriter, constant memory), ``csv_bytes`` for CSV; every text cell
  is neutralised on the way out, so a name, a statement or an id starting with ``=`` is never a live
  formula. We write no formulas of our own (totals are computed exactly in Python);
- ``streamed``: the report packs' streaming writer (styles, widths, 合计 rows; hand-written because it is
  4x XlsxWriter's constant-memory mode, docs/dependencies.md), neutralising through the same
  ``spreadsheet_safe``;
- ``responses``: ``download_response``, the one way a file download is answered (content type, an
  RFC 6266 / RFC 5987 ``Content-Disposition``).

The apps keep their layouts (``<app>/excel.py``); they build a workbook here and hand it back here.
tests/config/test_spreadsheets.py holds that no module elsewhere writes a workbook or a served CSV or
answers a download by hand; tests/config/test_spreadsheets_download.py downloads every spreadsheet the
portal serves from a world full of formula-like text and checks no cell is live.
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
