"""A constructed region for reconciliation: a DIP catalog, March 2024 cases with our groups, and the
national files that disagree with them in every way the reconciliation names.

Our side (hospital A: S1-S4, hospital B: S5, S6; each case costs 12,000.00, itemised in full, and the fund
paid 8,400.00; a 7-day stay but S3's):

====  =====================  ===================  ==================================================
case  our group              national group       difference
====  =====================  ===================  ==================================================
S1    I21.000+36.0601 (1500)  I21-S (1200, mean 5000: ratio 2.4, high)  procedure
S2    J18.900                J18.900              none (national QC error QC001: QC difference)
S3    "" (no_comprehensive)  K35.800              ours ungroupable; a 75-day stay: our quality rule IQ-LOS
                                                  flags it, the national QC has no finding (QC difference)
S4    J18.900                I21-M (not ours)     version
S5    I21-S                  J18.900              main diagnosis
S6    J18.900                —                    ours only
N1    —                      J18.900 (B)          national only
====  =====================  ===================  ==================================================
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import transaction
from django.utils import timezone

from catalogs.choices import CatalogKind, CatalogStatus, GroupType, TreatmentType
from catalogs.versions.models import CatalogGroup, CatalogVersion
from jobs.services import job_run
from reconciliation import services
from reconciliation.choices import FileKind
from settlement.grouping.bulk import version_results_replaced
from settlement.grouping.models import CaseGroup
from tests.world import case_create

OURS = {
    "S1": ("I21.000+36.0601", "core"),
    "S2": ("J18.900", "core_conservative"),
    "S3": ("", "no_comprehensive"),
    "S4": ("J18.900", "core_conservative"),
    "S5": ("I21-S", "comprehensive"),
    "S6": ("J18.900", "core_conservative"),
}
GROUPS_CSV = """setl_id,fixmedins_code,setl_month,grp_codg,grp_name,grp_type,weight,case_type,points
S1,H37080200001,2024-03,I21-S,急性心梗手术,DIP,1200,high,1680
S2,H37080200001,2024-03,J18.900,肺炎,DIP,500,normal,500
S3,H37080200001,2024-03,K35.800,阑尾炎,DIP,800,normal,
S4,H37080200001,202403,I21-M,急性心梗内科,DIP,600,normal,
S5,H37080200002,2024-03,J18.900,肺炎,DIP,500,normal,
N1,H37080200002,2024-03,J18.900,肺炎,DIP,500,normal,
"""
QC_CSV = """结算ID,定点医药机构编号,质控规则编码,质控级别,质控字段,质控说明
S2,H37080200001,QC001,错误,maindiag_code,主要诊断与手术不符
S1,H37080200001,QC009,警告,age,年龄异常
"""
BOOKINGS_CSV = """定点医药机构编号,结算月份,统筹基金支出,结算人次,清算金额
H37080200001,2024-03,33600.00,4,33600.00
H37080200002,2024-03,25200.01,3,
"""


def dip_catalog(world) -> CatalogVersion:
    catalog = CatalogVersion.objects.create(
        region=world.region,
        kind=CatalogKind.DIP,
        year=2024,
        version=1,
        status=CatalogStatus.PUBLISHED,
    )
    for code, diag, score, mean in [
        ("I21.000+36.0601", "I21.000", "1500", "12000"),
        ("J18.900", "J18.900", "500", "10000"),
        ("I21-S", "I21", "1200", "5000"),
        ("K35.800", "K35.800", "800", "9000"),
    ]:
        CatalogGroup.objects.create(
            version=catalog,
            code=code,
            group_type=GroupType.CORE,
            diag_code=diag,
            treatment_type=TreatmentType.MEDICAL,
            score=D(score),
            mean_cost=D(mean),
        )
    return catalog


@pytest.fixture
def region(world):
    """Our cases and groups of March 2024; returns the catalog."""
    catalog = dip_catalog(world)
    # Through the grouping writer's partition handling (PostgreSQL keeps one partition per version).
    with (
        transaction.atomic(),
        version_results_replaced(version_id=catalog.pk, old=CaseGroup.objects.none(), whole=False),
    ):
        _our_cases(world, catalog)
    return catalog


def _our_cases(world, catalog: CatalogVersion) -> None:
    for setl_id, (code, trace) in OURS.items():
        institution = world.hospital_b if setl_id in {"S5", "S6"} else world.hospital_a
        case = case_create(
            institution=institution,
            period=world.period,
            setl_id=setl_id,
            medfee_sumamt=D("12000.00"),
            fund_pay_sumamt=D("8400.00"),
            hifp_pay=D("8400.00"),
            psn_part_amt=D("3600.00"),
            fee_drug=D("6000.00"),
            fee_material=D("1000.00"),
            fee_exam=D("2000.00"),
            fee_treatment=D("2500.00"),
            fee_other=D("500.00"),
            act_ipt_days=75 if setl_id == "S3" else 7,
        )
        CaseGroup.objects.create(
            case=case,
            period=world.period,
            version=catalog,
            kind=CatalogKind.DIP,
            group_code=code,
            trace=trace,
            grouped_at=timezone.now(),
        )


def upload(world, kind: str, text: str, name: str = "national.csv", encoding: str = "utf-8"):
    return services.national_upload(
        actor=world.officer,
        region=world.region,
        year=2024,
        month=3,
        kind=kind,
        name=name,
        content=text.encode(encoding),
    )


def upload_all(world):
    upload(world, FileKind.GROUPS, GROUPS_CSV)
    upload(world, FileKind.QC, QC_CSV, encoding="gbk")
    upload(world, FileKind.BOOKINGS, BOOKINGS_CSV)


def reconcile(world):
    recon = services.reconciliation_start(
        actor=world.officer, region=world.region, year=2024, month=3, scheme="310", dispatch=False
    )
    job_run(job_id=recon.job_id)
    recon.refresh_from_db()
    return recon
