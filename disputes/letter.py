"""The decision letter (处理决定书) as a formatted one-sheet workbook, for the hospital and the bureau.

Written through the one neutralising writer (``config.spreadsheets.writer``): a statement, reason, setl_id or
reference starting with "=" is text in a file both sides open, never a live formula."""

from __future__ import annotations

from django.utils import timezone

from config.spreadsheets.writer import workbook_bytes, workbook_new
from disputes.models import DisputeItem
from disputes.presenters import ActorNames


def _rows(item: DisputeItem, votes: dict[str, int], names: ActorNames) -> list[tuple[str, str]]:
    decided_at = (
        timezone.localtime(item.decided_at).strftime("%Y-%m-%d %H:%M") if item.decided_at else ""
    )
    rows = [
        ("申请编号", item.number),
        ("申请类型", item.get_kind_display()),
        ("申请机构", f"{item.institution.name}（{item.institution.code}）"),
        ("结算期间", str(item.period or "—")),
    ]
    if item.case_id:
        rows.append(("结算清单号", item.case.setl_id))
    if item.subject:
        rows.append(("争议事项", f"{item.get_subject_display()} {item.subject_ref}".strip()))
    rows += [
        ("申请理由", "、".join(item.reason_labels) or "—"),
        ("申请陈述", item.statement),
        (
            "专家组表决",
            "；".join(f"{label} {n} 票" for label, n in votes.items()) or "未组织专家评审",
        ),
        ("处理决定", item.get_decision_display()),
    ]
    if item.decision_value is not None:
        rows.append(("调整后分值", f"{item.decision_value.normalize():f}"))
    decider = names(item.decided_by) if item.decided_by_id else ""
    rows += [("决定理由", item.decision_reason), ("决定人", decider), ("决定时间", decided_at)]
    return rows


def decision_workbook(item: DisputeItem, *, votes: dict[str, int], names: ActorNames) -> bytes:
    """决定书 sheet: a title, then one labelled row per fact of the decision, the decider as ``names`` shows them
    to the reader (a hospital reads 医保经办机构)."""
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    book = workbook_new()
    sheet = book.active
    sheet.title = "决定书"
    sheet.merge_cells("A1:B1")
    sheet["A1"] = f"{item.get_kind_display()}处理决定书"
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    for row, (label, value) in enumerate(_rows(item, votes, names), start=3):
        sheet.cell(row, 1, label).font = Font(bold=True)
        sheet.cell(row, 2, value).alignment = wrap
        sheet.cell(row, 1).border = sheet.cell(row, 2).border = box
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 70
    sheet.cell(
        sheet.max_row + 2, 1, "如对本决定有异议，可在收到之日起按协议约定申请复核。"
    ).font = Font(italic=True, color="666666")
    return workbook_bytes(book)
