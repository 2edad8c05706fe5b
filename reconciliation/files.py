"""Reading an uploaded national file (CSV or .xlsx) into the checked table of its contract.

The cells go through ``config.spreadsheets.reader`` (a cell cut at Excel's limit refuses the file) and
the contract's columns through ``catalogs.workbooks.sheet_table`` (the row-error machinery of the
catalog imports: required, format, choices, duplicate keys), then ``domain.rows_checked``.
"""

from __future__ import annotations

import csv
import io
from pathlib import PurePath

from django.core.exceptions import ValidationError

from catalogs.workbooks import SheetErrors, sheet_table
from config.lazy import pandas as pd
from config.spreadsheets.reader import rows_checked, sheet_values
from reconciliation import domain

ERR_UNREADABLE = "无法读取文件，请上传 CSV（UTF-8 或 GBK 编码）或 .xlsx 格式的文件。"
ENCODINGS = ("utf-8-sig", "gbk")


def file_rows(name: str, content: bytes) -> list[tuple]:
    """The rows of the file's first sheet (header first); an unreadable file raises ``ValidationError``."""
    from openpyxl import load_workbook

    if PurePath(name).suffix.lower() == ".csv":
        for encoding in ENCODINGS:
            try:
                text = content.decode(encoding)
            except UnicodeDecodeError:
                continue
            return [tuple(row) for row in rows_checked(csv.reader(io.StringIO(text)), sheet=name)]
        raise ValidationError(ERR_UNREADABLE)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same user-facing message
        raise ValidationError(ERR_UNREADABLE) from None
    try:
        return sheet_values(book.worksheets[0])
    finally:
        book.close()


def file_table(kind: str, rows: list[tuple], *, year: int, month: int, known: domain.Known) -> tuple[pd.DataFrame, SheetErrors]:
    sheet, _ = domain.CONTRACTS[kind]
    errors = SheetErrors()
    if rows:
        header = domain.header_row(kind, rows[0])
        # An optional column may be left out of the file: it reads as empty cells.
        absent = [c.header for c in sheet.columns if not c.required and c.header not in header]
        rows = [(*header, *absent), *((*row, *[""] * len(absent)) for row in rows[1:])]
    table = sheet_table(sheet, rows, errors)
    if table.empty:
        return table, errors
    return domain.rows_checked(kind, table, errors, year=year, month=month, known=known), errors
