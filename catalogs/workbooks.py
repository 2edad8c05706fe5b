"""Multi-sheet workbooks with a column contract (the DRG rule tables, the coding dictionaries): each sheet a
``Sheet`` of ``Column`` s; reading checks every cell and returns every error as one Chinese line
("工作表“ADRG”第5行“细分规则”：…"), so a file is fixed in one round; writing produces the same layout.

Pure apart from openpyxl. Choices travel as their Chinese labels (codes and ``aliases`` are accepted too);
text goes out through the neutralising writer (``config.spreadsheets.writer``) and back through
``spreadsheet_unsafe``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from catalogs.codes import DIAGNOSIS_ENTRY, PROCEDURE, PROCEDURE_PATTERN, code_normalised
from config.lazy import numpy as np
from config.lazy import pandas as pd
from config.spreadsheets import FORMULA_TRIGGERS, spreadsheet_unsafe
from config.spreadsheets.reader import sheet_values, workbook_loaded
from config.spreadsheets.writer import rows_workbook

SEPARATOR = ";"
HEADER_ROWS = 1
# List entries (catalogs.codes): a diagnosis is a full ICD-10 医保版 code or its 3-character category.
# A grouped procedure (DRG rule tables) may carry its group: ``2:85.2100``.
LIST_ENTRY = {
    "diagnoses": (DIAGNOSIS_ENTRY, "诊断"),
    "procedures": (PROCEDURE, "手术操作"),
    "grouped_procedures": (re.compile(rf"(?:[1-9]:)?{PROCEDURE_PATTERN}"), "手术操作"),
}

ERR_NOT_XLSX = "无法读取文件，请上传 .xlsx 格式的工作簿（可先下载模板）。"
ERR_SHEET = "缺少工作表“{sheet}”。"
ERR_COLUMNS = "工作表“{sheet}”缺少列：{columns}。"
ERR_EMPTY = "工作表“{sheet}”没有数据行。"
ERR_CELL = "工作表“{sheet}”第{row}行“{column}”：{message}"
MSG_REQUIRED = "不能为空。"
MSG_TOO_LONG = "超过{length}个字符。"
MSG_FORMAT = "“{value}”格式无效，应如 {example}。"
MSG_ENTRIES = "“{values}”不是有效的{what}编码。"
MSG_CHOICE = "“{value}”无效，应为：{allowed}。"
MSG_DUPLICATE = "{value} 在本表中重复出现。"


@dataclass(frozen=True)
class Column:
    """One column: the table field, its header, and how a cell is checked (``kind``)."""

    field: str
    header: str
    kind: str = "text"  # text | code | choice | diagnoses | procedures | grouped_procedures (;-separated lists)
    required: bool = True
    length: int = 100
    choices: tuple[tuple[str, str], ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # further accepted labels of a choice: (label, value)
    pattern: re.Pattern | None = None
    example: str = ""
    clinical: bool = (
        False  # a diagnosis or procedure code: normalised (catalogs.codes) before it is checked
    )
    optional: bool = (
        False  # the whole column may be absent from a file (its cells then read as blank)
    )


@dataclass(frozen=True)
class Sheet:
    table: str
    title: str
    key: str
    columns: tuple[Column, ...] = field(default=())
    may_be_empty: bool = False

    @property
    def fields(self) -> list[str]:
        return [column.field for column in self.columns]

    def header(self, name: str) -> str:
        return next(column.header for column in self.columns if column.field == name)


def code_column(
    name: str,
    header: str,
    pattern: re.Pattern,
    example: str,
    *,
    length: int = 20,
    required: bool = True,
    clinical: bool = False,
) -> Column:
    return Column(
        name,
        header,
        kind="code",
        pattern=pattern,
        example=example,
        length=length,
        required=required,
        clinical=clinical,
    )


class SheetErrors(list):
    """Chinese error lines, in sheet and row order."""

    def cell(self, sheet: Sheet, row: int, header: str, message: str) -> None:
        self.append(
            ERR_CELL.format(
                sheet=sheet.title, row=row + HEADER_ROWS, column=header, message=message
            )
        )


def _entries(text: str) -> list[str]:
    return [
        code_normalised(entry)
        for entry in text.replace("；", SEPARATOR).split(SEPARATOR)
        if entry.strip()
    ]


def _cell_value(column: Column, text: str) -> tuple[str, str]:
    """(stored value, error message or "") of one cell."""
    if not text:
        return "", MSG_REQUIRED if column.required else ""
    if column.clinical:
        text = code_normalised(text)
    if len(text) > column.length and column.kind in {"text", "code"}:
        return text, MSG_TOO_LONG.format(length=column.length)
    if column.kind == "code" and not column.pattern.fullmatch(text):
        return text, MSG_FORMAT.format(value=text, example=column.example)
    if column.kind == "choice":
        accepted = (
            {label: value for value, label in column.choices}
            | dict(column.aliases)
            | {v: v for v, _ in column.choices}
        )
        if text not in accepted:
            return text, MSG_CHOICE.format(
                value=text, allowed="、".join(label for _, label in column.choices)
            )
        return accepted[text], ""
    if column.kind in LIST_ENTRY:
        entries = _entries(text)
        pattern, what = LIST_ENTRY[column.kind]
        bad = [entry for entry in entries if not pattern.fullmatch(entry)]
        return SEPARATOR.join(entries), MSG_ENTRIES.format(
            values="、".join(bad), what=what
        ) if bad else ""
    return text, ""


def _number_text(value) -> str:
    """Cells typed as numbers by a spreadsheet (a split of 135) read back as their digits."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return spreadsheet_unsafe(value)


def sheet_table(sheet: Sheet, rows: Sequence[tuple], errors: SheetErrors) -> pd.DataFrame:
    """The checked cells of one sheet (header row first) as a frame of its fields, indexed by data row
    number; cell errors and a repeated key go to ``errors``."""
    headers = [spreadsheet_unsafe(h) for h in rows[0]] if rows else []
    missing = [
        column.header
        for column in sheet.columns
        if column.header not in headers and not column.optional
    ]
    if missing:
        errors.append(ERR_COLUMNS.format(sheet=sheet.title, columns="、".join(missing)))
        return pd.DataFrame(columns=sheet.fields)
    position = {header: index for index, header in enumerate(headers)}
    records, numbers = [], []
    for number, raw in enumerate(rows[1:], start=1):
        texts = [
            _number_text(raw[position[c.header]])
            if position.get(c.header, len(raw)) < len(raw)
            else ""
            for c in sheet.columns
        ]
        if not any(texts):
            continue
        record = {}
        for column, text in zip(sheet.columns, texts, strict=True):
            record[column.field], message = _cell_value(column, text)
            if message:
                errors.cell(sheet, number, column.header, message)
        records.append(record)
        numbers.append(number)
    if not records and not sheet.may_be_empty:
        errors.append(ERR_EMPTY.format(sheet=sheet.title))
    table = pd.DataFrame(records, columns=sheet.fields, index=pd.Index(numbers, name="row"))
    duplicates(sheet, table, errors)
    return table


def duplicates(sheet: Sheet, table: pd.DataFrame, errors: SheetErrors) -> None:
    """Both rows of a key given twice are errors (else the later row would silently win). A sheet of list
    entries (one code per row) has no key."""
    if not sheet.key:
        return
    repeated = table[sheet.key].duplicated(keep=False) & (table[sheet.key] != "")
    for row, value in table.loc[repeated, sheet.key].items():
        errors.cell(sheet, row, sheet.header(sheet.key), MSG_DUPLICATE.format(value=value))


def workbook_tables(
    file: BinaryIO, sheets: Sequence[Sheet], *, required: bool = True
) -> tuple[dict[str, pd.DataFrame], SheetErrors]:
    """The tables of the ``sheets`` a workbook has, and every cell error. A missing sheet is an error when
    ``required``, else simply left out."""
    try:
        book = workbook_loaded(file.read())
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same user-facing message
        return {}, SheetErrors([ERR_NOT_XLSX])
    errors, tables = SheetErrors(), {}
    for sheet in sheets:
        if sheet.title in book.sheetnames:
            tables[sheet.table] = sheet_table(sheet, sheet_values(book[sheet.title]), errors)
        elif required:
            errors.append(ERR_SHEET.format(sheet=sheet.title))
    book.close()
    return tables, errors


def workbook_bytes(sheets: Sequence[Sheet], tables: Mapping[str, pd.DataFrame]) -> bytes:
    """The tables as the workbook ``workbook_tables`` reads: a header row of Chinese titles, labels for choices."""
    return rows_workbook(
        (
            sheet.title,
            [column.header for column in sheet.columns],
            _labelled(sheet, tables[sheet.table]),
        )
        for sheet in sheets
    )


def _labelled(sheet: Sheet, table: pd.DataFrame) -> Iterator[list]:
    labels = {c.field: dict(c.choices) for c in sheet.columns if c.kind == "choice"}
    for record in table[sheet.fields].itertuples(index=False):
        yield [
            labels[name].get(value, value) if name in labels else value
            for name, value in zip(sheet.fields, record, strict=True)
        ]


# --- column-wise reading, for files of a million rows ---------------------------------------------

FRAME_KINDS = frozenset({"text", "code", "choice"})


def cells_text(values: pd.Series) -> pd.Series:
    """``_number_text`` of every cell of a column, column-wise: text stripped, the quote
    ``spreadsheet_safe`` added taken off, a whole float read as its digits, a blank "". A column of text
    (a CSV's) is worked on whole; a workbook's mixed cells are converted once per distinct value."""
    if values.dtype == object:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        distinct = [
            v if type(v) is str else "" if v is None or v != v else _number_text(v) for v in uniques
        ]  # noqa: PLR0124 - NaN
        values = pd.Series(
            np.asarray(distinct, dtype=object)[codes] if len(codes) else [],
            index=values.index,
            dtype=object,
        )
    text = (
        values.astype("str").fillna("").str.strip()
    )  # a reader's missing cell (NaN in a text column) is blank
    quoted = text.str.match("'[" + re.escape("".join(FORMULA_TRIGGERS)) + "]").astype(bool)
    return text.where(~quoted, text.str[1:]) if quoted.any() else text


def sheet_frame(
    sheet: Sheet, headers: Sequence, cells: pd.DataFrame, errors: SheetErrors
) -> pd.DataFrame:
    """``sheet_table`` column by column: the same checks, messages and result (a frame of the sheet's fields
    indexed by data row number, blank rows skipped, a key given twice naming both rows), without a Python
    call per cell. ``cells``: the data rows as read, one positional column per header. For sheets of text,
    code and choice columns (a national file of a month's million cases); list and clinical columns are
    ``sheet_table``'s."""
    unsupported = [c.header for c in sheet.columns if c.kind not in FRAME_KINDS or c.clinical]
    if unsupported:
        raise ValueError(f"sheet_frame checks text, code and choice columns only: {unsupported}")
    headers = [spreadsheet_unsafe(h) for h in headers]
    missing = [
        column.header
        for column in sheet.columns
        if column.header not in headers and not column.optional
    ]
    if missing:
        errors.append(ERR_COLUMNS.format(sheet=sheet.title, columns="、".join(missing)))
        return pd.DataFrame(columns=sheet.fields)
    position = {header: index for index, header in enumerate(headers)}
    index = pd.RangeIndex(1, len(cells) + 1)
    blank = pd.Series("", index=index, dtype="str")
    texts = {
        column.field: cells_text(cells.iloc[:, position[column.header]].set_axis(index))
        if column.header in position and position[column.header] < cells.shape[1]
        else blank
        for column in sheet.columns
    }
    table = pd.DataFrame(texts, index=index)
    filled = (table != "").any(axis=1)
    if not filled.all():
        table = table[filled]
    found = []
    for number, column in enumerate(sheet.columns):
        table[column.field], messages = _column_checked(column, table[column.field])
        found += [(row, number, message) for row, message in messages.items()]
    for row, number, message in sorted(found, key=lambda error: error[:2]):
        errors.cell(sheet, row, sheet.columns[number].header, message)
    if table.empty and not sheet.may_be_empty:
        errors.append(ERR_EMPTY.format(sheet=sheet.title))
    table = table.rename_axis("row")
    duplicates(sheet, table, errors)
    return table


def _column_checked(column: Column, text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(stored values, the message of each bad cell) of one column: ``_cell_value`` on whole columns."""
    empty = text == ""
    bad = (
        pd.Series(MSG_REQUIRED, index=text.index)[empty]
        if column.required
        else pd.Series(dtype=object)
    )
    if column.kind in {"text", "code"}:
        long = ~empty & (text.str.len() > column.length)
        bad = pd.concat(
            [bad, pd.Series(MSG_TOO_LONG.format(length=column.length), index=text.index)[long]]
        )
        if column.kind == "code":
            shaped = text.str.fullmatch(column.pattern.pattern).astype(bool)
            wrong = text[~empty & ~long & ~shaped]
            head, tail = MSG_FORMAT.format(value="\x00", example=column.example).split("\x00")
            bad = pd.concat([bad, head + wrong.astype(object) + tail])
        return text, bad.sort_index()
    accepted = (
        {label: value for value, label in column.choices}
        | dict(column.aliases)
        | {v: v for v, _ in column.choices}
    )
    values = text.map(accepted)
    wrong = text[~empty & values.isna()]
    head, tail = MSG_CHOICE.format(
        value="\x00", allowed="、".join(label for _, label in column.choices)
    ).split("\x00")
    return values.where(~empty & values.notna(), text).astype("str"), pd.concat(
        [bad, head + wrong.astype(object) + tail]
    ).sort_index()
