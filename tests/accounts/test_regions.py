"""Any number of regions (issue 19 item 3), on the shared world plus a second region: who may see which
region, the header's selector, creating a region with its periods (page and command), binding accounts
to regions on the portal pages, and 404 for another region's objects through pages and the API."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from accounts.regions import SESSION_KEY, regions_for_user
from accounts.services import user_create
from audit.models import AuditEvent
from budgets.models import Budget
from catalogs.models import Institution, Region
from jobs.models import Job
from settlement.intake.models import ImportBatch
from settlement.models import CaseRecord, SettlementPeriod
from settlement.services import ERR_REGION_EXISTS, ERR_YEAR_EXISTS, ERR_YEARS, region_create
from tests.world import PASSWORD, case_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(world):
    """A second region (泰山市) with one hospital, one case, and an officer bound to it alone."""
    region = region_create(actor="测试", code="370900", name="泰山市", years=[2024])
    hospital = Institution.objects.create(
        region=region, code="H37090200001", name="丙医院", level="3A", type="general"
    )
    case_create(
        institution=hospital, period=region.periods.get(year=2024, month=3), setl_id="B0001"
    )
    officer = user_create(
        actor=None,
        username="officer_b",
        password=PASSWORD,
        role=Role.BUREAU_OFFICER,
        regions=[region],
    )
    return region, hospital, officer


def test_each_role_sees_its_own_regions(world, second):
    region_b, _, officer_b = second
    province = user_create(
        actor=None,
        username="province",
        password=PASSWORD,
        role=Role.BUREAU_OFFICER,
        province_wide=True,
    )
    assert list(regions_for_user(world.officer)) == [world.region]
    assert list(regions_for_user(officer_b)) == [region_b]
    assert list(regions_for_user(world.user_a)) == [
        world.region
    ]  # a hospital follows its institution
    assert list(regions_for_user(province)) == [world.region, region_b]
    assert not regions_for_user(
        user_create(actor=None, username="nobody", password=PASSWORD, role=Role.BUREAU_OFFICER)
    ).exists()


def test_tenancy_keeps_each_officer_to_its_region_and_a_province_user_reads_all(world, second):
    region_b, hospital_c, officer_b = second
    case_create(institution=world.hospital_a, period=world.period, setl_id="A0001")
    province = user_create(
        actor=None,
        username="province",
        password=PASSWORD,
        role=Role.BUREAU_ADMIN,
        province_wide=True,
    )
    assert set(CaseRecord.objects.for_user(world.officer).values_list("setl_id", flat=True)) == {
        "A0001"
    }
    assert set(CaseRecord.objects.for_user(officer_b).values_list("setl_id", flat=True)) == {
        "B0001"
    }
    assert set(CaseRecord.objects.for_user(province).values_list("setl_id", flat=True)) == {
        "A0001",
        "B0001",
    }
    assert list(Institution.objects.for_user(officer_b)) == [hospital_c]


def test_a_user_bound_to_one_region_gets_404_on_the_others_pages_and_api(world, second, client_for):
    region_b, hospital_c, officer_b = second
    case = CaseRecord.objects.get(setl_id="B0001")
    client = client_for(world.officer)
    assert client.get(reverse("settlement:case_detail", args=[case.pk])).status_code == 404
    assert (
        client.get(reverse("settlement:period_closing"), {"region": region_b.code}).status_code
        == 404
    )
    period = region_b.periods.get(year=2024, month=3)
    assert client.post(reverse("settlement:period_close", args=[period.pk])).status_code == 404
    assert SettlementPeriod.objects.get(pk=period.pk).is_open
    api = client.get(reverse("api:region-list")).json()
    assert [row["code"] for row in (api["results"] if isinstance(api, dict) else api)] == [
        world.region.code
    ]
    refused = client.get(reverse("api:budget-list"), {"region": region_b.code})
    assert refused.status_code == 404 and region_b.code in refused.json()["detail"]
    assert client.get(reverse("api:institution-detail", args=[hospital_c.code])).status_code == 404


def test_the_selector_is_shown_to_a_user_with_two_regions_and_switches_the_current_one(
    world, second, client_for
):
    region_b, _, officer_b = second
    single = client_for(officer_b).get(reverse("portal:home")).content.decode()
    assert 'data-testid="region-selector"' not in single and "泰山市" in single
    world.officer.regions.add(region_b)
    client = client_for(world.officer)
    page = client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="region-selector"' in page and "切换统筹区" in page
    assert client.get(reverse("supervision:rule_set_list")).context["region"] == world.region
    response = client.post(
        reverse("accounts:region_switch"),
        {"region": region_b.code, "next": reverse("supervision:rule_set_list")},
    )
    assert response.status_code == 302 and response.url == reverse("supervision:rule_set_list")
    assert client.session[SESSION_KEY] == region_b.code
    assert client.get(reverse("supervision:rule_set_list")).context["region"] == region_b


def test_the_selector_refuses_a_region_out_of_scope_and_an_outside_next(world, second, client_for):
    region_b, _, _ = second
    client = client_for(world.officer)
    assert (
        client.post(reverse("accounts:region_switch"), {"region": region_b.code}).status_code == 404
    )
    assert SESSION_KEY not in client.session
    response = client.post(
        reverse("accounts:region_switch"),
        {"region": world.region.code, "next": "https://evil.example/"},
    )
    assert response.url == reverse("portal:home")


def test_forms_offer_and_accept_only_the_users_regions(world, second, client_for):
    region_b, _, _ = second
    client = client_for(world.officer)
    form = client.get(reverse("budgets:budget_create")).context["form"]
    assert (
        list(form.fields["region"].queryset) == [world.region]
        and form.initial["region"] == world.region
    )
    client.post(
        reverse("budgets:budget_create"),
        {"region": region_b.pk, "year": 2024, "scheme": "310", "name": "越权"},
    )
    assert not Budget.objects.filter(region=region_b).exists()


def test_a_bureau_admin_creates_a_region_with_its_periods_on_the_page(world, client_for):
    client = client_for(world.bureau_admin)
    response = client.post(
        reverse("settlement:region_list"),
        {"code": "370900", "name": "泰山市", "years": "2024，2025"},
    )
    assert response.status_code == 302
    region = Region.objects.get(code="370900")
    assert region.periods.count() == 24 and set(region.periods.values_list("year", flat=True)) == {
        2024,
        2025,
    }
    assert region in world.bureau_admin.regions.all()  # the creator is bound to it
    assert {"region_create", "region_periods_add"} <= set(
        AuditEvent.objects.filter(object_id=str(region.pk)).values_list("action", flat=True)
    )
    page = client.get(reverse("settlement:region_list")).content.decode()
    assert "泰山市" in page and "2025、2024" in page


def test_the_region_page_refuses_bad_input_in_chinese_and_a_non_admin(world, client_for):
    client = client_for(world.bureau_admin)
    taken = client.post(
        reverse("settlement:region_list"),
        {"code": world.region.code, "name": "重复", "years": "2024"},
    )
    assert ERR_REGION_EXISTS.format(code=world.region.code) in taken.content.decode()
    bad_code = client.post(
        reverse("settlement:region_list"), {"code": "37A900", "name": "坏", "years": "2024"}
    )
    assert "行政区划代码应为6位数字" in bad_code.content.decode()
    bad_years = client.post(
        reverse("settlement:region_list"), {"code": "370900", "name": "泰山市", "years": "二〇二四"}
    )
    assert ERR_YEARS in bad_years.content.decode()
    assert Region.objects.count() == 1
    assert (
        client_for(world.officer)
        .post(
            reverse("settlement:region_list"), {"code": "370900", "name": "泰山市", "years": "2024"}
        )
        .status_code
        == 403
    )
    assert client_for(world.user_a).get(reverse("settlement:region_list")).status_code == 403


def test_the_command_creates_a_region_and_opens_another_year(world):
    out = StringIO()
    call_command(
        "region_create",
        "--code",
        "370900",
        "--name",
        "泰山市",
        "--year",
        "2024",
        "--user",
        "admin",
        stdout=out,
    )
    region = Region.objects.get(code="370900")
    assert "泰山市" in out.getvalue() and region.periods.count() == 12
    call_command("region_create", "--code", "370900", "--year", "2025", stdout=StringIO())
    assert region.periods.filter(year=2025).count() == 12
    with pytest.raises(CommandError, match=ERR_YEAR_EXISTS.format(code="370900", year=2025)):
        call_command("region_create", "--code", "370900", "--year", "2025", stdout=StringIO())
    assert AuditEvent.objects.filter(action="region_create", actor__username="admin").count() == 1


def test_the_admin_binds_an_account_to_regions_on_the_portal_pages(world, second, client_for):
    region_b, _, _ = second
    world.bureau_admin.regions.add(region_b)
    client = client_for(world.bureau_admin)
    client.post(
        reverse("portal:user_create"),
        {
            "username": "officer_ab",
            "display_name": "两区",
            "role": Role.BUREAU_OFFICER,
            "regions": [world.region.pk, region_b.pk],
        },
    )
    created = User.objects.get(username="officer_ab")
    assert set(created.regions.all()) == {world.region, region_b}
    client.post(reverse("portal:user_regions", args=[created.pk]), {"regions": [region_b.pk]})
    assert list(created.regions.all()) == [region_b]
    event = AuditEvent.objects.filter(action="user_regions_set", object_id=str(created.pk)).get()
    assert event.before["regions"] == ["370800", "370900"] and event.after["regions"] == ["370900"]
    default = client.post(
        reverse("portal:user_create"),
        {"username": "officer_d", "display_name": "默认", "role": Role.BUREAU_OFFICER},
    )
    assert default.status_code == 200 and list(
        User.objects.get(username="officer_d").regions.all()
    ) == [world.region]


def test_an_admin_cannot_grant_a_region_or_the_province_flag_it_does_not_have(
    world, second, client_for
):
    region_b, _, officer_b = second
    client = client_for(world.bureau_admin)
    client.post(
        reverse("portal:user_regions", args=[world.officer.pk]),
        {"regions": [region_b.pk], "province_wide": "on"},
    )
    world.officer.refresh_from_db()
    assert list(world.officer.regions.all()) == [world.region] and not world.officer.province_wide
    refused = client.post(
        reverse("portal:user_create"),
        {
            "username": "h2",
            "display_name": "医院",
            "role": Role.HOSPITAL,
            "institution": world.hospital_a.code,
            "regions": [world.region.pk],
        },
    )
    assert (
        "医疗机构用户随所属机构的统筹区" in refused.content.decode()
        and not User.objects.filter(username="h2").exists()
    )


def test_a_job_of_another_region_is_hidden_and_one_without_a_region_is_not(
    world, second, client_for
):
    region_b, _, officer_b = second
    own = Job.objects.create(
        kind="supervision_detect",
        idempotency_key="a",
        params={"region_id": world.region.pk, "year": 2024},
    )
    other = Job.objects.create(
        kind="supervision_detect",
        idempotency_key="b",
        params={"region_id": region_b.pk, "year": 2024},
    )
    plain = Job.objects.create(kind="case_import", idempotency_key="c", params={})
    assert set(Job.objects.for_user(world.officer)) == {own, plain}
    assert set(Job.objects.for_user(officer_b)) == {other, plain}
    assert (
        client_for(world.officer).get(reverse("jobs:job_detail", args=[other.pk])).status_code
        == 404
    )


def test_an_import_batch_follows_its_institutions_region_and_a_regional_file_stays_visible(
    world, second
):
    _, hospital_c, officer_b = second
    own = ImportBatch.objects.create(institution=world.hospital_a, file_name="a.xlsx")
    other = ImportBatch.objects.create(institution=hospital_c, file_name="c.xlsx")
    regional = ImportBatch.objects.create(institution=None, file_name="region.xlsx")
    assert set(ImportBatch.objects.for_user(world.officer)) == {own, regional}
    assert set(ImportBatch.objects.for_user(officer_b)) == {other, regional}
