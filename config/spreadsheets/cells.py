"""What a text cell may hold (formula injection).

A text cell starting with ``= + - @``, a tab or a carriage return gets a leading ``'`` so Excel, WPS and
LibreOffice show it literally instead of evaluating it (``spreadsheet_safe``); reading our own workbook
back, ``spreadsheet_unsafe`` takes exactly that quote off again. Every writer of ours applies
``spreadsheet_safe`` to every text cell (``config.spreadsheets.writer`` and ``reports.workbook``).
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """The value a cell may hold: text that a spreadsheet could evaluate is quoted; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_unsafe(value) -> str:
    """A cell read back as stripped text, without the quote ``spreadsheet_safe`` added."""
    text = "" if value is None else str(value).strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS) else text
