"""Declared list pages (config.lists, issue 20 item 7): sorting on declared columns only, a bounded page
size, a refused filter shown as a Chinese error (never a 500), and an export of the filtered, sorted list
that keeps to the user's institution — on the keyset case list (the page-numbered pages: each app's
``test_list_pages.py``)."""

from __future__ import annotations

import csv
import io
import re
from io import BytesIO

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from config import lists
from config.keyset import keyset_page
from config.spreadsheets import CSV, XLSX
from settlement.models import CaseRecord, SettlementPeriod
from tests.settlement.test_case_list_pages import NEXT, cases_bulk

CASES = reverse("settlement:case_list")
SETL = re.compile(r'/settlement/cases/\d+/">([^<]+)<')


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == CSV and "attachment;" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_sorting_by_a_declared_column_orders_the_page_both_ways(world, client_for):
    cases_bulk(world, 9)
    client = client_for(world.user_a)
    up = SETL.findall(client.get(CASES, {"sort": "setl_id"}).content.decode())
    down = SETL.findall(client.get(CASES, {"sort": "-setl_id"}).content.decode())
    assert up == sorted(up) and down == sorted(up, reverse=True) and len(up) == 6


@pytest.mark.parametrize("sort", ["medfee_sumamt", "nonsense", "-", "setl_id,,", "%00"])
def test_an_undeclared_or_unknown_sort_is_ignored(world, client_for, sort):
    cases_bulk(world, 3)
    response = client_for(world.officer).get(CASES, {"sort": sort})
    assert response.status_code == 200 and len(SETL.findall(response.content.decode())) == 4


def test_a_keyset_page_sorted_descending_walks_every_case_back_and_forth(world):
    cases_bulk(world, 11)
    ordering = ("-setl_id", "-institution_id")
    queryset, seen, cursor = CaseRecord.objects.all(), [], None
    while True:
        page = keyset_page(queryset, ordering=ordering, cursor=cursor, size=3)
        seen += [(c.setl_id, c.institution_id) for c in page]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 12
    back = keyset_page(queryset, ordering=ordering, cursor=page.previous_cursor, size=3)
    assert [(c.setl_id, c.institution_id) for c in back] == seen[-6:-3]
    with pytest.raises(ValueError):
        keyset_page(queryset, ordering=("setl_id", "-institution_id"))


def test_the_page_size_is_one_of_the_choices_and_carried_by_the_next_link(world, client_for):
    cases_bulk(world, 59)
    client = client_for(world.officer)
    html = client.get(CASES, {"per_page": 25}).content.decode()
    assert len(SETL.findall(html)) == 25 and "per_page=25" in NEXT.search(html).group(1)
    for unbounded in ["100000", "0", "-5", "abc"]:
        html = client.get(CASES, {"per_page": unbounded}).content.decode()
        assert len(SETL.findall(html)) == lists.PER_PAGE_CHOICES[1]  # the default, 50


@pytest.mark.parametrize(
    "query, field",
    [({"year": "abc"}, "年度"), ({"month": "13"}, "月份"), ({"insutype": "999"}, "险种")],
)
def test_a_refused_filter_value_shows_a_chinese_error_and_no_rows(world, client_for, query, field):
    cases_bulk(world, 3)
    response = client_for(world.officer).get(CASES, query)
    html = response.content.decode()
    assert response.status_code == 200 and lists.ERR_FILTER in html
    assert re.search(rf'data-testid="filter-field-error">{field}：[^<]*[\u4e00-\u9fff]', html)
    assert SETL.findall(html) == []


def test_a_refused_filter_exports_nothing_rather_than_everything(world, client_for):
    cases_bulk(world, 3)
    rows = csv_rows(client_for(world.officer).get(CASES, {"year": "abc", "export": "csv"}))
    assert len(rows) == 1  # the header only


def test_the_export_is_the_filtered_list_with_the_columns_names_as_header(world, client_for):
    april = SettlementPeriod.objects.create(region=world.region, year=2024, month=4)
    cases_bulk(world, 20, periods=[world.period, april])
    response = client_for(world.officer).get(
        CASES, {"month": 4, "sort": "-setl_id", "export": "xlsx"}
    )
    assert response["Content-Type"] == XLSX
    assert (
        "filename*=UTF-8''%E7%BB%93%E7%AE%97%E6%B8%85%E5%8D%95.xlsx"
        in (response["Content-Disposition"])
    )
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("结算ID", "机构", "期间") and header[-1] == "基金支付"
    expected = CaseRecord.objects.filter(period=april).order_by("-setl_id", "-institution_id")
    assert [row[0] for row in rows] == [case.setl_id for case in expected] and len(rows) == 10
    assert {row[2] for row in rows} == {str(april)}


@pytest.mark.parametrize("who, own", [("user_a", "甲医院"), ("user_b", "乙医院")])
def test_a_hospital_exports_only_its_own_institutions_rows(world, client_for, who, own):
    cases_bulk(world, 10)
    client = client_for(getattr(world, who))
    rows = csv_rows(client.get(CASES, {"export": "csv"}))
    # Another institution's code in the filter is not a way round tenancy.
    other = world.hospital_b if who == "user_a" else world.hospital_a
    filtered = csv_rows(client.get(CASES, {"export": "csv", "institution": other.code}))
    assert rows[0][1] == "机构" and {row[1] for row in rows[1:]} == {own}
    assert len(rows) - 1 == CaseRecord.objects.filter(institution__name=own).count()
    assert {row[1] for row in filtered[1:]} == {own}


def test_an_export_over_the_limit_is_refused_with_a_message(world, client_for, monkeypatch):
    cases_bulk(world, 5)
    monkeypatch.setattr(lists, "EXPORT_LIMIT", 3)
    client = client_for(world.officer)
    response = client.get(CASES, {"month": 3, "export": "xlsx"})
    assert response.status_code == 302 and response.url == f"{CASES}?month=3"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        lists.ERR_EXPORT_LIMIT.format(limit=3)
    ]


def test_the_export_writes_a_formula_like_value_as_text(world, client_for):
    cases_bulk(world, 1)
    CaseRecord.objects.filter(setl_id="S00000").update(maindiag_code="=1+1")
    rows = csv_rows(client_for(world.officer).get(CASES, {"export": "csv"}))
    assert "'=1+1" in [row[5] for row in rows[1:]]
