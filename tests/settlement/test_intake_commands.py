"""manage.py case_template_export and case_import."""

from __future__ import annotations

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from settlement.intake.choices import ImportStatus
from settlement.intake.columns import COLUMNS
from settlement.intake.models import ImportBatch
from settlement.models import CaseRecord
from tests.settlement.intake_rows import csv_bytes, valid_row

pytestmark = pytest.mark.django_db


def test_the_template_is_exported_as_xlsx_and_csv(tmp_path):
    call_command("case_template_export", str(tmp_path / "t.xlsx"))
    call_command("case_template_export", str(tmp_path / "t.csv"))
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["结算清单"]
    assert [cell.value for cell in sheet[1]] == [column.header for column in COLUMNS]
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").strip() == ",".join(
        column.header for column in COLUMNS
    )


def test_a_regional_file_is_imported_as_the_system(world, tmp_path, media_root):
    path = tmp_path / "region.csv"
    path.write_bytes(
        csv_bytes([valid_row("S1"), valid_row("S1", institution=world.hospital_b.code)])
    )
    call_command("case_import", str(path))
    batch = ImportBatch.objects.get()
    assert (
        batch.status == ImportStatus.SUCCEEDED
        and batch.institution is None
        and batch.uploaded_by is None
    )
    assert CaseRecord.objects.count() == 2


def test_an_institution_restricts_the_rows_and_errors_fail_the_command(world, tmp_path, media_root):
    path = tmp_path / "a.csv"
    path.write_bytes(
        csv_bytes([valid_row("S1"), valid_row("S2", institution=world.hospital_b.code)])
    )
    with pytest.raises(CommandError, match="校验未通过"):
        call_command("case_import", str(path), "--institution", world.hospital_a.code)
    assert (
        ImportBatch.objects.get().status == ImportStatus.REJECTED
        and CaseRecord.objects.count() == 0
    )


def test_a_hospital_user_cannot_import_for_another_institution(world, tmp_path, media_root):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([valid_row("S1")]))
    with pytest.raises(CommandError, match="只能导入本机构"):
        call_command(
            "case_import",
            str(path),
            "--user",
            world.user_b.username,
            "--institution",
            world.hospital_a.code,
        )
    call_command("case_import", str(path), "--user", world.user_a.username)
    assert ImportBatch.objects.get().uploaded_by == world.user_a
