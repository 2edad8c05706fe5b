"""manage.py settlement_run: the same service, job and audit as the page; refusals as command errors."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from settlement.grouping.selectors import period_cases
from settlement.models import CaseRecord, SettlementPeriod
from settlement.runs.choices import RunStatus
from settlement.runs.models import SettlementRun
from tests.settlement.runs.conftest import YEAR

pytestmark = pytest.mark.django_db


def test_the_command_runs_a_month_and_reports_its_point_value(demo_region):
    out = StringIO()
    call_command(
        "settlement_run",
        demo_region.region.code,
        str(YEAR),
        "monthly",
        "--number",
        "4",
        "--user",
        "officer",
        stdout=out,
    )
    run = SettlementRun.objects.get(run_type="monthly", number=4)
    assert run.status == RunStatus.COMPLETED and run.started_by == demo_region.officer
    assert "[100%] 结算运行完成" in out.getvalue() and str(run.point_value) in out.getvalue()


def test_the_command_says_why_a_run_cannot_start_or_failed(demo_region):
    with pytest.raises(CommandError, match="第1季度预清算需要先完成 1月、2月、3月"):
        call_command(
            "settlement_run",
            demo_region.region.code,
            str(YEAR),
            "quarterly",
            "--number",
            "1",
            stdout=StringIO(),
        )
    with pytest.raises(CommandError, match="不是经办机构用户"):
        call_command(
            "settlement_run",
            demo_region.region.code,
            str(YEAR),
            "annual",
            "--user",
            "hospital",
            stdout=StringIO(),
        )


def test_a_rerun_lists_its_changes_by_institution_code_and_name(demo_region):
    call_command(
        "settlement_run",
        demo_region.region.code,
        str(YEAR),
        "monthly",
        "--number",
        "1",
        stdout=StringIO(),
    )
    period = SettlementPeriod.objects.get(region=demo_region.region, year=YEAR, month=1)
    case = period_cases(periods=[period], kind="DIP", scheme="310").order_by("id").first()
    CaseRecord.objects.filter(pk=case.pk).update(
        fund_pay_sumamt=case.fund_pay_sumamt - 100,
        hifp_pay=case.hifp_pay - 100,
        psn_part_amt=case.psn_part_amt + 100,
        version=case.version + 1,
    )
    out = StringIO()
    call_command(
        "settlement_run", demo_region.region.code, str(YEAR), "monthly", "--number", "1", stdout=out
    )
    booked = case.institution.consortium_lead or case.institution
    assert f"机构 {booked.code} {booked.name}：" in out.getvalue()
    assert f"机构 {booked.pk}：" not in out.getvalue()
