"""What a text cell may hold: no live formula (formula injection) and never more than a cell keeps.

A text cell starting with ``= + - @``, a tab or a carriage return gets a leading ``'`` so Excel, WPS and
LibreOffice show it literally instead of evaluating it (``spreadsheet_safe``); reading our own workbook
back, ``spreadsheet_unsafe`` takes exactly that quote off again. Every writer of ours applies
``spreadsheet_safe`` to every text cell (``config.spreadsheets.writer`` and ``config.spreadsheets.streamed``).

Excel keeps at most 32,767 characters in a cell (``CELL_LIMIT``) and cuts the rest when it opens or saves
the file. So nothing is ever cut without a word: ``spreadsheet_safe`` refuses (``CellTooLong``) a text
that would reach the limit once quoted, and the readers (``config.spreadsheets.reader``) refuse a cell
that holds exactly the limit, the mark a cut leaves behind (``CellAtLimit``). We write at most
``CELL_LIMIT - 1`` characters, so every file we write reads back. A list that may be longer is laid out
one entry per row instead (docs/reports.md, "Spreadsheets").
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CELL_LIMIT = 32_767
ERR_CELL_TOO_LONG = (
    "{where}单元格内容有 {length} 个字符，达到 Excel 单元格上限（{limit} 个字符），写入会被截断，"
    "因此未生成文件。请改用每行一项的格式。"
)
ERR_CELL_AT_LIMIT = (
    "工作表“{sheet}”{cell} 单元格恰好有 {limit} 个字符，是 Excel 单元格的上限，内容很可能已被截断，"
    "因此整个文件未导入。请改用每行一项的格式（如每行一个编码）后重新上传。"
)


class CellTooLong(ValidationError):
    """A cell we were asked to write would not fit; the file is not written (message in Chinese)."""

    def __init__(self, length: int, *, where: str = "") -> None:
        super().__init__(
            ERR_CELL_TOO_LONG.format(where=where, length=length, limit=CELL_LIMIT),
            code="cell_too_long",
        )
        self.length = length

    def located(self, sheet: str, cell: str) -> CellTooLong:
        """The same refusal naming the cell (a writer knows where it was)."""
        return CellTooLong(self.length, where=f"工作表“{sheet}”{cell} ")


class CellAtLimit(ValidationError):
    """A cell read holds exactly the limit, so it was probably cut upstream; the file is refused."""

    def __init__(self, sheet: str, cell: str) -> None:
        super().__init__(
            ERR_CELL_AT_LIMIT.format(sheet=sheet, cell=cell, limit=CELL_LIMIT),
            code="cell_at_limit",
        )


def spreadsheet_safe(value):
    """The value a cell may hold: text that a spreadsheet could evaluate is quoted; anything else as is.
    A text of ``CELL_LIMIT`` characters or more (quote included) is refused, never cut."""
    if isinstance(value, str):
        if value.startswith(FORMULA_TRIGGERS):
            value = "'" + value
        if len(value) >= CELL_LIMIT:
            raise CellTooLong(len(value))
    return value


def spreadsheet_unsafe(value) -> str:
    """A cell read back as stripped text, without the quote ``spreadsheet_safe`` added."""
    text = "" if value is None else str(value).strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS) else text
