"""The streaming workbook writer (pure): headers, frozen row, widths, number formats, exact totals,
money as exact decimal text (never a float), and text that a spreadsheet could evaluate kept as text."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal as D
from io import BytesIO

import openpyxl
import pytest

from config.spreadsheets import CellTooLong
from config.spreadsheets.streamed import (
    DATE,
    INTEGER,
    MONEY,
    POINTS,
    RATE,
    STAMP_TITLE,
    Column,
    Sheet,
    Stamp,
    workbook_write,
)

STAMP = Stamp(
    title="月度报表",
    region="测试统筹区（370800）",
    period="2024年3月",
    generated_at=datetime(2024, 4, 1, 2, 0, 5),
    generated_by="定时任务",
    job_id=42,
    settlement_runs=["#7 2024年3月 职工DIP 月度预付"],
    parameter_sets=["2024年职工DIP结算参数 第2版（ID 3）"],
    catalog_versions=["2024年DIP病种目录 第1版（ID 1）"],
)
COLUMNS = [
    Column("机构名称", width=24),
    Column("病例数", INTEGER, total=True),
    Column("金额（元）", MONEY, total=True),
    Column("分值", POINTS, total=True),
    Column("比例", RATE),
    Column("日期", DATE),
]
ROWS = [
    ("甲医院", 3, D("1000.10"), D("1.2345"), D("0.125"), date(2024, 3, 8)),
    ("=cmd|' /C calc'!A0", 1, D("0.01"), None, None, None),
    ("+SUM(A1:A2)", 2, D("12345678.90"), D("2.0000"), D("1"), date(2024, 3, 31)),
]


def written(rows=ROWS, columns=COLUMNS) -> bytes:
    target = BytesIO()
    counts = workbook_write(target, stamp=STAMP, sheets=[Sheet("明细", columns, rows)])
    assert counts == {STAMP_TITLE: len(STAMP.lines()), "明细": len(rows)}
    return target.getvalue()


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(BytesIO(written()))


def test_the_stamp_sheet_comes_first_with_run_versions_and_time(book):
    assert book.sheetnames == [STAMP_TITLE, "明细"]
    lines = {row[0]: row[1] for row in book[STAMP_TITLE].iter_rows(min_row=2, values_only=True)}
    assert (
        lines["报表生成任务号"] == "42" and lines["结算运行批次"] == "#7 2024年3月 职工DIP 月度预付"
    )
    assert (
        lines["结算参数版本"] == "2024年职工DIP结算参数 第2版（ID 3）"
        and lines["目录版本"] == "2024年DIP病种目录 第1版（ID 1）"
    )
    assert lines["生成时间"] == "2024-04-01 02:00:05（北京时间）"
    assert (
        book.properties.title == "月度报表" and "报表生成任务号：42" in book.properties.description
    )


def test_the_header_is_chinese_bold_frozen_and_columns_have_widths(book):
    sheet = book["明细"]
    assert [cell.value for cell in sheet[1]] == [column.header for column in COLUMNS]
    assert all(cell.font.b for cell in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 24 and sheet.column_dimensions["C"].width == 14


def test_each_column_has_its_number_format(book):
    row = book["明细"][2]
    assert [cell.number_format for cell in row] == [
        "@",
        "#,##0",
        "#,##0.00",
        "#,##0.0000",
        "0.00%",
        "yyyy-mm-dd",
    ]
    assert row[5].value == datetime(2024, 3, 8)


def test_totals_are_exact_and_bold_at_the_bottom(book):
    total = list(book["明细"].iter_rows(min_row=5, max_row=5))[0]
    assert [cell.value for cell in total][:4] == ["合计", 6, 12346679.01, 3.2345]
    assert all(cell.font.b for cell in total if cell.value is not None) and total[4].value is None


def test_money_is_stored_as_exact_decimal_text_not_through_float():
    rows = [
        ("x", 1, D("0.10"), D("0.0001"), None, None),
        ("y", 1, D("9999999999.99"), None, None, None),
    ]
    with zipfile.ZipFile(BytesIO(written(rows))) as package:
        xml = package.read("xl/worksheets/sheet2.xml").decode()
    assert (
        "<v>0.10</v>" in xml
        and "<v>9999999999.99</v>" in xml
        and "<v>10000000000.09</v>" in xml
        and "<v>0.0001</v>" in xml
    )


def test_text_that_a_spreadsheet_could_evaluate_stays_text(book):
    names = [row[0] for row in book["明细"].iter_rows(min_row=2, max_row=4, values_only=True)]
    assert names == ["甲医院", "'=cmd|' /C calc'!A0", "'+SUM(A1:A2)"]
    assert all(cell.data_type == "s" for cell in book["明细"]["A"])


def test_characters_xml_cannot_hold_are_dropped_and_markup_is_escaped():
    rows = [("a\x01b<c>&d", 1, D("1"), None, None, None)]
    book = openpyxl.load_workbook(BytesIO(written(rows, COLUMNS)))
    assert book["明细"]["A2"].value == "ab<c>&d"


def test_an_empty_sheet_keeps_its_header_and_totals_zero():
    columns = [Column("名称"), Column("金额", MONEY, total=True)]
    book = openpyxl.load_workbook(BytesIO(written([], columns)))
    assert list(book["明细"].iter_rows(values_only=True)) == [("名称", "金额"), ("合计", 0)]


def test_a_text_excel_would_cut_fails_the_workbook_naming_its_row():
    rows = [*ROWS, ("乙医院" * 11_000, 1, D("1"), None, None, None)]
    with pytest.raises(CellTooLong, match="工作表“明细”第5行 单元格内容有 33000 个字符"):
        workbook_write(BytesIO(), stamp=STAMP, sheets=[Sheet("明细", COLUMNS, rows)])
