from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from catalogs.models import Institution
from settlement.models import CaseRecord
from tests.world import case_create

pytestmark = pytest.mark.django_db


def test_hospital_user_sees_only_own_cases(world):
    own = case_create(institution=world.hospital_a, period=world.period, setl_id="A1")
    case_create(institution=world.hospital_b, period=world.period, setl_id="B1")
    assert list(CaseRecord.objects.for_user(world.user_a)) == [own]


def test_bureau_officer_sees_every_institution(world):
    case_create(institution=world.hospital_a, period=world.period, setl_id="A1")
    case_create(institution=world.hospital_b, period=world.period, setl_id="B1")
    assert CaseRecord.objects.for_user(world.officer).count() == 2
    assert Institution.objects.for_user(world.officer).count() == 2


def test_expert_and_anonymous_see_no_cases(world):
    from django.contrib.auth.models import AnonymousUser

    case_create(institution=world.hospital_a, period=world.period, setl_id="A1")
    assert CaseRecord.objects.for_user(world.expert).count() == 0
    assert CaseRecord.objects.for_user(AnonymousUser()).count() == 0


def test_hospital_gets_404_for_another_institutions_case_page(world, client_for):
    other = case_create(institution=world.hospital_b, period=world.period, setl_id="B1")
    own = case_create(institution=world.hospital_a, period=world.period, setl_id="A1")
    client = client_for(world.user_a)
    assert client.get(reverse("settlement:case_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("settlement:case_detail", args=[own.pk])).status_code == 200


def test_hospital_gets_404_for_another_institution_page(world, client_for):
    client = client_for(world.user_a)
    assert (
        client.get(reverse("catalogs:institution_detail", args=[world.hospital_b.code])).status_code
        == 404
    )
    assert (
        client.get(reverse("catalogs:institution_detail", args=[world.hospital_a.code])).status_code
        == 200
    )


def test_case_list_of_hospital_omits_other_institution(world, client_for):
    case_create(institution=world.hospital_a, period=world.period, setl_id="OWN-1")
    case_create(institution=world.hospital_b, period=world.period, setl_id="OTHER-1")
    body = client_for(world.user_a).get(reverse("settlement:case_list")).content.decode()
    assert "OWN-1" in body and "OTHER-1" not in body


def test_home_dashboard_of_bureau_shows_level_labels_and_plain_years(world, client_for):
    case_create(institution=world.hospital_a, period=world.period, setl_id="A1")
    body = client_for(world.officer).get(reverse("portal:home")).content.decode()
    assert "三级甲等" in body and "二级" in body and ">3A<" not in body
    assert "2024年3月" in body and "2,024" not in body


def test_home_dashboard_of_hospital_counts_only_own_cases(world, client_for):
    case_create(institution=world.hospital_a, period=world.period, setl_id="A1")
    case_create(
        institution=world.hospital_b,
        period=world.period,
        setl_id="B1",
        medfee_sumamt=Decimal("77777.00"),
        fund_pay_sumamt=Decimal("70000.00"),
        hifp_pay=Decimal("70000.00"),
        psn_part_amt=Decimal("7777.00"),
    )
    body = client_for(world.user_a).get(reverse("portal:home")).content.decode()
    assert "30,000.00" in body and "77,777.00" not in body and "乙医院" not in body
