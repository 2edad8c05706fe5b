"""Files in and out of the intake: safe reading of .csv/.xlsx uploads, the template, the error report.

Reading never trusts the file: an .xlsx is a zip whose central directory is checked (member count,
declared uncompressed total, compression ratio) before any XML is parsed, and no XML part may carry a
DTD (``config.spreadsheets.guard``); python-calamine then reads it (``config.spreadsheets.reader``).
Writing goes through the one neutralising writer (``config.spreadsheets.writer``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

from config.lazy import pandas as pd
from config.lazy import pyarrow as pa
from config.spreadsheets import CellAtLimit, reader
from config.spreadsheets.guard import (  # noqa: F401 - the refusals intake names (tests, services)
    ERR_NOT_ZIP,
    ERR_ZIP_MEMBERS,
    ERR_ZIP_RATIO,
    ERR_ZIP_TOTAL,
    ZIP_MAX_MEMBERS,
    ZIP_MAX_RATIO,
    FileRefused,
    zip_check,
)
from config.spreadsheets.reader import grid_checked
from config.spreadsheets.writer import (
    csv_bytes,
    rows_workbook,
    workbook_bytes,
    workbook_new,
)
from settlement.intake import columns as cols
from settlement.intake import contract

ERR_FILE_TYPE = "仅支持 .xlsx、.csv 或 .zip（国家接口分表 CSV）文件。"
ERR_FILE_TOO_LARGE = "文件大小超过上限 {limit} MB。"
ERR_CSV_ENCODING = "无法识别 CSV 文件编码，请另存为 UTF-8 或 GB18030 编码。"
ERR_EMPTY_FILE = "文件为空。"
ERR_ZIP_NO_SETLINFO = "压缩包中没有结算清单表：须有 setlinfo.csv（或 结算清单.csv），可另附 diseinfo、oprninfo、icuinfo（诊断、手术操作、重症监护）。"
ERR_ZIP_TWICE = "压缩包中 {table} 表出现了不止一次：{names}。"

TEMPLATE_ROWS = 100_000
DATA_SHEET = "结算清单"


def source_of(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix not in (".xlsx", ".csv", ".zip"):
        raise FileRefused(ERR_FILE_TYPE)
    return suffix[1:]


Tables = dict[
    str, "pd.DataFrame"
]  # the national shape: one frame per national table (setlinfo, diseinfo, ...)


def frame_read(path: Path, *, source: str, max_uncompressed_mb: int) -> pd.DataFrame | Tables:
    """The file's cells, headers as written: a frame of text (CSV) or Python values (xlsx) for the flat
    template; one frame per national table for a workbook with a sheet per table or a zip of CSVs."""
    if source == "csv":
        return _csv_read(path)
    zip_check(path, max_uncompressed_mb=max_uncompressed_mb)
    if source == "zip":
        return _zip_read(path)
    tables = _national_sheets(path)
    if tables:
        return {
            table: _list_or_empty(table, lambda sheet=sheet: _xlsx_read(path, sheet=sheet))
            for table, sheet in tables.items()
        }
    return _xlsx_read(path)


def _list_or_empty(table: str, read) -> pd.DataFrame:
    """A list table (诊断, 手术操作, 重症监护) may be empty; the settlement table may not."""
    try:
        return read()
    except FileRefused as exc:
        if table == cols.SETLINFO or str(exc) != ERR_EMPTY_FILE:
            raise
        return pd.DataFrame()


def national_table(name: str) -> str | None:
    """The national table a sheet or CSV member names: its code (diseinfo) or Chinese name (诊断)."""
    stem = Path(name).stem.strip().lower()
    for table, chinese in cols.TABLE_NAMES.items():
        if stem in (table, chinese) or stem.endswith(("_" + table, "-" + table)):
            return table
    return None


def _national_sheets(path: Path) -> dict[str, str]:
    """The sheets of a national workbook by table — only when a list sheet (诊断, diseinfo, ...) is there."""
    names = reader.sheet_names(path)
    found = {national_table(name): name for name in reversed(names)}
    found.pop(None, None)
    return found if set(found) & set(cols.SUBTABLES) and cols.SETLINFO in found else {}


def _member_name(member: zipfile.ZipInfo) -> str:
    """A member's name; Windows tools write Chinese names in GBK without the UTF-8 flag."""
    if member.flag_bits & 0x800:
        return member.filename
    try:
        return member.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return member.filename


def _zip_read(path: Path) -> Tables:
    """One frame per national table from a zip of CSV files named after the tables."""
    tables: Tables = {}
    names: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            name = _member_name(member)
            table = (
                national_table(name)
                if name.lower().endswith(".csv") and not member.is_dir()
                else None
            )
            if table is None:
                continue
            names.setdefault(table, []).append(name)
            if len(names[table]) > 1:
                raise FileRefused(ERR_ZIP_TWICE.format(table=table, names="、".join(names[table])))
            tables[table] = _list_or_empty(
                table, lambda member=member: _csv_read(io.BytesIO(archive.read(member)))
            )
    if cols.SETLINFO not in tables:
        raise FileRefused(ERR_ZIP_NO_SETLINFO)
    return tables


def _csv_read(source: Path | io.BytesIO) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return _csv_parse(source, encoding)
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            raise FileRefused(ERR_EMPTY_FILE) from None
    raise FileRefused(ERR_CSV_ENCODING)


def _csv_parse(source: Path | io.BytesIO, encoding: str) -> pd.DataFrame:
    """Every cell as text, blanks as ''. The multithreaded Arrow parser reads a table two to four times
    as fast; what it cannot read (a ragged row, an empty file) goes to the C parser, which says why."""
    options = {
        "dtype": str,
        "keep_default_na": False,
        "encoding": encoding,
        "skip_blank_lines": True,
    }
    try:
        return pd.read_csv(_rewound(source), engine="pyarrow", **options)
    except UnicodeDecodeError:
        raise
    except (pa.ArrowException, ValueError):
        return pd.read_csv(_rewound(source), engine="c", **options)


def _rewound(source: Path | io.BytesIO) -> Path | io.BytesIO:
    if isinstance(source, io.BytesIO):
        source.seek(0)
    return source


def _xlsx_read(path: Path, *, sheet: str = DATA_SHEET) -> pd.DataFrame:
    try:
        grid = grid_checked(reader.sheet_rows(path, sheet=sheet), sheet=sheet)
    except CellAtLimit as exc:
        raise FileRefused(exc.message) from None
    if grid.size == 0 or not any(cell is not None for cell in grid[0]):
        raise FileRefused(ERR_EMPTY_FILE)
    headers = _unique_headers(["" if cell is None else str(cell).strip() for cell in grid[0]])
    return pd.DataFrame(grid[1:], columns=headers, dtype=object)


def _unique_headers(headers: list[str]) -> list[str]:
    """Blank headers become distinct placeholders so the frame keeps its shape."""
    return [header if header else f"__blank_{position}" for position, header in enumerate(headers)]


# --- writing ---------------------------------------------------------------------------------------


def issues_workbook(issues: Iterable[tuple[str, int, str, str, str]]) -> bytes:
    """The error report: one row per issue, the column as code and Chinese name."""
    header = ["级别", "行号", "列代码", "列名称", "值", "说明"]
    rows = (
        (severity, row, column, cols.column_name(column), value, message)
        for severity, row, column, value, message in issues
    )
    return rows_workbook([("导入问题", header, rows)])


INSTRUCTIONS_HEADER = [
    "表头",
    "字段代码",
    "中文名称",
    "类型",
    "是否必填",
    "取值/说明",
    "国家接口",
    "国家类型",
    "长度",
    "国家字典",
    "国家必填",
]
INSTRUCTIONS_NOTES = [
    "表头可写字段代码、中文名称或“中文名称 字段代码”。日期可写 2024-03-01 08:30、2024/3/1、2024年3月1日。",
    "金额单位为元，最多两位小数；时长按 天/时/分 填写，如 2/5/30。",
    "诊断编码可写 I21.000、J18.900x001 或剑号星号合并编码 A17.000+G01*（全文保存，按剑号部分分组）；手术操作编码可写 36.0601、17.91100、17.912A0。",
    "不足1周岁的病例年龄可空（按0岁计），须填写新生儿年龄(天)；新生儿病例请填写出生体重和入院体重（克）。",
    "同一机构同一结算ID再次上传即为更正（所属月份须未关账）；文件中有任何错误时整批不导入。",
    "也可按国家医保结算清单（4101）分表上传：一个工作簿含“结算清单”“诊断”“手术操作”“重症监护”工作表，或一个 .zip 内含 "
    "setlinfo.csv、diseinfo.csv、oprninfo.csv、icuinfo.csv；各列表以结算ID(setl_id)或就诊ID(mdtrt_id)关联结算清单，列见下方各表。",
]


def _instructions() -> list[list[str]]:
    """The instruction sheet: the contract (contract.py), the flat columns first, then each 4101 list."""
    rows: list[list[str]] = []
    for table, title, section in contract.contract_sections():
        if table != cols.SETLINFO:
            rows += [[], [title]]
        rows += [
            [
                f"{row.name} {row.code}",
                row.code,
                row.name,
                row.kind,
                row.required,
                row.notes,
                row.interface,
                row.type,
                row.length,
                row.dictionary,
                row.national_required,
            ]
            for row in section
        ]
    return rows


def template_xlsx() -> bytes:
    """The template: headers '中文 code', drop-down lists for coded columns, an instructions sheet."""
    import openpyxl
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = workbook_new()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append([column.header for column in cols.COLUMNS])
    for position, column in enumerate(cols.COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(position)
        sheet.column_dimensions[letter].width = max(12, len(column.header) + 4)
        sheet.cell(row=1, column=position).number_format = "@"
        if column.choices:
            rule = DataValidation(
                type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True
            )
            rule.error = "请从下拉列表中选择：" + "、".join(
                f"{c} {label}" for c, label in column.choices.items()
            )
            rule.errorTitle = column.name
            rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    notes.append(INSTRUCTIONS_HEADER)
    for row in _instructions():
        notes.append(row)
    notes.append([])
    for line in INSTRUCTIONS_NOTES:
        notes.append([line])
    return workbook_bytes(workbook)


def template_csv() -> bytes:
    """The CSV template: the header line only, UTF-8 with BOM so Excel opens it correctly."""
    return csv_bytes([column.header for column in cols.COLUMNS])
