"""Province runs on the inline backend: one run per region, each its own job and transaction; a region that
fails mid-run fails alone and is rerun alone."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from settlement.province import selectors, services
from settlement.province.choices import PartState, ProvinceStatus
from settlement.runs.choices import RunStatus
from settlement.runs.models import RunInstitution, SettlementRun
from settlement.runs.services import ERR_MONTHS_MISSING
from settlement.services import region_create
from tests.settlement.province.conftest import SCOPE, YEAR


def start(province, capture, **kwargs):
    options = {"year": YEAR, "run_type": "monthly", "number": 2, **SCOPE, **kwargs}
    with capture(execute=True):  # the inline backend runs each job at commit
        started = services.province_run_start(
            actor=province.officer, regions=province.regions, **options
        )
    return selectors.province_run_get_for_user(province.officer, started.pk)


def test_it_starts_one_run_per_region_and_sums_their_results(
    province, django_capture_on_commit_callbacks
):
    result = start(province, django_capture_on_commit_callbacks)

    parts = result.visible
    runs = [part.run for part in parts]
    assert [part.region for part in parts] == province.regions
    assert all(run.status == RunStatus.COMPLETED and run.result_hash for run in runs)
    assert len({run.job_id for run in runs}) == 2  # independent jobs
    summary = selectors.province_summary_of(result)
    assert summary.status == ProvinceStatus.COMPLETED
    assert summary.total == sum(run.total for run in runs) > 0
    assert summary.cases == sum(run.case_count for run in runs)
    assert (summary.point_value_min, summary.point_value_max) == (
        min(run.point_value for run in runs),
        max(run.point_value for run in runs),
    )
    event = AuditEvent.objects.get(action="province_run_start")
    assert [p["run"] for p in event.after["parts"]] == [run.pk for run in runs]


def test_a_region_failing_mid_run_fails_alone_and_is_rerun_alone(
    province, django_capture_on_commit_callbacks
):
    first, second = province.regions
    for month in (1, 2, 3):  # only the first region has the quarter's monthly runs
        province.run_here(first, "monthly", month)

    result = start(province, django_capture_on_commit_callbacks, run_type="quarterly", number=1)

    done, failed = result.visible
    assert done.run.status == RunStatus.COMPLETED
    assert failed.run.status == RunStatus.FAILED
    assert failed.run.error == ERR_MONTHS_MISSING.format(quarter=1, months="1月、2月、3月")
    assert not RunInstitution.objects.filter(run=failed.run).exists()  # its transaction rolled back
    summary = selectors.province_summary_of(result)
    assert summary.status == ProvinceStatus.PARTLY_FAILED
    assert [f.region for f in summary.failures] == [second.code]
    assert summary.total == done.run.total

    for month in (1, 2, 3):
        province.run_here(second, "monthly", month)
    untouched = SettlementRun.objects.get(pk=done.run_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.province_part_rerun(actor=province.officer, part=failed)

    result = selectors.province_run_get_for_user(province.officer, result.pk)
    again = result.visible[1]
    assert (again.attempts, again.run.status) == (2, RunStatus.COMPLETED)
    assert SettlementRun.objects.get(pk=failed.run_id).status == RunStatus.FAILED  # kept as history
    assert SettlementRun.objects.get(pk=done.run_id).result_hash == untouched.result_hash
    assert selectors.province_summary_of(result).status == ProvinceStatus.COMPLETED
    assert AuditEvent.objects.filter(action="province_part_rerun").count() == 1


def test_a_region_without_parameters_is_recorded_and_the_others_run(
    province, django_capture_on_commit_callbacks
):
    empty = region_create(actor=province.officer, code="379900", name="空白市", years=[YEAR])
    province.regions.append(empty)

    result = start(province, django_capture_on_commit_callbacks)

    states = [selectors.part_state(part) for part in result.visible]
    assert states == [PartState.COMPLETED, PartState.COMPLETED, PartState.REFUSED]
    assert result.visible[2].error == services.ERR_NO_PARAMETERS.format(region="空白市", year=YEAR)
    assert selectors.province_summary_of(result).status == ProvinceStatus.PARTLY_FAILED
    with pytest.raises(ValidationError, match="请先审批结算参数"):
        services.province_part_rerun(actor=province.officer, part=result.visible[2])


def test_a_part_is_not_rerun_while_its_run_is_active(province):
    result = services.province_run_start(
        actor=province.officer,
        regions=province.regions,
        year=YEAR,
        run_type="monthly",
        number=2,
        dispatch=False,
        **SCOPE,
    )
    part = result.parts.first()
    with pytest.raises(ValidationError, match="仍在排队或计算中"):
        services.province_part_rerun(actor=province.officer, part=part)


def test_it_refuses_an_empty_region_list(province):
    with pytest.raises(ValidationError, match="请至少选择一个"):
        services.province_run_start(
            actor=province.officer, regions=[], year=YEAR, run_type="annual"
        )


def test_an_officer_of_one_region_sees_only_that_region_of_a_province_run(
    province, django_capture_on_commit_callbacks
):
    result = start(province, django_capture_on_commit_callbacks)
    mine = selectors.province_run_get_for_user(province.local, result.pk)
    # the officer's own region: the demo region (province.regions is in code order, 370900 first)
    assert [part.region for part in mine.visible] == list(province.local.regions.all())
    assert not selectors.province_run_list_for_user(province.hospital).exists()
