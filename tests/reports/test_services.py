"""Generating a month's report pack: the bureau's workbook and one per institution, stamped, audited,
reconciling with the cases to the fen; an institution's workbook holds only its own rows; a month
generated again replaces its files; the 1st-of-month schedule queues last month for every region."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from celery.schedules import crontab
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from audit.models import AuditEvent
from catalogs.models import Region
from config.celery import app
from jobs.choices import JobStatus
from reports import services
from reports.celery_tasks import report_packs_schedule
from reports.choices import CASE_SHEET, PackKind
from reports.models import ReportFile
from settlement.models import CaseRecord
from tests.reports.helpers import sheet_names, sheet_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(world, month, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.report_pack_start(
            actor=world.officer, region=world.region, year=2024, month=3
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return {f.institution_id: f for f in ReportFile.objects.all()}, job


def test_a_month_has_the_bureau_workbook_and_one_per_institution(world, pack):
    files, job = pack
    assert set(files) == {None, world.hospital_a.pk, world.hospital_b.pk}
    assert (
        files[None].kind == PackKind.BUREAU
        and files[world.hospital_a.pk].kind == PackKind.INSTITUTION
    )
    assert sheet_names(files[None].file.path) == [
        "报表说明",
        "病种分析",
        "监管发现",
        "数据质量",
        CASE_SHEET,
    ]
    assert (
        files[None].sheets[CASE_SHEET] == 7 and files[world.hospital_a.pk].sheets[CASE_SHEET] == 4
    )
    assert (files[None].job_id, files[None].generated_by, job.summary["files"]) == (
        job.pk,
        world.officer,
        3,
    )


def test_every_workbook_is_stamped_with_the_job_versions_and_time(world, month, pack):
    files, job = pack
    lines = dict(row[:2] for row in sheet_rows(files[world.hospital_b.pk].file.path, "报表说明"))
    assert lines["报表生成任务号"] == str(job.pk) and lines["医疗机构"] == "乙医院"
    assert (
        lines["目录版本"]
        == f"{month['catalog']}（ID {month['catalog'].pk}）"
        == files[None].stamps["catalog_versions"][0]
    )
    assert lines["生成时间"].endswith("（北京时间）") and lines["结算运行批次"] == "—"


def test_each_stored_file_is_audited(world, pack):
    files, _ = pack
    events = AuditEvent.objects.filter(action="report_file_generate")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(
        str(f.pk) for f in files.values()
    )
    assert all(e.actor == world.officer and e.before is None for e in events)


def test_the_case_sheet_and_the_group_analysis_reconcile_with_the_cases_to_the_fen(world, pack):
    files, _ = pack
    cases = CaseRecord.objects.filter(period=world.period)
    expected = cases.aggregate(
        medfee=Sum("medfee_sumamt"), fund=Sum("fund_pay_sumamt"), psn=Sum("psn_part_amt")
    )
    detail = sheet_rows(files[None].file.path, CASE_SHEET)
    assert sorted(r[2] for r in detail[:-1]) == sorted(cases.values_list("setl_id", flat=True))
    assert detail[-1][0] == "合计" and detail[-1][13:16] == (
        expected["medfee"],
        expected["fund"],
        expected["psn"],
    )
    groups = sheet_rows(files[None].file.path, "病种分析")
    assert (
        groups[-1][4] == 7
        and groups[-1][6] == expected["medfee"]
        and groups[-1][8] == expected["fund"]
    )


def test_points_are_the_group_score_times_the_typing_coefficient(world, pack):
    files, _ = pack
    detail = {
        row[2]: row for row in sheet_rows(files[world.hospital_a.pk].file.path, CASE_SHEET)[:-1]
    }
    # S1 is 70 years old: PCI 1500 × age 65+ 1.2; S2 untyped 1500; S3 pneumonia 500; OUT is outpatient (not grouped by DIP).
    assert {k: (v[11], v[12]) for k, v in detail.items()} == {
        "S1": ("I21.000+36.0601", D("1800")),
        "S2": ("I21.000+36.0601", D("1500")),
        "S3": ("J18.900", D("500")),
        "OUT": (None, None),
    }


def test_an_institution_workbook_holds_only_its_own_rows(world, pack):
    files, _ = pack
    path = files[world.hospital_a.pk].file.path
    assert {r[0] for r in sheet_rows(path, CASE_SHEET)[:-1]} == {world.hospital_a.code}
    findings = sheet_rows(path, "监管发现")
    assert [(r[0], r[2], r[6]) for r in findings[:-1]] == [
        (world.hospital_a.code, "分解住院", "已确认")
    ]  # not the open one
    assert [r[0] for r in sheet_rows(path, "数据质量")[:-1]] == [world.hospital_a.code]
    own = CaseRecord.objects.filter(institution=world.hospital_a, period=world.period).aggregate(
        total=Sum("medfee_sumamt")
    )["total"]
    assert sheet_rows(path, "病种分析")[-1][6] == own


def test_the_bureau_workbook_keeps_a_formula_in_a_finding_as_text(world, pack):
    files, _ = pack
    descriptions = [r[8] for r in sheet_rows(files[None].file.path, "监管发现")[:-1]]
    assert '\'=HYPERLINK("http://x","点击")' in descriptions


def test_generating_again_replaces_the_files_and_removes_the_old_ones(
    world, pack, django_capture_on_commit_callbacks
):
    files, _ = pack
    old_path = files[None].file.path
    with django_capture_on_commit_callbacks(execute=True):
        services.report_pack_generate(
            actor=world.bureau_admin, region=world.region, year=2024, month=3
        )
    renewed = ReportFile.objects.get(institution=None)
    assert (
        renewed.pk == files[None].pk
        and renewed.file.path != old_path
        and renewed.generated_by == world.bureau_admin
    )
    assert not __import__("os").path.exists(old_path) and ReportFile.objects.count() == 3
    event = AuditEvent.objects.filter(
        action="report_file_generate", object_id=str(renewed.pk)
    ).first()
    assert event.before["file"] != event.after["file"]


@pytest.mark.parametrize("who", ["user_a", "expert"])
def test_only_the_bureau_starts_a_pack(world, who):
    with pytest.raises(PermissionDenied):
        services.report_pack_start(
            actor=getattr(world, who), region=world.region, year=2024, month=3
        )


def test_the_schedule_queues_last_month_for_every_region(
    world, month, django_capture_on_commit_callbacks
):
    other = Region.objects.create(code="110000", name="外地统筹区")
    with django_capture_on_commit_callbacks(execute=True):
        jobs = services.report_packs_schedule(today=date(2024, 4, 1))
    assert sorted(
        (j.params["region_id"], j.params["year"], j.params["month"]) for j in jobs
    ) == sorted([(world.region.pk, 2024, 3), (other.pk, 2024, 3)])
    assert ReportFile.objects.filter(region=world.region).count() == 3
    assert list(ReportFile.objects.filter(region=other).values_list("kind", flat=True)) == [
        PackKind.BUREAU
    ]
    assert (
        ReportFile.objects.get(region=world.region, institution=None).generated_by_name
        == f"任务:{services.JOB_KIND}"
    )


def test_january_reports_december_of_the_year_before():
    assert services.previous_month(date(2025, 1, 1)) == (2024, 12)


def test_celery_beat_runs_the_schedule_at_two_on_the_first(db):
    entry = app.conf.beat_schedule["monthly-report-packs"]
    assert entry["task"] == report_packs_schedule.name == "reports.report_packs_schedule"
    assert (
        entry["schedule"] == crontab(minute=0, hour=2, day_of_month=1)
        and app.conf.timezone == "Asia/Shanghai"
    )
