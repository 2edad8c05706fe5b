"""The point-value trend the supervision dashboard draws: the months' point values, then the year-end
forecast while the year runs, or the year's point value once settled."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from settlement.runs.simulation import point_value_trend_forecast as point_value_trend
from tests.settlement.runs.conftest import YEAR

pytestmark = pytest.mark.django_db


def chart(html: str, element: str) -> dict:
    return json.loads(
        re.search(
            rf'<script id="{element}" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )


def test_the_trend_shows_the_months_and_the_forecast_then_the_year(demo_region, client):
    months = [demo_region.run("monthly", m) for m in (1, 2, 3)]
    rows = point_value_trend(region=demo_region.region, year=YEAR, scheme="310", category="DIP")
    assert [r["point_value"] for r in rows[:3]] == [m.point_value for m in months]
    assert rows[3]["forecast"] and rows[3]["low"] <= rows[3]["point_value"] <= rows[3]["high"]
    client.force_login(demo_region.officer)
    html = client.get(reverse("supervision:dashboard"), {"year": YEAR}).content.decode()
    drawn = chart(html, "chart-point-value")
    assert drawn["categories"] == ["1月", "2月", "3月", "年终预测"]
    assert drawn["series"][0]["data"][:3] == [str(m.point_value) for m in months]
    for month in range(4, 13):
        demo_region.run("monthly", month)
    annual = demo_region.run("annual")
    rows = point_value_trend(region=demo_region.region, year=YEAR, scheme="310", category="DIP")
    assert len(rows) == 13 and rows[-1] == {
        "run_id": annual.pk,
        "label": "年度结算",
        "point_value": annual.point_value,
    }
