"""manage.py settlement_run: the same service, job and audit as the page; refusals as command errors."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from settlement.runs.choices import RunStatus
from settlement.runs.models import SettlementRun
from tests.settlement.runs.conftest import YEAR

pytestmark = pytest.mark.django_db


def test_the_command_runs_a_month_and_reports_its_point_value(demo_region):
    out = StringIO()
    call_command("settlement_run", demo_region.region.code, str(YEAR), "monthly", "--number", "4", "--user", "officer", stdout=out)
    run = SettlementRun.objects.get(run_type="monthly", number=4)
    assert run.status == RunStatus.COMPLETED and run.started_by == demo_region.officer
    assert "[100%] 结算运行完成" in out.getvalue() and str(run.point_value) in out.getvalue()


def test_the_command_says_why_a_run_cannot_start_or_failed(demo_region):
    with pytest.raises(CommandError, match="第1季度预清算需要先完成 1月、2月、3月"):
        call_command("settlement_run", demo_region.region.code, str(YEAR), "quarterly", "--number", "1", stdout=StringIO())
    with pytest.raises(CommandError, match="不是经办机构用户"):
        call_command("settlement_run", demo_region.region.code, str(YEAR), "annual", "--user", "hospital", stdout=StringIO())
