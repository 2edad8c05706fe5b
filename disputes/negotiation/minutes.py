"""会议纪要 as a formatted workbook: the meeting and its minutes, the participants with the coverage by
level and type, and each agenda item with the positions taken and the outcome. Written through the one
neutralising writer (``config.spreadsheets.writer``): a statement starting with "=" stays text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from config.spreadsheets.writer import workbook_bytes, workbook_new
from disputes.models import AgendaItem, Meeting, Participant

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


def _title(sheet: Worksheet, text: str, columns: int) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet["A1"] = text
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")


def _table(
    sheet: Worksheet,
    start: int,
    header: Sequence[str],
    rows: Iterable[Sequence],
    widths: Sequence[int],
) -> int:
    """A boxed table with a shaded header from row ``start``; returns the next free row."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    box, wrap = (
        Border(left=thin, right=thin, top=thin, bottom=thin),
        Alignment(wrap_text=True, vertical="top"),
    )
    head = PatternFill("solid", fgColor="DDEBF7")
    for column, label in enumerate(header, start=1):
        cell = sheet.cell(start, column, label)
        cell.font, cell.fill, cell.border = Font(bold=True), head, box
    row = start
    for row, values in enumerate(rows, start=start + 1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row, column, value)
            cell.alignment, cell.border = wrap, box
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    return row + 2


def _meeting_sheet(sheet: Worksheet, meeting: Meeting) -> None:
    sheet.title = "会议纪要"
    _title(sheet, f"{meeting} 会议纪要", 2)
    facts = [
        ("统筹区", meeting.region.name),
        ("年度", str(meeting.year)),
        ("会议日期", meeting.held_on.isoformat()),
        ("状态", meeting.get_status_display()),
        ("会议纪要", meeting.minutes or "—"),
    ]
    _table(sheet, 3, ["项目", "内容"], facts, [14, 90])


def _participant_sheet(sheet: Worksheet, participants: Sequence[Participant], coverage) -> None:
    _title(sheet, "参会人员及代表覆盖情况", 5)
    rows = [
        (
            p.name,
            p.get_role_display(),
            p.institution.name if p.institution else "—",
            p.institution.get_level_display() if p.institution else "",
            p.institution.get_type_display() if p.institution else "",
        )
        for p in participants
    ]
    below = _table(
        sheet,
        3,
        ["姓名", "参会身份", "代表机构", "医院等级", "机构类别"],
        rows,
        [14, 16, 30, 12, 12],
    )
    _table(
        sheet,
        below,
        ["维度", "分类", "机构数", "有代表参会", "是否覆盖"],
        [
            (dimension, key, row.total, row.represented, "是" if row.covered else "否")
            for dimension, key, row in coverage
        ],
        [14, 16, 30, 12, 12],
    )


def _agenda_sheet(sheet: Worksheet, agenda: Sequence[AgendaItem]) -> None:
    _title(sheet, "议题及协商结果", 7)
    rows = []
    for item in agenda:
        positions = "\n".join(
            f"{p.participant}：{p.get_stance_display()}"
            + (f"（{p.statement}）" if p.statement else "")
            for p in item.positions.all()
        )
        produced = "；".join(
            str(obj) for obj in (item.parameter_set, item.catalog_version) if obj is not None
        )
        rows.append(
            (
                item.order,
                item.get_topic_display(),
                item.proposal,
                positions or "—",
                item.get_status_display(),
                item.outcome or "—",
                produced or "—",
            )
        )
    _table(
        sheet,
        3,
        ["序号", "议题类别", "方案内容", "各方意见", "结论", "协商结果", "形成的版本"],
        rows,
        [6, 12, 40, 40, 12, 40, 30],
    )


def minutes_workbook(
    meeting: Meeting, *, participants: Sequence[Participant], agenda: Sequence[AgendaItem], coverage
) -> bytes:
    book = workbook_new()
    _meeting_sheet(book.active, meeting)
    _participant_sheet(book.create_sheet("参会人员"), participants, coverage)
    _agenda_sheet(book.create_sheet("议题"), agenda)
    return workbook_bytes(book)
