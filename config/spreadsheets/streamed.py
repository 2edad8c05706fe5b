"""Formatted workbooks written as a stream — pure: sheets in, an .xlsx out.

A ``Sheet`` is a title, its ``Column`` list and an iterable of rows (values in column order: money
as ``Decimal``, counts as ``int``, dates as ``date``). Every sheet gets a bold, shaded Chinese header
row that stays frozen, column widths, a number format per column (thousands separators, two decimals
for money, four for points, percentages for rates) and, when a column asks for it, a 合计 row summed
exactly while the rows stream past. Text cells go through ``spreadsheet_safe``, so a value such as
``=HYPERLINK(...)`` stays text.

Why not openpyxl here: without lxml its write-only mode serialises a cell in ~50 µs, so the
100,000-row case sheet (1.4 M cells) took minutes. The package is written directly instead: each row
becomes one XML string (inline strings, numbers as exact decimal text, never through float) and goes
straight into a deflated zip member, so no sheet is ever held in memory. openpyxl still reads these
files back in the tests, and LibreOffice opens them (tests/reports/test_libreoffice.py).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import escape

from config.spreadsheets import CellTooLong, spreadsheet_safe

TEXT, INTEGER, MONEY, POINTS, POINT_VALUE, RATE, SCORE, DATE = (
    "text",
    "integer",
    "money",
    "points",
    "point_value",
    "rate",
    "score",
    "date",
)
NUMBER_FORMATS = {
    TEXT: "@",
    INTEGER: "#,##0",
    MONEY: "#,##0.00",
    POINTS: "#,##0.0000",
    POINT_VALUE: "#,##0.000000",
    RATE: "0.00%",
    SCORE: "0.00",
    DATE: "yyyy-mm-dd",
}
FORMATS = list(NUMBER_FORMATS)
TOTAL_LABEL = "合计"
STAMP_TITLE = "报表说明"
EXCEL_EPOCH = date(1899, 12, 30)
ROWS_PER_WRITE = 2_000
# One pass over a text: markup escaped, control characters XML 1.0 cannot hold dropped.
_XML_TEXT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", **dict.fromkeys([*range(9), 11, 12, *range(14, 32)])}
)


@dataclass(frozen=True)
class Column:
    header: str
    fmt: str = TEXT
    width: int = 14
    #: summed in the 合计 row at the bottom of the sheet
    total: bool = False


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]


@dataclass(frozen=True)
class Stamp:
    """What every workbook says about itself on its first sheet (报表说明)."""

    title: str
    region: str
    period: str
    generated_at: datetime
    generated_by: str
    job_id: int | None
    institution: str = ""
    settlement_runs: Sequence[str] = field(default_factory=tuple)
    parameter_sets: Sequence[str] = field(default_factory=tuple)
    catalog_versions: Sequence[str] = field(default_factory=tuple)

    def lines(self) -> list[tuple[str, str]]:
        listed = lambda values: "；".join(values) or "—"  # noqa: E731
        lines = [("报表名称", self.title), ("统筹区", self.region), ("报表期间", self.period)]
        lines += [("医疗机构", self.institution)] if self.institution else []
        return lines + [
            ("报表生成任务号", str(self.job_id) if self.job_id else "—"),
            ("结算运行批次", listed(self.settlement_runs)),
            ("结算参数版本", listed(self.parameter_sets)),
            ("目录版本", listed(self.catalog_versions)),
            ("生成时间", f"{self.generated_at:%Y-%m-%d %H:%M:%S}（北京时间）"),
            ("生成人", self.generated_by),
            ("金额单位", "元"),
        ]


def stamp_sheet(stamp: Stamp) -> Sheet:
    return Sheet(STAMP_TITLE, [Column("项目", width=16), Column("内容", width=80)], stamp.lines())


# --- cells -------------------------------------------------------------------------------------------
# Style ids (styles.xml below): 0 default, 1 header, then per format in FORMATS order a plain and a bold one.


def _style(fmt: str, *, bold: bool = False) -> int:
    return 2 + 2 * FORMATS.index(fmt) + int(bold)


def _letters(position: int) -> str:
    letters = ""
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text_xml(value: object) -> str:
    text = str(spreadsheet_safe(value)).translate(_XML_TEXT)
    return f' t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _datetime_xml(value: datetime) -> str:
    delta = value.replace(tzinfo=None) - datetime(1899, 12, 30)
    serial = delta.days + Decimal(delta.seconds * 10**6 + delta.microseconds) / (86400 * 10**6)
    return f"><v>{serial:.10f}</v></c>"


# The cell body by the value's type; numbers as their exact decimal text (a Decimal never becomes a float);
# datetime before date: a datetime is a date too.
_BODIES: dict[type, Callable[[object], str]] = {
    str: _text_xml,
    bool: lambda v: f' t="b"><v>{int(v)}</v></c>',
    int: lambda v: f"><v>{v}</v></c>",
    Decimal: lambda v: f"><v>{v:f}</v></c>",
    datetime: _datetime_xml,
    date: lambda v: f"><v>{(v - EXCEL_EPOCH).days}</v></c>",
}


def _value_xml(value: object) -> str:
    body = _BODIES.get(type(value)) or next(
        (b for kind, b in _BODIES.items() if isinstance(value, kind)), _BODIES[int]
    )
    return body(value)


class _Row:
    """Writes rows of fixed columns: per column the cell's opening (its column letter) and style, and how its
    value becomes XML (text columns always as text); an empty value (None, "") writes no cell."""

    def __init__(self, letters: Sequence[str], styles: Sequence[int], formats: Sequence[str]):
        self.columns = [
            (f'<c r="{letter}', f'" s="{style}"', _text_xml if fmt == TEXT else _value_xml)
            for letter, style, fmt in zip(letters, styles, formats, strict=True)
        ]

    def xml(self, values: Sequence, row: int) -> str:
        n = str(row)
        cells = [
            head + n + tail + body(value)
            for (head, tail, body), value in zip(self.columns, values, strict=True)
            if value is not None and value != ""
        ]
        return f'<row r="{n}">{"".join(cells)}</row>'


# --- sheets ------------------------------------------------------------------------------------------

_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/>'
)


def _sheet_write(out: IO[bytes], sheet: Sheet) -> int:
    """Stream one sheet's XML; returns its number of data rows."""
    columns = list(sheet.columns)
    letters = [_letters(position) for position in range(1, len(columns) + 1)]
    widths = "".join(
        f'<col min="{n}" max="{n}" width="{column.width}" customWidth="1"/>'
        for n, column in enumerate(columns, start=1)
    )
    formats = [column.fmt for column in columns]
    header = _Row(letters, [1] * len(columns), [TEXT] * len(columns)).xml(
        [c.header for c in columns], 1
    )
    out.write(f"{_SHEET_HEAD}<cols>{widths}</cols><sheetData>{header}".encode())
    cells = _Row(letters, [_style(fmt) for fmt in formats], formats)
    summed = [i for i, column in enumerate(columns) if column.total]
    sums: list[Decimal | int] = [0] * len(columns)
    chunk: list[str] = []
    count = 0
    try:
        for count, values in enumerate(sheet.rows, start=1):  # noqa: B007  (count is the last row's number)
            chunk.append(cells.xml(values, count + 1))
            for i in summed:
                sums[i] += values[i] or 0
            if len(chunk) == ROWS_PER_WRITE:
                out.write("".join(chunk).encode())
                chunk.clear()
    except (
        CellTooLong
    ) as error:  # a text Excel would cut: the pack fails naming the row, never cuts it
        raise error.located(sheet.title, f"第{count + 1}行") from None
    if summed:
        bold = _Row(letters, [_style(fmt, bold=True) for fmt in formats], formats)
        chunk.append(
            bold.xml(
                [
                    sums[i] if i in summed else (TOTAL_LABEL if i == 0 else None)
                    for i in range(len(columns))
                ],
                count + 2,
            )
        )
    out.write(("".join(chunk) + "</sheetData></worksheet>").encode())
    return count


# --- the package -------------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _styles_xml() -> str:
    formats = "".join(
        f'<numFmt numFmtId="{164 + i}" formatCode="{escape(NUMBER_FORMATS[fmt])}"/>'
        for i, fmt in enumerate(FORMATS)
    )
    xfs = [
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1">'
        '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>',
    ]
    for i in range(len(FORMATS)):
        xfs += [
            f'<xf numFmtId="{164 + i}" fontId="{font}" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>'
            for font in (0, 1)
        ]
    return (
        f'{_XML_HEAD}<styleSheet xmlns="{_MAIN}"><numFmts count="{len(FORMATS)}">{formats}</numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>'
        '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    )


def _package_parts(titles: list[str], stamp: Stamp) -> dict[str, str]:
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet_type}"/>'
        for n in range(1, len(titles) + 1)
    )
    sheets = "".join(
        f'<sheet name="{escape(title, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
        for n, title in enumerate(titles, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(titles) + 1)
    )
    description = escape("；".join(f"{label}：{value}" for label, value in stamp.lines()))
    return {
        "[Content_Types].xml": (
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/></Relationships>'
        ),
        "docProps/core.xml": (
            f'{_XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(stamp.title)}</dc:title><dc:creator>医保支付方式管理平台</dc:creator>"
            f"<dc:description>{description}</dc:description>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp.generated_at.isoformat(timespec="seconds")}</dcterms:created>'
            "</cp:coreProperties>"
        ),
        "xl/workbook.xml": (
            f'{_XML_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{sheets}</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}'
            f'<Relationship Id="rId{len(titles) + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _styles_xml(),
    }


def workbook_write(target: IO[bytes], *, stamp: Stamp, sheets: Iterable[Sheet]) -> dict[str, int]:
    """Write the stamp sheet and then ``sheets`` to ``target``; returns each sheet's data row count.

    Sheet titles must be unique, at most 31 characters and free of ``[]:*?/\\`` (ours are constants).
    """
    sheets = [stamp_sheet(stamp), *sheets]
    counts: dict[str, int] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, xml in _package_parts([sheet.title for sheet in sheets], stamp).items():
            package.writestr(name, xml)
        for n, sheet in enumerate(sheets, start=1):
            with package.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as out:
                counts[sheet.title] = _sheet_write(out, sheet)
    return counts
