"""period_group: one result per case and version, the expected group and trace on a hand-built catalog,
regrouping replaces, the refusals, the audit event, the job and the command; the COPY path on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal as D
from io import StringIO

import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEvent
from catalogs.choices import CatalogKind, CatalogStatus
from catalogs.drg import grouper as drg_grouper
from catalogs.drg.grouper import drg_group, drg_rules_load
from catalogs.drg.models import DrgAdrg
from catalogs.drg.services import drg_rule_set_seed
from catalogs.versions.models import CatalogGroup, CatalogVersion, GroupSubtype
from jobs.choices import JobStatus
from jobs.models import Job
from jobs.services import job_run
from settlement.grouping import bulk, domain, selectors, services
from settlement.grouping.models import CaseGroup
from settlement.models import CaseRecord
from tests.conftest import postgres_only
from tests.settlement.grouping.conftest import CASES, dip_version
from tests.world import case_create

pytestmark = pytest.mark.django_db


def group(world, **options) -> dict:
    return services.period_group(
        actor=world.officer, region=world.region, year=2024, **{"month": 3, **options}
    )


def results(version=None) -> dict[str, CaseGroup]:
    rows = CaseGroup.objects.select_related("case")
    return {row.case.setl_id: row for row in (rows.filter(version=version) if version else rows)}


def test_every_inpatient_case_of_the_month_gets_one_result_with_its_expected_group_and_trace(
    world, period_cases, catalog
):
    summary = group(world)
    found = results()
    assert set(found) == set(CASES)  # not the outpatient case, not April's
    assert {setl_id: (row.group_code, row.trace) for setl_id, row in found.items()} == {
        setl_id: (code, trace) for setl_id, (_, code, trace) in CASES.items()
    }
    assert all(
        row.version == catalog and row.kind == CatalogKind.DIP and row.period == world.period
        for row in found.values()
    )
    assert (found["S4"].group_type, found["S4"].treatment_type) == ("comprehensive", "surgical")
    assert summary["cases"] == 6 and summary["replaced"] == 0 and summary["ungroupable"] == 2


def test_the_typing_coefficient_is_stored_only_where_a_subtype_applies(
    world, period_cases, catalog
):
    group(world)
    found = results()
    assert (found["S1"].subtype, found["S1"].typing_coefficient) == ("age=65+", D("1.2000"))
    assert (found["S2"].subtype, found["S2"].typing_coefficient) == (
        "",
        None,
    )  # 18-64: the reference band
    assert found["S4"].typing_coefficient is None


def test_an_ungroupable_case_keeps_a_blank_group_and_the_reason_in_chinese(
    world, period_cases, catalog
):
    group(world)
    found = results()
    assert (
        found["S5"].group_code == ""
        and found["S5"].trace_text == "不能入组：该诊断类目无对应治疗方式的综合病种"
    )
    assert found["S6"].trace_text == "不能入组：主要诊断编码无效"


def test_regrouping_replaces_the_results_of_the_same_version(world, period_cases, catalog):
    group(world)
    first_written = max(CaseGroup.objects.values_list("grouped_at", flat=True))
    case = period_cases["S5"]
    case.maindiag_code = "I21.900"  # corrected: now a medical I21 case
    case.save(update_fields=["maindiag_code"])
    summary = group(world)
    assert summary["replaced"] == 6 and CaseGroup.objects.count() == 6
    assert (
        min(CaseGroup.objects.values_list("grouped_at", flat=True)) > first_written
    )  # every row written afresh
    assert (results()["S5"].group_code, results()["S5"].trace) == ("I21-M", "comprehensive")


def test_a_new_version_adds_its_own_results_beside_the_older_versions(world, period_cases, catalog):
    group(world)
    CatalogVersion.objects.filter(pk=catalog.pk).update(status=CatalogStatus.RETIRED)
    second = dip_version(world, version=2)
    group(world)
    assert (
        CaseGroup.objects.filter(version=catalog).count() == 6
        and CaseGroup.objects.filter(version=second).count() == 6
    )


def test_the_whole_year_groups_every_month_and_a_scheme_only_its_cases(
    world, period_cases, catalog
):
    case_create(
        institution=world.hospital_a,
        period=world.period,
        setl_id="R1",
        insutype="390",
        maindiag_code="J18.900",
    )
    assert group(world, month=None)["cases"] == 8  # March's 7 inpatient cases and April's one
    assert "APR" in results()
    summary = group(world, scheme="390")
    assert (summary["cases"], summary["replaced"]) == (1, 1) and CaseGroup.objects.count() == 8


def test_without_a_published_version_grouping_is_refused_in_chinese(world, period_cases):
    dip_version(world, status=CatalogStatus.DRAFT)
    with pytest.raises(ValidationError) as refused:
        group(world)
    assert refused.value.messages == [
        "测试统筹区2024年没有已发布的DIP病种目录，无法分组。请先审核发布该年度的目录版本。"
    ]
    assert not CaseGroup.objects.exists()


def test_a_version_of_another_year_or_a_draft_is_refused(world, period_cases, catalog):
    with pytest.raises(ValidationError, match="不属于测试统筹区2024年"):
        group(world, version=dip_version(world, year=2025))
    draft = CatalogVersion.objects.create(
        region=world.region, kind=CatalogKind.DRG, year=2024, status=CatalogStatus.DRAFT
    )
    with pytest.raises(ValidationError, match="只能按已发布"):
        group(world, version=draft)


def test_one_audit_event_records_the_counts_per_trace(world, period_cases, catalog):
    group(world)
    event = AuditEvent.objects.get(action="case_group")
    assert event.object_id == str(catalog.pk) and event.actor == world.officer
    assert event.after["traces"] == {
        "core": 2,
        "core_conservative": 1,
        "comprehensive": 1,
        "no_comprehensive": 1,
        "invalid_diagnosis": 1,
    }
    assert "不能入组2条" in event.message


def drg_version(world, codes, **fields) -> CatalogVersion:
    version = CatalogVersion.objects.create(
        region=world.region,
        kind=CatalogKind.DRG,
        year=2024,
        status=CatalogStatus.PUBLISHED,
        **fields,
    )
    CatalogGroup.objects.bulk_create(
        CatalogGroup(version=version, code=code, group_type="drg", score=D("100")) for code in codes
    )
    return version


def test_drg_groups_each_case_with_the_published_rule_set_and_a_drg_outside_the_catalog_is_ungroupable(
    world, period_cases
):
    drg_rule_set_seed(
        officer=world.officer, admin=world.bureau_admin, region=world.region, year=2024
    )
    frame = pd.DataFrame(
        [
            {
                "maindiag_code": CASES[s][0]["maindiag_code"],
                "main_oprn_oprt_code": CASES[s][0].get("main_oprn_oprt_code", ""),
                "otherdiag_codes": "",
            }
            for s in CASES
        ]
    )
    expected = drg_group(frame, drg_rules_load(), {"36.0601": "surgical", "00.6600": "surgical"})
    codes = expected["drg_code"].astype(str).tolist()
    version = drg_version(
        world, set(codes) - {"", codes[2]}
    )  # S3's DRG has no weight in this catalog
    summary = group(world, kind=CatalogKind.DRG)
    found = results(version)
    assert [found[s].group_code for s in CASES] == [
        code if n != 2 else "" for n, code in enumerate(codes)
    ]
    assert [found[s].trace for s in CASES] == [
        t if n != 2 else "not_in_catalog" for n, t in enumerate(expected["trace"].astype(str))
    ]
    assert found["S3"].trace_text == "不能入组：目录中无此病组（历史数据中没有该病组，未测算点数）"
    assert summary["ungroupable"] == sum(1 for code in codes if not code) + 1
    assert all(row.kind == CatalogKind.DRG for row in found.values())


def test_drg_grouping_reads_the_sex_and_a_newborns_age_and_weight_from_the_case(
    world, period_cases
):
    drg_rule_set_seed(
        officer=world.officer, admin=world.bureau_admin, region=world.region, year=2024
    )
    frame = pd.DataFrame(
        [{"maindiag_code": "I21.000", "main_oprn_oprt_code": "36.0601", "otherdiag_codes": ""}]
    )
    version = drg_version(
        world,
        set(drg_group(frame, drg_rules_load(), {"36.0601": "surgical"})["drg_code"].astype(str)),
    )
    CaseRecord.objects.filter(setl_id="S1").update(gend="9")
    CaseRecord.objects.filter(setl_id="S2").update(
        age=0, nwb_age=5, nwb_bir_wt=None, nwb_adm_wt=None
    )
    group(world, kind=CatalogKind.DRG)
    found = results(version)
    assert (found["S1"].trace, found["S1"].group_code) == (drg_grouper.TRACE_INVALID_SEX, "")
    assert (found["S2"].trace, found["S2"].group_code) == (drg_grouper.TRACE_NO_NEWBORN_WEIGHT, "")
    CaseRecord.objects.filter(setl_id="S2").update(nwb_bir_wt=3200)
    group(world, kind=CatalogKind.DRG)
    assert results(version)["S2"].group_code != ""


def test_drg_grouping_follows_the_rules_in_the_database_not_the_demo_files(world, period_cases):
    """The version's own rule set is read from the database: there its pneumonia ADRG (ES2) has lost J18."""
    pinned = drg_rule_set_seed(
        officer=world.officer, admin=world.bureau_admin, region=world.region, year=2024
    )
    DrgAdrg.objects.filter(rule_set=pinned, adrg="ES2").update(diag_codes="J15;J12;J10;J20;J21;J86")
    version = drg_version(world, ["FM15", "ES25"], drg_rule_set=pinned)
    group(world, kind=CatalogKind.DRG)
    found = results(version)
    assert (found["S3"].group_code, found["S3"].trace) == ("", "no_adrg")
    assert found["S1"].group_code == "FM15"


def test_drg_grouping_without_a_published_rule_set_is_refused(world, period_cases):
    CatalogVersion.objects.create(
        region=world.region, kind=CatalogKind.DRG, year=2024, status=CatalogStatus.PUBLISHED
    )
    with pytest.raises(ValidationError) as refused:
        group(world, kind=CatalogKind.DRG)
    assert refused.value.messages == [
        "测试统筹区2024年没有已发布的DRG分组规则，无法按DRG分组。请先导入并审核发布分组规则。"
    ]


def test_the_job_groups_the_period_as_its_starter(world, period_cases, catalog):
    job = services.case_group_start(
        actor=world.officer, region=world.region, year=2024, month=3, dispatch=False
    )
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.summary["cases"] == 6
    assert (
        CaseGroup.objects.count() == 6
        and AuditEvent.objects.get(action="case_group").actor == world.officer
    )


def test_the_job_is_refused_at_once_without_a_version_in_force(world, period_cases):
    with pytest.raises(ValidationError, match="没有已发布的DIP病种目录"):
        services.case_group_start(actor=world.officer, region=world.region, year=2024)
    assert not Job.objects.exists()


def test_the_command_groups_a_month_and_prints_the_traces(world, period_cases, catalog):
    out = StringIO()
    call_command("case_group", world.region.code, "2024", "--month", "3", stdout=out)
    assert "6 条结算清单已分组" in out.getvalue() and "no_comprehensive: 1" in out.getvalue()
    assert CaseGroup.objects.count() == 6 and Job.objects.get().kind == "case_group"


def test_the_command_refuses_an_unknown_region_and_a_missing_version(world, period_cases):
    with pytest.raises(CommandError, match="统筹区不存在"):
        call_command("case_group", "999999", "2024")
    with pytest.raises(CommandError, match="没有已发布的DRG病组目录"):
        call_command("case_group", world.region.code, "2024", "--kind", "DRG")


@pytest.mark.postgres
def test_on_postgresql_the_results_are_written_with_copy(world, period_cases, catalog, monkeypatch):
    postgres_only(connection)
    copied = []

    def recorded(cursor, chunks, table):
        chunks = list(chunks)
        copied.append(sum(len(chunk) for chunk in chunks))
        real_copy(cursor, iter(chunks), table)

    real_copy = bulk._postgres_copy
    monkeypatch.setattr(bulk, "_postgres_copy", recorded)
    group(world)
    found = results()
    assert {setl_id: (row.group_code, row.trace) for setl_id, row in found.items()} == {
        setl_id: (code, trace) for setl_id, (_, code, trace) in CASES.items()
    }
    assert (
        found["S5"].group_code == ""
        and found["S2"].typing_coefficient is None
        and found["S1"].typing_coefficient == D("1.2")
    )
    assert found["S1"].grouped_at is not None
    group(world)  # the same rows again: replaced, so the unique key holds
    assert copied == [6, 6] and CaseGroup.objects.count() == 6


def test_apg_groups_only_the_outpatient_chronic_cases_and_a_group_outside_the_catalog_is_ungroupable(
    world, period_cases
):
    version = CatalogVersion.objects.create(
        region=world.region, kind=CatalogKind.APG, year=2024, status=CatalogStatus.PUBLISHED
    )
    CatalogGroup.objects.create(
        version=version, code="M07800-M", group_type="apg", score=D("248.0620")
    )
    for setl_id, disease in [("C1", "M07800"), ("C2", "M03900")]:
        case_create(
            institution=world.hospital_a,
            period=world.period,
            setl_id=setl_id,
            med_type="14",
            opsp_dise_code=disease,
            maindiag_code="N18.500",
            adm_time=None,
            dscg_time=None,
            act_ipt_days=None,
        )
    summary = group(world, kind=CatalogKind.APG)
    assert (summary["cases"], summary["ungroupable"]) == (2, 1)
    rows = {
        row.case.setl_id: (row.group_code, row.trace, row.kind)
        for row in CaseGroup.objects.filter(version=version)
    }
    assert rows == {
        "C1": ("M07800-M", "by_disease", CatalogKind.APG),
        "C2": ("", "not_in_catalog", CatalogKind.APG),
    }


def test_deleting_a_case_deletes_its_results_and_a_grouped_version_is_protected(
    world, period_cases, catalog
):
    from django.db.models import ProtectedError

    group(world)
    period_cases["S1"].delete()
    assert CaseGroup.objects.count() == 5
    with pytest.raises(ProtectedError):
        catalog.delete()


def test_an_untyped_catalog_groups_the_distinct_keys_with_the_same_results_as_case_by_case(
    world, period_cases, catalog
):
    """Without auxiliary typing a result depends on (diagnosis, procedure) only: the keys are grouped and the
    database joins them back to the cases; every stored column equals grouping each case on its own."""
    GroupSubtype.objects.filter(group__version=catalog).delete()
    summary = group(world)
    frame = selectors.period_case_frame(
        periods=[world.period],
        kind=CatalogKind.DIP,
        columns=["maindiag_code", "main_oprn_oprt_code"],
    )
    expected = domain.cases_grouped(frame, selectors.grouping_catalog(catalog)).assign(
        case_id=frame["id"]
    )
    stored = {row.case_id: row for row in CaseGroup.objects.filter(version=catalog)}
    assert len(stored) == len(frame) == summary["cases"] == 6
    for row in expected.itertuples():
        found = stored[row.case_id]
        assert (
            found.group_code,
            found.group_type,
            found.treatment_type,
            found.subtype,
            found.trace,
            found.trace_text,
        ) == (
            row.group_code,
            row.group_type,
            row.treatment_type,
            row.subtype,
            row.trace,
            row.trace_text,
        )
        assert (
            found.typing_coefficient is None
            and found.period_id == world.period.pk
            and found.kind == "DIP"
        )
    assert summary["traces"] == {
        "core": 2,
        "comprehensive": 1,
        "core_conservative": 1,
        "invalid_diagnosis": 1,
        "no_comprehensive": 1,
    }
