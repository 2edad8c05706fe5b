"""The budget workbook a bureau files (总额预算编制表), and the import of budget lines from the same layout.

The layout is a formatted filing table (title, parameters, lines, totals, a monthly sheet) rather than
one flat record per row, so it is laid out with openpyxl here (and saved by ``config.spreadsheets.writer``) instead of an
import-export Resource.
The column contract is ``COLUMNS``; export and import both use it, so an exported file imports back
to the same lines. Import validates every row first and writes nothing when any row is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.core.exceptions import ValidationError
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from budgets import domain, selectors, services
from budgets.choices import LineKind, LineMethod, PhasingMethod
from budgets.models import Budget
from config.spreadsheets import CellAtLimit, spreadsheet_unsafe
from config.spreadsheets.reader import sheet_values, workbook_loaded
from config.spreadsheets.writer import workbook_bytes, workbook_new

SHEET_LINES, SHEET_MONTHS = "总额预算", "分月预算"
COLUMNS = [
    "序号",
    "类型",
    "编码",
    "项目名称",
    "测算方法",
    "上年实际（元）",
    "增长率/比例",
    "人均标准（元）",
    "人数",
    "预算金额（元）",
]
MONEY_FORMAT, RATE_FORMAT, COUNT_FORMAT = "#,##0.00", "0.0000##", "#,##0"
TOTAL_LABEL = "合计"
#: Text beginning with one of these would be read by a spreadsheet as a formula (CSV/formula injection).

ERR_NOT_XLSX = "无法读取文件，请上传由本系统导出的 .xlsx 预算表。"
ERR_NO_HEADER = "未找到表头行（第一列为“序号”），请使用本系统导出的预算表格式。"
ERR_ROW = "第{row}行：{message}"
ERR_KIND = "类型“{value}”无效，应为 基金收入、单列支出 或 细分类别。"
ERR_METHOD = "测算方法“{value}”无效。"
ERR_NUMBER = "“{column}”不是有效数字：{value}。"
ERR_FEN = "“{column}”最多保留两位小数。"
ERR_COUNT = "“人数”应为非负整数。"
ERR_CODE = "编码和项目名称不能为空。"
ERR_NO_INCOME = "缺少“基金收入”行。"

_KIND_BY_LABEL = {label: value for value, label in LineKind.choices}
_METHOD_BY_LABEL = {label: value for value, label in LineMethod.choices}
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


# --------------------------------------------------------------------------- export


def _header(ws, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _cell(
    ws, row: int, col: int, value, number_format: str = "", *, bold: bool = False, fill=None
) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.border = _BORDER
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    if fill:
        cell.fill = fill


def _write_lines_sheet(ws, budget: Budget) -> None:
    title = f"{budget.region.name} {budget.year}年{budget.get_scheme_display()}统筹基金支出总额预算（第{budget.version}版）"
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    meta = [
        ("统筹区代码", budget.region.code),
        ("年度", budget.year),
        ("险种", budget.get_scheme_display()),
        ("版本", budget.version),
        ("状态", budget.get_status_display()),
    ]
    params = [
        ("风险备用金比例", budget.risk_reserve_rate),
        ("备用金结余纳入DIP结算比例", budget.settlement_share),
        ("分月方法", budget.get_phasing_method_display()),
    ]
    for row, pairs in ((2, meta), (3, params)):
        for i, (label, value) in enumerate(pairs):
            ws.cell(row=row, column=i * 2 + 1, value=label).font = Font(bold=True)
            ws.cell(row=row, column=i * 2 + 2, value=value)
    _header(ws, 5, COLUMNS)
    row = 6
    for number, line in enumerate(selectors.budget_lines(budget=budget), start=1):
        computed = line.method == LineMethod.COMPUTED
        values = [
            number,
            line.get_kind_display(),
            line.code,
            line.name,
            line.get_method_display(),
            line.base,
            line.rate,
            line.per_capita,
            line.count,
            line.amount,
        ]
        formats = [
            "",
            "",
            "",
            "",
            "",
            MONEY_FORMAT,
            RATE_FORMAT,
            MONEY_FORMAT,
            COUNT_FORMAT,
            MONEY_FORMAT,
        ]
        for col, (value, fmt) in enumerate(zip(values, formats), start=1):
            _cell(ws, row, col, value, fmt, bold=computed, fill=_TOTAL_FILL if computed else None)
        row += 1
    derivation = selectors.budget_derivation(budget=budget)
    for label, kind in (("单列支出合计", LineKind.CARVE_OUT), ("细分类别合计", LineKind.CATEGORY)):
        _cell(ws, row, 2, TOTAL_LABEL, bold=True, fill=_TOTAL_FILL)
        _cell(ws, row, 4, label, bold=True, fill=_TOTAL_FILL)
        _cell(ws, row, 10, derivation.amount(kind), MONEY_FORMAT, bold=True, fill=_TOTAL_FILL)
        row += 1
    for col, width in enumerate([6, 12, 12, 30, 20, 18, 12, 14, 12, 20], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A6"


def _write_months_sheet(ws, budget: Budget) -> None:
    labels = [
        "编码",
        "细分类别",
        *[f"{m}月" for m in range(1, 13)],
        "一季度",
        "二季度",
        "三季度",
        "四季度",
        "全年合计",
    ]
    _header(ws, 1, labels)
    rows = selectors.budget_phasing(budget=budget)
    total = selectors.phasing_total(rows)
    for r, item in enumerate([*rows, total] if total else [], start=2):
        is_total = item is total
        _cell(ws, r, 1, "" if is_total else item.code, fill=_TOTAL_FILL if is_total else None)
        _cell(
            ws,
            r,
            2,
            TOTAL_LABEL if is_total else item.name,
            bold=is_total,
            fill=_TOTAL_FILL if is_total else None,
        )
        for c, value in enumerate([*item.months, *item.quarters, item.amount], start=3):
            _cell(
                ws, r, c, value, MONEY_FORMAT, bold=is_total, fill=_TOTAL_FILL if is_total else None
            )
    ws.column_dimensions["B"].width = 24
    for c in range(3, len(labels) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 16
    ws.freeze_panes = "C2"


def budget_workbook(*, budget: Budget) -> bytes:
    """The filing workbook of one version: the derivation with totals, and the monthly/quarterly phasing."""
    wb = workbook_new()
    _write_lines_sheet(wb.active, budget)
    wb.active.title = SHEET_LINES
    _write_months_sheet(wb.create_sheet(SHEET_MONTHS), budget)
    return workbook_bytes(wb)


# --------------------------------------------------------------------------- import


@dataclass
class ParsedLines:
    income: domain.LineInput | None = None
    carve_outs: list[domain.LineInput] = field(default_factory=list)
    categories: list[domain.LineInput] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _decimal(value, column: str, *, fen: bool) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(ERR_NUMBER.format(column=column, value=value)) from None
    if not number.is_finite():
        raise ValueError(ERR_NUMBER.format(column=column, value=value))
    if fen and number != domain.to_fen(number):
        raise ValueError(ERR_FEN.format(column=column))
    return domain.to_fen(number) if fen else number


def _count(value) -> int | None:
    number = _decimal(value, "人数", fen=False)
    if number is None:
        return None
    if number < 0 or number != number.to_integral_value():
        raise ValueError(ERR_COUNT)
    return int(number)


def _parse_row(values: tuple) -> tuple[str, domain.LineInput] | None:
    """One line row → (kind, input); None for computed and total rows. Raises ValueError with the message."""
    kind_label, code, name, method_label = (spreadsheet_unsafe(v) for v in values[1:5])
    if kind_label == TOTAL_LABEL:
        return None
    kind = _KIND_BY_LABEL.get(kind_label)
    if kind in (LineKind.RESERVE, LineKind.POOL):
        return None
    if kind not in (LineKind.INCOME, LineKind.CARVE_OUT, LineKind.CATEGORY):
        raise ValueError(ERR_KIND.format(value=kind_label))
    method = _METHOD_BY_LABEL.get(method_label)
    if method is None or method == LineMethod.COMPUTED:
        raise ValueError(ERR_METHOD.format(value=method_label))
    if not name or (not code and kind != LineKind.INCOME):
        raise ValueError(ERR_CODE)
    line = domain.LineInput(
        code=code or domain.INCOME_CODE,
        name=name,
        method=method,
        amount=_decimal(values[9], COLUMNS[9], fen=True) if method == LineMethod.AMOUNT else None,
        base=_decimal(values[5], COLUMNS[5], fen=True),
        rate=_decimal(values[6], COLUMNS[6], fen=False),
        per_capita=_decimal(values[7], COLUMNS[7], fen=True),
        count=_count(values[8]),
    )
    return kind, line


def parse_budget_lines(file: BinaryIO) -> ParsedLines:
    """Read the lines sheet of a filing workbook; every row is checked and every error kept, with its row number."""
    parsed = ParsedLines()
    try:
        ws = workbook_loaded(file)[SHEET_LINES]
        rows = sheet_values(ws)
    except CellAtLimit as error:
        parsed.errors.append(error.message)
        return parsed
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same user-facing message
        parsed.errors.append(ERR_NOT_XLSX)
        return parsed
    header = next(
        (i for i, row in enumerate(rows) if row and spreadsheet_unsafe(row[0]) == COLUMNS[0]), None
    )
    if header is None:
        parsed.errors.append(ERR_NO_HEADER)
        return parsed
    for number, row in enumerate(rows[header + 1 :], start=header + 2):
        values = tuple(row) + (None,) * (len(COLUMNS) - len(row))
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        try:
            item = _parse_row(values)
        except ValueError as error:
            parsed.errors.append(ERR_ROW.format(row=number, message=error))
            continue
        if item:
            kind, line = item
            if kind == LineKind.INCOME:
                parsed.income = line
            else:
                (parsed.carve_outs if kind == LineKind.CARVE_OUT else parsed.categories).append(
                    line
                )
    if parsed.income is None and not parsed.errors:
        parsed.errors.append(ERR_NO_INCOME)
    return parsed


def budget_lines_import(*, actor, budget: Budget, file: BinaryIO) -> domain.Derivation:
    """Replace a draft's lines with those of an uploaded workbook; any error → nothing is written."""
    parsed = parse_budget_lines(file)
    if parsed.errors:
        raise ValidationError(parsed.errors)
    weights = [Decimal(w) for w in budget.phasing_weights]
    # Months entered by hand are kept; the service refuses them if a category's amount changed.
    entered = {}
    if budget.phasing_method == PhasingMethod.ENTERED:
        entered = {row.code: row.months for row in selectors.budget_phasing(budget=budget)}
    return services.budget_lines_set(
        actor=actor,
        budget=budget,
        income=parsed.income,
        carve_outs=parsed.carve_outs,
        categories=parsed.categories,
        phasing_method=budget.phasing_method,
        phasing_weights=weights,
        phasing_entered=entered,
    )
