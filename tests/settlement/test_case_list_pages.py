"""The case list at scale (issue 21): keyset pages (page and API) that skip or repeat no case, counts that
say whether they are exact, tenancy, the monthly aggregates the home page and dashboard read, and query
counts that do not grow with page depth."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from config.keyset import COUNT_CAP, InvalidCursor, count_bounded, cursor_encode, keyset_page
from settlement import selectors
from settlement.aggregates.models import CaseMonthAggregate
from settlement.aggregates.selectors import case_months_for_user, case_total_for_user
from settlement.aggregates.services import case_aggregates_refresh
from settlement.models import CaseRecord, SettlementPeriod
from tests.settlement.intake_rows import valid_row
from tests.world import case_create

D = Decimal
NEXT = re.compile(r'href="\?([^"]*cursor=[^"]+)" data-testid="next-page"')


def cases_bulk(world, n: int, *, periods=None, prefix: str = "S") -> None:
    """``n`` cases spread over both hospitals and the given periods, with the same setl_ids in each
    hospital (ties broken by institution), then their aggregates as a write would leave them."""
    periods = periods or [world.period]
    template = case_create(
        institution=world.hospital_a, period=periods[0], setl_id=f"{prefix}-template"
    )
    fields = {
        f.attname: getattr(template, f.attname)
        for f in CaseRecord._meta.concrete_fields
        if f.attname != "id"
    }
    rows = []
    for i in range(n):
        institution, period = (
            (world.hospital_a, world.hospital_b)[i % 2],
            periods[(i // 2) % len(periods)],
        )
        rows.append(
            CaseRecord(
                **{
                    **fields,
                    "institution_id": institution.pk,
                    "period_id": period.pk,
                    "setl_id": f"{prefix}{i // 2:05d}",
                    "mdtrt_id": f"M{i}",
                }
            )
        )
    CaseRecord.objects.bulk_create(rows, batch_size=2000)
    case_aggregates_refresh()


@pytest.fixture
def two_months(world):
    april = SettlementPeriod.objects.create(region=world.region, year=2024, month=4)
    return [world.period, april]


def walk(queryset, ordering, size):
    """Every page forwards from the first, then backwards from the last; the keys of each page."""
    forwards, cursor, names = [], None, [f.lstrip("-") for f in ordering]
    while True:
        page = keyset_page(queryset, ordering=ordering, cursor=cursor, size=size)
        forwards.append([tuple(getattr(row, f) for f in names) for row in page])
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    backwards, cursor = [], page.previous_cursor
    while cursor:
        page = keyset_page(queryset, ordering=ordering, cursor=cursor, size=size)
        backwards.insert(0, [tuple(getattr(row, f) for f in names) for row in page])
        cursor = page.previous_cursor
    return forwards, backwards


@pytest.mark.parametrize("size", [1, 3, 7, 50])
def test_keyset_pages_skip_and_repeat_no_case_both_ways(world, two_months, size):
    cases_bulk(
        world, 23, periods=two_months
    )  # 12 setl_ids shared by both hospitals: ties on setl_id
    queryset = selectors.case_list_for_user(world.officer)
    ordering = selectors.case_list_ordering(world.officer)
    forwards, backwards = walk(queryset, ordering, size)
    keys = [key for page in forwards for key in page]
    expected = sorted(CaseRecord.objects.values_list(*ordering))
    assert keys == expected and len(set(keys)) == 24
    assert all(len(page) == size for page in forwards[:-1])
    assert backwards == forwards[:-1]


@pytest.mark.parametrize("size", [1, 4, 50])
def test_a_descending_keyset_walks_newest_first_both_ways(world, two_months, size):
    cases_bulk(world, 11, periods=two_months)
    ordering = ("-period_id", "-institution_id", "-setl_id")
    forwards, backwards = walk(CaseRecord.objects.all(), ordering, size)
    keys = [key for page in forwards for key in page]
    assert keys == sorted(CaseRecord.objects.values_list(*selectors.CASE_ORDERING), reverse=True)
    assert backwards == forwards[:-1]
    with pytest.raises(ValueError):
        keyset_page(CaseRecord.objects.all(), ordering=("-period_id", "setl_id"))


def test_a_time_travels_in_the_cursor_and_a_bad_one_is_refused(world):
    cases_bulk(world, 3)
    ordering = ("-created_at", "-id")
    pages = walk(CaseRecord.objects.all(), ordering, 1)[0]
    assert [key[1] for page in pages for key in page] == sorted(
        CaseRecord.objects.values_list("id", flat=True), reverse=True
    )
    with pytest.raises(InvalidCursor):
        keyset_page(
            CaseRecord.objects.all(),
            ordering=ordering,
            cursor=cursor_encode(["not a time", 1], backwards=False),
        )


def test_the_first_page_has_no_previous_and_a_bad_cursor_is_refused(world):
    cases_bulk(world, 4)
    queryset = selectors.case_list_for_user(world.officer)
    first = keyset_page(queryset, ordering=selectors.CASE_ORDERING, size=2)
    assert first.previous_cursor is None and first.next_cursor and first.count.label == "共 5 条"
    for bad in [
        "abc",
        cursor_encode([1, 2], backwards=False),
        cursor_encode([1, True, "x"], backwards=False),
    ]:
        with pytest.raises(InvalidCursor):
            keyset_page(queryset, ordering=selectors.CASE_ORDERING, cursor=bad)


def test_counts_are_exact_up_to_the_cap_then_labelled_estimated_or_capped(world):
    cases_bulk(world, 9)
    cases = CaseRecord.objects.all()
    assert (count_bounded(cases, cap=10).value, count_bounded(cases, cap=10).label) == (
        10,
        "共 10 条",
    )
    over = count_bounded(cases, cap=4)
    assert not over.exact
    if connection.vendor == "postgresql":
        assert over.estimated and over.value >= 5 and re.fullmatch(r"约 [\d,]+ 条", over.label)
    else:
        assert (over.estimated, over.label) == (False, "超过 4 条")


def test_the_case_list_page_walks_every_case_by_its_next_links(
    world, client_for, django_assert_max_num_queries
):
    cases_bulk(world, 119)
    client, seen, query = client_for(world.officer), [], ""
    while True:
        with django_assert_max_num_queries(8):
            html = client.get(reverse("settlement:case_list") + "?" + query).content.decode()
        seen += re.findall(r'/settlement/cases/(\d+)/">', html)
        assert 'data-testid="page-count" data-exact="1">共 120 条' in html
        found = NEXT.search(html)
        if not found:
            break
        query = found.group(1).replace("&amp;", "&")
    assert len(seen) == len(set(seen)) == 120


def test_a_filter_survives_the_next_link(world, client_for, two_months):
    cases_bulk(world, 120, periods=two_months)
    html = (
        client_for(world.officer)
        .get(reverse("settlement:case_list"), {"month": 4})
        .content.decode()
    )
    assert "共 60 条" in html and "month=4&amp;cursor=" in html


def test_over_ten_thousand_cases_the_page_says_the_count_is_not_exact(world, client_for):
    cases_bulk(world, COUNT_CAP + 1)
    html = client_for(world.officer).get(reverse("settlement:case_list")).content.decode()
    label = re.search(r'data-testid="page-count" data-exact="0">([^<]+)<', html).group(1)
    assert (
        re.fullmatch(r"约 [\d,]+ 条", label)
        if connection.vendor == "postgresql"
        else label == "超过 10,000 条"
    )


def test_a_hospital_lists_only_its_own_cases_on_every_page(world, client_for):
    cases_bulk(world, 130)
    client, seen, query = client_for(world.user_b), [], ""
    while True:
        html = client.get(reverse("settlement:case_list") + "?" + query).content.decode()
        seen += re.findall(r"<td>(甲医院|乙医院)</td>", html)
        found = NEXT.search(html)
        if not found:
            break
        query = found.group(1).replace("&amp;", "&")
    assert seen == ["乙医院"] * 65


def test_a_hospital_cursor_made_from_another_institutions_key_shows_no_other_case(
    world, client_for
):
    cases_bulk(world, 10)
    cursor = cursor_encode([0, ""], backwards=False)
    rows = (
        client_for(world.user_a).get(reverse("api:case-list"), {"cursor": cursor}).json()["results"]
    )
    assert rows and {row["fixmedins_code"] for row in rows} == {world.hospital_a.code}


def test_the_api_walks_every_case_by_next_with_a_bounded_query_count(
    world, client_for, django_assert_max_num_queries
):
    cases_bulk(world, 119)
    client, seen, url = client_for(world.officer), [], reverse("api:case-list")
    while url:
        with django_assert_max_num_queries(6):
            body = client.get(url).json()
        assert (body["count"], body["count_exact"]) == (120, True)
        seen += [(row["fixmedins_code"], row["setl_id"]) for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 120
    assert client.get(reverse("api:case-list"), {"page": 2}).status_code == 404
    bad = client.get(reverse("api:case-list"), {"cursor": "not-a-cursor"})
    assert bad.status_code == 404 and set(bad.json()) == {"detail"}


def test_the_api_filters_by_institution_with_its_own_ordering(world, client_for):
    cases_bulk(world, 30)
    body = (
        client_for(world.officer)
        .get(reverse("api:case-list"), {"fixmedins_code": world.hospital_b.code})
        .json()
    )
    assert body["count"] == 15 and [row["setl_id"] for row in body["results"]] == [
        f"S{i:05d}" for i in range(15)
    ]


def test_aggregates_follow_intake_including_a_correction_that_moves_a_case(
    world, upload, two_months
):
    upload(
        world.user_a,
        [
            valid_row("S1"),
            valid_row("S2", medfee_sumamt="30000.10", psn_part_amt="9000.10", fee_other="5000.10"),
        ],
    )
    march = CaseMonthAggregate.objects.get(period=world.period, institution=world.hospital_a)
    assert (march.cases, march.medfee_sumamt) == (2, D("60000.10"))
    upload(world.user_a, [valid_row("S2", setl_time="2024-04-02 09:00")])
    rows = {
        (a.month, a.cases) for a in CaseMonthAggregate.objects.filter(institution=world.hospital_a)
    }
    assert rows == {(3, 1), (4, 1)}


def test_the_rebuild_command_rewrites_aggregates_from_the_case_table(world, two_months, capsys):
    cases_bulk(world, 9, periods=two_months)
    CaseMonthAggregate.objects.all().delete()
    CaseMonthAggregate.objects.create(
        region=world.region,
        institution=world.hospital_a,
        period=world.period,
        year=2024,
        month=3,
        insutype="310",
        cases=999,
        medfee_sumamt=0,
        fund_pay_sumamt=0,
    )
    call_command("case_aggregates_rebuild", "--region", world.region.code)
    assert "已重建病例月汇总 4 行" in capsys.readouterr().out
    assert case_total_for_user(world.officer) == CaseRecord.objects.count() == 10
    assert (
        case_total_for_user(world.user_b)
        == CaseRecord.objects.filter(institution=world.hospital_b).count()
        == 4
    )
    months = case_months_for_user(world.officer)
    assert [(m["year"], m["month"], m["n"]) for m in months] == [(2024, 4, 4), (2024, 3, 6)]
    assert months[1]["total"] == sum(
        CaseRecord.objects.filter(period=world.period).values_list("medfee_sumamt", flat=True)
    )


@pytest.mark.parametrize("who, limit", [("officer", 12), ("user_a", 10)])
def test_the_home_page_reads_the_aggregates(
    world, client_for, who, limit, django_assert_max_num_queries
):
    cases_bulk(world, 40)
    client = client_for(getattr(world, who))
    with django_assert_max_num_queries(limit):
        html = client.get(reverse("portal:home")).content.decode()
    expected = "41" if who == "officer" else "21"
    assert re.search(r'data-testid="case-count">' + expected + "<", html)


def test_the_case_list_of_an_institution_filter_uses_the_institution_ordering(world):
    assert (
        selectors.case_list_ordering(world.officer, institution="H1")
        == selectors.CASE_ORDERING_ONE_INSTITUTION
    )
    assert selectors.case_list_ordering(world.user_a) == selectors.CASE_ORDERING_ONE_INSTITUTION
    assert selectors.case_list_ordering(world.officer) == selectors.CASE_ORDERING


@pytest.mark.parametrize("who, limit", [("officer", 9), ("user_a", 9)])
def test_the_search_finds_a_diagnosis_prefix_or_a_settlement_id_in_bounded_queries(
    world, client_for, who, limit, django_assert_max_num_queries
):
    cases_bulk(world, 20)  # I21.000 like the template
    CaseRecord.objects.filter(setl_id__in=["S00001", "S00002"]).update(maindiag_code="J18.900")
    client = client_for(getattr(world, who))
    hospitals, seen = (1, 11) if who == "user_a" else (2, 21)  # hospital A: ten and the template
    for q, expected in [
        ("J18", 2 * hospitals),
        ("I21", seen - 2 * hospitals),
        ("S00003", hospitals),
        ("X", 0),
    ]:
        with django_assert_max_num_queries(limit):
            page = client.get(reverse("settlement:case_list"), {"q": q}).context["page"]
        assert page.count.value == len(page) == expected, q
