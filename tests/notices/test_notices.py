"""Notices (通知公告): drafting and publishing, who receives them, the unread badge, read receipts."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.choices import Role
from accounts.services import user_create
from audit.models import AuditEvent
from catalogs.models import Institution, Region
from notices import selectors, services
from notices.models import Notice, NoticeReceipt
from tests.api.conftest import token_headers  # noqa: F401  (the fixture)
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def notice(world, **kwargs) -> Notice:
    values = dict(
        actor=world.officer,
        region=world.region,
        title="2024年3月点值公布",
        body="月度点值为 12.5。",
        publish=True,
    )
    return services.notice_create(**{**values, **kwargs})


def test_a_notice_to_all_reaches_every_hospital_of_the_region_once_published(world):
    draft = notice(world, publish=False)
    assert not Notice.objects.for_user(world.user_a).exists()
    services.notice_publish(actor=world.officer, notice=draft)
    assert (
        list(Notice.objects.for_user(world.user_a))
        == [draft]
        == list(Notice.objects.for_user(world.user_b))
    )
    assert [e.action for e in AuditEvent.objects.order_by("id")][-2:] == [
        "notice_create",
        "notice_publish",
    ]
    with pytest.raises(ValidationError, match="不能重复发布"):
        services.notice_publish(actor=world.officer, notice=draft)


def test_a_notice_to_chosen_institutions_stays_hidden_from_the_others(world):
    chosen = notice(world, to_all=False, institutions=[world.hospital_b])
    assert not Notice.objects.for_user(world.user_a).exists()
    assert list(Notice.objects.for_user(world.user_b)) == [chosen]


def test_a_notice_needs_an_audience_of_its_region_and_a_bureau_author(world):
    with pytest.raises(ValidationError, match="请选择接收机构"):
        notice(world, to_all=False)
    elsewhere = Institution.objects.create(
        region=Region.objects.create(code="370900", name="邻市"),
        code="H9",
        name="邻市医院",
        level="2",
        type="general",
    )
    with pytest.raises(ValidationError, match="邻市医院"):
        notice(world, to_all=False, institutions=[elsewhere])
    with pytest.raises(PermissionDenied):
        notice(world, actor=world.user_a)


def test_opening_a_notice_marks_it_read_and_clears_the_badge(world, client_for):
    item = notice(world)
    client = client_for(world.user_a)
    home = client.get(reverse("notices:notice_list")).content.decode()
    assert 'data-testid="unread-notices"' in home and "未读" in home
    page = client.get(reverse("notices:notice_detail", args=[item.pk])).content.decode()
    assert "月度点值为 12.5" in page
    assert selectors.unread_count(world.user_a) == 0 and selectors.unread_count(world.user_b) == 1
    assert (
        'data-testid="unread-notices"'
        not in client.get(reverse("notices:notice_list")).content.decode()
    )
    client.get(reverse("notices:notice_detail", args=[item.pk]))
    assert NoticeReceipt.objects.filter(notice=item).count() == 1


def test_the_officer_sees_who_read_and_hospitals_do_not_see_officer_names(world, client_for):
    world.officer.display_name = "王经办"
    world.officer.save(update_fields=["display_name"])
    item = notice(world)
    assert (
        "王经办"
        not in client_for(world.user_a)
        .get(reverse("notices:notice_detail", args=[item.pk]))
        .content.decode()
    )
    page = (
        client_for(world.officer)
        .get(reverse("notices:notice_detail", args=[item.pk]))
        .content.decode()
    )
    receipts = page.split('data-testid="notice-receipts"')[1]
    assert "hosp_a" in receipts and "未读" in receipts and "王经办" in page
    assert not NoticeReceipt.objects.filter(user=world.officer).exists()


def test_the_officer_creates_a_notice_from_the_page_and_hospitals_cannot(world, client_for):
    response = client_for(world.officer).post(
        reverse("notices:notice_create"),
        {
            "region": world.region.pk,
            "kind": "deadline",
            "title": "特病单议申报截止",
            "body": "请于3月20日前申报。",
            "institutions": [world.hospital_a.pk],
            "publish": "on",
        },
    )
    created = Notice.objects.get()
    assert response.status_code == 302 and created.published_at and not created.to_all
    assert client_for(world.user_a).get(reverse("notices:notice_create")).status_code == 403
    assert (
        client_for(world.user_b)
        .get(reverse("notices:notice_detail", args=[created.pk]))
        .status_code
        == 404
    )


def test_the_api_lists_unread_notices_and_records_receipts(world, client, token_headers):
    item = notice(world)
    headers = token_headers(world.user_a)
    rows = client.get(reverse("api:notice-list") + "?unread=true", **headers).json()["results"]
    assert [(row["id"], row["is_read"]) for row in rows] == [
        (item.pk, False)
    ] and "created_by" not in rows[0]
    assert (
        client.get(reverse("api:notice-detail", args=[item.pk]), **headers).json()["is_read"]
        is True
    )
    assert client.get(reverse("api:notice-list") + "?unread=true", **headers).json()["count"] == 0
    assert client.get(reverse("api:notice-list") + "?bogus=1", **headers).status_code == 400
    assert (
        client.get(
            reverse("api:notice-detail", args=[item.pk]), **token_headers(world.user_b)
        ).status_code
        == 200
    )
    assert NoticeReceipt.objects.filter(notice=item).count() == 2
    other = notice(world, to_all=False, institutions=[world.hospital_b])
    assert client.get(reverse("api:notice-detail", args=[other.pk]), **headers).status_code == 404


def test_the_notice_list_reads_in_a_bounded_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    for n in range(10):
        notice(world, title=f"通知{n}")
    client = client_for(world.user_a)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("notices:notice_list")).content.decode()
    assert page.count("未读</span>") == 10


def test_an_officer_of_another_region_sees_none_of_this_regions_notices_and_cannot_address_them(
    world, client_for
):
    own = notice(world)
    other = Region.objects.create(code="370900", name="乙统筹区")
    stranger = user_create(
        actor=None,
        username="b_officer",
        password=PASSWORD,
        role=Role.BUREAU_OFFICER,
        regions=[other],
    )
    client = client_for(stranger)
    assert list(selectors.notice_list_for_user(stranger)) == []
    assert client.get(reverse("notices:notice_detail", args=[own.pk])).status_code == 404
    form = client.get(reverse("notices:notice_create")).context["form"]
    assert list(form.fields["region"].queryset) == [other]
    assert not form.fields["institutions"].queryset.filter(region=world.region).exists()
