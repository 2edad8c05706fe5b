"""The CHS-DRG rule tables (DRG分组规则): their column contract (catalogs.workbooks), the rules across rows,
and three lossless carriers — the workbook in long format, a zip of CSV files, the CSV directory.

Tables are pandas frames with the columns ``catalogs.drg.grouper.drg_rules`` reads (the same as catalogs/data/drg/*.csv
and the ``Drg*`` models' fields), list cells ``;``-separated. The **workbook** keeps each table's scalar
columns on one sheet and puts every list in a sheet of its own, one code per row (“ADRG-主要手术操作”: ADRG,
组, 编码), so no cell ever nears Excel's 32,767-character limit and nothing is cut. Reading checks every cell
and every cross-row rule and returns *all* errors, one Chinese line each; the caller writes nothing unless
there are none. A rule set's *content* is these tables plus, under the key ``golden``, its golden cases
(金标准病例, one row per case, sheet “金标准病例” / golden.csv); both carriers hold them. ``tables_hash`` is the
content hash, golden cases included: a rule set exported and imported again, through either carrier, hashes
the same.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import BinaryIO

from catalogs.choices import AdrgKind, CcLevel, SeveritySplit
from catalogs.codes import CODE_LENGTH, DIAGNOSIS, DIAGNOSIS_ENTRY, PROCEDURE
from catalogs.drg import grouper as drg_grouper
from catalogs.workbooks import (
    LIST_ENTRY,
    SEPARATOR,
    Column,
    Sheet,
    SheetErrors,
    code_column,
    duplicates,
    sheet_table,
    workbook_tables,
)
from catalogs.workbooks import workbook_bytes as _workbook_bytes
from config.lazy import pandas as pd

MDC_CODE = re.compile(r"^MDC[A-Z]$")
ADRG_CODE = re.compile(r"^[A-Z](?:[A-Z][0-9]|QY)$")
FAMILY_CODE = re.compile(r"^[A-Za-z0-9_]{1,20}$")
REGION_CODE = re.compile(r"^\S{1,20}$")
NUMBER = re.compile(r"^[0-9]{1,6}$")
GROUP = re.compile(r"^[1-9]$")

ERR_WHOLE = "规则表整体校验未通过：{reason}"
ERR_ZIP = "无法读取文件，请上传导出的 CSV 压缩包（.zip）。"
ERR_ZIP_MEMBER = "压缩包缺少文件 {name}。"
MSG_UNKNOWN_MDC = "MDC {value} 不在“MDC”工作表中。"
MSG_LETTER = "ADRG编码首字母须与所属MDC字母（{letter}）一致。"
MSG_PROCEDURES_REQUIRED = "外科手术组和非手术室操作组须有手术条件（主要手术操作或手术匹配方式）。"
MSG_UNKNOWN_FAMILY = "排除组 {value} 不在“排除表”工作表中。"
MSG_UNKNOWN_OWNER = "{value} 不在“{sheet}”工作表中。"

_TEXT_CHOICES = lambda *values: tuple((value, value) for value in values)  # noqa: E731

SHEETS = (
    Sheet(
        "mdc",
        "MDC",
        "mdc",
        (
            code_column("mdc", "MDC编码", MDC_CODE, "MDCF"),
            Column("name", "MDC名称"),
            Column("diag_codes", "主要诊断", kind="diagnoses", required=False),
            Column(
                "sex", "性别条件", kind="choice", choices=(("M", "男"), ("F", "女")), required=False
            ),
            code_column("age_days_max", "年龄天数上限", NUMBER, "364", required=False),
            Column(
                "or_procedure",
                "须有手术室手术",
                kind="choice",
                choices=(("yes", "是"),),
                required=False,
            ),
            code_column("min_regions", "创伤部位数下限", NUMBER, "2", required=False),
        ),
    ),
    Sheet(
        "adrg",
        "ADRG",
        "adrg",
        (
            code_column("adrg", "ADRG编码", ADRG_CODE, "FM1"),
            code_column("mdc", "所属MDC", MDC_CODE, "MDCF"),
            Column("name", "ADRG名称", length=200),
            Column("kind", "类型", kind="choice", choices=tuple(AdrgKind.choices)),
            Column("split", "细分规则", kind="choice", choices=tuple(SeveritySplit.choices)),
            Column(
                "diag_match",
                "诊断匹配方式",
                kind="choice",
                choices=_TEXT_CHOICES("main", "any"),
                required=False,
            ),
            Column("diag_codes", "主要诊断", kind="diagnoses", required=False),
            Column(
                "proc_match",
                "手术匹配方式",
                kind="choice",
                choices=_TEXT_CHOICES(*drg_grouper.PROC_MATCHES[1:]),
                required=False,
            ),
            Column("proc_codes", "主要手术操作", kind="grouped_procedures", required=False),
            code_column(
                "proc_rule",
                "手术组合规则",
                re.compile(r"^[1-9](?:\+[1-9])*(?:\|[1-9](?:\+[1-9])*)*$"),
                "1+2|1+3+4",
                required=False,
                length=100,
            ),
            code_column("age_days_max", "年龄天数上限", NUMBER, "28", required=False),
            code_column("weight_min", "体重下限(克)", NUMBER, "1500", required=False),
            code_column("weight_max", "体重上限(克)", NUMBER, "2500", required=False),
        ),
    ),
    Sheet(
        "cc",
        "CC-MCC",
        "diag_code",
        (
            code_column(
                "diag_code", "诊断编码", DIAGNOSIS, "I50.000", length=CODE_LENGTH, clinical=True
            ),
            Column("level", "级别", kind="choice", choices=tuple(CcLevel.choices)),
            code_column("family", "排除组", FAMILY_CODE, "HF"),
        ),
    ),
    Sheet(
        "exclusions",
        "排除表",
        "family",
        (
            code_column("family", "排除组", FAMILY_CODE, "HF"),
            Column("name", "排除组名称"),
            Column("diag_codes", "主要诊断", kind="diagnoses", required=False),
        ),
    ),
    Sheet(
        "or_procedures",
        "手术室手术",
        "proc_code",
        (
            code_column(
                "proc_code", "手术操作编码", PROCEDURE, "36.0601", length=CODE_LENGTH, clinical=True
            ),
            Column("name", "名称", length=200, required=False),
        ),
        may_be_empty=True,
    ),
    Sheet(
        "trauma",
        "创伤部位",
        "region",
        (
            code_column("region", "部位", REGION_CODE, "头颈部"),
            Column("name", "部位名称"),
            Column("diag_codes", "诊断", kind="diagnoses"),
        ),
        may_be_empty=True,
    ),
)
SHEET_OF = {sheet.table: sheet for sheet in SHEETS}
REQUIRED_TABLES = ("mdc", "adrg", "cc", "exclusions")

# Golden cases (金标准病例): the grouper's inputs (catalogs.drg.grouper.drg_group) and the expected DRG ("" = 不能入组).
GOLDEN = "golden"
GOLDEN_CASE_FIELDS = (
    "gend",
    "age",
    "nwb_age",
    "nwb_bir_wt",
    "nwb_adm_wt",
    "maindiag_code",
    "otherdiag_codes",
    "main_oprn_oprt_code",
    "other_oprn_oprt_codes",
)
GOLDEN_COLUMNS = ("case_id", "kind", *GOLDEN_CASE_FIELDS, "expected_drg", "source")
_GOLDEN_HEADERS = (
    "性别",
    "年龄",
    "新生儿天龄",
    "出生体重(克)",
    "入院体重(克)",
    "主要诊断",
    "其他诊断",
    "主要手术操作",
    "其他手术操作",
)
GOLDEN_SHEET = Sheet(
    GOLDEN,
    "金标准病例",
    "case_id",
    (
        Column("case_id", "病例编号", length=60),
        Column("kind", "规则类型", required=False, length=60),
        *(
            Column(field, header, required=False, length=10_000)
            for field, header in zip(GOLDEN_CASE_FIELDS, _GOLDEN_HEADERS, strict=True)
        ),
        Column("expected_drg", "预期DRG", required=False, length=20),
        Column("source", "来源", required=False, length=200),
    ),
    may_be_empty=True,
)


def golden_complete(golden: pd.DataFrame | None) -> pd.DataFrame:
    """Golden cases with every column of ``GOLDEN_COLUMNS``, in order, as text ("" where absent)."""
    frame = pd.DataFrame(columns=list(GOLDEN_COLUMNS)) if golden is None else golden
    return (
        frame.reindex(columns=list(GOLDEN_COLUMNS), fill_value="")
        .fillna("")
        .astype(str)
        .reset_index(drop=True)
    )


# --- the workbook in long format -------------------------------------------------------------------


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


# --- CSV: the directory and the zip -----------------------------------------------------------------


def tables_complete(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every table with every column of its contract, in order; absent optional tables and columns are blank."""
    return {
        sheet.table: tables.get(sheet.table, pd.DataFrame(columns=sheet.fields))
        .reindex(columns=sheet.fields, fill_value="")
        .fillna("")
        .astype(str)
        for sheet in SHEETS
    }


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


def tables_hash(tables: Mapping[str, pd.DataFrame]) -> str:
    """The content hash of a rule set: SHA-256 of every table's rows in order (optional tables empty if absent)
    and of its golden cases in order (``tables[GOLDEN]``; a set without any hashes as the tables alone)."""
    canonical = {
        table: frame.to_numpy().tolist() for table, frame in tables_complete(tables).items()
    }
    golden = golden_complete(tables.get(GOLDEN))
    if len(golden):
        canonical[GOLDEN] = golden.to_numpy().tolist()
    return hashlib.sha256(
        json.dumps(canonical, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


# --- rules across rows ----------------------------------------------------------------------------


def _adrg_checked(tables: Mapping[str, pd.DataFrame], errors: SheetErrors) -> None:
    sheet, adrg = SHEET_OF["adrg"], tables["adrg"]
    known = set(tables["mdc"]["mdc"])
    for row, code, mdc, kind, procedures, match in adrg[
        ["adrg", "mdc", "kind", "proc_codes", "proc_match"]
    ].itertuples():
        if mdc and mdc not in known:
            errors.cell(sheet, row, "所属MDC", MSG_UNKNOWN_MDC.format(value=mdc))
        elif mdc and code and code[0] != mdc[-1]:
            errors.cell(sheet, row, "ADRG编码", MSG_LETTER.format(letter=mdc[-1]))
        if (
            kind in {AdrgKind.SURGICAL, AdrgKind.OPERATION}
            and not procedures
            and match not in {"or_main", "or_any"}
        ):
            errors.cell(sheet, row, "主要手术操作", MSG_PROCEDURES_REQUIRED)


def _cc_checked(tables: Mapping[str, pd.DataFrame], errors: SheetErrors) -> None:
    families = set(tables["exclusions"]["family"])
    for row, family in tables["cc"]["family"].items():
        if family and family not in families:
            errors.cell(SHEET_OF["cc"], row, "排除组", MSG_UNKNOWN_FAMILY.format(value=family))


def tables_checked(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Every cross-row error of checked tables, then (only when there is none) the grouper's own check."""
    tables = tables_complete(tables)
    errors = SheetErrors()
    for sheet in SHEETS:
        duplicates(sheet, tables[sheet.table], errors)
    _adrg_checked(tables, errors)
    _cc_checked(tables, errors)
    if not errors:
        try:
            drg_grouper.drg_rules(**tables)
        except ValueError as error:
            errors.append(ERR_WHOLE.format(reason=error))
    return list(errors)
