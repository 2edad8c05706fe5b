"""Reading an uploaded one-sheet workbook whose first row names the columns (Chinese or English headers):
the rows as ``{field: text}`` records with their Excel row numbers, or one Chinese ``ValidationError``.
Cells are read back through ``spreadsheet_unsafe`` (our own exports round-trip)."""

from __future__ import annotations

import io
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from config.spreadsheets.cells import spreadsheet_unsafe

MAX_BYTES = 5 * 1024 * 1024
ERR_FILE = "无法读取该文件，请上传 .xlsx 格式的表格。"
ERR_TOO_BIG = "文件超过 5 MB。"
ERR_TOO_MANY = "一次最多导入 {max} 行。"
ERR_EMPTY = "表格没有数据行。"
ERR_HEADER = "缺少列：{columns}。"

Columns = Mapping[str, tuple[str, str, bool]]  # field: (Chinese header, English header, required)


def _sheet_rows(content: bytes, max_rows: int) -> list[tuple]:
    if len(content) > MAX_BYTES:
        raise ValidationError(ERR_TOO_BIG)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        return list(book.worksheets[0].iter_rows(values_only=True, max_row=max_rows + 2))
    except Exception:  # noqa: BLE001 - any unreadable package is the same answer to the user
        raise ValidationError(ERR_FILE) from None


def _header_map(header: tuple, columns: Columns) -> dict[str, int]:
    names = [spreadsheet_unsafe(cell) for cell in header]
    found = {}
    for field, (chinese, english, _required) in columns.items():
        for index, name in enumerate(names):
            if name in (chinese, english) or name.startswith(chinese):
                found[field] = index
    missing = [chinese for field, (chinese, _e, required) in columns.items() if required and field not in found]
    if missing:
        raise ValidationError(ERR_HEADER.format(columns="、".join(missing)))
    return found


def sheet_records(content: bytes, columns: Columns, *, max_rows: int) -> list[tuple[int, dict[str, str]]]:
    """``(Excel row number, {field: text})`` of every non-blank data row; refused when the file cannot be
    read, lacks a required column, has no data rows or more than ``max_rows``."""
    rows = _sheet_rows(content, max_rows)
    if not rows:
        raise ValidationError(ERR_EMPTY)
    found = _header_map(rows[0], columns)
    records = [(number, {field: spreadsheet_unsafe(row[i] if i < len(row) else None) for field, i in found.items()})
               for number, row in enumerate(rows[1:], start=2) if any(cell not in (None, "") for cell in row)]  # fmt: skip
    if not records:
        raise ValidationError(ERR_EMPTY)
    if len(records) > max_rows:
        raise ValidationError(ERR_TOO_MANY.format(max=max_rows))
    return records
