"""demo.services.demo_generate, the management command and the job, on the database."""

from __future__ import annotations

from io import StringIO

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from audit.models import AuditEvent
from catalogs import drg
from catalogs.models import Institution, Region
from demo import domain
from demo.services import (
    DEMO_USERS,
    ERR_BAD_PARAMS,
    ERR_DATA_EXISTS,
    MSG_SKIPPED,
    REGION_CODE,
    DemoRefused,
    demo_generate,
)
from jobs.choices import JobStatus
from jobs.services import job_start
from settlement.choices import PeriodStatus
from settlement.models import CaseRecord, SettlementPeriod

pytestmark = pytest.mark.django_db

N = 2000


@pytest.fixture
def generated():
    steps = []
    summary = demo_generate(
        actor="测试",
        years=1,
        cases_per_year=N,
        end_year=2024,
        progress=lambda p, m: steps.append(p),
    )
    return summary, steps


def test_it_creates_the_region_institutions_periods_and_cases(generated):
    summary, steps = generated
    region = Region.objects.get(code=REGION_CODE)
    assert Institution.objects.filter(region=region).count() == summary["institutions"] == 60
    assert (
        Institution.objects.exclude(consortium_lead=None)
        .values("consortium_lead")
        .distinct()
        .count()
        == 4
    )
    assert (
        SettlementPeriod.objects.filter(region=region, year=2024, status=PeriodStatus.OPEN).count()
        == 12
    )
    assert CaseRecord.objects.count() == summary["cases_total"] == N and summary["cases"] == {
        "2024": N
    }
    assert set(CaseRecord.objects.values_list("period__year", flat=True).distinct()) == {2024}
    assert steps[0] == 1 and steps[-1] == 100 and steps == sorted(steps)


def test_each_case_lands_in_the_month_of_its_settlement(generated):
    months = {
        case.setl_time.astimezone(domain.TZ).month == case.period.month
        for case in CaseRecord.objects.select_related("period")[:300]
    }
    assert months == {True}


def test_money_is_stored_exactly(generated):
    for case in CaseRecord.objects.all()[:500]:
        assert case.medfee_sumamt == case.fund_pay_sumamt + case.psn_part_amt
        fees = [case.fee_drug, case.fee_material, case.fee_exam, case.fee_treatment, case.fee_other]
        assert sum(fees) == case.medfee_sumamt


def test_the_summary_names_the_planted_anomalies_by_institution(generated):
    summary, _ = generated
    anomalies = summary["anomalies"]
    assert set(anomalies) == {
        domain.SPLIT_ADMISSION,
        domain.UPCODING,
        domain.LOW_STANDARD_ADMISSION,
        domain.FAST_GROWTH,
    }
    assert Institution.objects.filter(code__in=anomalies.values()).count() == 4


def test_the_last_year_has_indicators_findings_and_quality_scores_for_the_supervision_panels(
    generated,
):
    from supervision.models import DataQualityScore, Finding, IndicatorValue

    summary, _ = generated
    assert (
        summary["supervision"]["indicators"] == IndicatorValue.objects.filter(year=2024).count() > 0
    )
    assert (
        summary["supervision"]["quality_scores"]
        == DataQualityScore.objects.filter(year=2024).count()
        > 0
    )
    # The screening ran (at this small size the planted anomalies stay under the rules' minimum counts;
    # the default demo of 30,000 cases a year raises them).
    assert summary["supervision"]["findings"] == Finding.objects.filter(year=2024).count()
    assert AuditEvent.objects.filter(
        action="findings_detect", object_id=f"{REGION_CODE}/2024"
    ).exists()


@pytest.mark.parametrize(("username", "password", "role", "_name"), DEMO_USERS)
def test_the_demo_users_log_in_with_the_printed_passwords(
    generated, username, password, role, _name
):
    response = Client().post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR="10.9.0.1",
    )
    assert response.status_code == 302 and response.url == reverse("portal:home")
    assert User.objects.get(username=username).role == role


def test_the_hospital_user_belongs_to_a_top_level_hospital_and_sees_only_its_cases(generated):
    user = User.objects.get(username="hospital")
    assert user.role == Role.HOSPITAL and user.institution.level == "3A"
    visible = CaseRecord.objects.for_user(user)
    assert visible.exists() and set(visible.values_list("institution_id", flat=True)) == {
        user.institution_id
    }


def test_one_audit_event_summarises_the_generation(generated):
    summary, _ = generated
    event = AuditEvent.objects.get(action="demo_generate")
    assert event.actor_name == "测试" and event.object_id == str(Region.objects.get().pk)
    assert event.after["cases_total"] == N and event.after["anomalies"] == summary["anomalies"]
    assert AuditEvent.objects.filter(object_type="settlement.caserecord").count() == 0


def test_if_empty_does_nothing_the_second_time(generated):
    events = AuditEvent.objects.count()
    again = demo_generate(actor="测试", years=1, cases_per_year=N, end_year=2024, if_empty=True)
    assert again == {"skipped": True, "message": MSG_SKIPPED}
    assert (
        CaseRecord.objects.count() == N
        and Region.objects.count() == 1
        and AuditEvent.objects.count() == events
    )


def test_it_refuses_when_data_exists_without_if_empty(world):
    with pytest.raises(DemoRefused, match=ERR_DATA_EXISTS):
        demo_generate(actor="测试", years=1, cases_per_year=100, end_year=2024)
    assert (
        Region.objects.count() == 1
        and not User.objects.filter(username="officer", role=Role.HOSPITAL).exists()
    )


def test_earlier_years_are_closed_and_the_last_year_open():
    demo_generate(actor="测试", years=2, cases_per_year=300, end_year=2024)
    status = dict(
        SettlementPeriod.objects.values_list("year")
        .annotate(n=Count("id"))
        .values_list("year", "n")
    )
    assert status == {2023: 12, 2024: 12}
    assert set(SettlementPeriod.objects.filter(year=2023).values_list("status", flat=True)) == {
        PeriodStatus.CLOSED
    }
    assert set(SettlementPeriod.objects.filter(year=2024).values_list("status", flat=True)) == {
        PeriodStatus.OPEN
    }
    assert (
        CaseRecord.objects.filter(period__year=2023).count()
        == CaseRecord.objects.filter(period__year=2024).count()
        == 300
    )


def test_each_year_and_scheme_has_an_approved_budget_sized_from_its_cases():
    from decimal import Decimal

    from django.db.models import Sum

    from budgets.choices import BudgetStatus, LineKind, PhasingMethod
    from budgets.models import Budget, BudgetPhasing

    summary = demo_generate(actor="测试", years=2, cases_per_year=600, end_year=2024)
    budgets = Budget.objects.all()
    assert sorted(budgets.values_list("year", "scheme")) == [
        (2023, "310"),
        (2023, "390"),
        (2024, "310"),
        (2024, "390"),
    ]
    assert set(
        budgets.values_list("status", "submitted_by__username", "approved_by__username")
    ) == {(BudgetStatus.IN_FORCE, "officer", "admin")}
    assert {b.year: b.phasing_method for b in budgets} == {
        2023: PhasingMethod.EQUAL,
        2024: PhasingMethod.PATTERN,
    }
    for budget in budgets:
        fund = CaseRecord.objects.filter(period__year=budget.year, insutype=budget.scheme)
        inpatient = fund.exclude(med_type="14").aggregate(s=Sum("fund_pay_sumamt"))["s"]
        dip = budget.lines.get(kind=LineKind.CATEGORY, code="DIP")
        assert abs(dip.amount - inpatient * Decimal("0.97")) <= Decimal("25000")
        assert BudgetPhasing.objects.filter(line=dip).aggregate(s=Sum("amount"))["s"] == dip.amount
        assert summary["budgets"][f"{budget.year}-{budget.scheme}"] == str(
            budget.lines.get(kind=LineKind.POOL).amount
        )
    from settlement.parameters.models import ParameterSet, ParameterStatus

    in_force = ParameterSet.objects.filter(status=ParameterStatus.IN_FORCE)
    assert summary["parameter_sets"] == in_force.count() == 8
    assert set(in_force.values_list("category", "kind")) == {("DIP", "DIP"), ("APG", "APG")}


def test_the_last_year_has_a_published_dip_catalog_from_the_years_before_and_its_cases_are_grouped():
    from catalogs.choices import CatalogStatus, TreatmentType
    from catalogs.models import CatalogVersion, Procedure
    from settlement.grouping.models import CaseGroup

    summary = demo_generate(actor="测试", years=2, cases_per_year=3000, end_year=2024)
    version = CatalogVersion.objects.get(kind="DIP")
    assert (version.year, version.status, version.kind) == (2024, CatalogStatus.PUBLISHED, "DIP")
    assert version.submitted_by.username == "officer" and version.approved_by.username == "admin"
    assert (
        summary["catalog"]["history"] == [2023]
        and summary["catalog"]["groups"] == version.groups.count() > 0
    )
    inpatient_2024 = CaseRecord.objects.filter(period__year=2024).exclude(med_type="14")
    assert (
        CaseGroup.objects.filter(version=version).count()
        == inpatient_2024.count()
        == summary["catalog"]["grouped"]
    )
    assert (
        CaseGroup.objects.exclude(group_code="").filter(version=version).count()
        > 0.9 * inpatient_2024.count()
    )
    assert Procedure.objects.filter(code="36.0601", treatment_type=TreatmentType.SURGICAL).exists()
    flagged = version.groups.filter(is_tcm=True)
    assert (
        summary["catalog"]["tcm_groups"] == flagged.count() > 0
        and summary["catalog"]["day_surgery_groups"] > 0
    )
    assert flagged.filter(diag_code__startswith="I63").exists()  # 脑梗死 is on the demo's TCM list


def test_the_last_year_has_a_published_apg_catalog_its_chronic_cases_grouped_and_a_published_drg_rule_set():
    from catalogs.choices import CatalogStatus
    from catalogs.models import CatalogVersion, DrgRuleSet
    from settlement.grouping.models import CaseGroup

    summary = demo_generate(actor="测试", years=2, cases_per_year=3000, end_year=2024)
    apg = CatalogVersion.objects.get(kind="APG")
    assert (apg.year, apg.status, apg.build_params["years"], apg.build_params["unit"]) == (
        2024,
        CatalogStatus.PUBLISHED,
        [2023],
        "settlement",
    )
    chronic_2024 = CaseRecord.objects.filter(period__year=2024, med_type="14")
    results = CaseGroup.objects.filter(version=apg)
    assert results.count() == chronic_2024.count() == summary["catalog"]["apg"]["grouped"] > 0
    assert (
        results.exclude(group_code="").count()
        == chronic_2024.count() - summary["catalog"]["apg"]["ungroupable"]
    )
    in_catalog = results.filter(group_code__in=apg.groups.values("code")).count()
    assert (
        in_catalog > 0.9 * chronic_2024.count()
    )  # a rare disease may appear first in the catalog year
    rules = DrgRuleSet.objects.get()  # the national CHS-DRG 1.1 rules, with their golden cases
    shipped = len(pd.read_csv(drg.DATA_DIR.parent / "chs_drg_11" / "adrg.csv.gz", dtype=str))
    assert (rules.year, rules.status, rules.drgadrg_rows.count(), shipped) == (
        2024,
        CatalogStatus.PUBLISHED,
        shipped,
        376,
    )
    assert rules.golden_cases.count() > 40


def test_the_last_year_has_a_drg_catalog_built_with_the_national_rules_and_its_cases_group_under_them():
    from catalogs.choices import CatalogStatus
    from catalogs.models import CatalogVersion, DrgRuleSet
    from settlement.grouping.models import CaseGroup

    summary = demo_generate(actor="测试", years=2, cases_per_year=3000, end_year=2024)["catalog"][
        "drg"
    ]
    version = CatalogVersion.objects.get(kind="DRG")
    assert (version.year, version.status, version.drg_rule_set) == (
        2024,
        CatalogStatus.PUBLISHED,
        DrgRuleSet.objects.get(),
    )
    assert version.groups.count() == summary["groups"] > 100
    inpatient_2024 = CaseRecord.objects.filter(period__year=2024).exclude(med_type="14")
    results = CaseGroup.objects.filter(version=version)
    assert results.count() == inpatient_2024.count() == summary["grouped"]
    # the demo's codes are on the national rule lists (a DRG first seen in 2024 is not in the catalog built from 2023)
    assert summary["ungroupable"] < 0.05 * inpatient_2024.count()
    kinds = {
        code[0]
        for code in results.exclude(group_code="").values_list("group_code", flat=True).distinct()
    }
    assert len(kinds) > 15  # cases spread over the MDCs


def test_one_demo_year_builds_no_catalog():
    from catalogs.models import CatalogVersion

    summary = demo_generate(actor="测试", years=1, cases_per_year=300, end_year=2024)
    assert summary["catalog"] == {} and not CatalogVersion.objects.exists()


def test_the_same_seed_generates_the_same_cases():
    demo_generate(actor="测试", years=1, cases_per_year=300, end_year=2024, seed=11)
    rows = list(
        CaseRecord.objects.order_by("setl_id").values_list(
            "setl_id", "psn_no", "maindiag_code", "medfee_sumamt", "setl_time"
        )
    )
    expected = next(
        domain.year_chunks(
            seed=11,
            year=2024,
            n_cases=300,
            institutions=domain.institutions_frame(region_code=REGION_CODE, city="泗河市"),
        )
    )
    expected = expected.sort_values("setl_id")
    assert [row[0] for row in rows] == list(expected["setl_id"])
    assert [row[3] * 100 for row in rows] == list(expected["medfee_sumamt"])


def test_the_command_generates_and_then_skips():
    out = StringIO()
    call_command(
        "demo_generate",
        "--if-empty",
        "--years",
        "1",
        "--cases-per-year",
        "400",
        "--end-year",
        "2024",
        stdout=out,
    )
    assert "400 条结算清单" in out.getvalue() and CaseRecord.objects.count() == 400
    out = StringIO()
    call_command("demo_generate", "--if-empty", stdout=out)
    assert MSG_SKIPPED in out.getvalue() and CaseRecord.objects.count() == 400
    with pytest.raises(CommandError, match="已有统筹区"):
        call_command("demo_generate", "--years", "1", stdout=StringIO())


def test_the_job_runs_the_generation_with_its_params(django_capture_on_commit_callbacks):
    params = {"years": 1, "cases_per_year": 100, "end_year": 2024, "seed": 5, "if_empty": True}
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=None, kind="demo_generate", key="demo", params=params)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    assert job.summary["cases"] == {"2024": 100} and job.summary["seed"] == 5
    assert CaseRecord.objects.count() == 100


def test_the_job_skips_when_the_region_exists(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            actor=world.bureau_admin, kind="demo_generate", key="demo", params={"if_empty": True}
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.summary == {
        "skipped": True,
        "message": MSG_SKIPPED,
    }


def test_the_logins_are_the_ones_run_py_prints():
    from run import DEMO_USERS as PRINTED

    assert [(username, password) for _, username, password in PRINTED] == [
        (u, p) for u, p, _, _ in DEMO_USERS
    ]


@pytest.mark.parametrize(("years", "cases"), [(0, 100), (11, 100), (1, 0)])
def test_it_refuses_nonsense_sizes(years, cases):
    with pytest.raises(DemoRefused, match=ERR_BAD_PARAMS):
        demo_generate(actor="测试", years=years, cases_per_year=cases)
    assert not Region.objects.exists()


def test_after_the_national_dictionaries_the_demo_adds_only_its_own_codes():
    """``run.py demo`` loads the national lists first; the demo keeps their names and adds the codes they lack."""
    from catalogs.models import Diagnosis, DictionaryVersion, Procedure

    call_command("dictionary_load_national", stdout=StringIO())
    summary = demo_generate(actor="测试", years=1, cases_per_year=300, end_year=2024)
    assert summary["dictionaries"] == {
        "diagnoses": 33_304 + 1,
        "procedures": 13_686 + 5,
    }  # K43.900; 88.5501, 01.3901 …
    assert (
        Diagnosis.objects.get(code="I21.000").name == "前壁急性透壁性心肌梗死"
        and Diagnosis.objects.filter(code="K43.900").exists()
    )
    assert (
        Procedure.objects.get(code="36.0601").name == "冠状动脉药物涂层支架置入术"
    )  # the national name, not the demo's
    assert DictionaryVersion.objects.filter(status="published").count() == 2
