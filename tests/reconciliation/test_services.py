"""Uploads (all rows or none, every bad row named, versioned) and the reconciliation job on the
constructed region of conftest.py."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from config.spreadsheets.writer import rows_workbook
from reconciliation import services
from reconciliation.choices import DiffKind, Divergence, FileKind, ReconStatus
from reconciliation.models import NationalGroup, NationalUpload, ReconCase, ReconInstitution
from settlement.models import CaseRecord
from tests.reconciliation.conftest import GROUPS_CSV, QC_CSV, reconcile, upload, upload_all


def messages(world, kind: str, text: str) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        upload(world, kind, text)
    return raised.value.messages


def test_it_imports_national_field_names_and_chinese_headers(world, region):
    upload_all(world)
    groups = NationalGroup.objects.order_by("setl_id")
    assert [g.setl_id for g in groups] == ["N1", "S1", "S2", "S3", "S4", "S5"]
    s1 = groups.get(setl_id="S1")
    assert (s1.group_code, s1.case_type, s1.weight, s1.points, s1.institution) == (
        "I21-S",
        "high",
        D("1200"),
        D("1680"),
        world.hospital_a,
    )
    assert AuditEvent.objects.filter(action="national_upload").count() == 3


def test_optional_columns_may_be_left_out(world, region):
    text = "\n".join(",".join(line.split(",")[:8]) for line in GROUPS_CSV.splitlines())
    assert upload(world, FileKind.GROUPS, text).rows == 6
    assert not NationalGroup.objects.filter(points__isnull=False).exists()


def test_a_newer_upload_supersedes_and_keeps_the_older(world, region):
    first = upload(world, FileKind.GROUPS, GROUPS_CSV)
    second = upload(world, FileKind.GROUPS, GROUPS_CSV)
    first.refresh_from_db()
    assert first.superseded_by == second and second.superseded_by is None
    assert NationalGroup.objects.filter(upload=first).count() == 6


def test_it_rejects_a_bad_file_naming_every_row_and_storing_nothing(world, region):
    bad = GROUPS_CSV.replace("S3,H37080200001,2024-03", "S3,H99999999999,2024-03").replace(
        "S4,H37080200001,202403", "S4,H37080200001,202402"
    )
    bad += "S2,H37080200001,2024-03,J18.900,肺炎,DIP,abc,normal,\nS5,H37080200001,2024-03,J18.900,肺炎,DIP,500,normal,\n"
    errors = messages(world, FileKind.GROUPS, bad)
    assert "工作表“国家分组结果”第3行“结算ID”：S2 在本表中重复出现。" in errors
    assert "工作表“国家分组结果”第8行“结算ID”：S2 在本表中重复出现。" in errors
    assert "工作表“国家分组结果”第8行“权重或分值”：“abc”不是有效的数值。" in errors
    assert (
        "工作表“国家分组结果”第4行“定点医药机构编号”：定点医药机构“H99999999999”不在本统筹区的机构名录中。"
        in errors
    )
    assert (
        "工作表“国家分组结果”第5行“结算月份”：结算月份“202402”与上传的对账月份 2024年3月 不符。"
        in errors
    )
    assert any(
        e.startswith("工作表“国家分组结果”第9行“结算ID”：结算ID“S5”在本地属于另一家机构")
        for e in errors
    )
    assert "工作表“国家分组结果”第9行“结算ID”：S5 在本表中重复出现。" in errors
    assert not NationalUpload.objects.exists() and not NationalGroup.objects.exists()


def test_qc_rows_must_name_a_case_someone_holds(world, region):
    errors = messages(world, FileKind.QC, QC_CSV + "X9,H37080200001,QC001,错误,,\n")
    assert errors == [
        "工作表“国家质控结果”第4行“结算ID”：结算ID“X9”在本月的结算清单和国家分组结果中都不存在。"
    ]


def test_an_unreadable_file_is_a_chinese_error(world, region):
    with pytest.raises(ValidationError) as raised:
        upload(world, FileKind.BOOKINGS, "not a workbook", name="x.xlsx")
    assert raised.value.messages == [
        "无法读取文件，请上传 CSV（UTF-8 或 GBK 编码）或 .xlsx 格式的文件。"
    ]


def test_an_xlsx_group_file_reads_like_the_csv_with_the_same_row_numbers(world, region):
    header, *data = list(csv.reader(io.StringIO(GROUPS_CSV)))
    data[1][6] = 500  # a number cell, as a spreadsheet types it
    data[2][1] = "H99999999999"
    with pytest.raises(ValidationError) as raised:
        upload_bytes(world, rows_workbook([("Sheet1", header, data)]))
    assert raised.value.messages == [
        "工作表“国家分组结果”第4行“定点医药机构编号”：定点医药机构“H99999999999”不在本统筹区的机构名录中。",
        "工作表“国家分组结果”第4行“结算ID”：结算ID“S3”在本地属于另一家机构（H37080200001）。",
    ]
    data[2][1] = "H37080200001"
    stored = upload_bytes(world, rows_workbook([("Sheet1", header, data)]))
    assert stored.rows == 6 and NationalGroup.objects.get(upload=stored, setl_id="S2").weight == D(
        "500"
    )


def test_a_csv_with_a_blank_line_and_a_ragged_row_names_the_files_rows(world, region):
    text = (
        GROUPS_CSV.replace("S3,", "\nS3,", 1)
        + "S9,H99999999999,2024-03,J18.900,肺炎,DIP,500,normal,,extra\n"
    )
    assert messages(world, FileKind.GROUPS, text) == [
        "工作表“国家分组结果”第9行“定点医药机构编号”：定点医药机构“H99999999999”不在本统筹区的机构名录中。"
    ]


def upload_bytes(world, content: bytes):
    return services.national_upload(
        actor=world.officer,
        region=world.region,
        year=2024,
        month=3,
        kind=FileKind.GROUPS,
        name="g.xlsx",
        content=content,
    )


def test_reconciliation_finds_every_mismatch_kind(world, region):
    upload_all(world)
    recon = reconcile(world)
    assert recon.status == ReconStatus.SUCCEEDED, recon.error
    rows = {(r.setl_id, r.kind): r for r in ReconCase.objects.filter(reconciliation=recon)}
    assert set(rows) == {
        ("S1", DiffKind.GROUP),
        ("S3", DiffKind.GROUP),
        ("S4", DiffKind.GROUP),
        ("S5", DiffKind.GROUP),
        ("S6", DiffKind.OURS_ONLY),
        ("N1", DiffKind.NATIONAL_ONLY),
        ("S2", DiffKind.QC_NATIONAL),
        ("S3", DiffKind.QC_OURS),
    }
    steps = {s: rows[(s, DiffKind.GROUP)].divergence for s in ("S1", "S3", "S4", "S5")}
    assert steps == {
        "S1": Divergence.PROCEDURE,
        "S3": Divergence.UNGROUPABLE,
        "S4": Divergence.VERSION,
        "S5": Divergence.MAIN_DIAGNOSIS,
    }
    assert (
        rows[("S2", DiffKind.QC_NATIONAL)].rule_code,
        rows[("S2", DiffKind.QC_NATIONAL)].our_rule_code,
    ) == ("QC001", "")
    assert (
        rows[("S3", DiffKind.QC_OURS)].rule_code,
        rows[("S3", DiffKind.QC_OURS)].our_rule_code,
    ) == ("", "IQ-LOS")
    # S1 as-national: 12000 / 5000 = 2.4 >= 2 (high): (2.4 - 2 + 1) x 1200 = 1680 points; ours normal, 1500.
    assert (
        rows[("S1", DiffKind.GROUP)].our_points,
        rows[("S1", DiffKind.GROUP)].national_points,
    ) == (D("1500"), D("1680"))
    assert recon.summary["group"] == 4 and recon.summary["divergence"]["version"] == 1
    assert AuditEvent.objects.filter(action="reconciliation_finish").exists()


QC_BY_RULE = """setl_id,fixmedins_code,rule_code,level,field,message
S2,H37080200001,QC001,error,maindiag_code,主要诊断与手术不符
S3,H37080200001,QC020,warning,age,年龄异常
S5,H37080200002,QC030,warning,act_ipt_days,住院天数过长
S1,H37080200001,QC040,error,act_ipt_days,住院天数与出入院日期不符
"""


def test_qc_differences_go_both_ways_by_rule_with_both_sides_codes(world, region):
    # Ours: S3 and S5 are long stays (IQ-LOS on act_ipt_days), S1 too; S2 clean. National: S2 an error
    # (we accept: national flags), S3 a warning on another field (national accepts: we flag), S5 a warning on
    # the same field (both saw it: no difference), S1 an error on the field we flag too (both reject).
    CaseRecord.objects.filter(setl_id__in=["S5", "S1"]).update(act_ipt_days=90)
    upload(world, FileKind.GROUPS, GROUPS_CSV)
    upload(world, FileKind.QC, QC_BY_RULE)
    recon = reconcile(world)
    qc = {
        (r.setl_id, r.kind, r.rule_code, r.our_rule_code)
        for r in ReconCase.objects.filter(
            reconciliation=recon, kind__in=[DiffKind.QC_NATIONAL, DiffKind.QC_OURS]
        )
    }
    assert qc == {
        ("S2", DiffKind.QC_NATIONAL, "QC001", ""),
        ("S3", DiffKind.QC_OURS, "QC020", "IQ-LOS"),
    }
    assert (recon.summary["qc_national"], recon.summary["qc_ours"]) == (1, 1)


def test_money_differences_per_institution_to_the_fen(world, region):
    upload_all(world)
    recon = reconcile(world)
    a, b = ReconInstitution.objects.filter(reconciliation=recon).order_by("institution__code")
    assert (a.fund_ours, a.fund_national, a.fund_difference) == (
        D("33600.00"),
        D("33600.00"),
        D("0.00"),
    )
    assert (b.fund_ours, b.fund_national, b.fund_difference, b.cases_ours, b.cases_national) == (
        D("16800.00"),
        D("25200.01"),
        D("8400.01"),
        2,
        3,
    )
    # A as-national: S1 1680 + S2 500 + S3 800 (K35.800, ratio 1.33) + S4 0 (I21-M not in our catalog) = 2980; ours 1500+500+0+500.
    assert (a.points_ours, a.points_national, a.mismatches) == (D("2500"), D("2980"), 3)


def test_it_refuses_to_reconcile_without_a_group_file(world, region):
    with pytest.raises(ValidationError):
        services.reconciliation_start(
            actor=world.officer, region=world.region, year=2024, month=3, scheme="310"
        )
