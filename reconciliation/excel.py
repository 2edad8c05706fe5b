"""The reconciliation's spreadsheets: the uploaded national file read into the checked table of its
contract, and the reconciliation's tables written as one workbook (机构差异, 病例差异).

Reading: the cells go through ``config.spreadsheets.reader`` (the zip check before openpyxl; a cell cut
at Excel's limit refuses the file) and the contract's columns through ``catalogs.workbooks.sheet_table``
(the row-error machinery of the catalog imports: required, format, choices, duplicate keys), then
``domain.rows_checked``. Writing: ``config.spreadsheets.writer.rows_workbook``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import PurePath

from django.core.exceptions import ValidationError

from catalogs.workbooks import SheetErrors, sheet_table
from config.lazy import pandas as pd
from config.spreadsheets.reader import rows_checked, sheet_values, workbook_loaded
from config.spreadsheets.writer import rows_workbook
from reconciliation import domain
from reconciliation.models import ReconCase, ReconInstitution

ERR_UNREADABLE = "无法读取文件，请上传 CSV（UTF-8 或 GBK 编码）或 .xlsx 格式的文件。"
ENCODINGS = ("utf-8-sig", "gbk")


def file_rows(name: str, content: bytes) -> list[tuple]:
    """The rows of the file's first sheet (header first); an unreadable file raises ``ValidationError``."""
    if PurePath(name).suffix.lower() == ".csv":
        for encoding in ENCODINGS:
            try:
                text = content.decode(encoding)
            except UnicodeDecodeError:
                continue
            return [tuple(row) for row in rows_checked(csv.reader(io.StringIO(text)), sheet=name)]
        raise ValidationError(ERR_UNREADABLE)
    try:
        book = workbook_loaded(content)
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same user-facing message
        raise ValidationError(ERR_UNREADABLE) from None
    try:
        return sheet_values(book.worksheets[0])
    finally:
        book.close()


def file_table(kind: str, rows: list[tuple], *, year: int, month: int, known: domain.Known) -> tuple[pd.DataFrame, SheetErrors]:
    sheet, _ = domain.CONTRACTS[kind]
    errors = SheetErrors()
    if rows:
        header = domain.header_row(kind, rows[0])
        # An optional column may be left out of the file: it reads as empty cells.
        absent = [c.header for c in sheet.columns if not c.required and c.header not in header]
        rows = [(*header, *absent), *((*row, *[""] * len(absent)) for row in rows[1:])]
    table = sheet_table(sheet, rows, errors)
    if table.empty:
        return table, errors
    return domain.rows_checked(kind, table, errors, year=year, month=month, known=known), errors


# --- writing --------------------------------------------------------------------------------------

INSTITUTION_HEADER = ["机构编号", "机构名称", "本地病例数", "国家记账人次", "分组不一致数", "本地统筹基金支出", "国家统筹基金支出", "基金支出差额",
                      "本地点数", "按国家分组点数", "本地折算金额", "按国家分组折算金额", "折算金额差额"]  # fmt: skip
CASE_HEADER = ["结算ID", "机构编号", "差异类型", "本地分组", "国家分组", "国家分组名称", "本地入组路径", "分歧环节", "质控规则", "说明",
               "本地点数", "按国家分组点数"]  # fmt: skip


def reconciliation_workbook(institutions: Iterable[ReconInstitution], cases: Iterable[ReconCase]) -> bytes:
    institution_rows = ([r.institution.code, r.institution.name, r.cases_ours, r.cases_national, r.mismatches, r.fund_ours, r.fund_national,
                         r.fund_difference, r.points_ours, r.points_national, r.amount_ours, r.amount_national, r.amount_difference]
                        for r in institutions)  # fmt: skip
    case_rows = ([r.setl_id, r.institution.code, r.get_kind_display(), r.our_group, r.national_group, r.national_group_name, r.our_trace,
                  r.get_divergence_display(), r.rule_code, r.message, r.our_points, r.national_points] for r in cases)  # fmt: skip
    return rows_workbook([("机构差异", INSTITUTION_HEADER, institution_rows), ("病例差异", CASE_HEADER, case_rows)])
