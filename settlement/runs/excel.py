"""What a statement (结算单) and a case's points explanation (病例点数明细) show, and their workbooks.

One layout serves the page and the spreadsheet: ``statement_sections`` and ``case_point_rows`` give
typed lines (value + format); the pages print each line's ``text``, the workbooks write the value
itself (``Decimal`` money, never float) with the line's number format. Text cells are neutralised by
the one writer (``config.spreadsheets.writer``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.utils import timezone

from accounts.templatetags.portal import money
from catalogs.choices import GroupType
from config.spreadsheets.writer import workbook_bytes, workbook_new
from settlement.grouping.domain import TRACE_TEXT
from settlement.runs.domain import DEVIATION_LABELS, SPECIAL_LABELS, MemberShare
from settlement.runs.models import RunCase, RunInstitution, SettlementRun

TEXT, COUNT, MONEY, POINTS, PV, RATIO, SCORE = (
    "text",
    "count",
    "money",
    "points",
    "pv",
    "ratio",
    "score",
)
NUMBER_FORMATS = {
    TEXT: "@",
    COUNT: "#,##0",
    MONEY: "#,##0.00",
    POINTS: "#,##0.0000",
    PV: "#,##0.000000",
    RATIO: "0.0000",
    SCORE: "0.00",
}
MEMBER_NOTE = "医共体成员机构的病例点数计入牵头机构结算，结算金额由牵头机构统一结算；此处为本机构病例所占份额，仅供参考。"


def text_of(value, fmt: str) -> str:
    """How a page shows a value of the format (thousands separators; exact Decimal, no float)."""
    if value is None or value == "":
        return "—"
    if fmt == MONEY:
        return money(value)
    if fmt in (POINTS, PV, COUNT):
        return f"{Decimal(value):,.{ {POINTS: 4, PV: 6, COUNT: 0}[fmt] }f}"
    return str(value)


@dataclass(frozen=True)
class Line:
    label: str
    value: object
    fmt: str = TEXT

    @property
    def text(self) -> str:
        return text_of(self.value, self.fmt)

    @property
    def numeric(self) -> bool:
        return self.fmt != TEXT


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[Line]


# (section title, [(RunInstitution field, format)]); a line without a value in the run is left out.
STATEMENT_LAYOUT = [
    ("点数与点值", [("cases", COUNT), ("points", POINTS)]),
    (
        "费用与结算金额",
        [
            ("medfee", MONEY),
            ("psn_part", MONEY),
            ("fund", MONEY),
            ("settlement", MONEY),
            ("fund_due", MONEY),
        ],
    ),
    ("预付与保证金", [("advance", MONEY), ("advances_paid", MONEY), ("deposit", MONEY)]),
    (
        "年终清算分担",
        [
            ("actual", MONEY),
            ("ratio", RATIO),
            ("band", TEXT),
            ("payable", MONEY),
            ("compensation", MONEY),
        ],
    ),
    (
        "扣减",
        [
            ("violations", MONEY),
            ("assessment_score", SCORE),
            ("deposit_deduction", MONEY),
            ("revolving_fund", MONEY),
            ("paid_before", MONEY),
        ],
    ),
    ("应拨付 / 应追回", [("final", MONEY), ("payment", MONEY)]),
]


def _label(name: str) -> str:
    return str(RunInstitution._meta.get_field(name).verbose_name)


def statement_sections(row: RunInstitution) -> list[Section]:
    """The statement of one institution in one run, section by section."""
    sections = []
    for title, fields in STATEMENT_LAYOUT:
        lines = [
            Line(_label(name), getattr(row, name), fmt)
            for name, fmt in fields
            if getattr(row, name) not in (None, "")
        ]
        if title == "点数与点值":
            lines.append(Line("点值", row.run.point_value, PV))
        if lines:
            sections.append(Section(title, lines))
    return sections


MEMBER_AMOUNT = "折算金额（本机构病例点数×点值，四舍五入到分）"
MEMBER_CASE_SUM = "逐例折算金额合计（各病例点数×点值分别四舍五入到分后相加）"
MEMBER_DIFFERENCE = "逐例舍入差异（逐例合计 − 折算金额）"


def member_sections(share: MemberShare) -> list[Section]:
    """A consortium member's own share of its lead's statement: one rounding of points × PV, and the
    per-case amounts of its case list reconciled to it (``domain.MemberShare``)."""
    lines = [
        Line("本机构病例数", share.cases, COUNT),
        Line("本机构病例点数", share.points, POINTS),
        Line("点值", share.point_value, PV),
        Line(MEMBER_AMOUNT, share.amount, MONEY),
        Line(MEMBER_CASE_SUM, share.case_amounts, MONEY),
        Line(MEMBER_DIFFERENCE, share.rounding_difference, MONEY),
    ]
    return [Section("本机构份额", lines)]


BREAKDOWN_LABELS = {
    "group_type": ("按病种类型", dict(GroupType.choices)),
    "deviation": ("按偏差类型", {str(k): v for k, v in DEVIATION_LABELS.items()}),
}
BREAKDOWN_COLUMNS = [("类型", TEXT), ("病例数", COUNT), ("点数", POINTS)]


def breakdown_tables(row: RunInstitution) -> list[tuple[str, list[list[Line]]]]:
    """点数构成: the institution's cases and points by group type and by deviation type."""
    tables = []
    for key, (title, labels) in BREAKDOWN_LABELS.items():
        parts = (row.breakdown or {}).get(key, {})
        rows = [
            [
                Line("类型", labels.get(name, name)),
                Line("病例数", part["cases"], COUNT),
                Line("点数", Decimal(part["points"]), POINTS),
            ]
            for name, part in parts.items()
        ]
        if rows:
            tables.append((title, rows))
    return tables


def trace_text(kind: str, trace: str) -> str:
    return TRACE_TEXT.get(kind, {}).get(trace, trace)


def deviation_label(deviation: str) -> str:
    return DEVIATION_LABELS.get(deviation, deviation)


def special_label(special: str) -> str:
    return SPECIAL_LABELS.get(special, special) or "—"


CASE_COLUMNS = [
    ("结算运行", TEXT),
    ("期间", TEXT),
    ("运行状态", TEXT),
    ("病种/病组", TEXT),
    ("入组路径", TEXT),
    ("基准分值", POINTS),
    ("对照次均费用", MONEY),
    ("偏差比", RATIO),
    ("偏差类型", TEXT),
    ("辅助分型系数", RATIO),
    ("机构系数", RATIO),
    ("病例点数", POINTS),
    ("点值", PV),
    ("折算金额（元）", MONEY),
    ("特例单议结果", TEXT),
    ("需专家评议", TEXT),
]


def case_point_rows(results: Iterable[RunCase]) -> list[list[Line]]:
    """One row per run of a case: how that run turned the case into points and money."""
    rows = []
    for r in results:
        run = r.run
        values = [
            f"#{run.pk} {run.get_scheme_display()}{run.category} {run.get_run_type_display()}",
            run.period_label,
            run.get_status_display(),
            r.group_code or "不能入组",
            trace_text(run.kind, r.trace),
            r.score,
            r.mean,
            r.ratio,
            deviation_label(r.deviation),
            r.aux_coef,
            r.inst_coef,
            r.points,
            run.point_value,
            r.amount,
            special_label(r.special),
            "是" if r.needs_review else "否",
        ]
        rows.append(
            [
                Line(header, value, fmt)
                for (header, fmt), value in zip(CASE_COLUMNS, values, strict=True)
            ]
        )
    return rows


# --- workbooks ------------------------------------------------------------------------------------


@cache
def _style(name: str):
    """The workbooks' cell styles, built on first use (openpyxl is imported on use: config/lazy.py)."""
    from openpyxl.styles import Font, PatternFill

    styles = {
        "header_font": Font(bold=True),
        "title_font": Font(bold=True, size=13),
        "header_fill": PatternFill("solid", fgColor="DDEBF7"),
    }
    return styles[name]


def _cell(sheet, row: int, column: int, line: Line):
    value = line.value if line.numeric else "" if line.value is None else str(line.value)
    cell = sheet.cell(row=row, column=column, value=value)
    cell.number_format = NUMBER_FORMATS[line.fmt]
    return cell


def _header(sheet, row: int, headers: Sequence[str]) -> None:
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=column, value=header)
        cell.font, cell.fill = _style("header_font"), _style("header_fill")


def _table(sheet, start: int, headers: Sequence[str], rows: Iterable[Sequence[Line]]) -> int:
    """A header row and its rows from row ``start``; returns the next free row."""
    _header(sheet, start, headers)
    row = start
    for row, lines in enumerate(rows, start=start + 1):
        for column, line in enumerate(lines, start=1):
            _cell(sheet, row, column, line)
    return row + 1


def _book(title: str, widths: Sequence[int]):
    from openpyxl.utils import get_column_letter

    book = workbook_new()
    sheet = book.active
    sheet.title = title
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    return book, sheet


def _title(sheet, title: str, lines: Sequence[tuple[str, str]]) -> int:
    sheet.cell(row=1, column=1, value=title).font = _style("title_font")
    for row, (label, value) in enumerate(lines, start=2):
        sheet.cell(row=row, column=1, value=label).font = _style("header_font")
        sheet.cell(row=row, column=2, value=value)
    return len(lines) + 3


def run_title(run: SettlementRun) -> str:
    return f"{run.region.name} {run.period_label} {run.get_scheme_display()}{run.category} {run.get_run_type_display()}"


def statement_title(row: RunInstitution) -> str:
    return f"{run_title(row.run)}结算单"


def _sections(sheet, start: int, sections: Iterable[Section]) -> int:
    """项目 | 数值 from row ``start``, section by section; returns the next free row."""
    _header(sheet, start, ["项目", "数值"])
    sheet.freeze_panes = sheet.cell(row=start + 1, column=1)
    position = start + 1
    for section in sections:
        sheet.cell(row=position, column=1, value=section.title).font = _style("header_font")
        for row, line in enumerate(section.lines, start=position + 1):
            sheet.cell(row=row, column=1, value=line.label)
            _cell(sheet, row, 2, line)
        position += len(section.lines) + 2
    return position


def _run_lines(run: SettlementRun, institution) -> list[tuple[str, str]]:
    return [
        ("定点医疗机构", f"{institution.name}（{institution.code}）"),
        ("结算运行", f"#{run.pk}（{run.get_status_display()}）"),
    ]


def statement_workbook(row: RunInstitution, *, members: Sequence[str] = ()) -> bytes:
    """The statement as a formatted sheet: title, the run, the sections (项目 | 数值), then 点数构成."""
    book, sheet = _book("结算单", (34, 22, 18))
    start = _title(
        sheet,
        statement_title(row),
        [
            *_run_lines(row.run, row.institution),
            ("医共体成员", "、".join(members) or "—"),
            ("金额单位", "元"),
            ("生成时间", f"{timezone.localtime():%Y-%m-%d %H:%M:%S}"),
        ],
    )
    position = _sections(sheet, start, statement_sections(row))
    for title, rows in breakdown_tables(row):
        sheet.cell(row=position, column=1, value=f"点数构成（{title}）").font = _style(
            "header_font"
        )
        position = _table(sheet, position + 1, [h for h, _ in BREAKDOWN_COLUMNS], rows) + 1
    return workbook_bytes(book)


MEMBER_CASE_COLUMNS = [
    ("结算清单号", TEXT),
    ("病种/病组", TEXT),
    ("偏差类型", TEXT),
    ("病例点数", POINTS),
    ("折算金额（元）", MONEY),
]


def member_share_workbook(
    run: SettlementRun, institution, share: MemberShare, cases: Iterable[RunCase]
) -> bytes:
    """A consortium member's share of its lead's statement: the share (as on its page), then its cases."""
    book, sheet = _book("医共体成员份额", (44, 22, 14, 16, 16))
    start = _title(
        sheet,
        f"{run_title(run)} 医共体成员份额",
        [
            *_run_lines(run, institution),
            ("说明", MEMBER_NOTE),
            ("金额单位", "元"),
            ("生成时间", f"{timezone.localtime():%Y-%m-%d %H:%M:%S}"),
        ],
    )
    position = _sections(sheet, start, member_sections(share))
    rows = [
        [
            Line(h, v, f)
            for (h, f), v in zip(
                MEMBER_CASE_COLUMNS,
                (
                    c.case.setl_id,
                    c.group_code or "不能入组",
                    deviation_label(c.deviation),
                    c.points,
                    c.amount,
                ),
                strict=True,
            )
        ]
        for c in cases
    ]
    sheet.cell(row=position, column=1, value="本机构病例").font = _style("header_font")
    _table(sheet, position + 1, [h for h, _ in MEMBER_CASE_COLUMNS], rows)
    return workbook_bytes(book)


def case_points_workbook(case, results: Iterable[RunCase]) -> bytes:
    """病例点数明细 of one case: one row per run."""
    book, sheet = _book("病例点数明细", [24, 14, 10, 14, 40] + [14] * (len(CASE_COLUMNS) - 5))
    start = _title(
        sheet,
        f"结算清单 {case.setl_id} 病例点数明细",
        [("定点医疗机构", str(case.institution)), ("结算期间", str(case.period))],
    )
    _table(sheet, start, [h for h, _ in CASE_COLUMNS], case_point_rows(results))
    sheet.freeze_panes = sheet.cell(row=start + 1, column=1)
    return workbook_bytes(book)
