"""Reading uploads safely and writing spreadsheets safely — pure, no database."""

from __future__ import annotations

import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from config.spreadsheets import reader as xlsx
from settlement.intake import files

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def workbook(path: Path, sheet_xml: str, *, shared: list[str] = (), styles: str = "") -> Path:
    """A minimal .xlsx as Excel writes it: shared strings, styles, one sheet."""
    strings = "".join(f"<si><t>{text}</t></si>" for text in shared)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {NS} {REL_NS}><sheets><sheet name="结算清单" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/sharedStrings.xml", f"<sst {NS}>{strings}</sst>")
        archive.writestr(
            "xl/styles.xml",
            styles
            or f'<styleSheet {NS}><cellXfs><xf numFmtId="0"/><xf numFmtId="22"/></cellXfs></styleSheet>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


def test_shared_strings_numbers_and_date_styles_are_read(tmp_path):
    sheet = (
        f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>3</v></c><c r="B3" s="1"><v>45352.354166666664</v></c><c r="C3"><v>30000.1</v></c></row>'
        "</sheetData></worksheet>"
    )
    path = workbook(
        tmp_path / "a.xlsx", sheet, shared=["结算ID setl_id", "入院时间", "医疗费总额", "S&amp;1"]
    )
    rows = xlsx.sheet_rows(path, sheet="结算清单").tolist()
    assert rows[0] == ["结算ID setl_id", "入院时间", "医疗费总额"] and not any(rows[1])
    assert rows[2] == ["S&1", datetime(2024, 3, 1, 8, 30), 30000.1]


def test_cells_in_any_attribute_order_take_the_general_path(tmp_path):
    sheet = f'<worksheet {NS}><sheetData><row r="1"><c t="s" r="B1"><v>0</v></c></row></sheetData></worksheet>'
    rows = xlsx.sheet_rows(
        workbook(tmp_path / "b.xlsx", sheet, shared=["x"]), sheet="结算清单"
    ).tolist()
    assert rows == [[None, "x"]]


def test_a_dtd_is_refused_before_parsing(tmp_path):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    path = workbook(tmp_path / "c.xlsx", laughs)
    with pytest.raises(files.FileRefused, match="DTD"):
        files.frame_read(path, source="xlsx", max_uncompressed_mb=100)


def test_a_cell_at_excels_limit_is_refused_as_probably_cut(tmp_path):
    """An other-diagnosis list of exactly 32,767 characters is what Excel leaves of a longer one."""
    sheet = (
        f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row></sheetData></worksheet>'
    )
    listed = ";".join(["I10.x00"] * 4096)[:32_767]
    path = workbook(tmp_path / "cut.xlsx", sheet, shared=["结算ID", "其他诊断编码", "S1", listed])
    with pytest.raises(files.FileRefused, match="工作表“结算清单”B2 单元格恰好有 32767 个字符"):
        files.frame_read(path, source="xlsx", max_uncompressed_mb=100)
    path = workbook(
        tmp_path / "whole.xlsx", sheet, shared=["结算ID", "其他诊断编码", "S1", listed[:-8]]
    )
    assert files.frame_read(path, source="xlsx", max_uncompressed_mb=100)[
        "其他诊断编码"
    ].tolist() == [listed[:-8]]


def test_a_zip_bomb_is_refused_in_milliseconds(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    started = time.perf_counter()
    with pytest.raises(files.FileRefused) as refused:
        files.frame_read(path, source="xlsx", max_uncompressed_mb=2048)
    assert str(refused.value) == files.ERR_ZIP_RATIO and time.perf_counter() - started < 0.05


def test_an_oversized_or_crowded_zip_is_refused(tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(files.ZIP_MAX_MEMBERS + 1):
            archive.writestr(f"m{number}", b"")
    with pytest.raises(files.FileRefused, match="成员过多"):
        files.zip_check(path, max_uncompressed_mb=100)
    big = tmp_path / "big.xlsx"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"x" * (2 * 1024 * 1024))
    with pytest.raises(files.FileRefused, match="解压后超过 1 MB"):
        files.zip_check(big, max_uncompressed_mb=1)


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(files.FileRefused, match="不是有效的 .xlsx"):
        files.frame_read(path, source="xlsx", max_uncompressed_mb=100)


def test_a_gb18030_csv_is_read(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("结算ID,性别\nS1,男\n".encode("gb18030"))
    assert files.frame_read(path, source="csv", max_uncompressed_mb=1).to_dict("records") == [
        {"结算ID": "S1", "性别": "男"}
    ]
