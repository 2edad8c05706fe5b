"""The CHS-DRG rule tables as a workbook (DRG分组规则 Excel): one sheet per table and its column contract
(catalogs.workbooks), the rules across rows, and the tables stored as CSV (the demo rule set).

Tables are pandas frames with the columns ``catalogs.drg.drg_rules`` reads (the same as
catalogs/data/drg/*.csv and as the ``Drg*`` models' fields), list cells ``;``-separated. Reading checks
every cell and every cross-row rule and returns *all* errors, one Chinese line each, so a file is fixed
in one round; the caller writes nothing unless there are none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import BinaryIO

import pandas as pd

from catalogs import drg
from catalogs.choices import AdrgKind, CcLevel, SeveritySplit
from catalogs.codes import CODE_LENGTH, DIAGNOSIS
from catalogs.workbooks import SEPARATOR, Column, Sheet, SheetErrors, code_column, duplicates, workbook_tables
from catalogs.workbooks import workbook_bytes as _workbook_bytes

MDC_CODE = re.compile(r"^MDC[A-Z]$")
ADRG_CODE = re.compile(r"^[A-Z]{2}[0-9]$")
FAMILY_CODE = re.compile(r"^[A-Za-z0-9_]{1,20}$")

ERR_WHOLE = "规则表整体校验未通过：{reason}"
MSG_UNKNOWN_MDC = "MDC {value} 不在“MDC”工作表中。"
MSG_LETTER = "ADRG编码首字母须与所属MDC字母（{letter}）一致。"
MSG_PROCEDURES_REQUIRED = "外科手术组和非手术室操作组须填写主要手术操作。"
MSG_NO_PROCEDURES = "内科组不填写主要手术操作。"
MSG_DIAGNOSES_REQUIRED = "内科组须填写主要诊断。"
MSG_TWO_MDCS = "{value} 同时属于多个MDC（{others}）。"
MSG_TWO_MEDICAL = "{value} 同时属于多个内科组（{others}）。"
MSG_UNKNOWN_FAMILY = "排除组 {value} 不在“排除表”工作表中。"


SHEETS = (
    Sheet("mdc", "MDC", "mdc", (
        code_column("mdc", "MDC编码", MDC_CODE, "MDCF"), Column("name", "MDC名称"),
        Column("diag_codes", "主要诊断", kind="diagnoses"),
    )),
    Sheet("adrg", "ADRG", "adrg", (
        code_column("adrg", "ADRG编码", ADRG_CODE, "FM1"), code_column("mdc", "所属MDC", MDC_CODE, "MDCF"), Column("name", "ADRG名称", length=200),
        Column("kind", "类型", kind="choice", choices=tuple(AdrgKind.choices)),
        Column("split", "细分规则", kind="choice", choices=tuple(SeveritySplit.choices)),
        Column("diag_codes", "主要诊断", kind="diagnoses", required=False),
        Column("proc_codes", "主要手术操作", kind="procedures", required=False),
    )),
    Sheet("cc", "CC-MCC", "diag_code", (
        code_column("diag_code", "诊断编码", DIAGNOSIS, "I50.000", length=CODE_LENGTH, clinical=True),
        Column("level", "级别", kind="choice", choices=tuple(CcLevel.choices)),
        code_column("family", "排除组", FAMILY_CODE, "HF"),
    )),
    Sheet("exclusions", "排除表", "family", (
        code_column("family", "排除组", FAMILY_CODE, "HF"), Column("name", "排除组名称"), Column("diag_codes", "主要诊断", kind="diagnoses"),
    )),
)  # fmt: skip
SHEET_OF = {sheet.table: sheet for sheet in SHEETS}


# --- rules across rows ----------------------------------------------------------------------------


def _shared_entries(sheet: Sheet, table: pd.DataFrame, owner: str, message: str, errors: SheetErrors) -> None:
    """A diagnosis listed under two owners (two MDCs, two medical ADRGs) is an error on each row listing it."""
    long = table.assign(entry=table["diag_codes"].str.split(SEPARATOR)).explode("entry")
    long = long[long["entry"].fillna("") != ""]
    owners = long.groupby("entry")[owner].agg(lambda values: sorted(set(values)))
    for row, entry, mine in long[["entry", owner]].itertuples():
        others = [o for o in owners[entry] if o != mine]
        if others:
            errors.cell(sheet, row, "主要诊断", message.format(value=entry, others="、".join(others)))


def _adrg_checked(tables: Mapping[str, pd.DataFrame], errors: SheetErrors) -> None:
    sheet, adrg = SHEET_OF["adrg"], tables["adrg"]
    known = set(tables["mdc"]["mdc"])
    for row, code, mdc, kind, diagnoses, procedures in adrg[["adrg", "mdc", "kind", "diag_codes", "proc_codes"]].itertuples():
        if mdc and mdc not in known:
            errors.cell(sheet, row, "所属MDC", MSG_UNKNOWN_MDC.format(value=mdc))
        elif mdc and code and code[0] != mdc[-1]:
            errors.cell(sheet, row, "ADRG编码", MSG_LETTER.format(letter=mdc[-1]))
        if kind in {AdrgKind.SURGICAL, AdrgKind.OPERATION} and not procedures:
            errors.cell(sheet, row, "主要手术操作", MSG_PROCEDURES_REQUIRED)
        if kind == AdrgKind.MEDICAL and procedures:
            errors.cell(sheet, row, "主要手术操作", MSG_NO_PROCEDURES)
        if kind == AdrgKind.MEDICAL and not diagnoses:
            errors.cell(sheet, row, "主要诊断", MSG_DIAGNOSES_REQUIRED)
    _shared_entries(sheet, adrg[adrg["kind"] == AdrgKind.MEDICAL], "adrg", MSG_TWO_MEDICAL, errors)


def _cc_checked(tables: Mapping[str, pd.DataFrame], errors: SheetErrors) -> None:
    families = set(tables["exclusions"]["family"])
    for row, family in tables["cc"]["family"].items():
        if family and family not in families:
            errors.cell(SHEET_OF["cc"], row, "排除组", MSG_UNKNOWN_FAMILY.format(value=family))


def tables_checked(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Every cross-row error of checked tables, then (only when there is none) the grouper's own check."""
    errors = SheetErrors()
    for sheet in SHEETS:
        duplicates(sheet, tables[sheet.table], errors)
    _shared_entries(SHEET_OF["mdc"], tables["mdc"], "mdc", MSG_TWO_MDCS, errors)
    _adrg_checked(tables, errors)
    _cc_checked(tables, errors)
    if not errors:
        try:
            drg.drg_rules(**tables)
        except ValueError as error:
            errors.append(ERR_WHOLE.format(reason=error))
    return list(errors)


# --- the workbook ---------------------------------------------------------------------------------


def workbook_read(file: BinaryIO) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The four tables of a workbook and every error found in it (an empty list: the tables are good)."""
    tables, errors = workbook_tables(file, SHEETS)
    if errors:
        return tables, list(errors)
    return tables, tables_checked(tables)


def workbook_bytes(tables: Mapping[str, pd.DataFrame]) -> bytes:
    return _workbook_bytes(SHEETS, tables)


def csv_tables(directory=drg.DATA_DIR) -> dict[str, pd.DataFrame]:
    """The rule tables stored as CSV (catalogs/data/drg: the demo rule set), as ``workbook_read`` returns them."""
    return {sheet.table: pd.read_csv(directory / f"{sheet.table}.csv", dtype=str, keep_default_na=False)[sheet.fields]
            for sheet in SHEETS}  # fmt: skip
