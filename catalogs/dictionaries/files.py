"""Dictionary version files (编码字典版本文件): the column contract of one list, read from .xlsx, .csv or
.csv.gz through the same cell checks as every workbook (catalogs/workbooks.py), and the national lists
shipped in catalogs/data/national/ (docs/reference-data.md).

The columns are the dictionary export's full layout (``catalogs.dictionaries.excel.FULL_SHEETS``; in an .xlsx the
sheet 诊断编码 / 手术操作编码), so an exported dictionary loads back as a version without a difference. 类目 and 亚目 may be left out or blank: they are taken from the code.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import BinaryIO

from catalogs.choices import DictionaryKind
from catalogs.codes import diagnosis_deciding
from catalogs.dictionaries.excel import FULL_SHEETS
from catalogs.workbooks import SheetErrors, sheet_table, workbook_tables
from config.lazy import pandas as pd

NATIONAL_DIR = Path(__file__).resolve().parent.parent / "data" / "national"
NATIONAL_FILES = {
    DictionaryKind.DIAGNOSIS: "icd10_yb20.csv.gz",
    DictionaryKind.PROCEDURE: "icd9cm3_yb.csv.gz",
}
NATIONAL_NAMES = {
    DictionaryKind.DIAGNOSIS: "ICD-10医保版2.0（国家版）",
    DictionaryKind.PROCEDURE: "ICD-9-CM-3医保版（国家版）",
}
ERR_FILE_TYPE = "请上传 .xlsx、.csv 或 .csv.gz 文件。"
ERR_ENCODING = "无法识别 CSV 文件的编码，请保存为 UTF-8 或 GBK 编码。"
VERSION_SHEETS = {
    DictionaryKind.DIAGNOSIS: FULL_SHEETS[0],
    DictionaryKind.PROCEDURE: FULL_SHEETS[1],
}


def _csv_rows(data: bytes) -> list[tuple] | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return [tuple(row) for row in csv.reader(io.StringIO(data.decode(encoding)))]
        except UnicodeDecodeError:
            continue
    return None


def with_derived_columns(kind: str, table: pd.DataFrame) -> pd.DataFrame:
    """Blank 类目/亚目 taken from the code (diagnoses: the deciding part's ``A17`` / ``A17.0``; procedures:
    ``36`` / ``36.0``); 手术室手术 as a boolean; diagnoses carry no procedure attributes."""
    table = table.copy()
    code = (
        pd.Series(diagnosis_deciding(table["code"]), index=table.index)
        if kind == DictionaryKind.DIAGNOSIS
        else table["code"]
    )
    width = 3 if kind == DictionaryKind.DIAGNOSIS else 2
    derived_sub = code.str[: width + 2].where(code.str[width + 1 : width + 2].str.isdigit(), "")
    table["category"] = table["category"].where(table["category"] != "", code.str[:width])
    table["subcategory"] = table["subcategory"].where(table["subcategory"] != "", derived_sub)
    if kind == DictionaryKind.DIAGNOSIS:
        return table.assign(operating_room=False, treatment_type="")
    return table.assign(operating_room=table["operating_room"] == "1")


def version_table(kind: str, file: BinaryIO, filename: str) -> tuple[pd.DataFrame, SheetErrors]:
    """The checked rows of a version file and every error (Chinese, naming sheet, row and column)."""
    sheet, name = VERSION_SHEETS[kind], filename.lower()
    if name.endswith(".xlsx"):
        tables, errors = workbook_tables(file, [sheet])
        table = tables.get(sheet.table)
    elif name.endswith((".csv", ".csv.gz")):
        data = file.read()
        rows = _csv_rows(gzip.decompress(data) if name.endswith(".gz") else data)
        errors = SheetErrors([] if rows is not None else [ERR_ENCODING])
        table = sheet_table(sheet, rows, errors) if rows is not None else None
    else:
        return pd.DataFrame(), SheetErrors([ERR_FILE_TYPE])
    if errors or table is None:
        return pd.DataFrame(), errors
    return with_derived_columns(kind, table), errors


def national_table(kind: str) -> tuple[pd.DataFrame, SheetErrors]:
    """The shipped national list of ``kind``, read and checked like any uploaded file."""
    filename = NATIONAL_FILES[kind]
    with (NATIONAL_DIR / filename).open("rb") as file:
        return version_table(kind, file, filename)


def national_source(kind: str) -> str:
    """Provenance of the shipped list, from manifest.json: repository, commit and path."""
    manifest = json.loads((NATIONAL_DIR / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["files"]["diagnoses" if kind == DictionaryKind.DIAGNOSIS else "procedures"]
    return f"{manifest['source']}@{manifest['commit'][:12]}:{entry['source_path']}（{manifest['licence']}）"
