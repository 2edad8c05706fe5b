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

import hashlib
import json
import re
from collections.abc import Mapping

from catalogs.choices import AdrgKind, CcLevel, SeveritySplit
from catalogs.codes import CODE_LENGTH, DIAGNOSIS, PROCEDURE
from catalogs.drg import grouper as drg_grouper
from catalogs.workbooks import Column, Sheet, SheetErrors, code_column, duplicates
from config.lazy import pandas as pd

MDC_CODE = re.compile(r"^MDC[A-Z]$")
ADRG_CODE = re.compile(r"^[A-Z](?:[A-Z][0-9]|QY)$")
FAMILY_CODE = re.compile(r"^[A-Za-z0-9_]{1,20}$")
REGION_CODE = re.compile(r"^\S{1,20}$")
NUMBER = re.compile(r"^[0-9]{1,6}$")
GROUP = re.compile(r"^[1-9]$")

ERR_WHOLE = "规则表整体校验未通过：{reason}"
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
