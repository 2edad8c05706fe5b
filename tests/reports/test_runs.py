"""The settlement-run sheets reconcile with the month's current runs to the fen: the regional summary
shows each run's pool, points, point value and total; the statements sheet each institution's stored
amounts; a superseded run is not reported; an institution's workbook has its own statement only."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from reports import services
from reports.models import ReportFile
from settlement.runs.models import RunInstitution
from tests.reports.helpers import sheet_names, sheet_rows
from tests.settlement.runs.conftest import YEAR, demo_region  # noqa: F401  (the fixture: a demo region with budgets and a catalog)

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(demo_region):  # noqa: F811
    """March's employee DIP run, computed twice (the first is superseded), and its resident DIP run."""
    superseded = demo_region.run("monthly", 3)
    current = demo_region.run("monthly", 3)
    resident = demo_region.run("monthly", 3, scheme="390")
    services.report_pack_generate(
        actor=demo_region.officer, region=demo_region.region, year=YEAR, month=3
    )
    return superseded, current, resident


def test_the_regional_summary_shows_the_current_runs_to_the_fen(demo_region, runs):  # noqa: F811
    superseded, current, resident = runs
    summary = sheet_rows(ReportFile.objects.get(institution=None).file.path, "区域汇总")
    assert [row[0] for row in summary[:-1]] == [f"#{current.pk}", f"#{resident.pk}"]
    for row, run in zip(summary, (current, resident), strict=False):
        assert (row[4], row[5], row[6], row[7], row[8]) == (
            run.case_count,
            run.pool,
            run.points_total,
            run.point_value,
            run.total,
        )
    assert summary[-1][8] == current.total + resident.total


def test_the_statements_reconcile_with_each_institution_of_the_runs(demo_region, runs):  # noqa: F811
    _, current, resident = runs
    path = ReportFile.objects.get(institution=None).file.path
    statements = sheet_rows(path, "机构结算单")
    stored = RunInstitution.objects.filter(run__in=[current, resident])
    by_key = {(f"#{r.run_id}", r.institution.code): r for r in stored.select_related("institution")}
    assert len(statements) - 1 == len(by_key)
    for row in statements[:-1]:
        record = by_key[(row[3], row[0])]
        assert (row[6], row[7], row[10], row[11], row[12]) == (
            record.cases,
            record.points,
            record.settlement,
            record.advance,
            record.payment,
        )
    totals = stored.aggregate(
        settlement=Sum("settlement"), payment=Sum("payment"), medfee=Sum("medfee")
    )
    assert (statements[-1][10], statements[-1][12], statements[-1][8]) == (
        totals["settlement"],
        totals["payment"],
        totals["medfee"],
    )
    lines = dict(row[:2] for row in sheet_rows(path, "报表说明"))
    assert (
        lines["结算运行批次"] == f"{current}；{resident}"
        and f"（ID {current.parameter_set_id}）" in lines["结算参数版本"]
    )


def test_an_institution_workbook_has_its_own_statement_and_no_regional_summary(demo_region, runs):  # noqa: F811
    _, current, _ = runs
    record = (
        RunInstitution.objects.filter(run=current)
        .exclude(settlement=None)
        .order_by("institution__code")
        .first()
    )
    path = ReportFile.objects.get(institution=record.institution).file.path
    statement = sheet_rows(path, "本机构结算单")
    assert {row[0] for row in statement[:-1]} == {record.institution.code}
    assert statement[-1][10] == sum(
        r.settlement
        for r in RunInstitution.objects.filter(institution=record.institution, run__in=runs[1:])
    )
    assert "区域汇总" not in sheet_names(path) and "机构结算单" not in sheet_names(path)
