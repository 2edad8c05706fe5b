"""DRG and APG catalog builds from settled cases (services and jobs), their golden cases at publishing, and
the DIP build's TCM / day-surgery flags with the officer's audited correction."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from catalogs.choices import CatalogKind, CatalogStatus, TreatmentType
from catalogs.dictionaries.models import Diagnosis, Procedure
from catalogs.drg import services as drg_rule_services
from catalogs.versions import build as version_build
from catalogs.versions import services
from catalogs.versions.models import CatalogVersion
from jobs.models import Job
from jobs.services import job_run, job_start
from settlement.models import SettlementPeriod
from tests.world import case_create

pytestmark = pytest.mark.django_db


def settled(world, year: int, n: int, cost: str, **fields):
    period = SettlementPeriod.objects.get_or_create(region=world.region, year=year, month=3)[0]
    cost = D(cost)
    return case_create(
        institution=world.hospital_a,
        period=period,
        setl_id=f"S{year}{n:04d}",
        medfee_sumamt=cost,
        fund_pay_sumamt=cost * D("0.7"),
        hifp_pay=cost * D("0.7"),
        psn_part_amt=cost * D("0.3"),
        **fields,
    )


@pytest.fixture
def drg_history(world):
    """E7 in 2024: a PCI at 30,000 and four pneumonias at 5,000 (all-case mean 10,000), an ungroupable case,
    and a chronic outpatient settlement the DRG build must ignore; the demo rule set published for 2025."""
    Procedure.objects.create(
        code="36.0601", name="冠状动脉药物洗脱支架置入术", treatment_type=TreatmentType.SURGICAL
    )
    settled(world, 2024, 1, "30000", maindiag_code="I21.000", main_oprn_oprt_code="36.0601")
    for n in range(4):
        settled(world, 2024, 10 + n, "5000", maindiag_code="J18.900")
    settled(world, 2024, 99, "900000", maindiag_code="BAD")
    settled(world, 2024, 98, "777", med_type="14", opsp_dise_code="M03900", maindiag_code="I10.x00")
    drg_rule_services.drg_rule_set_seed(
        officer=world.officer, admin=world.bureau_admin, region=world.region, year=2025
    )
    return world


@pytest.fixture
def apg_history(world):
    """Spec E8 as chronic outpatient settlements (med_type 14), and an inpatient case the APG build must ignore."""
    Diagnosis.objects.create(code="I10.x00", name="原发性高血压", category="I10")
    rows = (
        [(2023, "M03900", "1200")] * 4
        + [(2023, "M01600", "100")] * 7
        + [(2024, "M03900", "1300")]
        + [(2024, "M01600", "260")] * 3
    )
    for n, (year, disease, cost) in enumerate(rows):
        settled(
            world,
            year,
            n,
            cost,
            med_type="14",
            opsp_dise_code=disease,
            maindiag_code="I10.x00",
            psn_no=f"P{n}",
        )
    settled(world, 2024, 500, "99999", maindiag_code="J18.900")
    return world


def a_version(world, kind: str) -> CatalogVersion:
    return services.version_create(actor=world.officer, region=world.region, year=2025, kind=kind)


def submitted(world, version):
    services.version_submit(actor=world.officer, version=version)
    return version


def test_the_drg_build_weighs_groups_from_the_published_rule_set_and_keeps_that_set(drg_history):
    world = drg_history
    version = a_version(world, CatalogKind.DRG)
    summary = version_build.catalog_build_drg(actor=world.officer, version=version, years=[2024])
    scores = dict(version.groups.values_list("code", "score"))
    assert scores == {"FM15": D("300.0000"), "ES25": D("50.0000")}
    assert (summary["cases"], summary["ungroupable"], summary["base_mean"], summary["scale"]) == (
        5,
        1,
        "10000.00",
        "100",
    )
    assert (
        summary["base_mean_exact"] == "10000"
    )  # M exactly (a fraction p/q when it is not a whole number)
    version.refresh_from_db()
    assert version.drg_rule_set.status == CatalogStatus.PUBLISHED and version.build_params[
        "years"
    ] == [2024]
    event = AuditEvent.objects.get(action="catalog_build_drg")
    assert event.after["build_summary"]["groups"] == 2 and event.after["drg_rule_set"] == str(
        version.drg_rule_set
    )


def test_the_drg_build_needs_a_published_rule_set_and_a_drg_draft(world):
    version = a_version(world, CatalogKind.DRG)
    with pytest.raises(ValidationError, match="测试统筹区2025年没有已发布的DRG分组规则"):
        version_build.catalog_build_drg(actor=world.officer, version=version, years=[2024])
    with pytest.raises(ValidationError, match="该目录版本不是APG门诊病组目录"):
        version_build.catalog_build_apg(actor=world.officer, version=version, years=[2023, 2024])


def test_drg_golden_cases_run_the_drg_grouper_at_publishing(drg_history):
    world = drg_history
    version = a_version(world, CatalogKind.DRG)
    version_build.catalog_build_drg(actor=world.officer, version=version, years=[2024])
    pci = {"maindiag_code": "I21.000", "main_oprn_oprt_code": "36.0601"}
    services.golden_case_add(
        actor=world.officer,
        version=version,
        label="支架",
        case=pci,
        expected_code="FM15",
        expected_score=D("300"),
    )
    services.golden_case_add(
        actor=world.officer,
        version=version,
        label="支架伴心衰",
        case={**pci, "otherdiag_codes": "I50.000"},
        expected_code="FM15",
        expected_score=D("300"),
    )
    submitted(world, version)
    with pytest.raises(ValidationError) as refused:
        services.version_publish(actor=world.bureau_admin, version=version)
    assert refused.value.messages == [
        "标准病例校验未通过，不能发布：「支架伴心衰」预期 FM15（300.0000），实际 FM11（无此病种）"
    ]
    services.version_return(
        actor=world.bureau_admin, version=version, reason="心衰病例改为不能入组的预期"
    )
    version.golden_cases.filter(label="支架伴心衰").delete()
    submitted(world, version)
    assert (
        services.version_publish(actor=world.bureau_admin, version=version).status
        == CatalogStatus.PUBLISHED
    )


def test_the_apg_build_gives_e8_points_and_runs_as_a_job(apg_history):
    world = apg_history
    version = a_version(world, CatalogKind.APG)
    job = job_start(
        actor=world.officer,
        kind="catalog_build_apg",
        key=f"apg:{version.pk}",
        dispatch=False,
        params={
            "version_id": version.pk,
            "years": [2023, 2024],
            "params": {"scale": "100", "unit": "settlement"},
        },
    )
    job_run(job_id=job.pk)
    assert Job.objects.get(pk=job.pk).summary["groups"] == 2
    group = version.groups.get(code="M03900-M")
    assert (group.score, group.mean_cost, group.name, group.case_counts) == (
        D("248.0620"),
        D("1280.00"),
        "M03900：药物治疗",
        {"2023": 4, "2024": 1},
    )
    assert version.groups.get(code="M01600-M").score == D(
        "44.1860"
    )  # (0.2 x 100 + 0.8 x 260) / 516 x 100 = 228 / 516 x 100
    services.golden_case_add(
        actor=world.officer,
        version=version,
        label="高血压药物治疗",
        case={"opsp_dise_code": "M03900"},
        expected_code="M03900-M",
        expected_score=D("248.0620"),
    )
    services.golden_case_add(
        actor=world.officer,
        version=version,
        label="无慢特病病种按主诊断",
        case={"maindiag_code": "I10.x00"},
        expected_code="I10.x00-M",
        expected_score=D("1"),
    )
    submitted(world, version)
    with pytest.raises(
        ValidationError,
        match="「无慢特病病种按主诊断」预期 I10.x00-M（1.0000），实际 I10.x00-M（无此病种）",
    ):
        services.version_publish(actor=world.bureau_admin, version=version)


def test_the_build_form_of_a_drg_or_apg_draft_starts_its_own_job(world, client_for):
    client = client_for(world.officer)
    for kind, data in [
        (CatalogKind.DRG, {"years": "2023,2024", "scale": "100"}),
        (CatalogKind.APG, {"years": "2023,2024", "scale": "100", "unit": "patient_month"}),
    ]:
        version = a_version(world, kind)
        page = client.get(reverse("catalogs:version_detail", args=[version.pk]))
        assert page.context["build_form"].initial == {"years": "2023,2024"}
        response = client.post(reverse("catalogs:version_build", args=[version.pk]), data)
        job = Job.objects.get(kind=f"catalog_build_{kind.lower()}")
        assert response.url == reverse("jobs:job_detail", args=[job.pk])
        assert job.params["params"] == {key: value for key, value in data.items() if key != "years"}
        version.delete()


# --- DIP: TCM and day-surgery flags --------------------------------------------------------------


@pytest.fixture
def dip_history(world):
    Procedure.objects.create(
        code="36.0601", name="冠状动脉药物洗脱支架置入术", treatment_type=TreatmentType.SURGICAL
    )
    for n in range(15):
        settled(world, 2024, n, "30000", maindiag_code="I21.000", main_oprn_oprt_code="36.0601")
        settled(world, 2024, 100 + n, "5000", maindiag_code="J18.900")
    settled(world, 2024, 900, "8000", maindiag_code="M54.500")  # a comprehensive group (M54-M)
    return world


def test_the_dip_build_flags_tcm_and_day_surgery_groups_from_its_lists(dip_history):
    world = dip_history
    version = a_version(world, CatalogKind.DIP)
    params = {"tcm_codes": ["J18", "M54-M"], "day_surgery_codes": ["36.0601"]}
    summary = version_build.catalog_build_dip(
        actor=world.officer, version=version, years=[2024], params=params
    )
    flags = {g.code: (g.is_tcm, g.is_day_surgery) for g in version.groups.all()}
    assert flags == {
        "I21.000+36.0601": (False, True),
        "J18.900": (True, False),
        "M54-M": (True, False),
    }
    assert (summary["tcm_groups"], summary["day_surgery_groups"]) == (2, 1)
    assert CatalogVersion.objects.get(pk=version.pk).build_params["tcm_codes"] == ["J18", "M54-M"]


def test_an_officer_corrects_the_flags_with_an_audited_reason_on_drafts_only(
    dip_history, client_for
):
    world = dip_history
    version = a_version(world, CatalogKind.DIP)
    version_build.catalog_build_dip(actor=world.officer, version=version, years=[2024])
    group = version.groups.get(code="J18.900")
    client = client_for(world.officer)
    client.post(
        reverse("catalogs:group_flags_edit", args=[group.pk]),
        {"is_tcm": "on", "reason": "列入本地中医优势病种"},
    )
    group.refresh_from_db()
    assert (group.is_tcm, group.is_day_surgery, group.is_grassroots) == (True, False, False)
    event = AuditEvent.objects.get(action="catalog_group_flags_edit")
    assert (event.before["is_tcm"], event.after["is_tcm"], event.message) == (
        False,
        True,
        "列入本地中医优势病种",
    )
    assert (
        client_for(world.user_a)
        .post(reverse("catalogs:group_flags_edit", args=[group.pk]), {"reason": "x"})
        .status_code
        == 403
    )
    submitted(world, version)
    with pytest.raises(ValidationError, match="不能修改"):
        services.group_flags_edit(
            actor=world.officer, group=group, flags={"is_tcm": False}, reason="撤销"
        )
