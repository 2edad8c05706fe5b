"""The reconciliation's spreadsheets: the uploaded national file (CSV or .xlsx) read into the checked table
of its contract, and the reconciliation's tables written as one workbook (机构差异, 病例差异).

A national group file holds a region's month, up to a million cases, so the file is read as whole
columns: CSV by the Arrow parser, .xlsx by the portal's checked reader (``config.spreadsheets.reader``:
python-calamine behind the zip and DTD checks, first sheet); a cell cut at Excel's limit refuses the
file. The contract's columns are checked by ``catalogs.workbooks.sheet_frame`` (the row-error machinery
of the catalog imports — required, format, choices, duplicate keys — column-wise), then
``domain.rows_checked``. Writing: ``config.spreadsheets.writer.rows_workbook``.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePath

from django.core.exceptions import ValidationError

from catalogs.workbooks import SheetErrors, sheet_frame
from config.lazy import numpy as np
from config.lazy import pandas as pd
from config.spreadsheets import CELL_LIMIT, reader
from config.spreadsheets.guard import ERR_NOT_ZIP, FileRefused, zip_check
from config.spreadsheets.reader import grid_checked
from config.spreadsheets.writer import rows_workbook
from reconciliation import domain
from reconciliation.models import ReconCase, ReconInstitution

ERR_UNREADABLE = "无法读取文件，请上传 CSV（UTF-8 或 GBK 编码）或 .xlsx 格式的文件。"
ENCODINGS = ("utf-8-sig", "gb18030")
MAX_UNCOMPRESSED_MB = 1024


def file_cells(name: str, content: bytes) -> tuple[list, pd.DataFrame]:
    """(header row, data rows as positional columns) of the file's first sheet; an unreadable file
    raises ``ValidationError``."""
    if PurePath(name).suffix.lower() == ".csv":
        frame = _csv_cells(content)
        too_long = any(frame[c].str.len().max() >= CELL_LIMIT for c in frame.columns if len(frame))
        if too_long:  # locate the cell only when there is one
            grid_checked(frame.to_numpy(dtype=object), sheet=name)
    else:
        frame = _xlsx_cells(content)
    if frame.empty:
        return [], pd.DataFrame()
    return list(frame.iloc[0]), frame.iloc[1:].reset_index(drop=True)


def _csv_cells(content: bytes) -> pd.DataFrame:
    """Every cell as text ("" for blank), the header row first. The Arrow parser reads the file on both
    cores; a ragged row goes to the C parser, then to Python's (as many columns as the widest row)."""
    for encoding in ENCODINGS:
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        options = {"dtype": str, "keep_default_na": False, "encoding": encoding, "header": None}
        # A blank line keeps its row number (the errors name the file's rows): the C parser, which can.
        blank_lines = b"\n\n" in content or b"\n\r\n" in content
        engines = (
            [("c", {"skip_blank_lines": False})] if blank_lines else [("pyarrow", {}), ("c", {})]
        )
        for engine, extra in engines:
            try:
                return pd.read_csv(io.BytesIO(content), engine=engine, **options, **extra).fillna(
                    ""
                )
            except pd.errors.EmptyDataError:
                return pd.DataFrame()
            except Exception:  # noqa: BLE001, S112 - a ragged row: the next parser
                continue
        rows = list(csv.reader(io.StringIO(content.decode(encoding))))
        width = max(map(len, rows), default=0)
        return pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype="str")
    raise ValidationError(ERR_UNREADABLE)


def _xlsx_cells(content: bytes) -> pd.DataFrame:
    try:
        zip_check(io.BytesIO(content), max_uncompressed_mb=MAX_UNCOMPRESSED_MB)
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:  # calamine reads a path
            file.write(content)
            file.flush()
            grid = grid_checked(reader.sheet_rows(Path(file.name), sheet=""), sheet="Sheet1")
    except FileRefused as exc:
        raise ValidationError(ERR_UNREADABLE if str(exc) == ERR_NOT_ZIP else str(exc)) from None
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same user-facing message
        raise ValidationError(ERR_UNREADABLE) from None
    return pd.DataFrame(np.asarray(grid, dtype=object))


def file_table(
    kind: str, header: list, cells: pd.DataFrame, *, year: int, month: int, known: domain.Known
) -> tuple[pd.DataFrame, SheetErrors]:
    sheet, _ = domain.CONTRACTS[kind]
    errors = SheetErrors()
    header = domain.header_row(kind, header)
    # An optional column may be left out of the file: it reads as empty cells.
    header += [c.header for c in sheet.columns if not c.required and c.header not in header]
    table = sheet_frame(sheet, header, cells, errors)
    if table.empty:
        return table, errors
    return domain.rows_checked(kind, table, errors, year=year, month=month, known=known), errors


# --- writing --------------------------------------------------------------------------------------

INSTITUTION_HEADER = [
    "机构编号",
    "机构名称",
    "本地病例数",
    "国家记账人次",
    "分组不一致数",
    "本地统筹基金支出",
    "国家统筹基金支出",
    "基金支出差额",
    "本地点数",
    "按国家分组点数",
    "本地折算金额",
    "按国家分组折算金额",
    "折算金额差额",
]
CASE_HEADER = [
    "结算ID",
    "机构编号",
    "差异类型",
    "本地分组",
    "国家分组",
    "国家分组名称",
    "本地入组路径",
    "分歧环节",
    "国家质控规则",
    "本地质控规则",
    "说明",
    "本地点数",
    "按国家分组点数",
]


def reconciliation_workbook(
    institutions: Iterable[ReconInstitution], cases: Iterable[ReconCase]
) -> bytes:
    institution_rows = (
        [
            r.institution.code,
            r.institution.name,
            r.cases_ours,
            r.cases_national,
            r.mismatches,
            r.fund_ours,
            r.fund_national,
            r.fund_difference,
            r.points_ours,
            r.points_national,
            r.amount_ours,
            r.amount_national,
            r.amount_difference,
        ]
        for r in institutions
    )
    case_rows = (
        [
            r.setl_id,
            r.institution.code,
            r.get_kind_display(),
            r.our_group,
            r.national_group,
            r.national_group_name,
            r.our_trace,
            r.get_divergence_display(),
            r.rule_code,
            r.our_rule_code,
            r.message,
            r.our_points,
            r.national_points,
        ]
        for r in cases
    )
    return rows_workbook(
        [("机构差异", INSTITUTION_HEADER, institution_rows), ("病例差异", CASE_HEADER, case_rows)]
    )
