"""Settlement periods (bureau only) and case records (through for_user) over the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from settlement.models import SettlementPeriod
from tests.world import case_create

pytestmark = pytest.mark.django_db


def setl_ids(response) -> list[str]:
    return [row["setl_id"] for row in response.json()["results"]]


@pytest.fixture
def cases(world):
    april = SettlementPeriod.objects.create(region=world.region, year=2024, month=4)
    return {
        "A1": case_create(institution=world.hospital_a, period=world.period, setl_id="A1"),
        "A2": case_create(
            institution=world.hospital_a, period=april, setl_id="A2", insutype="390", med_type="28"
        ),
        "B1": case_create(institution=world.hospital_b, period=world.period, setl_id="B1"),
    }


def test_bureau_lists_periods(world, client_for):
    SettlementPeriod.objects.create(region=world.region, year=2024, month=4, status="closed")
    rows = client_for(world.officer).get(reverse("api:period-list")).json()["results"]
    assert [(row["year"], row["month"], row["status"], row["status_label"]) for row in rows] == [
        (2024, 4, "closed", "已关账"),
        (2024, 3, "open", "开放"),
    ]


@pytest.mark.parametrize("who", ["user_a", "expert"])
def test_periods_refuse_non_bureau_users(world, client_for, who):
    assert client_for(getattr(world, who)).get(reverse("api:period-list")).status_code == 403


def test_hospital_user_lists_only_own_cases(world, cases, client_for):
    assert sorted(setl_ids(client_for(world.user_a).get(reverse("api:case-list")))) == ["A1", "A2"]


def test_hospital_user_with_token_lists_only_own_cases(world, cases, client, token_headers):
    assert setl_ids(client.get(reverse("api:case-list"), **token_headers(world.user_b))) == ["B1"]


def test_bureau_officer_sees_every_case(world, cases, client_for):
    assert sorted(setl_ids(client_for(world.officer).get(reverse("api:case-list")))) == [
        "A1",
        "A2",
        "B1",
    ]


def test_expert_sees_no_case(world, cases, client_for):
    client = client_for(world.expert)
    assert client.get(reverse("api:case-list")).json()["count"] == 0
    assert client.get(reverse("api:case-detail", args=[cases["A1"].pk])).status_code == 404


def test_hospital_user_gets_404_for_another_institutions_case(world, cases, client_for):
    client = client_for(world.user_a)
    response = client.get(reverse("api:case-detail", args=[cases["B1"].pk]))
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert client.get(reverse("api:case-detail", args=[cases["A1"].pk])).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"fixmedins_code": "H37080200002"}, ["B1"]),
        ({"year": "2024", "month": "4"}, ["A2"]),
        ({"month": "3"}, ["A1", "B1"]),
        ({"year": "2023"}, []),
        ({"insutype": "390"}, ["A2"]),
        ({"med_type": "21"}, ["A1", "B1"]),
        ({"med_type": "28", "insutype": "390"}, ["A2"]),
        ({"q": "B1"}, ["B1"]),
    ],
)
def test_case_filters(world, cases, client_for, query, expected):
    assert (
        sorted(setl_ids(client_for(world.officer).get(reverse("api:case-list"), query))) == expected
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"month": "13"}, "month"),
        ({"year": "abc"}, "year"),
        ({"insutype": "999"}, "insutype"),
        ({"med_type": "99"}, "med_type"),
    ],
)
def test_bad_case_filter_answers_400_with_error_shape(world, client_for, query, field):
    response = client_for(world.officer).get(reverse("api:case-list"), query)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "提交的数据有误，请检查后重试。"
    assert list(body["errors"]) == [field]
    assert isinstance(body["errors"][field][0], str)


def test_money_is_serialised_as_exact_strings(world, client_for):
    case = case_create(
        institution=world.hospital_a,
        period=world.period,
        setl_id="M1",
        medfee_sumamt=Decimal("12345678.91"),
        fund_pay_sumamt=Decimal("0.10"),
        hifp_pay=Decimal("0.10"),
        psn_part_amt=Decimal("12345678.81"),
        fee_drug=Decimal("7"),
    )
    client = client_for(world.user_a)
    row = client.get(reverse("api:case-list")).json()["results"][0]
    assert (row["medfee_sumamt"], row["fund_pay_sumamt"]) == ("12345678.91", "0.10")
    detail = client.get(reverse("api:case-detail", args=[case.pk])).json()
    assert detail["psn_part_amt"] == "12345678.81"
    assert detail["fee_drug"] == "7.00"
    assert detail["acct_pay"] is None


def test_case_detail_has_every_column_and_durations_in_minutes(world, client_for):
    case = case_create(
        institution=world.hospital_a,
        period=world.period,
        setl_id="D1",
        scs_cutd_sum_dura=3210,
        vent_used_dura=1440,
        otherdiag_codes="I10.x00;E11.900",
    )
    body = client_for(world.officer).get(reverse("api:case-detail", args=[case.pk])).json()
    assert body["fixmedins_code"] == "H37080200001"
    assert body["fixmedins_name"] == "甲医院"
    assert body["period"] == {"year": 2024, "month": 3, "status": "open"}
    assert (body["scs_cutd_sum_dura"], body["vent_used_dura"]) == (3210, 1440)
    assert body["otherdiag_codes"] == "I10.x00;E11.900"
    assert body["setl_time"] == "2024-03-08T12:00:00+08:00"


def test_case_list_is_lighter_than_detail(world, cases, client_for):
    client = client_for(world.officer)
    row = client.get(reverse("api:case-list")).json()["results"][0]
    detail = client.get(reverse("api:case-detail", args=[row["id"]])).json()
    assert set(row) < set(detail)
    assert "psn_no" not in row and "fee_drug" not in row


def test_case_list_query_count_does_not_grow_with_rows(
    world, client, token_headers, django_assert_max_num_queries
):
    for n in range(40):
        case_create(
            institution=world.hospital_a if n % 2 else world.hospital_b,
            period=world.period,
            setl_id=f"N{n}",
        )
    headers = token_headers(world.officer)
    # token + user, the user's other tokens (knox sweeps expired ones), count, page of rows with institution and period joined
    with django_assert_max_num_queries(4):
        response = client.get(reverse("api:case-list"), **headers)
    assert response.json()["count"] == 40
    assert len(response.json()["results"]) == 40


def test_case_detail_is_one_query_after_authentication(
    world, cases, client, token_headers, django_assert_max_num_queries
):
    headers = token_headers(world.user_a)
    # authentication is two (the token with its user; the user's other tokens, which knox sweeps when expired)
    with django_assert_max_num_queries(3):
        response = client.get(reverse("api:case-detail", args=[cases["A1"].pk]), **headers)
    assert response.status_code == 200


def test_hospital_user_filtering_by_another_institution_gets_nothing(world, cases, client_for):
    response = client_for(world.user_a).get(
        reverse("api:case-list"), {"fixmedins_code": "H37080200002"}
    )
    assert response.json()["count"] == 0


def test_page_past_the_end_is_404_with_detail(world, cases, client_for):
    response = client_for(world.officer).get(reverse("api:case-list"), {"page": "99"})
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_non_numeric_case_id_is_404(world, client_for):
    assert client_for(world.officer).get("/api/v1/cases/abc/").status_code == 404
