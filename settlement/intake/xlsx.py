"""A fast, safe streaming reader for the data sheet of an .xlsx upload.

openpyxl reads a sheet at a few microseconds per cell once defusedxml is installed (defusedxml
swaps in the pure-Python XML parser), which is over a minute for a 100,000-row hospital file. This
reader parses the few parts it needs with the C parser instead and keeps the defences that matter:

- the zip has already passed ``files.zip_check`` (member count, declared sizes, ratio);
- no part may carry a DTD: every chunk is scanned for ``<!DOCTYPE`` / ``<!ENTITY`` *before* it is
  fed to the parser, so entity expansion and external entities never reach expat;
- parts must be UTF-8 (a UTF-16 part could hide a DTD from the byte scan);
- reads are bounded by the zip's declared sizes (``zipfile`` stops at ``file_size``).

Cell values come out as Python values (text, float, datetime) for ``domain.cell_text``; dates
stored as serial numbers are recognised by their cell style, as Excel does.
"""

from __future__ import annotations

import html
import posixpath
import pyexpat
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree.ElementTree import Element, XMLPullParser

from config.lazy import numpy as np
from config.lazy import pandas as pd

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CHUNK = 1 << 20
FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
EPOCH_1900 = datetime(1899, 12, 30)
EPOCH_1904 = datetime(1904, 1, 1)

ERR_XML_DTD = "Excel 文件含有不允许的 XML 声明（DTD/实体），已拒绝。"
ERR_XML_ENCODING = "Excel 文件的 XML 编码不是 UTF-8，已拒绝。"
ERR_XML_BROKEN = "Excel 文件内容损坏，无法读取。"
ERR_NO_SHEET = "Excel 文件中没有工作表。"


class XlsxRefused(Exception):
    """The workbook is refused; the message says why, in Chinese."""


def _elements(archive: zipfile.ZipFile, member: str, tag: str) -> Iterator[Element]:
    """Stream the ``tag`` elements of one part, refusing any DTD before the parser sees it."""
    parser = XMLPullParser(events=("end",))
    tail = b""
    try:
        with archive.open(member) as stream:
            first = True
            while chunk := stream.read(CHUNK):
                if first and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    raise XlsxRefused(ERR_XML_ENCODING)
                first = False
                window = tail + chunk
                if any(marker in window for marker in FORBIDDEN):
                    raise XlsxRefused(ERR_XML_DTD)
                tail = chunk[-16:]
                parser.feed(chunk)
                yield from (element for _, element in parser.read_events() if element.tag == tag)
            parser.close()
            yield from (element for _, element in parser.read_events() if element.tag == tag)
    except KeyError:
        return
    except (SyntaxError, zipfile.BadZipFile, EOFError, ValueError) as exc:  # ParseError is a SyntaxError
        raise XlsxRefused(ERR_XML_BROKEN) from exc


def _sheet_member(archive: zipfile.ZipFile, preferred: str) -> tuple[str, bool]:
    """The part of the sheet named ``preferred`` (else the first sheet), and whether dates count from 1904."""
    sheets = [(sheet.get("name"), sheet.get(f"{REL}id")) for sheet in _elements(archive, "xl/workbook.xml", f"{MAIN}sheet")]
    date1904 = any(pr.get("date1904") in ("1", "true") for pr in _elements(archive, "xl/workbook.xml", f"{MAIN}workbookPr"))
    if not sheets:
        raise XlsxRefused(ERR_NO_SHEET)
    targets = {rel.get("Id"): rel.get("Target") for rel in _elements(archive, "xl/_rels/workbook.xml.rels", f"{PACKAGE_REL}Relationship")}
    rel_id = next((rid for name, rid in sheets if name == preferred), sheets[0][1])
    target = targets.get(rel_id, "")
    member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return member, date1904


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    strings = []
    for item in _elements(archive, "xl/sharedStrings.xml", f"{MAIN}si"):
        strings.append("".join(text.text or "" for text in item.iter(f"{MAIN}t")))
        item.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles whose number format shows a date or time."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    custom = {int(fmt.get("numFmtId")): fmt.get("formatCode", "") for fmt in _elements(archive, "xl/styles.xml", f"{MAIN}numFmt")}
    dated = set()
    for position, xf in enumerate(_style_xfs(archive)):
        number_format = int(xf.get("numFmtId", "0"))
        code = custom.get(number_format, BUILTIN_FORMATS.get(number_format, "General"))
        if is_date_format(code):
            dated.add(position)
    return dated


def _style_xfs(archive: zipfile.ZipFile) -> list[Element]:
    for cell_xfs in _elements(archive, "xl/styles.xml", f"{MAIN}cellXfs"):
        return list(cell_xfs.iter(f"{MAIN}xf"))
    return []


def _column_index(reference: str, cache: dict[str, int]) -> int:
    letters = reference.rstrip("0123456789")
    index = cache.get(letters)
    if index is None:
        index = 0
        for letter in letters:
            index = index * 26 + (ord(letter) - 64)
        index = cache[letters] = index - 1
    return index


def _value(cell: Element, shared: list[str], dated: set[int], epoch: datetime):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(text.text or "" for text in cell.iter(f"{MAIN}t"))
    raw = cell.findtext(f"{MAIN}v")
    if raw is None:
        return None
    if kind == "s":
        return shared[int(raw)]
    if kind == "n":
        number = float(raw)
        if int(cell.get("s", "0")) in dated:
            return epoch + timedelta(seconds=round(number * 86400))
        return number
    return raw  # str (formula text), b (0/1), e (an error such as #N/A), d (ISO date text)


def _rows_streamed(archive: zipfile.ZipFile, member: str, shared: list[str], dated: set[int], epoch: datetime) -> list[list]:
    """The general path: every cell through the element tree (any attribute order, prefixes)."""
    rows: list[list] = []
    cache: dict[str, int] = {}
    for row in _elements(archive, member, f"{MAIN}row"):
        number = int(row.get("r", len(rows) + 1))
        while len(rows) < number - 1:
            rows.append([])
        values: list = []
        for position, cell in enumerate(row):
            index = _column_index(cell.get("r"), cache) if cell.get("r") else position
            values.extend([None] * (index - len(values)))
            values.append(_value(cell, shared, dated, epoch))
        rows.append(values)
        row.clear()
    return rows


# The fast path reads the cells of a well-formed sheet (checked by expat first) with one regular
# expression, in C, and decodes them column-wise. It relies on the layout every producer we know
# writes (Excel, WPS, LibreOffice, openpyxl): unprefixed tags and the cell reference as the first
# attribute. Anything else falls back to the element tree.
_CELL = re.compile(
    r'<c r="([A-Z]{1,3})([0-9]+)"((?: [a-zA-Z]+="[^"]*")*) ?'
    r"(?:/>|><v>([^<]*)</v></c>|><is><t>([^<]*)</t></is></c>|>(.*?)</c>)",
    re.DOTALL,
)
_TEXT = re.compile(r"<t(?: [^>]*)?>([^<]*)</t>")
_VALUE = re.compile(r"<v>([^<]*)</v>")
_STYLE = re.compile(r'\bs="([0-9]+)"')
_KIND = re.compile(r'\bt="([a-zA-Z]+)"')
_PREFIXED = re.compile(r"<[A-Za-z0-9_]+:(?:c|row|sheetData)[ >/]")


def _well_formed(data: bytes) -> None:
    """expat over the whole part, no Python callbacks except the two that refuse a DTD."""
    parser = pyexpat.ParserCreate()

    def refuse(*_args):
        raise XlsxRefused(ERR_XML_DTD)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError as exc:
        raise XlsxRefused(ERR_XML_BROKEN) from exc


def _rows_fast(data: bytes, shared: list[str], dated: set[int], epoch: datetime) -> np.ndarray | None:
    text = data.decode("utf-8")
    if _PREFIXED.search(text) or "<![CDATA[" in text or "<!--" in text:
        return None
    cells = _CELL.findall(text)
    if len(cells) != text.count("<c ") + text.count("<c>"):
        return None
    if not cells:
        return np.empty((0, 0), dtype=object)
    letters, rows, attrs, plain, inline, other = np.array(cells, dtype=object).T  # one C pass, no zip(*cells)
    values = plain + inline  # at most one of the two is non-empty
    rare = np.flatnonzero(other != "")
    values[rare] = [_inner_text(inner) for inner in other[rare]]
    if "&" in text:
        escaped = np.flatnonzero([("&" in value) for value in values])
        values[escaped] = [html.unescape(value) for value in values[escaped]]
    # Cell type and style live in the attributes, which repeat: decide per distinct attribute string.
    attr_codes, distinct_attrs = pd.factorize(attrs)
    distinct_attrs = pd.Series(distinct_attrs, dtype=object)
    kinds = distinct_attrs.str.extract(_KIND, expand=False).fillna("n")
    styles = distinct_attrs.str.extract(_STYLE, expand=False).fillna("0").astype(int)
    strings = (kinds == "s").to_numpy()[attr_codes]
    dated_style = ((kinds == "n") & styles.isin(list(dated))).to_numpy()[attr_codes]
    number_style = ((kinds == "n") & ~styles.isin(list(dated))).to_numpy()[attr_codes]
    filled = values != ""
    out = np.where(filled, values, None)
    out[strings] = np.asarray(shared, dtype=object)[values[strings].astype(np.int64)]
    dates = dated_style & filled
    if dates.any():
        out[dates] = _on_distinct(pd.Series(values[dates]), lambda v: pd.Series(
            [epoch + timedelta(seconds=round(float(x) * 86400)) for x in v], dtype=object)).to_numpy()
    numbers = number_style & filled
    if numbers.any():
        out[numbers] = _on_distinct(pd.Series(values[numbers]), lambda v: v.map(float)).to_numpy()
    row_numbers = rows.astype(np.int64)
    columns = _on_distinct(pd.Series(letters), lambda found: found.map(lambda l: _column_index(l, {}))).to_numpy(dtype=np.int64)
    grid = np.full((row_numbers.max(), columns.max() + 1), None, dtype=object)
    grid[row_numbers - 1, columns] = out
    return grid


def _inner_text(inner: str) -> str:
    """A cell body other than a bare <v> or one-run inline string: rich text runs, or a formula's value."""
    if "<is>" in inner:
        return "".join(_TEXT.findall(inner))
    return (_VALUE.findall(inner) or [""])[0]


def _on_distinct(values: pd.Series, parse) -> pd.Series:
    codes, uniques = pd.factorize(values)
    parsed = parse(pd.Series(uniques, dtype=object))
    return pd.Series(parsed.to_numpy()[codes], index=values.index)


def sheet_names(path: Path) -> list[str]:
    """The names of the workbook's sheets, in order."""
    with zipfile.ZipFile(path) as archive:
        return [sheet.get("name") or "" for sheet in _elements(archive, "xl/workbook.xml", f"{MAIN}sheet")]


def sheet_rows(path: Path, *, sheet: str) -> np.ndarray:
    """The data sheet as a 2-D object array of cell values, the header row first; gaps kept as empty rows."""
    with zipfile.ZipFile(path) as archive:
        member, date1904 = _sheet_member(archive, sheet)
        shared, dated = _shared_strings(archive), _date_styles(archive)
        epoch = EPOCH_1904 if date1904 else EPOCH_1900
        try:
            data = archive.read(member)
        except KeyError:
            raise XlsxRefused(ERR_NO_SHEET) from None
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise XlsxRefused(ERR_XML_ENCODING)
        _well_formed(data)
        grid = _rows_fast(data, shared, dated, epoch)
        if grid is None:
            grid = pd.DataFrame(_rows_streamed(archive, member, shared, dated, epoch)).to_numpy(dtype=object)
        return grid
