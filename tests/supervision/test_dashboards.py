"""Supervision dashboards: the pure chart specs (no database), then the bureau's and a hospital's page
with the chart data delivered as JSON in the page; a hospital's never names another institution."""

from __future__ import annotations

import json
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from budgets.choices import LineKind
from budgets.models import BudgetLine
from budgets.services import budget_approve, budget_create, budget_submit
from catalogs.choices import Scheme
from settlement.models import SettlementPeriod
from supervision.assessment import services as assessment_services
from supervision.choices import Rule
from supervision.dashboards import charts
from supervision.models import DataQualityScore, IndicatorValue
from tests.budgets.conftest import compile_e1
from tests.supervision.test_assessment import approve, enter_manual, finding, supervision_results
from tests.supervision.test_assessment_domain import SCHEME
from tests.world import case_create

YEAR = 2024

# --- chart specs (pure) -----------------------------------------------------------------------------


def test_running_totals_and_the_year_to_date_use_of_the_budget():
    actual = [D("100.00"), D("50.00"), D("0.00"), D("30.00")] + [D("0.00")] * 8
    budget = [D("80.00")] * 12
    assert charts.running_total(actual)[:4] == [D("100.00"), D("150.00"), D("150.00"), D("180.00")]
    summary = charts.fund_use_summary(actual, budget)
    assert summary == {
        "months": 4,
        "paid": D("180.00"),
        "budgeted": D("320.00"),
        "rate": D("56.25"),
        "annual": D("960.00"),
    }
    assert charts.fund_use_summary(actual, None)["rate"] is None


def test_the_fund_chart_has_the_budget_series_only_with_a_budget():
    with_budget = charts.fund_use_chart([D("1.50")] * 12, [D("2.00")] * 12)
    assert [s["name"] for s in with_budget["series"]] == [
        "月度基金支付",
        "月度预算",
        "累计基金支付",
        "累计预算",
    ]
    assert with_budget["series"][3]["data"][-1] == "24.00" and with_budget["series"][3]["dashed"]
    partial = charts.fund_use_chart([D("5.00"), D("0.00"), D("1.00")] + [D("0.00")] * 9, None)
    assert partial["series"][1]["data"][:4] == [
        "5.00",
        "5.00",
        "6.00",
        None,
    ]  # cumulated to the last month paid
    assert with_budget["categories"][0] == "1月" and len(with_budget["categories"]) == 12
    assert [s["name"] for s in charts.fund_use_chart([D(0)] * 12, None)["series"]] == [
        "月度基金支付",
        "累计基金支付",
    ]


def test_a_ranking_puts_the_highest_value_on_top_with_the_regional_benchmarks():
    spec = charts.ranking_chart(
        [("甲", D("3")), ("乙", D("9")), ("丙", D("5"))],
        label="次均费用",
        median_value=D("5"),
        p90=None,
    )
    assert (
        spec["categories"] == ["甲", "丙", "乙"]
        and spec["series"][0]["data"] == ["3", "5", "9"]
        and spec["horizontal"]
    )
    assert spec["marks"] == [{"name": "全区中位数", "value": "5"}]


def test_counts_are_stacked_by_status_and_ordered_by_total():
    rows = [
        ("分解住院", "待复核", 2),
        ("高套编码", "待复核", 1),
        ("高套编码", "已确认", 4),
        ("推诿患者", "已确认", 1),
    ]
    spec = charts.counts_chart(rows, limit=2)
    assert spec["categories"] == ["高套编码", "分解住院"]
    assert [(s["name"], s["data"], s["stack"]) for s in spec["series"]] == [
        ("待复核", ["1", "2"], "total"),
        ("已确认", ["4", "0"], "total"),
    ]


def test_the_quality_trend_is_the_regional_mean_and_minimum_or_own_against_the_median():
    by_month = {1: [D("90"), D("70"), D("85")], 3: [D("60")]}
    spec = charts.quality_trend_chart(by_month)
    assert spec["series"][0]["data"][:3] == ["81.67", None, "60.00"] and spec["series"][1]["data"][
        :3
    ] == ["70.00", None, "60.00"]
    own = charts.quality_trend_chart(by_month, own={1: D("90.00")})
    assert [s["name"] for s in own["series"]] == ["本院", "全区中位数"] and own["series"][1][
        "data"
    ][0] == "85.00"


def test_the_point_value_chart_needs_runs_and_shows_a_forecast_apart():
    assert charts.point_value_chart([]) is None
    rows = [
        {"label": "2024年1月", "point_value": D("10.5")},
        {
            "label": "年末预测",
            "point_value": D("11"),
            "forecast": True,
            "low": D("10"),
            "high": D("12"),
        },
    ]
    spec = charts.point_value_chart(rows)
    assert spec["categories"] == ["2024年1月", "年末预测"]
    assert [(s["name"], s["data"]) for s in spec["series"]] == [
        ("点值", ["10.5", None]),
        ("预测点值", [None, "11"]),
        ("预测下限", [None, "10"]),
        ("预测上限", [None, "12"]),
    ]


# --- pages ------------------------------------------------------------------------------------------


def chart_json(html: str, chart_id: str) -> dict:
    """The spec delivered in the page by json_script."""
    match = re.search(
        rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, f"no {chart_id} in the page"
    return json.loads(match.group(1))


@pytest.fixture
def region_year(world) -> dict:
    """Cases of 2024 (fund payments in January and March, a resident case and one of 2023 to leave out),
    the 2024 employee budget in force (the spec's E1, phased equally), supervision results and indicators of March."""
    january = SettlementPeriod.objects.create(region=world.region, year=YEAR, month=1)
    last_year = SettlementPeriod.objects.create(region=world.region, year=YEAR - 1, month=3)
    case_create(institution=world.hospital_a, period=january, setl_id="A1")
    case_create(
        institution=world.hospital_b, period=january, setl_id="B1", fund_pay_sumamt=D("10000.50")
    )
    case_create(institution=world.hospital_a, period=world.period, setl_id="A3")
    case_create(
        institution=world.hospital_a, period=world.period, setl_id="R3", insutype=Scheme.RESIDENT
    )
    case_create(institution=world.hospital_a, period=last_year, setl_id="OLD")
    budget = budget_create(
        actor=world.officer, region=world.region, year=YEAR, scheme=Scheme.EMPLOYEE
    )
    compile_e1(actor=world.officer, budget=budget)
    budget_submit(actor=world.officer, budget=budget)
    budget_approve(actor=world.bureau_admin, budget=budget)
    supervision_results(world)
    for institution, value in ((world.hospital_a, "12000"), (world.hospital_b, "9000")):
        IndicatorValue.objects.create(
            institution=institution,
            year=YEAR,
            month=3,
            indicator="cost_per_stay",
            value=D(value),
            region_median=D("10500"),
            region_p90=D("11700"),
        )
        IndicatorValue.objects.create(
            institution=institution,
            year=YEAR,
            month=3,
            indicator="avg_stay",
            value=D("7") if institution == world.hospital_a else D("11"),
            region_median=D("9"),
            region_p90=D("10.6"),
        )
    return {"pool": BudgetLine.objects.get(budget=budget, kind=LineKind.POOL).amount}


def test_anonymous_users_are_sent_to_login_and_experts_refused(client, world, client_for):
    response = client.get(reverse("supervision:dashboard"))
    assert response.status_code == 302 and "login" in response.url
    assert client_for(world.expert).get(reverse("supervision:dashboard")).status_code == 403


def test_the_bureau_sees_fund_use_against_the_budget_by_month(
    world, region_year, client_for, django_assert_max_num_queries
):
    client = client_for(world.officer)
    with django_assert_max_num_queries(15):
        html = client.get(
            reverse("supervision:dashboard"), {"year": YEAR, "scheme": Scheme.EMPLOYEE}
        ).content.decode()
    fund = chart_json(html, "chart-fund")
    paid, budget = fund["series"][0]["data"], fund["series"][1]["data"]
    assert (
        paid[:3] == ["31000.50", "0.00", "21000.00"] and paid[3:] == ["0.00"] * 9
    )  # not the resident case, not 2023
    assert (
        sum(D(b) for b in budget) == region_year["pool"]
    )  # the point-method pool, phased over the year
    assert fund["series"][2]["data"][2] == "52000.50"  # cumulative to March
    rate = (D("52000.50") * 100 / sum(D(b) for b in budget[:3])).quantize(D("0.01"))
    assert re.search(r'data-testid="fund-rate">\s*' + re.escape(str(rate)) + "%", html)
    assert (
        "vendor/echarts/echarts.min.js" in html
        and "js/charts.js" in html
        and "cdn" not in html.lower()
    )


def test_without_a_budget_the_dashboard_says_so(world, region_year, client_for):
    html = (
        client_for(world.officer)
        .get(reverse("supervision:dashboard"), {"year": YEAR, "scheme": Scheme.RESIDENT})
        .content.decode()
    )
    assert (
        'data-testid="no-budget"' in html
        and chart_json(html, "chart-fund")["series"][0]["data"][2] == "21000.00"
    )


def test_the_ranking_follows_the_chosen_indicator(world, region_year, client_for):
    client = client_for(world.officer)
    ranking = chart_json(
        client.get(reverse("supervision:dashboard"), {"year": YEAR}).content.decode(),
        "chart-ranking",
    )
    assert ranking["categories"] == ["乙医院", "甲医院"] and ranking["series"][0]["data"] == [
        "9000.0000",
        "12000.0000",
    ]
    assert ranking["marks"] == [
        {"name": "全区中位数", "value": "10500.0000"},
        {"name": "全区P90", "value": "11700.0000"},
    ]
    html = client.get(
        reverse("supervision:dashboard"), {"year": YEAR, "indicator": "avg_stay", "month": 3}
    ).content.decode()
    assert (
        chart_json(html, "chart-ranking")["categories"] == ["甲医院", "乙医院"]
        and "平均住院日" in html
    )
    bad = client.get(
        reverse("supervision:dashboard"), {"year": YEAR, "indicator": "nonsense", "month": "13"}
    )
    assert (
        bad.status_code == 200
        and "次均费用" in chart_json(bad.content.decode(), "chart-ranking")["series"][0]["name"]
    )


def test_findings_by_rule_and_institution_and_the_quality_trend(world, region_year, client_for):
    html = (
        client_for(world.officer)
        .get(reverse("supervision:dashboard"), {"year": YEAR})
        .content.decode()
    )
    by_rule = chart_json(html, "chart-findings-rule")
    assert by_rule["categories"] == ["分解住院"]
    assert {s["name"]: s["data"] for s in by_rule["series"]} == {
        "已确认": ["2"],
        "已排除": ["1"],
        "待复核": ["1"],
    }
    by_institution = chart_json(html, "chart-findings-institution")
    assert sorted(by_institution["categories"]) == ["乙医院", "甲医院"]
    quality = chart_json(html, "chart-quality")
    assert quality["series"][0]["data"][:2] == ["82.50", "85.00"] and quality["series"][1]["data"][
        :2
    ] == ["70.00", "85.00"]


def test_the_point_value_slot_says_no_run_before_the_first_run(world, region_year, client_for):
    html = (
        client_for(world.officer)
        .get(reverse("supervision:dashboard"), {"year": YEAR})
        .content.decode()
    )
    assert "尚无结算运行" in html and "chart-point-value" not in html


def test_a_hospital_sees_its_own_figures_against_the_region_and_no_other_institution(
    world, region_year, client_for, django_assert_max_num_queries
):
    scheme = assessment_services.scheme_create(
        actor=world.officer, region=world.region, name="测试方案", items=SCHEME
    )
    assessment = assessment_services.assessment_compute(
        actor=world.officer, region=world.region, year=YEAR, scheme=scheme
    )
    enter_manual(world, assessment)
    approve(world, assessment)
    finding(world.hospital_a, 6, "confirmed", rule="upcoding")
    client = client_for(world.user_a)
    with django_assert_max_num_queries(14):
        html = client.get(
            reverse("supervision:dashboard"), {"year": YEAR, "indicator": "cost_per_stay"}
        ).content.decode()
    for other in (world.hospital_b.name, world.hospital_b.code):
        assert other not in html
    own = chart_json(html, "chart-indicator")
    assert [s["name"] for s in own["series"]] == ["本院住院次均费用（元）", "全区中位数", "全区P90"]
    assert (
        own["series"][0]["data"][:3] == ["9000.0000", "10000.0000", "12000.0000"]
        and own["series"][1]["data"][2] == "10500.0000"
    )
    quality = chart_json(html, "chart-quality")
    assert (
        quality["series"][0]["data"][:2] == ["95.00", "85.00"]
        and quality["series"][1]["data"][0] == "82.50"
    )  # median of 95, 70
    by_rule = chart_json(html, "chart-findings-rule")  # its own confirmed findings only
    assert by_rule["categories"] == [Rule.UPCODING.label] and by_rule["series"][0]["data"] == ["1"]
    assert (
        "考核得分：<strong>83.67</strong>" in html
    )  # cost: months 1-2 at most the median, March above P90 → 40 × 2/3
    assert (
        "chart-fund" not in html
        and "chart-ranking" not in html
        and "chart-findings-institution" not in html
    )


def test_a_page_without_any_settlement_year_says_so(world, client_for):
    SettlementPeriod.objects.all().delete()
    html = client_for(world.officer).get(reverse("supervision:dashboard")).content.decode()
    assert 'data-testid="dashboard-empty"' in html


def test_quality_scores_of_other_years_are_left_out(world, region_year, client_for):
    DataQualityScore.objects.create(
        institution=world.hospital_a, year=YEAR - 1, month=1, score=D("10")
    )
    html = (
        client_for(world.officer)
        .get(reverse("supervision:dashboard"), {"year": YEAR})
        .content.decode()
    )
    assert chart_json(html, "chart-quality")["series"][1]["data"][0] == "70.00"


def test_the_ranking_title_names_a_month_only_when_the_year_has_indicators(
    world, region_year, client_for
):
    client = client_for(world.officer)
    html = client.get(reverse("supervision:dashboard"), {"year": YEAR}).content.decode()
    assert re.search(r'data-testid="ranking-title">[^<]*（3月）', html)
    IndicatorValue.objects.all().delete()
    html = client.get(reverse("supervision:dashboard"), {"year": YEAR}).content.decode()
    assert "None月" not in html and "该年度尚未计算监管指标" in html
