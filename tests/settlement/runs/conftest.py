"""A small demo region for settlement runs: budgets, parameters and a published DIP catalog for 2024."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from catalogs.models import Region
from demo.services import demo_generate
from jobs.services import job_run
from settlement.runs.choices import RunStatus
from settlement.runs.models import SettlementRun
from settlement.runs.services import run_start
from tests.world import run_publish_now

YEAR = 2024


@dataclass
class DemoRegion:
    region: Region
    officer: object
    admin: object
    hospital_user: object

    def run(
        self,
        run_type: str,
        number: int = 0,
        *,
        scheme: str = "310",
        category: str = "DIP",
        publish: bool = True,
    ) -> SettlementRun:
        """Queue a run and run its job here (in a test transaction the job would only start at commit); a
        completed run is published (公示) unless ``publish`` is false, so its hospitals may read it."""
        run = run_start(
            actor=self.officer,
            region=self.region,
            year=YEAR,
            scheme=scheme,
            category=category,
            run_type=run_type,
            number=number,
            dispatch=False,
        )
        job_run(job_id=run.job_id)
        run.refresh_from_db()
        if publish and run.status == RunStatus.COMPLETED:
            run_publish_now(run, actor=self.officer)
        return run


@pytest.fixture
def demo_region(db) -> DemoRegion:
    demo_generate(actor="测试", years=2, cases_per_year=3000, end_year=YEAR, months_settled=False)
    users = get_user_model().objects
    return DemoRegion(
        Region.objects.get(),
        users.get(username="officer"),
        users.get(username="admin"),
        users.get(username="hospital"),
    )


def zero() -> Decimal:
    return Decimal("0.00")
