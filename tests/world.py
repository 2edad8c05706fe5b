"""One shared world for the tests: a region with two hospitals and a user of each role.

Use the ``world`` fixture (tests/conftest.py); build extra rows with the factories here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_create
from catalogs.models import Institution, Region
from settlement.aggregates.services import case_aggregates_refresh
from settlement.models import CaseRecord, SettlementPeriod

PASSWORD = "Portal-test-2024!"
TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class World:
    region: Region
    hospital_a: Institution
    hospital_b: Institution
    bureau_admin: User
    officer: User
    expert: User
    user_a: User
    user_b: User
    period: SettlementPeriod


def case_create(
    *, institution: Institution, period: SettlementPeriod, setl_id: str, **overrides
) -> CaseRecord:
    values = dict(
        mdtrt_id=f"M{setl_id}",
        psn_no=f"P{setl_id}",
        insutype="310",
        med_type="21",
        gend="1",
        age=60,
        adm_time=datetime(period.year, period.month, 1, 8, 30, tzinfo=TZ),
        dscg_time=datetime(period.year, period.month, 8, 10, 0, tzinfo=TZ),
        act_ipt_days=7,
        dscg_way="1",
        maindiag_code="I21.000",
        medfee_sumamt=Decimal("30000.00"),
        fund_pay_sumamt=Decimal("21000.00"),
        hifp_pay=Decimal("21000.00"),
        psn_part_amt=Decimal("9000.00"),
        setl_time=datetime(period.year, period.month, 8, 12, 0, tzinfo=TZ),
    )
    values.update(overrides)
    case = CaseRecord.objects.create(
        institution=institution, period=period, setl_id=setl_id, **values
    )
    case_aggregates_refresh(
        institution_ids=[institution.pk], period_ids=[period.pk]
    )  # as intake does
    return case


def world_create() -> World:
    region = Region.objects.create(code="370800", name="测试统筹区")
    hospital_a = Institution.objects.create(
        region=region, code="H37080200001", name="甲医院", level="3A", type="general"
    )
    hospital_b = Institution.objects.create(
        region=region, code="H37080200002", name="乙医院", level="2", type="general"
    )
    period = SettlementPeriod.objects.create(region=region, year=2024, month=3)
    mk = lambda username, role, institution=None: user_create(  # noqa: E731
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        display_name=username,
        institution=institution,
        regions=[] if institution else [region],
    )
    return World(
        region=region,
        hospital_a=hospital_a,
        hospital_b=hospital_b,
        bureau_admin=mk("admin", Role.BUREAU_ADMIN),
        officer=mk("officer", Role.BUREAU_OFFICER),
        expert=mk("expert", Role.EXPERT),
        user_a=mk("hosp_a", Role.HOSPITAL, hospital_a),
        user_b=mk("hosp_b", Role.HOSPITAL, hospital_b),
        period=period,
    )


def run_publish_now(run, *, actor: User | None = None):
    """Publish a completed run's statements (公示) so hospitals may read them, without a notice."""
    from settlement.publication.services import run_publish

    return run_publish(actor=actor or User.objects.get(username="officer"), run=run, notify=False)
