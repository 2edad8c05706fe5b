"""The catalog workflow: build a DIP version from case history, edit scores (audited), golden cases,
submit, four-eyes publishing, immutability, copies and diffs, and the build as a background job."""

from __future__ import annotations

from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from catalogs.choices import CatalogKind, CatalogStatus, GroupType, TreatmentType
from catalogs.dictionaries.models import Diagnosis, Procedure
from catalogs.models import Institution, Region
from catalogs.versions import build as version_build
from catalogs.versions import selectors, services
from catalogs.versions.models import CatalogVersion
from jobs.services import job_run, job_start
from settlement.models import SettlementPeriod
from tests.world import case_create

pytestmark = pytest.mark.django_db

PCI = "I21.000+36.0601"
E2_DISEASE = {2022: 14000, 2023: 14500, 2024: 15000}
E2_FILLER = {2022: 4000, 2023: 4500, 2024: 5000}  # all-case means 9,000 / 9,500 / 10,000


def a_case(world, period, n: int, cost, *, institution=None, **fields):
    cost = D(cost)
    return case_create(
        institution=institution or world.hospital_a,
        period=period,
        setl_id=f"S{period.year}{n:05d}",
        medfee_sumamt=cost,
        fund_pay_sumamt=cost * D("0.7"),
        hifp_pay=cost * D("0.7"),
        psn_part_amt=cost * D("0.3"),
        **fields,
    )


def period_of(world, year: int) -> SettlementPeriod:
    return SettlementPeriod.objects.get_or_create(region=world.region, year=year, month=3)[0]


@pytest.fixture
def history(world):
    """E2 as settled cases: PCI for myocardial infarction at hospital A, pneumonia at hospital B,
    15 of each a year; one stent for another infarction in 2024 at that year's all-case mean (a
    comprehensive disease that leaves the means alone); plus an outpatient case and another region's
    case the build must ignore."""
    Diagnosis.objects.create(code="I21.000", name="急性ST段抬高型心肌梗死", category="I21")
    Diagnosis.objects.create(code="J18.900", name="肺炎", category="J18")
    Procedure.objects.create(
        code="36.0601", name="冠状动脉药物洗脱支架置入术", treatment_type=TreatmentType.SURGICAL
    )
    for year in E2_DISEASE:
        period = period_of(world, year)
        for i in range(15):
            a_case(
                world,
                period,
                i,
                E2_DISEASE[year],
                maindiag_code="I21.000",
                main_oprn_oprt_code="36.0601",
            )
            a_case(
                world,
                period,
                100 + i,
                E2_FILLER[year],
                institution=world.hospital_b,
                maindiag_code="J18.900",
            )
        a_case(world, period, 999, 100000, med_type="11", maindiag_code="I21.000")
    a_case(
        world,
        period_of(world, 2024),
        500,
        10000,
        maindiag_code="I21.900",
        main_oprn_oprt_code="36.0601",
    )
    other = Region.objects.create(code="370900", name="另一统筹区")
    stranger = Institution.objects.create(
        region=other, code="H37090200001", name="外地医院", level="3A", type="general"
    )
    a_case(
        world,
        SettlementPeriod.objects.create(region=other, year=2024, month=3),
        1,
        900000,
        institution=stranger,
    )
    return world


@pytest.fixture
def built(history):
    version = services.version_create(actor=history.officer, region=history.region, year=2025)
    version_build.catalog_build_dip(
        actor=history.officer, version=version, years=[2022, 2023, 2024]
    )
    return version


def actions_for(instance) -> list[str]:
    events = AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).order_by("pk")
    return list(events.values_list("action", flat=True))


def submitted(version: CatalogVersion, actor) -> CatalogVersion:
    return services.version_submit(actor=actor, version=version)


# --- building -------------------------------------------------------------------------------------


def test_building_from_cases_writes_the_e2_scores(history):
    version = services.version_create(actor=history.officer, region=history.region, year=2025)
    reports = []
    summary = version_build.catalog_build_dip(
        actor=history.officer,
        version=version,
        years=[2022, 2023, 2024],
        progress=lambda percent, message: reports.append(percent),
    )
    groups = {g.code: g for g in version.groups.all()}
    assert set(groups) == {PCI, "J18.900", "I21-S"}
    pci = groups[PCI]
    assert (pci.score, pci.mean_cost, pci.group_type, pci.treatment_type) == (
        D("1510.2041"),
        D("14800.00"),
        GroupType.CORE,
        "surgical",
    )
    assert pci.name == "急性ST段抬高型心肌梗死：冠状动脉药物洗脱支架置入术"
    assert pci.case_counts == {"2022": 15, "2023": 15, "2024": 15} and pci.level_means == {
        "3A": "14800.00"
    }
    assert (groups["J18.900"].score, groups["J18.900"].name) == (D("489.7959"), "肺炎：保守治疗")
    assert (groups["I21-S"].score, groups["I21-S"].group_type, groups["I21-S"].diag_code) == (
        D("1020.4082"),
        "comprehensive",
        "I21",
    )
    assert (
        summary["cases"] == 91
        and summary["base_mean"] == "9800.00"
        and summary["weights"] == {"2022": 1, "2023": 2, "2024": 7}
    )
    assert reports[-1] == 100 and reports == sorted(reports)
    version.refresh_from_db()
    assert (
        version.build_params["years"] == [2022, 2023, 2024]
        and version.build_params["core_threshold"] == 15
    )
    assert actions_for(version) == ["catalog_version_create", "catalog_build_dip"]


def test_a_rebuild_with_other_parameters_replaces_the_groups(built, history):
    version_build.catalog_build_dip(
        actor=history.officer, version=built, years=[2023, 2024], params={"scale": "100"}
    )
    groups = dict(built.groups.values_list("code", "score"))
    # 2:8 over 2023/2024: m = 14,900, M = 9,900 -> 14,900 / 9,900 x 100
    assert groups == {PCI: D("150.5051"), "J18.900": D("49.4949"), "I21-S": D("101.0101")}


def test_typing_subtypes_are_stored_with_their_coefficients(world):
    period = period_of(world, 2024)
    for i in range(15):
        a_case(world, period, i, 2000, maindiag_code="K35.800")
    for i in range(5):
        a_case(world, period, 50 + i, 12000, maindiag_code="K35.800", dscg_way="5")
    version = services.version_create(actor=world.officer, region=world.region, year=2025)
    version_build.catalog_build_dip(actor=world.officer, version=version, years=[2024])
    group = version.groups.get(code="K35.800")
    assert list(group.subtypes.values_list("dimension", "key", "cases", "coefficient")) == [
        ("death", "alive", 15, D("0.4444")),
        ("death", "death", 5, D("2.6667")),
    ]  # 2,000 / 4,500 and 12,000 / 4,500


def test_a_build_without_cases_is_refused_in_chinese(world):
    version = services.version_create(actor=world.officer, region=world.region, year=2025)
    with pytest.raises(ValidationError, match="没有可用于测算的病例"):
        version_build.catalog_build_dip(actor=world.officer, version=version, years=[2019])
    assert not version.groups.exists()


def test_only_a_dip_draft_is_built_as_dip(built, history):
    drg = services.version_create(
        actor=history.officer, region=history.region, year=2025, kind=CatalogKind.DRG
    )
    with pytest.raises(ValidationError, match="该目录版本不是DIP病种目录"):
        version_build.catalog_build_dip(actor=history.officer, version=drg, years=[2024])
    submitted(built, history.officer)
    with pytest.raises(ValidationError, match="不能修改"):
        version_build.catalog_build_dip(actor=history.officer, version=built, years=[2024])


# --- editing --------------------------------------------------------------------------------------


def test_a_score_edit_needs_a_reason_and_is_audited(built, history):
    group = built.groups.get(code=PCI)
    with pytest.raises(ValidationError, match="请填写原因"):
        services.group_score_edit(actor=history.officer, group=group, score=D("1600"), reason=" ")
    services.group_score_edit(
        actor=history.officer, group=group, score=D("1600.0000"), reason="专家论证后上调"
    )
    group.refresh_from_db()
    event = AuditEvent.objects.get(action="catalog_group_score_edit")
    assert group.score == D("1600.0000")
    assert (event.before["score"], event.after["score"]) == ("1510.2041", "1600.0000")
    assert (event.message, event.actor) == ("专家论证后上调", history.officer)


def test_a_negative_score_is_refused(built, history):
    with pytest.raises(ValidationError):
        services.group_score_edit(
            actor=history.officer, group=built.groups.get(code=PCI), score=D("-1"), reason="错误"
        )


# --- workflow -------------------------------------------------------------------------------------


def test_the_submitter_cannot_publish(built, history):
    submitted(built, history.officer)
    with pytest.raises(ValidationError, match="审核发布人不能是提交人"):
        services.version_publish(actor=history.officer, version=built)
    services.version_publish(actor=history.bureau_admin, version=built)
    built.refresh_from_db()
    assert (built.status, built.approved_by) == (CatalogStatus.PUBLISHED, history.bureau_admin)
    assert actions_for(built)[-2:] == ["catalog_version_submit", "catalog_version_publish"]


def test_the_database_refuses_self_approval_too(built, history):
    submitted(built, history.officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        CatalogVersion.objects.filter(pk=built.pk).update(
            status=CatalogStatus.PUBLISHED, approved_by=history.officer
        )


def test_a_system_actor_cannot_submit_so_four_eyes_always_name_two_users(built):
    with pytest.raises(ValidationError, match="不能由系统任务提交"):
        services.version_submit(actor="manage.py catalog_build", version=built)


def test_an_empty_draft_cannot_be_submitted(world):
    version = services.version_create(actor=world.officer, region=world.region, year=2025)
    with pytest.raises(ValidationError, match="还没有病种"):
        submitted(version, world.officer)


def test_publishing_is_refused_while_a_golden_case_fails(built, history):
    stemi = {"maindiag_code": "I21.000", "main_oprn_oprt_code": "36.0601"}
    services.golden_case_add(
        actor=history.officer,
        version=built,
        label="STEMI支架",
        case=stemi,
        expected_code=PCI,
        expected_score=D("1510.2041"),
    )
    services.golden_case_add(
        actor=history.officer,
        version=built,
        label="肺炎",
        case={"maindiag_code": "J18.900"},
        expected_code="J18.900",
        expected_score=D("500.0000"),
    )
    services.golden_case_add(
        actor=history.officer,
        version=built,
        label="其他心梗支架",
        case={"maindiag_code": "I21.900", "main_oprn_oprt_code": "36.0601"},
        expected_code="I21-S",
        expected_score=D("1020.4082"),
    )
    services.golden_case_add(
        actor=history.officer,
        version=built,
        label="阑尾炎",
        case={"maindiag_code": "K35.800"},
        expected_code="K35-M",
        expected_score=D("1000"),
    )
    submitted(built, history.officer)
    with pytest.raises(ValidationError) as refused:
        services.version_publish(actor=history.bureau_admin, version=built)
    message = refused.value.messages[0]
    assert message.startswith("标准病例校验未通过，不能发布")
    assert "「肺炎」预期 J18.900（500.0000），实际 J18.900（489.7959）" in message
    assert "「阑尾炎」预期 K35-M（1000.0000），实际 不能入组（无此病种）" in message
    assert "STEMI" not in message and "其他心梗支架" not in message
    built.refresh_from_db()
    assert built.status == CatalogStatus.SUBMITTED


def test_a_returned_version_can_be_fixed_and_published(built, history):
    services.golden_case_add(
        actor=history.officer,
        version=built,
        label="肺炎",
        case={"maindiag_code": "J18.900"},
        expected_code="J18.900",
        expected_score=D("500.0000"),
    )
    submitted(built, history.officer)
    services.version_return(actor=history.bureau_admin, version=built, reason="肺炎分值需论证")
    services.group_score_edit(
        actor=history.officer,
        group=built.groups.get(code="J18.900"),
        score=D("500"),
        reason="论证结果",
    )
    submitted(built, history.officer)
    assert (
        services.version_publish(actor=history.bureau_admin, version=built).status
        == CatalogStatus.PUBLISHED
    )


def test_a_published_version_is_immutable(built, history):
    submitted(built, history.officer)
    services.version_publish(actor=history.bureau_admin, version=built)
    group = built.groups.get(code=PCI)
    with pytest.raises(ValidationError, match="不能修改"):
        services.group_score_edit(
            actor=history.officer, group=group, score=D("1"), reason="试图修改"
        )
    with pytest.raises(ValidationError, match="不能修改"):
        services.golden_case_add(
            actor=history.officer,
            version=built,
            label="x",
            case={},
            expected_code=PCI,
            expected_score=D("1"),
        )
    with pytest.raises(ValidationError, match="只有待审核"):
        services.version_publish(actor=history.bureau_admin, version=built)
    group.score = D("1")
    with pytest.raises(ValidationError, match="不能修改"):
        group.full_clean()  # the admin and any form refuse it too
    assert built.groups.get(code=PCI).score == D("1510.2041")


def test_one_open_version_per_series(built, history):
    with pytest.raises(ValidationError, match="已有未发布的第1版"):
        services.version_create(actor=history.officer, region=history.region, year=2025)
    assert (
        services.version_create(actor=history.officer, region=history.region, year=2026).version
        == 1
    )


def test_a_copy_of_a_published_version_publishes_as_the_next_and_retires_it(built, history):
    submitted(built, history.officer)
    services.version_publish(actor=history.bureau_admin, version=built)
    copy = services.version_copy(actor=history.officer, version=built)
    built.refresh_from_db()
    assert (copy.version, copy.status, copy.based_on, copy.build_params) == (
        2,
        CatalogStatus.DRAFT,
        built,
        built.build_params,
    )
    services.group_score_edit(
        actor=history.officer, group=copy.groups.get(code=PCI), score=D("1520"), reason="调整"
    )
    diff = selectors.version_diff(old=built, new=copy)
    assert (diff.added, diff.removed, [(c.code, c.delta) for c in diff.changed]) == (
        (),
        (),
        [(PCI, D("9.7959"))],
    )
    submitted(copy, history.officer)
    services.version_publish(actor=history.bureau_admin, version=copy)
    built.refresh_from_db()
    assert (built.status, built.retired_at is not None) == (CatalogStatus.RETIRED, True)
    assert actions_for(built)[-1] == "catalog_version_retire"


def test_a_copy_carries_subtypes_and_golden_cases(world):
    period = period_of(world, 2024)
    for i in range(20):
        a_case(
            world,
            period,
            i,
            2000 if i < 15 else 12000,
            maindiag_code="K35.800",
            dscg_way="5" if i >= 15 else "1",
        )
    a_case(
        world, period, 99, 4500, maindiag_code="K35.100"
    )  # comprehensive K35-M, at the mean of all cases
    version = services.version_create(actor=world.officer, region=world.region, year=2025)
    version_build.catalog_build_dip(actor=world.officer, version=version, years=[2024])
    services.golden_case_add(
        actor=world.officer,
        version=version,
        label="阑尾炎",
        case={"maindiag_code": "K35.800"},
        expected_code="K35.800",
        expected_score=D("1000.0000"),
    )
    submitted(version, world.officer)
    copy = services.version_copy(actor=world.officer, version=version, year=2026)
    group = copy.groups.get(code="K35.800")
    assert (copy.year, group.subtypes.count(), copy.golden_cases.count()) == (2026, 2, 1)
    assert services.golden_failures(copy) == []


# --- the job --------------------------------------------------------------------------------------


def test_the_build_runs_as_a_job(history):
    version = services.version_create(actor=history.officer, region=history.region, year=2025)
    job = job_start(
        actor=history.officer,
        kind="catalog_build_dip",
        key=f"catalog:{version.pk}",
        params={"version_id": version.pk, "years": [2022, 2023, 2024]},
        dispatch=False,
    )
    job = job_run(job_id=job.pk)
    assert (job.status, job.progress, job.summary["groups"]) == ("succeeded", 100, 3)
    assert version.groups.get(code=PCI).score == D("1510.2041")


# --- the command ----------------------------------------------------------------------------------


def test_the_command_builds_a_draft_and_prints_a_summary(history):
    out = StringIO()
    call_command("catalog_build", history.region.code, "2025", "--param", "scale=100", stdout=out)
    version = CatalogVersion.objects.get(region=history.region, year=2025)
    assert version.groups.get(code=PCI).score == D("151.0204")
    assert "已测算 91 例病例" in out.getvalue() and "[100%]" in out.getvalue()
    assert f"草稿目录 draft #{version.pk}" in out.getvalue()
    assert f"/catalogs/versions/{version.pk}/" in out.getvalue()


def test_the_command_names_a_bad_input(history):
    with pytest.raises(CommandError, match="没有可用于测算的病例"):
        call_command(
            "catalog_build", history.region.code, "2025", "--history", "2010", stdout=StringIO()
        )
    with pytest.raises(CommandError, match="统筹区 999999 不存在"):
        call_command("catalog_build", "999999", "2025", stdout=StringIO())
