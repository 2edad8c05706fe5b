"""Two regions at once (issue 19 item 3): the demo chain (budgets → catalogs → cases → grouping →
parameters → runs, supervision and assessment) is generated for two regions, each with its own staff bound
to it alone; neither sees nor changes the other, supervision and assessment work in the second region, and
a province-level user reads both."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_create
from budgets.models import Budget
from catalogs.models import CatalogVersion, Region
from demo.services import REGION_CODE, demo_generate
from jobs.models import Job
from jobs.services import job_run
from settlement.models import CaseRecord
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.models import RunCase, RunInstitution, SettlementRun
from settlement.runs.services import run_start
from supervision.assessment.models import Assessment, AssessmentScheme
from supervision.models import Finding
from tests.world import PASSWORD, run_publish_now

pytestmark = pytest.mark.django_db

YEAR, MONTH = 2024, 3
CODE_B = "370900"


@dataclass
class Side:
    region: Region
    officer: User
    admin: User
    hospital: User

    def run(self) -> SettlementRun:
        run = run_start(
            actor=self.officer,
            region=self.region,
            year=YEAR,
            scheme="310",
            category="DIP",
            run_type=RunType.MONTHLY,
            number=MONTH,
            dispatch=False,
        )
        job_run(job_id=run.job_id)
        run.refresh_from_db()
        run_publish_now(run)  # hospitals read published runs only
        return run


def side(code: str, prefix: str) -> Side:
    users = User.objects
    return Side(
        Region.objects.get(code=code),
        users.get(username=f"{prefix}officer"),
        users.get(username=f"{prefix}admin"),
        users.get(username=f"{prefix}hospital"),
    )


@pytest.fixture
def regions(db) -> tuple[Side, Side]:
    common = {
        "actor": "测试",
        "years": 2,
        "cases_per_year": 3000,
        "end_year": YEAR,
        "months_settled": False,
    }
    demo_generate(**common)
    demo_generate(**common, seed=7, region_code=CODE_B, region_name="泰山市", user_prefix="b_")
    return side(REGION_CODE, ""), side(CODE_B, "b_")


def test_the_chain_runs_in_both_regions_and_neither_sees_or_changes_the_other(regions, client):
    a, b = regions
    run_a, run_b = a.run(), b.run()
    assert run_a.status == run_b.status == RunStatus.COMPLETED
    for own, run in ((a, run_a), (b, run_b)):
        assert (
            RunInstitution.objects.filter(run=run).exclude(institution__region=own.region).count()
            == 0
        )
        assert RunCase.objects.filter(run=run).exclude(institution__region=own.region).count() == 0
        cases = CaseRecord.objects.for_user(own.officer)
        assert cases.exists() and not cases.exclude(institution__region=own.region).exists()
        assert Budget.objects.filter(region=own.region, year=YEAR).exists()
    assert (
        RunCase.objects.filter(run=run_a).count() > 0
        and RunCase.objects.filter(run=run_b).count() > 0
    )

    for own, other, other_run in ((a, b, run_b), (b, a, run_a)):
        client.force_login(own.officer)
        own_run = run_a if own is a else run_b
        assert client.get(reverse("settlement:run_detail", args=[own_run.pk])).status_code == 200
        assert client.get(reverse("settlement:run_detail", args=[other_run.pk])).status_code == 404
        other_budget = Budget.objects.filter(region=other.region).first()
        assert (
            client.get(reverse("budgets:budget_detail", args=[other_budget.pk])).status_code == 404
        )
        other_version = CatalogVersion.objects.filter(region=other.region).first()
        assert (
            client.get(reverse("catalogs:version_detail", args=[other_version.pk])).status_code
            == 404
        )
        listed = client.get(reverse("api:run-list")).json()
        assert {row["id"] for row in listed["results"]} == {own_run.pk}
        assert client.get(reverse("api:run-detail", args=[other_run.pk])).status_code == 404

    client.force_login(a.officer)
    before = SettlementRun.objects.filter(region=b.region).count()
    client.post(
        reverse("settlement:run_start"),
        {
            "region": b.region.pk,
            "year": YEAR,
            "scheme": "310",
            "category": "DIP",
            "run_type": RunType.MONTHLY,
            "number": 4,
        },
    )
    assert SettlementRun.objects.filter(region=b.region).count() == before
    client.force_login(b.hospital)
    statements = RunInstitution.objects.for_user(b.hospital)
    assert statements.exists() and set(statements.values_list("institution", flat=True)) == {
        b.hospital.institution_id
    }


def finding_of(side: Side) -> Finding:
    """One open finding at the hospital of the side's hospital user (a demo this small raises none itself)."""
    return Finding.objects.create(
        rule="shirking",
        institution=side.hospital.institution,
        year=YEAR,
        month=MONTH,
        severity="medium",
        score=Decimal("1.5"),
        description="测试",
    )


def test_supervision_and_assessment_work_in_the_second_region(regions, client):
    a, b = regions
    finding_a, finding_b = finding_of(a), finding_of(b)
    client.force_login(b.admin)
    findings = (
        client.get(reverse("supervision:finding_list"), {"year": YEAR}).context["page"].object_list
    )
    assert list(findings) == [finding_b]
    assert client.get(reverse("supervision:finding_detail", args=[finding_a.pk])).status_code == 404
    table = client.get(reverse("supervision:indicator_table")).context["table"]
    assert table["rows"] and {row["institution"].region_id for row in table["rows"]} == {
        b.region.pk
    }
    assert client.get(reverse("supervision:dashboard")).status_code == 200

    client.post(reverse("supervision:findings_detect"), {"year": YEAR})
    assert Job.objects.filter(kind="supervision_detect").get().params["region_id"] == b.region.pk

    scheme = AssessmentScheme.objects.get(region=b.region)
    client.post(reverse("supervision:assessment_compute"), {"year": YEAR, "scheme": scheme.pk})
    assessment = Assessment.objects.get()
    assert assessment.region == b.region and assessment.scores.exists()
    assert not assessment.scores.exclude(institution__region=b.region).exists()
    client.force_login(a.admin)
    assert (
        client.get(reverse("supervision:assessment_detail", args=[assessment.pk])).status_code
        == 404
    )
    foreign = AssessmentScheme.objects.get(region=b.region)
    client.post(reverse("supervision:assessment_compute"), {"year": YEAR, "scheme": foreign.pk})
    assert Assessment.objects.count() == 1  # a scheme of region B is no choice in region A


def test_a_province_user_reads_both_regions_and_switches_between_them(regions, client):
    a, b = regions
    province = user_create(
        actor=None,
        username="province",
        password=PASSWORD,
        role=Role.BUREAU_OFFICER,
        province_wide=True,
    )
    assert CaseRecord.objects.for_user(province).count() == CaseRecord.objects.count()
    client.force_login(province)
    assert 'data-testid="region-selector"' in client.get(reverse("portal:home")).content.decode()
    for own in (a, b):
        client.post(reverse("accounts:region_switch"), {"region": own.region.code})
        table = client.get(reverse("supervision:indicator_table")).context["table"]
        assert table["rows"] and {row["institution"].region_id for row in table["rows"]} == {
            own.region.pk
        }
