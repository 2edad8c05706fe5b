"""Reading spreadsheets, with the one check every reader applies: a text cell of exactly ``CELL_LIMIT``
characters is the mark an Excel cut leaves, so the whole file is refused (``CellAtLimit``, naming sheet
and cell) rather than imported with a list that silently lost its tail. Refused, not warned: every import
of ours is all-or-nothing, and a warning would still write the cut value. Our own writers never reach the
limit (``config.spreadsheets.cells``), so our files read back.

``sheet_records`` reads an uploaded one-sheet workbook whose first row names the columns (Chinese or
English headers): the rows as ``{field: text}`` records with their Excel row numbers, or one Chinese
``ValidationError``. Cells are read back through ``spreadsheet_unsafe`` (our own exports round-trip).
"""

from __future__ import annotations

import io
import operator
from collections.abc import Iterable, Mapping, Sequence
from itertools import compress, repeat

from django.core.exceptions import ValidationError

from config.lazy import numpy as np
from config.spreadsheets.cells import CELL_LIMIT, CellAtLimit, spreadsheet_unsafe


def grid_checked(grid: np.ndarray, *, sheet: str) -> np.ndarray:
    """A sheet read as one object array (row 1 first; intake's reader) unchanged, refusing a cell at the
    limit. The longest text is found by one chain of C iterators (no Python call per cell); the cell is
    located only when one is too long."""
    cells = grid.ravel().tolist()
    texts = compress(cells, map(operator.is_, map(type, cells), repeat(str)))
    if max(map(len, texts), default=0) < CELL_LIMIT:
        return grid
    position = next(
        n
        for n, value in enumerate(cells)
        if isinstance(value, str) and len(value) >= CELL_LIMIT
    )
    row, column = divmod(position, grid.shape[1])
    from openpyxl.utils import get_column_letter

    raise CellAtLimit(sheet, f"{get_column_letter(column + 1)}{row + 1}")


def rows_checked(
    rows: Iterable[Sequence], *, sheet: str, first: int = 1
) -> list[Sequence]:
    """``rows`` (values, the first being sheet row ``first``) as a list, refusing a cell at the limit."""
    rows = list(rows)
    for number, row in enumerate(rows, start=first):
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and len(value) >= CELL_LIMIT:
                from openpyxl.utils import get_column_letter

                raise CellAtLimit(sheet, f"{get_column_letter(column)}{number}")
    return rows


def sheet_values(worksheet) -> list[tuple]:
    """The rows of an openpyxl worksheet (``values_only``), checked."""
    return rows_checked(worksheet.iter_rows(values_only=True), sheet=worksheet.title)

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
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True, max_row=max_rows + 2))
    except Exception:  # noqa: BLE001 - any unreadable package is the same answer to the user
        raise ValidationError(ERR_FILE) from None
    return rows_checked(rows, sheet=sheet.title)


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
