"""The demo region ships one month of national results with one planted difference of each kind."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalogs.models import Region
from demo.services import demo_generate
from jobs.services import job_run
from reconciliation import services
from reconciliation.choices import DiffKind
from reconciliation.models import ReconCase, ReconInstitution

pytestmark = pytest.mark.django_db


def test_the_demo_month_reconciles_with_every_planted_difference():
    summary = demo_generate(
        actor="测试", years=2, cases_per_year=600, end_year=2024, months_settled=False
    )
    assert set(summary["national_uploads"]) == {"groups", "qc", "bookings"}
    recon = services.reconciliation_start(
        actor="测试", region=Region.objects.get(), year=2024, month=1, scheme="310", dispatch=False
    )
    job_run(job_id=recon.job_id)
    rows = ReconCase.objects.filter(reconciliation=recon)
    assert {
        DiffKind.GROUP,
        DiffKind.OURS_ONLY,
        DiffKind.NATIONAL_ONLY,
        DiffKind.QC_NATIONAL,
        DiffKind.QC_OURS,
    } <= set(rows.values_list("kind", flat=True))
    assert rows.filter(kind=DiffKind.QC_NATIONAL, rule_code="QC-ZD-001", our_rule_code="").exists()
    assert rows.filter(kind=DiffKind.QC_OURS, our_rule_code="IQ-LOS").exists()
    assert {"main_diagnosis", "version"} <= set(
        rows.filter(kind=DiffKind.GROUP).values_list("divergence", flat=True)
    )
    assert rows.get(kind=DiffKind.NATIONAL_ONLY).setl_id == "DEMO-NAT-0001"
    differences = ReconInstitution.objects.filter(reconciliation=recon).exclude(fund_difference=0)
    assert list(differences.values_list("fund_difference", flat=True)) == [Decimal("0.01")]
