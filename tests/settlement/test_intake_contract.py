"""The column contract: docs/intake-contract.md, the template's instruction sheet and the code agree."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from settlement.intake import columns as cols
from settlement.intake import contract, domain, files

DOCS = Path(__file__).resolve().parents[2] / "docs" / "intake-contract.md"


def test_the_docs_carry_the_contract_the_code_defines():
    text = DOCS.read_text(encoding="utf-8")
    documented = text.split(contract.DOCS_BEGIN, 1)[1].split(contract.DOCS_END, 1)[0].strip()
    assert documented == contract.contract_markdown().strip(), (
        "regenerate with: manage.py case_contract_export"
    )


def test_every_national_reference_is_a_field_of_the_national_interface():
    referenced = [column.national for column in (*cols.COLUMNS, *cols.JOIN_KEYS) if column.national]
    referenced += [
        column.national
        for table in cols.SUBTABLE_COLUMNS.values()
        for column in table
        if column.national
    ]
    assert referenced and all(reference in cols.NATIONAL_FIELDS for reference in referenced)


@pytest.mark.parametrize(
    "code, interface, kind, length",
    [
        ("setl_id", "4101 setlinfo", "字符型", "30"),
        ("medfee_sumamt", "2207 setlinfo", "数值型", "16,2"),
        ("maindiag_code", "4101 diseinfo.diag_code", "字符型", "20"),
        ("psn_cash_pay", "2207 setlinfo", "数值型", "16,2"),
        ("opsp_dise_code", contract.OURS, "", ""),
    ],
)
def test_a_flat_column_names_its_national_source(code, interface, kind, length):
    row = next(row for row in contract.contract_sections()[0][2] if row.code == code)
    assert (row.interface, row.type, row.length) == (interface, kind, length)


def test_the_aliases_are_named_and_accepted():
    rows = {row.code: row for row in contract.contract_sections()[0][2]}
    assert (
        "psn_cashpay" in rows["psn_cash_pay"].notes
        and "主诊断标志为1" in rows["maindiag_code"].notes
    )
    assert (
        domain.header_code("psn_cashpay") == "psn_cash_pay"
        and domain.header_code("maindiag_code") == "maindiag_code"
    )


def test_the_template_instruction_sheet_follows_the_contract():
    workbook = openpyxl.load_workbook(io.BytesIO(files.template_xlsx()))
    sheet_rows = [
        [cell if cell is not None else "" for cell in row]
        for row in workbook["填写说明"].iter_rows(values_only=True)
    ]
    assert sheet_rows[0] == files.INSTRUCTIONS_HEADER
    listed = {
        (row[1], row[6], row[7], row[8], row[10])
        for row in sheet_rows[1:]
        if len(row) > 10 and row[1]
    }
    expected = {
        (row.code, row.interface, row.type, row.length, row.national_required)
        for _table, _title, rows in contract.contract_sections()
        for row in rows
    }
    assert listed == expected
    titles = {title for _table, title, _rows in contract.contract_sections()[1:]}
    assert titles <= {row[0] for row in sheet_rows}
