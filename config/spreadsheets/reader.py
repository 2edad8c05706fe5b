"""Reading a sheet's cells, with the one check every reader applies: a text cell of exactly
``CELL_LIMIT`` characters is the mark an Excel cut leaves, so the whole file is refused
(``CellAtLimit``, naming sheet and cell) rather than imported with a list that silently lost its tail.
Refused, not warned: every import of ours is all-or-nothing, and a warning would still write the cut
value. Our own writers never reach the limit (``config.spreadsheets.cells``), so our files read back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from openpyxl.utils import get_column_letter

from config.spreadsheets.cells import CELL_LIMIT, CellAtLimit


def _at_limit(value) -> bool:
    return isinstance(value, str) and len(value) >= CELL_LIMIT


_AT_LIMIT = np.frompyfunc(_at_limit, 1, 1)


def grid_checked(grid: np.ndarray, *, sheet: str) -> np.ndarray:
    """A sheet read as one object array (row 1 first; intake's reader) unchanged, refusing a cell at the limit."""
    hits = np.argwhere(_AT_LIMIT(grid).astype(bool)) if grid.size else ()
    if len(hits):
        row, column = hits[0]
        raise CellAtLimit(sheet, f"{get_column_letter(column + 1)}{row + 1}")
    return grid


def rows_checked(
    rows: Iterable[Sequence], *, sheet: str, first: int = 1
) -> list[Sequence]:
    """``rows`` (values, the first being sheet row ``first``) as a list, refusing a cell at the limit."""
    rows = list(rows)
    for number, row in enumerate(rows, start=first):
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and len(value) >= CELL_LIMIT:
                raise CellAtLimit(sheet, f"{get_column_letter(column)}{number}")
    return rows


def sheet_values(worksheet) -> list[tuple]:
    """The rows of an openpyxl worksheet (``values_only``), checked."""
    return rows_checked(worksheet.iter_rows(values_only=True), sheet=worksheet.title)
