"""The large-upload reader (python-calamine behind the zip and XML checks) and the small-upload one
(openpyxl behind the zip check): values as the portal has always read them, every defence in front."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from config.spreadsheets import guard, reader
from config.spreadsheets.writer import rows_workbook

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
# cell styles: 0 general, 1 date-time (22), 2 date (14), 3 time (20), 4 duration ([h]:mm:ss, 46)
STYLES = f'<styleSheet {NS}><cellXfs><xf numFmtId="0"/><xf numFmtId="22"/><xf numFmtId="14"/><xf numFmtId="20"/><xf numFmtId="46"/></cellXfs></styleSheet>'


def package(
    path: Path,
    sheet_xml: str,
    *,
    date1904: bool = False,
    parts: dict[str, str | bytes] | None = None,
) -> Path:
    """An .xlsx as Excel writes it (root relationships included), one sheet named 结算清单."""
    properties = '<workbookPr date1904="1"/>' if date1904 else ""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_rels/.rels", reader.ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {NS} {REL_NS}>{properties}<sheets><sheet name="结算清单" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f"<worksheet {NS}><sheetData>{sheet_xml}</sheetData></worksheet>",
        )
        for name, text in (parts or {}).items():
            archive.writestr(name, text)
    return path


def test_every_kind_of_cell_reads_as_the_portal_reads_it(tmp_path):
    row = (
        '<row r="2"><c r="B2" s="1"><v>45352.354166666664</v></c><c r="C2" s="2"><v>45352</v></c>'
        '<c r="D2" s="3"><v>0.354166666664</v></c><c r="E2" s="4"><v>1.5</v></c><c r="F2" t="b"><v>1</v></c>'
        '<c r="G2" t="e"><v>#N/A</v></c><c r="H2" t="str"><f>A1</f><v>abc</v></c><c r="I2"><v>30000.1</v></c>'
        '<c r="J2" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c><c r="K2" s="1"><v>45352.99999999</v></c>'
        '<c r="L2" t="e"><v>#DIV/0!</v></c><c r="M2" t="inlineStr"><is><t></t></is></c><c r="N2" t="e"/>'
        '<c r="O2"><v>7</v></c></row>'
    )
    grid = reader.sheet_rows(package(tmp_path / "a.xlsx", row), sheet="结算清单").tolist()
    assert grid[0] == [None] * 15
    assert grid[1] == [
        None,
        datetime(2024, 3, 1, 8, 30),
        datetime(2024, 3, 1),
        datetime(1899, 12, 30, 8, 30),
        datetime(1899, 12, 31, 12, 0),
        "1",
        "#N/A",
        "abc",
        30000.1,
        "ab",
        datetime(2024, 3, 2),
        "#DIV/0!",
        None,
        None,
        7.0,
    ]


def test_a_1904_workbook_counts_its_dates_and_times_from_1904(tmp_path):
    row = '<row r="1"><c r="A1" s="1"><v>43890.5</v></c><c r="B1" s="3"><v>0.25</v></c></row>'
    grid = reader.sheet_rows(
        package(tmp_path / "m.xlsx", row, date1904=True), sheet="结算清单"
    ).tolist()
    assert grid == [[datetime(2024, 3, 1, 12, 0), datetime(1904, 1, 1, 6, 0)]]


def test_our_own_streamed_workbook_reads_back(tmp_path):
    path = tmp_path / "ours.xlsx"
    path.write_bytes(
        rows_workbook([("结算清单", ["结算ID", "金额"], [["=S1", 12.5], ["S2", None]])])
    )
    assert reader.sheet_names(path) == ["结算清单"]
    assert reader.sheet_rows(path, sheet="结算清单").tolist() == [
        ["结算ID", "金额"],
        ["'=S1", 12.5],
        ["S2", None],
    ]


@pytest.mark.parametrize("part", ["docProps/custom.xml", "xl/sharedStrings.xml"])
def test_a_dtd_in_any_xml_part_is_refused_before_calamine_sees_it(tmp_path, part):
    """(A DTD in the sheet itself: tests/settlement/test_intake_files.py.)"""
    dtd = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    path = package(
        tmp_path / "dtd.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>', parts={part: dtd}
    )
    with pytest.raises(guard.FileRefused, match="DTD"):
        reader.sheet_rows(path, sheet="结算清单")


def test_a_utf16_part_is_refused(tmp_path):
    text = f"<sst {NS}><si><t>x</t></si></sst>".encode("utf-16")
    path = package(
        tmp_path / "u.xlsx",
        '<row r="1"><c r="A1"><v>1</v></c></row>',
        parts={"xl/sharedStrings.xml": text},
    )
    with pytest.raises(guard.FileRefused, match="UTF-8"):
        reader.sheet_names(path)


def test_a_small_upload_is_zip_checked_before_openpyxl_opens_it():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/worksheets/sheet1.xml", b"\0" * ((reader.SMALL_UPLOAD_MAX_MB + 1) * 1024 * 1024)
        )
    with pytest.raises(guard.FileRefused, match="已拒绝"):
        reader.workbook_loaded(bomb.getvalue())
    with pytest.raises(ValidationError, match="无法读取"):
        reader.sheet_records(bomb.getvalue(), {"code": ("编码", "code", True)}, max_rows=10)
    upload = io.BytesIO(rows_workbook([("表", ["编码"], [["A1"]])]))
    assert reader.workbook_loaded(upload).worksheets[0]["A2"].value == "A1"
