"""What-if simulation and the year-end point-value forecast: they recompute without touching official
results; unchanged scenarios reproduce the run; the pages are the bureau's."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from jobs.models import Job
from settlement.runs.models import RunCase
from settlement.runs.simulation import (
    Scenario,
    coefficients_parse,
    point_value_forecast,
    run_simulate,
)
from tests.settlement.runs.conftest import YEAR

pytestmark = pytest.mark.django_db


def by_institution(result):
    return {row["institution"]: row for row in result["institutions"]}


def test_an_unchanged_scenario_reproduces_the_official_run(demo_region):
    run = demo_region.run("monthly", 2)
    result = run_simulate(run=run, scenario=Scenario())
    assert result["point_value_after"] == str(run.point_value)
    assert all(
        D(row["difference"]) == 0 and row["points_before"] == row["points_after"]
        for row in result["institutions"]
    )
    assert len(result["institutions"]) == run.institutions.count()


def test_a_larger_pool_raises_the_point_value_and_leaves_the_official_run_alone(demo_region):
    run = demo_region.run("monthly", 2)
    rows, hash_before = RunCase.objects.count(), run.result_hash
    result = run_simulate(run=run, scenario=Scenario(pool=run.pool * 2))
    assert D(result["point_value_after"]) == pytest.approx(run.point_value * 2, abs=D("0.000001"))
    assert (
        sum(D(r["after"]) for r in result["institutions"])
        == sum(D(r["before"]) for r in result["institutions"]) * 2
    )
    run.refresh_from_db()
    assert (RunCase.objects.count(), run.result_hash) == (rows, hash_before)


def test_raising_one_institutions_coefficient_moves_money_to_it_within_the_same_pool(demo_region):
    run = demo_region.run("monthly", 3)
    target = run.institutions.order_by("-points").first()
    result = run_simulate(
        run=run, scenario=Scenario(coefficients={target.institution.code: D("2.0000")})
    )
    rows = by_institution(result)
    assert D(rows[target.institution_id]["difference"]) > 0
    others = [D(r["difference"]) for i, r in rows.items() if i != target.institution_id]
    assert all(d <= 0 for d in others)
    assert sum(D(r["after"]) for r in rows.values()) == sum(
        D(r["before"]) for r in rows.values()
    )  # same pool, same total


def test_a_lower_high_threshold_flags_more_high_cost_cases(demo_region):
    run = demo_region.run("monthly", 5)
    normal = RunCase.objects.filter(run=run, deviation="normal").select_related("case")
    between = sum(
        1 for c in normal if c.case.medfee_sumamt >= D("1.2") * c.mean
    )  # the exact ratio, not the one shown
    assert between > 0
    result = run_simulate(run=run, scenario=Scenario(thresholds={"high_ratio": D("1.2")}))
    assert result["deviations"]["high"] == run.summary["deviations"].get("high", 0) + between
    assert D(result["point_value_after"]) != run.point_value


def test_coefficient_lines_are_parsed_and_every_bad_line_is_named():
    assert coefficients_parse("H37080200001=1.05\n\n h37080200002 = 0.9 ") == {
        "H37080200001": D("1.05"),
        "H37080200002": D("0.9"),
    }
    with pytest.raises(Exception) as refused:
        coefficients_parse("H1=abc\nH2\nH3=1.00001")
    assert list(refused.value.messages) == [
        f"第 {n} 行应为“机构编码=系数”，如 H37080200001=1.05。" for n in (1, 2, 3)
    ]


def test_the_forecast_projects_the_year_from_the_months_and_the_prior_years_pattern(demo_region):
    runs = [demo_region.run("monthly", m) for m in (1, 2, 3)]
    view = point_value_forecast(region=demo_region.region, year=YEAR, scheme="310", category="DIP")
    assert view.forecast is not None, view.error
    assert view.months == [r.points_total for r in runs] and view.forecast.months_done == 3
    assert (
        view.forecast.point_value_low <= view.forecast.point_value <= view.forecast.point_value_high
    )
    assert (
        "医疗总费用" in view.basis
    )  # 2023 was not settled in the portal: its cost pattern stands in


def test_the_bureau_starts_a_simulation_from_the_page_and_reads_the_comparison(
    demo_region, client, django_capture_on_commit_callbacks
):
    run = demo_region.run("monthly", 2)
    client.force_login(demo_region.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("settlement:run_simulate", args=[run.pk]), {"pool": str(run.pool * 2)}
        )
    job = Job.objects.get(kind="settlement_simulate")
    assert response.status_code == 302 and response.url == reverse(
        "settlement:simulation_detail", args=[job.pk]
    )
    page = client.get(response.url).content.decode()
    assert str(run.point_value) in page and 'data-testid="simulation-rows"' in page
    forecast = client.get(
        reverse("settlement:forecast"), {"year": YEAR, "scheme": "310", "category": "DIP"}
    )
    assert forecast.status_code == 200


def test_hospitals_cannot_simulate_or_see_the_forecast(demo_region, client):
    run = demo_region.run("monthly", 2)
    client.force_login(demo_region.hospital_user)
    for url in (reverse("settlement:run_simulate", args=[run.pk]), reverse("settlement:forecast")):
        assert client.get(url).status_code == 403


def test_the_case_page_links_to_its_points_explanation(demo_region, client):
    run = demo_region.run("monthly", 1)
    case_id = RunCase.objects.filter(run=run).values_list("case_id", flat=True).first()
    client.force_login(demo_region.officer)
    page = client.get(reverse("settlement:case_detail", args=[case_id])).content.decode()
    assert reverse("settlement:case_points", args=[case_id]) in page


def test_a_coefficient_for_an_institution_outside_the_region_is_refused_by_its_code(demo_region):
    run = demo_region.run("monthly", 2)
    with pytest.raises(Exception) as refused:
        run_simulate(run=run, scenario=Scenario(coefficients={"H99999999999": D("1.1")}))
    assert refused.value.messages == ["机构编码 H99999999999 不在本统筹区。"]
