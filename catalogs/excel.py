"""The Excel import and export shared by catalog groups (catalogs/versions/excel.py) and coefficient tables
(catalogs/coefficients/excel.py), through their Resources.

An import is all or nothing: the whole file is run through the Resource inside one transaction and
every row error is collected (with its Excel row number, in Chinese); if there is any, the transaction
is rolled back and the errors are raised together. Only a draft takes an import; each successful
import is one audit event with the touched rows before and after.
"""

from __future__ import annotations

from collections import Counter
from typing import BinaryIO

import tablib
from django.core.exceptions import ValidationError
from import_export.resources import ModelResource
from import_export.results import Result

from config.spreadsheets import spreadsheet_unsafe
from config.spreadsheets.reader import rows_checked
from config.spreadsheets.writer import rows_workbook

ERR_NOT_XLSX = "无法读取文件，请上传由本系统导出的 .xlsx 文件。"
ERR_COLUMNS = "文件缺少列：{columns}。请使用本系统导出的表格格式。"
ERR_EMPTY = "文件中没有数据行。"
ERR_ROW = "第{row}行：{message}"
ERR_ROW_FIELD = "第{row}行“{column}”：{message}"
ERR_DUPLICATE = "第{row}行“{column}”：{value} 在文件中重复出现。"
HEADER_ROWS = 1  # data row n of the dataset is Excel row n + 1


def workbook(resource: ModelResource, title: str) -> bytes:
    dataset = resource.export(force_native_type=True)
    dataset.title = title
    return datasets_workbook([dataset])


def datasets_workbook(datasets: list[tablib.Dataset]) -> bytes:
    """Tablib datasets (one sheet each, its headers first) through the one neutralising writer."""
    return rows_workbook((dataset.title, dataset.headers, dataset) for dataset in datasets)


def _dataset(file: BinaryIO, resource: ModelResource) -> tablib.Dataset:
    try:
        dataset = tablib.Dataset().load(file.read(), format="xlsx")
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same user-facing message
        raise ValidationError(ERR_NOT_XLSX) from None
    headers = [str(h or "").strip() for h in dataset.headers or []]
    missing = [
        field.column_name
        for field in resource.get_import_fields()
        if field.column_name not in headers
    ]
    if missing:
        raise ValidationError(ERR_COLUMNS.format(columns="、".join(missing)))
    dataset.headers = headers
    if not dataset.height:
        raise ValidationError(ERR_EMPTY)
    rows_checked(dataset, sheet=dataset.title, first=HEADER_ROWS + 1)
    return dataset


def row_errors(result: Result, resource: ModelResource) -> list[str]:
    """Every error of an import, one Chinese line each, in row order."""
    columns = {name: field.column_name for name, field in resource.fields.items()} | {
        field.attribute: field.column_name for field in resource.fields.values() if field.attribute
    }
    lines = [(0, str(error.error)) for error in result.base_errors]
    for number, errors in result.row_errors():
        lines += [
            (number, ERR_ROW.format(row=number + HEADER_ROWS, message=_message(error.error)))
            for error in errors
        ]
    for invalid in result.invalid_rows:
        row = invalid.number + HEADER_ROWS
        for name, messages in invalid.field_specific_errors.items():
            lines += [
                (
                    invalid.number,
                    ERR_ROW_FIELD.format(row=row, column=columns.get(name, name), message=m),
                )
                for m in messages
            ]
        lines += [
            (invalid.number, ERR_ROW.format(row=row, message=m))
            for m in invalid.non_field_specific_errors
        ]
    return [text for _, text in sorted(lines, key=lambda item: item[0])]


def _message(error: Exception) -> str:
    return "；".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _duplicates(dataset: tablib.Dataset, key: str) -> list[str]:
    """A key given twice would silently let the later row win: both rows are errors instead."""
    keys = [spreadsheet_unsafe(value) for value in dataset[key]]
    counts = Counter(keys)
    return [
        ERR_DUPLICATE.format(row=number + HEADER_ROWS, column=key, value=value)
        for number, value in enumerate(keys, start=1)
        if value and counts[value] > 1
    ]


def resource_import(resource: ModelResource, file: BinaryIO) -> Result:
    """Run the whole file; raise every row error together (the caller's transaction then rolls back)."""
    dataset = _dataset(file, resource)
    duplicates = _duplicates(dataset, resource.KEY)
    if duplicates:
        raise ValidationError(duplicates)
    result = resource.import_data(
        dataset, dry_run=False, raise_errors=False, use_transactions=False
    )
    errors = row_errors(result, resource)
    if errors:
        raise ValidationError(errors)
    return result
