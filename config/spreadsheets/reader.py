"""Reading spreadsheets. Large uploads (case intake) are read by python-calamine (Rust) behind the defences
of ``config.spreadsheets.guard`` (zip bomb, DTD, encoding), with ``sheet_names`` / ``sheet_rows``: a sheet
as a 2-D object array of Python values, the header row first.

Every reader applies one check: a text cell of exactly ``CELL_LIMIT``
characters is the mark an Excel cut leaves, so the whole file is refused (``CellAtLimit``, naming sheet
and cell) rather than imported with a list that silently lost its tail. Refused, not warned: every import
of ours is all-or-nothing, and a warning would still write the cut value. Our own writers never reach the
limit (``config.spreadsheets.cells``), so our files read back.

``sheet_records`` reads an uploaded one-sheet workbook whose first row names the columns (Chinese or
English headers): the rows as ``{field: text}`` records with their Excel row numbers, or one Chinese
``ValidationError``. Cells are read back through ``spreadsheet_unsafe`` (our own exports round-trip).
"""

from __future__ import annotations

import io
import operator
import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from itertools import compress, repeat
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from django.core.exceptions import ValidationError

from config.lazy import numpy as np
from config.spreadsheets.cells import CELL_LIMIT, CellAtLimit, spreadsheet_unsafe
from config.spreadsheets.guard import (
    ERR_NOT_ZIP,
    ERR_XML_BROKEN,
    WORKSHEET,
    FileRefused,
    part_check,
    xml_check,
    zip_check,
)

ERR_NO_SHEET = "Excel 文件中没有工作表。"
#: what a small upload (a catalog, a budget, a parameter sheet, a batch of special cases) may unpack to
SMALL_UPLOAD_MAX_MB = 200
EPOCH_1900 = datetime(1899, 12, 30)
EPOCH_1904 = datetime(1904, 1, 1)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DATE1904 = re.compile(rb"""date1904\s*=\s*["'](?:1|true)["']""")
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*\bt=\"e\"[^>]*)(?<!/)>(.*?)</(?:\w+:)?c>", re.DOTALL)
_REFERENCE = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_ERROR_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


# --- small uploads: openpyxl behind the zip check ------------------------------------------------


def workbook_loaded(source: bytes | IO[bytes], *, max_uncompressed_mb: int = SMALL_UPLOAD_MAX_MB):
    """An uploaded workbook, read-only with cached values, for the small imports that read it with openpyxl
    (types as openpyxl gives them: whole numbers as ``int``). The zip is checked first (``FileRefused``);
    openpyxl parses its XML with defusedxml (no entity expansion, no external entities)."""
    from openpyxl import load_workbook

    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    zip_check(stream, max_uncompressed_mb=max_uncompressed_mb)
    return load_workbook(stream, read_only=True, data_only=True)


# --- large uploads: python-calamine behind the defences -------------------------------------------


def sheet_names(path: Path) -> list[str]:
    """The names of the workbook's sheets, in order (the parts checked first)."""
    with _opened(path) as (book, _archive):
        return list(book.sheet_names)


def sheet_rows(path: Path, *, sheet: str) -> np.ndarray:
    """The sheet named ``sheet`` (else the first) as a 2-D object array of cell values, row 1 first and
    column A first, gaps kept as empty cells (``None``). Values as the portal reads them: text, float,
    ``datetime`` for a date- or time-formatted number (rounded to the second; a time alone on the
    workbook's epoch day), booleans as "1"/"0" and error cells as their text (``#N/A``). Refuses with
    ``FileRefused``; the caller has run ``guard.zip_check``."""
    from python_calamine import CalamineError

    with _opened(path) as (book, archive):
        names = book.sheet_names
        if not names:
            raise FileRefused(ERR_NO_SHEET)
        name = sheet if sheet in names else names[0]
        # calamine parses a sheet only when it is read: this one is checked now (all of them when the
        # workbook's own map of its parts does not name a present part).
        member = _sheet_member(archive, name)
        parts = [
            info for info in archive.infolist() if info.filename == member
        ]  # every copy of a name
        parts = parts or [info for info in archive.infolist() if WORKSHEET.fullmatch(info.filename)]
        checked = [
            part_check(archive, part) for part in parts
        ]  # each one scanned, refused at a DTD
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except CalamineError as exc:
            raise FileRefused(ERR_XML_BROKEN) from exc
        epoch = EPOCH_1904 if _DATE1904.search(archive.read("xl/workbook.xml")) else EPOCH_1900
        grid = _grid(rows, epoch)
        if any(checked) and member in archive.NameToInfo:
            _error_cells_put(grid, archive.read(member))
        return grid


class _opened:
    """The checked archive and the calamine workbook over it, both closed on leaving."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            self.archive = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError):
            raise FileRefused(ERR_NOT_ZIP) from None
        try:
            xml_check(
                self.archive, sheets=False
            )  # the workbook's own parts, which calamine parses on opening
            # The root relationships part is required by the package format and written by every producer;
            # a package without it gets the standard one, in memory, rather than a refusal.
            names = set(self.archive.namelist())
            try:
                if "_rels/.rels" in names:
                    self.book = CalamineWorkbook.from_path(str(self.path))
                else:
                    self.book = CalamineWorkbook.from_filelike(_with_root_rels(self.archive))
            except CalamineError as exc:
                raise FileRefused(ERR_XML_BROKEN) from exc
        except BaseException:
            self.archive.close()
            raise
        return self.book, self.archive

    def __exit__(self, *exc_info):
        self.book.close()
        self.archive.close()


def _with_root_rels(archive: zipfile.ZipFile) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
        copy.writestr("_rels/.rels", ROOT_RELS)
        for member in archive.infolist():
            copy.writestr(member.filename, archive.read(member))
    buffer.seek(0)
    return buffer


def _grid(rows: list[list], epoch: datetime) -> np.ndarray:
    """calamine's rows as one object array: empty cells ``None``; the rare kinds (dates, times, durations,
    booleans) converted once per distinct value, as the portal has always read them."""
    if not rows or not rows[0]:
        return np.empty((0, 0), dtype=object)
    grid = np.array(rows, dtype=object)
    flat = grid.reshape(-1)
    flat[flat == ""] = None
    cells = flat.tolist()
    if set(map(type, cells)) <= {
        str,
        float,
        type(None),
    }:  # text and numbers only: nothing to convert
        return grid
    kinds = np.fromiter(map(type, cells), dtype=object, count=flat.size)
    # Element-wise comparisons of an array of types (not `is`): E721 does not apply.
    rare = np.flatnonzero((kinds != str) & (kinds != float) & (kinds != type(None)))  # noqa: E721
    if rare.size:
        converted: dict = {}  # keyed by type too: True == 1 and date(…) == datetime(…) must not merge
        values = [
            converted[key]
            if (key := (type(v), v)) in converted
            else converted.setdefault(key, _value(v, epoch))
            for v in flat[rare].tolist()
        ]
        column = np.empty(len(values), dtype=object)
        column[:] = values
        flat[rare] = column
    return grid


def _value(value, epoch: datetime):
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, datetime):
        return _to_second(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, time):
        return _to_second(datetime.combine(epoch.date(), value))
    if isinstance(value, timedelta):
        return _to_second(epoch + value)
    if isinstance(value, int):
        return float(value)
    return value


def _to_second(value: datetime) -> datetime:
    return (
        value
        if not value.microsecond
        else (value + timedelta(microseconds=500_000)).replace(microsecond=0)
    )


def _sheet_member(archive: zipfile.ZipFile, name: str) -> str:
    """The part holding the sheet ``name`` (the DTD check has passed: these small parts are safe to parse)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile):
        return ""
    ids = {sheet.get("name"): sheet.get(f"{REL}id") for sheet in workbook.iter(f"{MAIN}sheet")}
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{PACKAGE_REL}Relationship")
    }
    target = targets.get(ids.get(name), "")
    return (
        target.lstrip("/")
        if target.startswith("/")
        else posixpath.normpath(posixpath.join("xl", target))
    )


def _error_cells_put(grid: np.ndarray, xml: bytes) -> None:
    """calamine reads an error cell (``#N/A``, ``#DIV/0!``) as empty; the portal reports it as the text it
    shows, so a formula gone wrong is named rather than taken for a blank."""
    for attributes, body in _ERROR_CELL.findall(xml):
        reference, value = _REFERENCE.search(attributes), _ERROR_VALUE.search(body)
        if reference and value:
            row, column = int(reference[2]) - 1, _column(reference[1].decode())
            if row < grid.shape[0] and column < grid.shape[1]:
                grid[row, column] = value[1].decode()


def _column(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


# --- the check every reader applies -----------------------------------------------------------------


def grid_checked(grid: np.ndarray, *, sheet: str) -> np.ndarray:
    """A sheet read as one object array (row 1 first; intake's reader) unchanged, refusing a cell at the
    limit. The longest text is found by one chain of C iterators (no Python call per cell); the cell is
    located only when one is too long."""
    cells = grid.ravel().tolist()
    texts = compress(cells, map(operator.is_, map(type, cells), repeat(str)))
    if max(map(len, texts), default=0) < CELL_LIMIT:
        return grid
    position = next(
        n for n, value in enumerate(cells) if isinstance(value, str) and len(value) >= CELL_LIMIT
    )
    row, column = divmod(position, grid.shape[1])
    from openpyxl.utils import get_column_letter

    raise CellAtLimit(sheet, f"{get_column_letter(column + 1)}{row + 1}")


def rows_checked(rows: Iterable[Sequence], *, sheet: str, first: int = 1) -> list[Sequence]:
    """``rows`` (values, the first being sheet row ``first``) as a list, refusing a cell at the limit."""
    rows = list(rows)
    for number, row in enumerate(rows, start=first):
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and len(value) >= CELL_LIMIT:
                from openpyxl.utils import get_column_letter

                raise CellAtLimit(sheet, f"{get_column_letter(column)}{number}")
    return rows


def sheet_values(worksheet) -> list[tuple]:
    """The rows of an openpyxl worksheet (``values_only``), checked."""
    return rows_checked(worksheet.iter_rows(values_only=True), sheet=worksheet.title)


MAX_BYTES = 5 * 1024 * 1024
ERR_FILE = "无法读取该文件，请上传 .xlsx 格式的表格。"
ERR_TOO_BIG = "文件超过 5 MB。"
ERR_TOO_MANY = "一次最多导入 {max} 行。"
ERR_EMPTY = "表格没有数据行。"
ERR_HEADER = "缺少列：{columns}。"

Columns = Mapping[str, tuple[str, str, bool]]  # field: (Chinese header, English header, required)


def _sheet_rows(content: bytes, max_rows: int) -> list[tuple]:
    if len(content) > MAX_BYTES:
        raise ValidationError(ERR_TOO_BIG)
    try:
        book = workbook_loaded(content)
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True, max_row=max_rows + 2))
    except Exception:  # noqa: BLE001 - any unreadable package is the same answer to the user
        raise ValidationError(ERR_FILE) from None
    return rows_checked(rows, sheet=sheet.title)


def _header_map(header: tuple, columns: Columns) -> dict[str, int]:
    names = [spreadsheet_unsafe(cell) for cell in header]
    found = {}
    for field, (chinese, english, _required) in columns.items():
        for index, name in enumerate(names):
            if name in (chinese, english) or name.startswith(chinese):
                found[field] = index
    missing = [
        chinese
        for field, (chinese, _e, required) in columns.items()
        if required and field not in found
    ]
    if missing:
        raise ValidationError(ERR_HEADER.format(columns="、".join(missing)))
    return found


def sheet_records(
    content: bytes, columns: Columns, *, max_rows: int
) -> list[tuple[int, dict[str, str]]]:
    """``(Excel row number, {field: text})`` of every non-blank data row; refused when the file cannot be
    read, lacks a required column, has no data rows or more than ``max_rows``."""
    rows = _sheet_rows(content, max_rows)
    if not rows:
        raise ValidationError(ERR_EMPTY)
    found = _header_map(rows[0], columns)
    records = [
        (
            number,
            {
                field: spreadsheet_unsafe(row[i] if i < len(row) else None)
                for field, i in found.items()
            },
        )
        for number, row in enumerate(rows[1:], start=2)
        if any(cell not in (None, "") for cell in row)
    ]
    if not records:
        raise ValidationError(ERR_EMPTY)
    if len(records) > max_rows:
        raise ValidationError(ERR_TOO_MANY.format(max=max_rows))
    return records
