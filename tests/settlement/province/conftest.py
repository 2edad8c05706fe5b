"""Two demo regions and a province-wide officer (省级用户) who sees both."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_create
from catalogs.models import Region
from demo.services import demo_generate
from jobs.services import job_run
from settlement.runs.models import SettlementRun
from settlement.runs.services import run_start
from tests.world import PASSWORD

YEAR = 2024
CODE_B = "370900"
SCOPE = {"scheme": "310", "category": "DIP"}


@dataclass
class Province:
    regions: list[Region]
    officer: User  # province-wide
    local: User  # an officer of the first region only
    hospital: User

    def run_here(self, region: Region, run_type: str, number: int = 0) -> SettlementRun:
        """A single run of one region, outside any province run, computed in this process."""
        run = run_start(
            actor=self.officer,
            region=region,
            year=YEAR,
            run_type=run_type,
            number=number,
            dispatch=False,
            **SCOPE,
        )
        job_run(job_id=run.job_id)
        return SettlementRun.objects.get(pk=run.pk)


def province_generate(cases_per_year: int = 800) -> Province:
    common = dict(
        actor="测试", years=2, cases_per_year=cases_per_year, end_year=YEAR, months_settled=False
    )
    demo_generate(**common)
    demo_generate(**common, seed=7, region_code=CODE_B, region_name="泰山市", user_prefix="b_")
    officer = user_create(
        actor=None,
        username="province",
        password=PASSWORD,
        role=Role.BUREAU_OFFICER,
        province_wide=True,
    )
    users = User.objects
    return Province(
        list(Region.objects.order_by("code")),
        officer,
        users.get(username="officer"),
        users.get(username="hospital"),
    )


@pytest.fixture
def province(db) -> Province:
    return province_generate()
