"""The carriers of the CHS-DRG rule tables (catalogs/drg/rules.py), all lossless: the workbook in long format
(every list in a sheet of its own, one code per row), a zip of CSV files, and the CSV directory
(catalogs/data/drg). Reading returns the tables and every error, one Chinese line each."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import BinaryIO

from catalogs.codes import CODE_LENGTH, DIAGNOSIS_ENTRY, PROCEDURE
from catalogs.drg import grouper as drg_grouper
from catalogs.drg.rules import (
    GOLDEN,
    GOLDEN_SHEET,
    GROUP,
    MSG_UNKNOWN_OWNER,
    REQUIRED_TABLES,
    SHEET_OF,
    SHEETS,
    golden_complete,
    tables_checked,
    tables_complete,
)
from catalogs.workbooks import (
    LIST_ENTRY,
    SEPARATOR,
    Column,
    Sheet,
    SheetErrors,
    code_column,
    sheet_table,
    workbook_tables,
)
from catalogs.workbooks import workbook_bytes as _workbook_bytes
from config.lazy import pandas as pd

ERR_ZIP = "无法读取文件，请上传导出的 CSV 压缩包（.zip）。"


ERR_ZIP_MEMBER = "压缩包缺少文件 {name}。"


@dataclass(frozen=True)
class ListSheet:
    """The entries of one list column, one per row: (owner key, [group,] code)."""

    table: str
    field: str
    sheet: Sheet


def _list_sheet(sheet: Sheet, column: Column) -> ListSheet:
    owner = replace(next(c for c in sheet.columns if c.field == sheet.key), field="owner")
    grouped = column.kind == "grouped_procedures"
    pattern, example = (
        (PROCEDURE, "36.0601") if column.kind != "diagnoses" else (DIAGNOSIS_ENTRY, "I21.000")
    )
    columns = (
        (owner,)
        + ((code_column("group", "组", GROUP, "1", required=False),) if grouped else ())
        + (code_column("entry", "编码", pattern, example, length=CODE_LENGTH, clinical=True),)
    )
    return ListSheet(
        sheet.table,
        column.field,
        Sheet(
            f"{sheet.table}.{column.field}",
            f"{sheet.title}-{column.header}",
            "",
            columns,
            may_be_empty=True,
        ),
    )


LIST_SHEETS = tuple(
    _list_sheet(sheet, column)
    for sheet in SHEETS
    for column in sheet.columns
    if column.kind in LIST_ENTRY
)


_LISTED = {(item.table, item.field) for item in LIST_SHEETS}


WIDE_SHEETS = tuple(
    Sheet(
        sheet.table,
        sheet.title,
        sheet.key,
        tuple(c for c in sheet.columns if (sheet.table, c.field) not in _LISTED),
        may_be_empty=sheet.may_be_empty,
    )
    for sheet in SHEETS
)


WORKBOOK_SHEETS = WIDE_SHEETS + tuple(item.sheet for item in LIST_SHEETS)


def _long(table: pd.DataFrame, item: ListSheet) -> pd.DataFrame:
    key = SHEET_OF[item.table].key
    long = table[[key]].assign(entry=table[item.field].str.split(SEPARATOR)).explode("entry")
    long = long[long["entry"].fillna("").str.strip() != ""].rename(columns={key: "owner"})
    if "group" in item.sheet.fields:
        parts = long["entry"].str.rpartition(":")
        long = long.assign(group=parts[0], entry=parts[2])
    return long[item.sheet.fields]


def workbook_bytes(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """The rule set as a workbook: the scalar columns per table, then one sheet per list, one code per row, then
    the golden cases (``tables[GOLDEN]``, empty if absent)."""
    golden = golden_complete(tables.get(GOLDEN))
    tables = tables_complete(tables)
    long = {item.sheet.table: _long(tables[item.table], item) for item in LIST_SHEETS}
    return _workbook_bytes((*WORKBOOK_SHEETS, GOLDEN_SHEET), {**tables, **long, GOLDEN: golden})


def _collapsed(
    wide: Mapping[str, pd.DataFrame], long: Mapping[str, pd.DataFrame], errors: SheetErrors
) -> dict[str, pd.DataFrame]:
    """The list sheets joined back into the ``;``-separated cells of their owners, in row order."""
    tables = {table: frame.copy() for table, frame in wide.items()}
    for item in LIST_SHEETS:
        entries, owners = long[item.sheet.table], tables[item.table]
        sheet = SHEET_OF[item.table]
        unknown = ~entries["owner"].isin(owners[sheet.key])
        for row, value in entries.loc[unknown, "owner"].items():
            errors.cell(
                item.sheet,
                row,
                item.sheet.columns[0].header,
                MSG_UNKNOWN_OWNER.format(value=value, sheet=sheet.title),
            )
        text = (
            entries["entry"]
            if "group" not in entries
            else entries["group"].where(entries["group"] == "", entries["group"] + ":")
            + entries["entry"]
        )
        joined = text.groupby(entries["owner"], sort=False).agg(SEPARATOR.join)
        tables[item.table][item.field] = owners[sheet.key].map(joined).fillna("")
    return {table: frame[SHEET_OF[table].fields] for table, frame in tables.items()}


def workbook_read(file: BinaryIO) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The tables of a workbook and every error found in it (an empty list: the tables are good)."""
    sheets, errors = workbook_tables(file, (*WORKBOOK_SHEETS, GOLDEN_SHEET), required=False)
    titles = {sheet.table: sheet.title for sheet in WORKBOOK_SHEETS}
    missing = (
        [titles[name] for name in REQUIRED_TABLES if name not in sheets]
        if sheets or not errors
        else []
    )
    errors.extend(f"缺少工作表“{title}”。" for title in missing)
    if errors:
        return {}, list(errors)
    empty = {sheet.table: pd.DataFrame(columns=sheet.fields) for sheet in WORKBOOK_SHEETS}
    sheets = empty | sheets
    tables = _collapsed(
        {s.table: sheets[s.table] for s in WIDE_SHEETS},
        {i.sheet.table: sheets[i.sheet.table] for i in LIST_SHEETS},
        errors,
    )
    if GOLDEN in sheets:  # a workbook without the sheet (an older export) carries no golden cases
        tables[GOLDEN] = golden_complete(sheets[GOLDEN])
    return (tables, list(errors)) if errors else (tables, tables_checked(tables))


def csv_tables(directory=drg_grouper.DATA_DIR) -> dict[str, pd.DataFrame]:
    """The rule tables stored as CSV (catalogs/data/drg: the demo rule set; <table>.csv or .csv.gz)."""
    tables = {}
    for sheet in SHEETS:
        path = next(
            (
                p
                for p in (directory / f"{sheet.table}.csv", directory / f"{sheet.table}.csv.gz")
                if p.exists()
            ),
            None,
        )
        if path is not None:
            tables[sheet.table] = pd.read_csv(path, dtype=str, keep_default_na=False)
    return tables_complete(tables)


def zip_bytes(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """The rule set as a zip of <table>.csv files (UTF-8, header of field names): no cell limit at all."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table, frame in {
            **tables_complete(tables),
            GOLDEN: golden_complete(tables.get(GOLDEN)),
        }.items():
            archive.writestr(f"{table}.csv", frame.to_csv(index=False, quoting=csv.QUOTE_MINIMAL))
    return buffer.getvalue()


def zip_read(file: BinaryIO) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The tables of a CSV zip, every cell checked as the workbook's are, and every error."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(file.read()))
    except zipfile.BadZipFile:
        return {}, [ERR_ZIP]
    names = set(archive.namelist())
    errors, tables = SheetErrors(), {}
    for sheet in (*SHEETS, GOLDEN_SHEET):
        name = f"{sheet.table}.csv"
        if name not in names:
            if sheet.table in REQUIRED_TABLES:
                errors.append(ERR_ZIP_MEMBER.format(name=name))
            continue
        frame = pd.read_csv(io.BytesIO(archive.read(name)), dtype=str, keep_default_na=False)
        rows = [
            [sheet.header(f) if f in sheet.fields else f for f in frame.columns],
            *frame.itertuples(index=False),
        ]
        tables[sheet.table] = sheet_table(sheet, rows, errors)
    if errors:
        return {}, list(errors)
    golden = (
        {GOLDEN: golden_complete(tables[GOLDEN])} if GOLDEN in tables else {}
    )  # a zip without golden.csv carries none
    tables = tables_complete(tables) | golden
    return tables, tables_checked(tables)
