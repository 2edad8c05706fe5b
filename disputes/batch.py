"""The batch-filing workbook (批量申报特病单议): the template a hospital downloads — one row per case,
reason codes from a drop-down, a sheet explaining the codes — and reading it back into
``domain.BatchRow``s. Filing the rows is ``services.item_batch_file`` (all rows or none)."""

from __future__ import annotations

from typing import IO

from config.spreadsheets import spreadsheet_unsafe
from config.spreadsheets.reader import sheet_values, workbook_loaded
from config.spreadsheets.writer import workbook_bytes, workbook_new
from disputes import domain
from disputes.choices import Reason

SHEET = "特病单议申报"
HEADER = ["结算清单号(setl_id)", "申请理由1", "申请理由2", "申请理由3", "申请陈述"]
REASON_COLUMNS = "BCD"
MAX_ROWS = 1000
ERR_NOT_TEMPLATE = "文件不是本平台的特病单议批量申报模板（请先下载模板，勿修改表头）。"
ERR_UNREADABLE = "无法读取文件，请上传 .xlsx 格式的批量申报模板。"
ERR_EMPTY = "文件中没有申报数据。"
ERR_TOO_MANY = "一次最多申报 {limit} 行。"


class BatchFileError(ValueError):
    """The file as a whole cannot be read (not the template, empty, too long)."""


def batch_template() -> bytes:
    """The template: a header, a drop-down of reason codes on the reason columns, the code list on a second sheet."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = workbook_new()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for column, width in zip("ABCDE", [24, 20, 20, 20, 60], strict=True):
        sheet.column_dimensions[column].width = width
    choice = DataValidation(
        type="list",
        formula1=f'"{",".join(Reason.values)}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="申请理由",
        error="请从下拉列表中选择申请理由代码（见「理由代码」表）。",
    )
    sheet.add_data_validation(choice)
    choice.add(f"{REASON_COLUMNS[0]}2:{REASON_COLUMNS[-1]}{MAX_ROWS + 1}")
    codes = book.create_sheet("理由代码")
    codes.append(["代码", "申请理由"])
    for value, label in Reason.choices:
        codes.append([value, label])
    codes.column_dimensions["A"].width, codes.column_dimensions["B"].width = 22, 30
    return workbook_bytes(book)


def batch_read(upload: IO[bytes]) -> tuple[list[domain.BatchRow], list[tuple[int, str]]]:
    """The parsed rows and the (line, message) errors of the others, or BatchFileError for the file as a whole."""
    try:
        book = workbook_loaded(upload)
    except (
        Exception
    ) as error:  # openpyxl raises zipfile, KeyError, InvalidFileException… for a non-xlsx file
        raise BatchFileError(ERR_UNREADABLE) from error
    if SHEET not in book.sheetnames:
        raise BatchFileError(ERR_NOT_TEMPLATE)
    lines = iter(sheet_values(book[SHEET]))
    if [spreadsheet_unsafe(value) for value in next(lines, ())][: len(HEADER)] != HEADER:
        raise BatchFileError(ERR_NOT_TEMPLATE)
    rows, errors = [], []
    for line, values in enumerate(lines, start=2):
        cells = [
            spreadsheet_unsafe(value) for value in (*values, *[None] * len(HEADER))[: len(HEADER)]
        ]
        if not any(cells):
            continue
        parsed = domain.batch_row_parse(line, cells[0], cells[1:4], cells[4])
        if isinstance(parsed, domain.BatchRow):
            rows.append(parsed)
        else:
            errors += [(line, message) for message in parsed]
    if not rows and not errors:
        raise BatchFileError(ERR_EMPTY)
    if len(rows) + len(errors) > MAX_ROWS:
        raise BatchFileError(ERR_TOO_MANY.format(limit=MAX_ROWS))
    return rows, errors
