"""Reading a sheet's cells, with the one check every reader applies: a text cell of exactly
``CELL_LIMIT`` characters is the mark an Excel cut leaves, so the whole file is refused
(``CellAtLimit``, naming sheet and cell) rather than imported with a list that silently lost its tail.
Refused, not warned: every import of ours is all-or-nothing, and a warning would still write the cut
value. Our own writers never reach the limit (``config.spreadsheets.cells``), so our files read back.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from itertools import compress, repeat

import numpy as np
from openpyxl.utils import get_column_letter

from config.spreadsheets.cells import CELL_LIMIT, CellAtLimit


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
    raise CellAtLimit(sheet, f"{get_column_letter(column + 1)}{row + 1}")


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
