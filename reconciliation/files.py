"""Reading an uploaded national file (CSV or .xlsx) into the checked table of its contract.

A national group file holds a region's month, up to a million cases, so the file is read as whole
columns: CSV by the Arrow parser (intake's, ``settlement.intake.files``), .xlsx by intake's streaming
reader (``settlement.intake.xlsx``, first sheet); a cell cut at Excel's limit refuses the file
(``config.spreadsheets.reader``). The contract's columns are checked by ``catalogs.workbooks.sheet_frame``
(the row-error machinery of the catalog imports — required, format, choices, duplicate keys — column-wise),
then ``domain.rows_checked``.
"""

from __future__ import annotations

import csv
import io
from pathlib import PurePath

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError

from catalogs.workbooks import SheetErrors, sheet_frame
from config.spreadsheets import CELL_LIMIT
from config.spreadsheets.reader import grid_checked
from reconciliation import domain
from settlement.intake import xlsx
from settlement.intake.files import ERR_NOT_ZIP, FileRefused, zip_check

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
        engines = [("c", {"skip_blank_lines": False})] if blank_lines else [("pyarrow", {}), ("c", {})]
        for engine, extra in engines:
            try:
                return pd.read_csv(io.BytesIO(content), engine=engine, **options, **extra).fillna("")
            except pd.errors.EmptyDataError:
                return pd.DataFrame()
            except Exception:  # noqa: BLE001, S112 - a ragged row: the next parser
                continue
        rows = list(csv.reader(io.StringIO(content.decode(encoding))))
        width = max(map(len, rows), default=0)
        return pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype="str")
    raise ValidationError(ERR_UNREADABLE)


def _xlsx_cells(content: bytes) -> pd.DataFrame:
    source = io.BytesIO(content)
    try:
        zip_check(source, max_uncompressed_mb=MAX_UNCOMPRESSED_MB)
        grid = grid_checked(xlsx.sheet_rows(source, sheet=""), sheet="Sheet1")
    except (FileRefused, xlsx.XlsxRefused) as exc:
        raise ValidationError(ERR_UNREADABLE if str(exc) == ERR_NOT_ZIP else str(exc)) from None
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same user-facing message
        raise ValidationError(ERR_UNREADABLE) from None
    return pd.DataFrame(np.asarray(grid, dtype=object))


def file_table(kind: str, header: list, cells: pd.DataFrame, *, year: int, month: int,
               known: domain.Known) -> tuple[pd.DataFrame, SheetErrors]:  # fmt: skip
    sheet, _ = domain.CONTRACTS[kind]
    errors = SheetErrors()
    header = domain.header_row(kind, header)
    # An optional column may be left out of the file: it reads as empty cells.
    header += [c.header for c in sheet.columns if not c.required and c.header not in header]
    table = sheet_frame(sheet, header, cells, errors)
    if table.empty:
        return table, errors
    return domain.rows_checked(kind, table, errors, year=year, month=month, known=known), errors
