"""Reading a generated workbook back: rows of a sheet, numbers as exact Decimals (to the fen)."""

from __future__ import annotations

from decimal import Decimal

import openpyxl


def sheet_rows(source, title: str) -> list[tuple]:
    """The sheet's rows without its header; numbers as ``Decimal`` of their shortest text (exact for money)."""
    book = openpyxl.load_workbook(source, read_only=True)
    exact = lambda v: Decimal(repr(v)) if isinstance(v, float) else v  # noqa: E731
    return [
        tuple(exact(v) for v in row) for row in book[title].iter_rows(min_row=2, values_only=True)
    ]


def sheet_names(source) -> list[str]:
    return openpyxl.load_workbook(source, read_only=True).sheetnames
