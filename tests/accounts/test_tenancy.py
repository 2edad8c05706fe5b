from __future__ import annotations

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
    assert client.get(reverse("catalogs:institution_detail", args=[world.hospital_b.code])).status_code == 404
    assert client.get(reverse("catalogs:institution_detail", args=[world.hospital_a.code])).status_code == 200


def test_case_list_of_hospital_omits_other_institution(world, client_for):
    case_create(institution=world.hospital_a, period=world.period, setl_id="OWN-1")
    case_create(institution=world.hospital_b, period=world.period, setl_id="OTHER-1")
    body = client_for(world.user_a).get(reverse("settlement:case_list")).content.decode()
    assert "OWN-1" in body and "OTHER-1" not in body
