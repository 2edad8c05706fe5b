"""A parameter set as a workbook (one row per parameter) and back: export → edit the 值 column → import."""

from __future__ import annotations

from typing import BinaryIO

from django.core.exceptions import ValidationError

from config.spreadsheets import spreadsheet_unsafe
from config.spreadsheets.guard import FileRefused
from config.spreadsheets.reader import sheet_values, workbook_loaded
from config.spreadsheets.writer import workbook_bytes, workbook_new
from settlement.parameters import domain
from settlement.parameters.models import ParameterSet

SHEET = "结算参数"
HEADER = ["参数项", "代码", "值", "说明"]
ERR_FILE = "无法读取该文件：请上传由本平台导出的结算参数表（.xlsx）。"
ERR_NO_HEADER = "未找到表头行（参数项、代码、值、说明）。"
ERR_ROW = "第{row}行（{key}）：{message}"
ERR_MISSING = "缺少参数项：{keys}。"


def parameter_workbook(parameter_set: ParameterSet) -> bytes:
    from openpyxl.styles import Font, PatternFill

    workbook = workbook_new()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([f"{parameter_set.region.name} {parameter_set}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        [
            f"状态：{parameter_set.get_status_display()}",
            f"生效日期：{parameter_set.effective_from:%Y-%m-%d}",
            f"失效日期：{parameter_set.effective_to:%Y-%m-%d}"
            if parameter_set.effective_to
            else "失效日期：—",
        ]
    )
    sheet.append(HEADER)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for field in domain.FIELDS:
        sheet.append([field.label, field.key, parameter_set.values.get(field.key, ""), field.help])
        sheet.cell(row=sheet.max_row, column=3).number_format = "@"
    for column, width in zip("ABCD", (26, 26, 14, 60)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A4"
    return workbook_bytes(workbook)


def parameter_values_read(file: BinaryIO) -> dict[str, str]:
    """The ``{key: text}`` of an exported sheet. Every problem is reported at once with its row, in Chinese;
    range and cross-field checks are the service's (``domain.validate``), mapped back to rows here."""
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = workbook_loaded(file)
    except (FileRefused, InvalidFileException, OSError, KeyError, ValueError):
        raise ValidationError(ERR_FILE) from None
    sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
    rows = sheet_values(sheet)
    header = next(
        (
            i
            for i, row in enumerate(rows)
            if row and [spreadsheet_unsafe(v) for v in row[:4]] == HEADER
        ),
        None,
    )
    if header is None:
        raise ValidationError(ERR_NO_HEADER)
    values, where, errors = {}, {}, []
    for number, row in enumerate(rows[header + 1 :], start=header + 2):
        key = spreadsheet_unsafe(row[1] if len(row) > 1 else "")
        if not key:
            continue
        if key not in domain.BY_KEY:
            errors.append(ERR_ROW.format(row=number, key=key, message=domain.ERR_UNKNOWN_KEY))
            continue
        value = row[2] if len(row) > 2 else None
        values[key] = spreadsheet_unsafe(value if not isinstance(value, float) else repr(value))
        where[key] = number
    missing = [
        field.label for field in domain.FIELDS if field.key not in values and not field.optional
    ]
    if missing:
        errors.append(ERR_MISSING.format(keys="、".join(missing)))
    _, invalid = domain.validate(values)
    errors += [
        ERR_ROW.format(
            row=where.get(key, "?"),
            key=domain.BY_KEY[key].label if key in domain.BY_KEY else key,
            message=message,
        )
        for key, message in invalid.items()
        if key in where
    ]
    if errors:
        raise ValidationError(errors)
    return values
