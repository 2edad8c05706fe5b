"""Import batches end to end on the database: all or nothing, corrections, locks, tenancy, safety."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from audit.models import AuditEvent
from config.spreadsheets.writer import rows_workbook
from jobs.models import Job
from settlement.choices import PeriodStatus
from settlement.intake import domain, files, services
from settlement.intake.choices import ImportStatus, IssueSeverity
from settlement.intake.columns import COLUMNS
from settlement.intake.models import CaseRecordVersion, ImportBatch
from settlement.models import CaseRecord, SettlementPeriod
from tests.settlement.intake_rows import valid_row


def test_a_valid_file_lands_with_its_batch_job_and_audit(world, upload):
    batch = upload(
        world.user_a,
        [
            valid_row("S1"),
            valid_row("S2", medfee_sumamt="30000.10", psn_part_amt="9000.10", fee_other="5000.10"),
        ],
    )
    assert batch.status == ImportStatus.SUCCEEDED, batch.message
    assert (batch.rows_in, batch.rows_written, batch.rows_replaced, batch.error_count) == (
        2,
        2,
        0,
        0,
    )
    assert batch.institution == world.hospital_a and batch.sha256 and batch.duration is not None
    case = CaseRecord.objects.get(setl_id="S2")
    assert (
        case.medfee_sumamt == Decimal("30000.10")
        and case.period == world.period
        and case.version == 1
    )
    assert Job.objects.get(pk=batch.job_id).status == "succeeded"
    assert AuditEvent.objects.filter(action="case_import", object_id=str(batch.pk)).count() == 1


def test_one_bad_row_among_ten_thousand_writes_nothing(world, upload):
    rows = [valid_row(f"S{i:05d}") for i in range(10_000)]
    rows[7_345]["medfee_sumamt"] = "-1.00"
    batch = upload(world.user_a, rows)
    assert batch.status == ImportStatus.REJECTED
    assert batch.rows_written == 0 and CaseRecord.objects.count() == 0
    error = batch.issues.get(severity=IssueSeverity.ERROR, column="medfee_sumamt")
    assert error.row == 7_347 and error.message == domain.ERR_MONEY_NEGATIVE


def test_a_correction_in_an_open_month_replaces_and_keeps_history(world, upload):
    upload(world.user_a, [valid_row("S1")])
    batch = upload(world.user_a, [valid_row("S1", maindiag_code="I21.100")])
    assert (batch.status, batch.rows_replaced, batch.rows_written) == (ImportStatus.SUCCEEDED, 1, 0)
    case = CaseRecord.objects.get(setl_id="S1")
    assert case.maindiag_code == "I21.100" and case.version == 2
    history = CaseRecordVersion.objects.get(case=case)
    assert (
        history.version == 1
        and history.data["maindiag_code"] == "I21.000"
        and history.replaced_by == batch
    )


def test_a_correction_in_a_closed_month_is_refused(world, upload):
    upload(world.user_a, [valid_row("S1")])
    SettlementPeriod.objects.filter(pk=world.period.pk).update(status=PeriodStatus.CLOSED)
    batch = upload(world.user_a, [valid_row("S1", maindiag_code="I21.100"), valid_row("S2")])
    assert batch.status == ImportStatus.REJECTED
    messages = set(batch.issues.filter(severity=IssueSeverity.ERROR).values_list("row", "message"))
    assert messages == {(2, services.ERR_CORRECTION_CLOSED), (3, services.ERR_PERIOD_CLOSED)}
    assert CaseRecord.objects.get(setl_id="S1").maindiag_code == "I21.000"
    assert not CaseRecord.objects.filter(setl_id="S2").exists()


def test_a_missing_month_is_created_open(world, upload):
    batch = upload(
        world.user_a,
        [
            valid_row(
                "S1",
                adm_time="2024-04-01",
                dscg_time="2024-04-03",
                act_ipt_days="2",
                setl_time="2024年4月3日",
            )
        ],
    )
    assert batch.status == ImportStatus.SUCCEEDED, batch.message
    period = CaseRecord.objects.get().period
    assert (period.year, period.month, period.status, period.region) == (
        2024,
        4,
        PeriodStatus.OPEN,
        world.region,
    )


def test_a_hospital_cannot_upload_another_institutions_rows(world, upload):
    batch = upload(
        world.user_a, [valid_row("S1"), valid_row("S2", institution=world.hospital_b.code)]
    )
    assert batch.status == ImportStatus.REJECTED and CaseRecord.objects.count() == 0
    error = batch.issues.get(severity=IssueSeverity.ERROR)
    assert (error.row, error.column, error.message) == (
        3,
        "fixmedins_code",
        domain.ERR_INSTITUTION_NOT_OWN,
    )


def test_a_bureau_regional_file_covers_many_institutions(world, upload):
    batch = upload(
        world.officer, [valid_row("S1"), valid_row("S1", institution=world.hospital_b.code)]
    )
    assert batch.status == ImportStatus.SUCCEEDED and batch.institution is None
    assert CaseRecord.objects.count() == 2


def test_an_expert_cannot_upload(world, upload):
    with pytest.raises(PermissionDenied):
        upload(world.expert, [valid_row("S1")])


@override_settings(INTAKE_MAX_UPLOAD_MB=1)
def test_an_oversize_upload_is_refused_before_a_batch_exists(world, upload):
    with pytest.raises(services.IntakeRefused, match="1 MB"):
        upload(world.user_a, content=b"x" * (1024 * 1024 + 1))
    assert ImportBatch.objects.count() == 0


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_from_the_directory(world, upload):
    batch = upload(world.user_a, name="bomb.xlsx", content=zip_bomb())
    assert batch.status == ImportStatus.REJECTED
    assert batch.issues.get().message == files.ERR_ZIP_RATIO


def test_an_xlsx_upload_lands(world, upload):
    rows = [valid_row("S1"), valid_row("S2")]
    header = [column.header for column in COLUMNS]
    content = rows_workbook(
        [("结算清单", header, ([row[column.code] for column in COLUMNS] for row in rows))]
    )
    batch = upload(world.user_a, name="cases.xlsx", content=content)
    assert batch.status == ImportStatus.SUCCEEDED, batch.message
    assert CaseRecord.objects.count() == 2


def test_an_api_batch_reports_errors_as_rows(world):
    batch = services.batch_from_records(
        actor=world.user_a, records=[valid_row("S1"), valid_row("S2", gend="3")]
    )
    assert batch.status == ImportStatus.REJECTED
    error = batch.issues.get(severity=IssueSeverity.ERROR)
    assert (error.row, error.column) == (2, "gend")


@pytest.mark.parametrize(
    ("overrides", "column", "stored"),
    [
        ({"maindiag_code": "A00.000"}, "maindiag_code", "A00.000"),
        ({"maindiag_code": "J18.900x001"}, "maindiag_code", "J18.900x001"),
        ({"maindiag_code": "A01.000x005+J17.0*"}, "maindiag_code", "A01.000x005+J17.0*"),
        ({"main_oprn_oprt_code": "36.0601"}, "main_oprn_oprt_code", "36.0601"),
        ({"main_oprn_oprt_code": "17.91100"}, "main_oprn_oprt_code", "17.91100"),
        ({"main_oprn_oprt_code": "17.912A0"}, "main_oprn_oprt_code", "17.912A0"),
    ],
)
def test_a_csv_with_each_national_code_form_lands_with_the_full_code(
    world, upload, overrides, column, stored
):
    batch = upload(world.user_a, [valid_row("S1", **overrides)])
    assert batch.status == ImportStatus.SUCCEEDED, batch.message
    assert getattr(CaseRecord.objects.get(setl_id="S1"), column) == stored


def test_a_csv_with_an_infant_lands_with_age_0_and_weights(world, upload):
    newborn = valid_row(
        "S1",
        age="",
        nwb_age="5",
        nwb_bir_wt="3250.00",
        nwb_adm_wt="3100",
        maindiag_code="P59.900",
        otherdiag_codes="",
        main_oprn_oprt_code="",
    )
    batch = upload(world.user_a, [newborn])
    assert batch.status == ImportStatus.SUCCEEDED and batch.warning_count == 0, batch.message
    case = CaseRecord.objects.get(setl_id="S1")
    assert (case.age, case.nwb_age, case.nwb_bir_wt, case.nwb_adm_wt) == (0, 5, 3250, 3100)


def test_a_csv_with_a_blank_age_and_no_nwb_age_writes_nothing_and_names_the_row(world, upload):
    rows = [valid_row("S1"), valid_row("S2", age="", nwb_age="")]
    batch = upload(world.user_a, rows)
    assert batch.status == ImportStatus.REJECTED and CaseRecord.objects.count() == 0
    error = batch.issues.get(severity=IssueSeverity.ERROR)
    assert (error.row, error.column, error.message) == (3, "age", domain.ERR_AGE_OR_NEWBORN_AGE)
