"""Objections linked to the settlement run (结算批次) and the catalog group (病种/病组) they concern: the rules
(region, the institution's statement, published catalogs), through the service, the page and the API, and
tenancy (a hospital never learns of another institution's statements or items)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import Role
from accounts.services import user_create
from catalogs.choices import CatalogKind, CatalogStatus
from catalogs.models import Institution, Region
from catalogs.versions.models import CatalogGroup, CatalogVersion
from disputes import services
from disputes.choices import ItemKind, ItemStatus, Subject
from disputes.models import (
    ERR_GROUP_REGION,
    ERR_GROUP_VERSION,
    ERR_RUN_INSTITUTION,
    ERR_RUN_REGION,
    DisputeItem,
)
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.models import RunInstitution, SettlementRun
from tests.api.conftest import token_headers  # noqa: F401  (the fixture, shared with tests/api)
from tests.world import PASSWORD, run_publish_now

pytestmark = pytest.mark.django_db

LIST = "/api/v1/disputes/"


@dataclass
class Links:
    """Runs of the world's region holding A's / B's statement, a run of another region, and the group "A01" in the
    region's published and draft catalogs and in the other region's published catalog."""

    other_region: Region
    run_a: SettlementRun
    run_b: SettlementRun
    run_other: SettlementRun
    published: CatalogVersion
    group: CatalogGroup
    draft_group: CatalogGroup
    other_group: CatalogGroup


def run_create(region: Region, number: int, *institutions: Institution) -> SettlementRun:
    run = SettlementRun.objects.create(
        region=region,
        year=2024,
        scheme="310",
        category="DIP",
        kind="DIP",
        run_type=RunType.MONTHLY,
        number=number,
        status=RunStatus.COMPLETED,
        total=Decimal("100.00"),
    )
    for institution in institutions:
        RunInstitution.objects.create(
            run=run, institution=institution, cases=1, settlement=Decimal("100.00")
        )
    run_publish_now(run)
    return run


def group_create(region: Region, *, version: int, status: str) -> CatalogGroup:
    catalog = CatalogVersion.objects.create(
        region=region,
        kind=CatalogKind.DIP,
        year=2024,
        version=version,
        status=status,
        name=f"2024版第{version}版",
    )
    return CatalogGroup.objects.create(
        version=catalog, code="A01", name="急性心肌梗死", score=Decimal("1200")
    )


@pytest.fixture
def links(world) -> Links:
    other = Region.objects.create(code="370900", name="邻市统筹区")
    elsewhere = Institution.objects.create(
        region=other, code="H37090200001", name="邻市医院", level="3A", type="general"
    )
    group = group_create(world.region, version=1, status=CatalogStatus.PUBLISHED)
    return Links(
        other_region=other,
        run_a=run_create(world.region, 1, world.hospital_a),
        run_b=run_create(world.region, 2, world.hospital_b),
        run_other=run_create(other, 1, elsewhere),
        published=group.version,
        group=group,
        draft_group=group_create(world.region, version=2, status=CatalogStatus.DRAFT),
        other_group=group_create(other, version=1, status=CatalogStatus.PUBLISHED),
    )


def objection(user, **links) -> DisputeItem:
    return services.item_create(
        actor=user,
        kind=ItemKind.OBJECTION,
        subject=Subject.GROUPING,
        statement="病例应入 A01 组。",
        **links,
    )


def messages_of(error: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return error.value.message_dict


# --------------------------------------------------------------------------- service and model rules


def test_an_objection_links_the_run_and_group_it_concerns(world, links):
    item = objection(world.user_a, run=links.run_a, group=links.group)
    item.refresh_from_db()
    assert (item.run, item.group, item.subject_ref) == (links.run_a, links.group, "")
    assert list(links.run_a.dispute_items.all()) == [item] and list(
        links.group.dispute_items.all()
    ) == [item]


def test_both_links_are_optional(world, links):
    item = objection(world.user_a)
    assert item.run is None and item.group is None


def test_a_run_without_the_hospitals_statement_is_refused_as_unknown(world, links):
    for run in (links.run_b, links.run_other):
        with pytest.raises(ValidationError) as refused:
            objection(world.user_a, run=run)
        assert messages_of(refused) == {"run": [services.ERR_RUN_UNKNOWN]}
    assert not DisputeItem.objects.exists()


def test_the_model_refuses_a_run_of_another_region_or_without_the_institution(world, links):
    item = DisputeItem(
        kind=ItemKind.OBJECTION,
        institution=world.hospital_a,
        subject=Subject.AMOUNT,
        statement="x",
        run=links.run_other,
    )
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert messages_of(refused) == {"run": [ERR_RUN_REGION]}
    item.run = links.run_b
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert messages_of(refused) == {"run": [ERR_RUN_INSTITUTION]}
    item.run, item.group = None, links.other_group
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert messages_of(refused) == {"group": [ERR_GROUP_REGION]}


def test_a_group_of_another_regions_catalog_is_refused_as_unknown(world, links):
    # The hospital cannot read another region's catalogs, so their groups do not exist for it.
    with pytest.raises(ValidationError) as refused:
        objection(world.user_a, group=links.other_group)
    assert messages_of(refused) == {"group": [services.ERR_GROUP_UNKNOWN]}


def test_a_group_of_a_draft_catalog_is_refused(world, links):
    with pytest.raises(ValidationError) as refused:
        objection(world.user_a, group=links.draft_group)
    assert messages_of(refused) == {"group": [services.ERR_GROUP_UNKNOWN]}
    item = DisputeItem(
        kind=ItemKind.OBJECTION,
        institution=world.hospital_a,
        subject=Subject.GROUPING,
        statement="x",
        group=links.draft_group,
    )
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert messages_of(refused) == {"group": [ERR_GROUP_VERSION]}


def test_a_link_stays_valid_when_the_catalog_retires_and_the_run_is_superseded(world, links):
    item = objection(world.user_a, run=links.run_a, group=links.group)
    CatalogVersion.objects.filter(pk=links.published.pk).update(status=CatalogStatus.RETIRED)
    SettlementRun.objects.filter(pk=links.run_a.pk).update(status=RunStatus.SUPERSEDED)
    item = services.item_submit(actor=world.user_a, item=item)
    assert item.status == ItemStatus.SUBMITTED


def test_a_consortium_member_links_its_leads_run_that_includes_it(world, links):
    member = Institution.objects.create(
        region=world.region,
        code="H37080200009",
        name="甲医院分院",
        level="1",
        type="grassroots",
        consortium_lead=world.hospital_a,
    )
    RunInstitution.objects.filter(run=links.run_a).update(members=[member.pk])
    user = user_create(
        actor=None,
        username="hosp_m",
        password=PASSWORD,
        role=Role.HOSPITAL,
        display_name="分院",
        institution=member,
    )
    assert objection(user, run=links.run_a).run == links.run_a
    with pytest.raises(ValidationError):
        objection(user, run=links.run_b)


# --------------------------------------------------------------------------- page


def test_the_form_offers_only_what_the_hospital_may_link(world, links, client_for):
    html = client_for(world.user_a).get(reverse("disputes:item_create")).content.decode()
    assert f'<option value="{links.run_a.pk}">{links.run_a}</option>' in html
    assert (
        f'value="{links.run_b.pk}"' not in html
    )  # B's run is the same region's, but never offered to A
    assert f'<option value="{links.published.pk}">{links.published}</option>' in html
    assert (
        f'value="{links.draft_group.version.pk}"' not in html
        and f'value="{links.other_group.version.pk}"' not in html
    )


def test_the_page_files_a_linked_objection_and_shows_the_links(world, links, client_for):
    client = client_for(world.user_a)
    response = client.post(
        reverse("disputes:item_create"),
        {
            "kind": ItemKind.OBJECTION,
            "subject": Subject.GROUPING,
            "statement": "应入 A01 组",
            "run": links.run_a.pk,
            "catalog_version": links.published.pk,
            "group_code": "A01",
        },
    )
    item = DisputeItem.objects.get()
    assert response.status_code == 302 and (item.run, item.group) == (links.run_a, links.group)
    html = client.get(reverse("disputes:item_detail", args=[item.pk])).content.decode()
    statement_url = reverse(
        "settlement:statement_detail", args=[links.run_a.pk, world.hospital_a.code]
    )
    assert f'<a href="{statement_url}">{links.run_a}</a>' in html
    assert (
        f'<a href="{reverse("catalogs:group_detail", args=[links.group.pk])}">A01 急性心肌梗死</a>'
        in html
    )
    assert str(links.published) in html
    officer_html = (
        client_for(world.officer)
        .get(reverse("disputes:item_detail", args=[item.pk]))
        .content.decode()
    )
    assert statement_url in officer_html


def test_the_page_refuses_another_institutions_run_and_an_unknown_code(world, links, client_for):
    client = client_for(world.user_a)
    base = {"kind": ItemKind.OBJECTION, "subject": Subject.GROUPING, "statement": "x"}
    response = client.post(reverse("disputes:item_create"), {**base, "run": links.run_b.pk})
    assert response.status_code == 200 and str(links.run_b) not in response.content.decode()
    assert "run" in response.context["form"].errors
    response = client.post(
        reverse("disputes:item_create"),
        {**base, "catalog_version": links.published.pk, "group_code": "Z99"},
    )
    assert response.context["form"].errors["group_code"] == [
        services.ERR_GROUP_CODE.format(version=links.published, code="Z99")
    ]
    response = client.post(reverse("disputes:item_create"), {**base, "group_code": "A01"})
    assert "group_code" in response.context["form"].errors
    assert not DisputeItem.objects.exists()


def test_another_hospital_never_sees_the_linked_item(world, links, client_for):
    item = objection(world.user_a, run=links.run_a, group=links.group)
    client = client_for(world.user_b)
    assert client.get(reverse("disputes:item_detail", args=[item.pk])).status_code == 404
    assert str(item.number) not in client.get(reverse("disputes:item_list")).content.decode()


# --------------------------------------------------------------------------- API


@pytest.fixture
def post_as(client, token_headers):
    def post(user, data: dict):
        return client.post(
            LIST,
            {"kind": "objection", "subject": "grouping", "statement": "应入 A01 组", **data},
            content_type="application/json",
            **token_headers(user),
        )

    return post


def test_the_api_links_a_run_by_id_and_a_group_by_version_and_code(
    world, links, post_as, client, token_headers
):
    response = post_as(
        world.user_a,
        {"run_id": links.run_a.pk, "catalog_version_id": links.published.pk, "group_code": "A01"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["run_id"],
        body["run"],
        body["group_id"],
        body["group_code"],
        body["group_name"],
    ) == (links.run_a.pk, str(links.run_a), links.group.pk, "A01", "急性心肌梗死")
    assert (body["catalog_version_id"], body["catalog_version"]) == (
        links.published.pk,
        str(links.published),
    )
    listed = client.get(LIST, **token_headers(world.user_a)).json()["results"]
    assert listed[0]["group_code"] == "A01"
    assert client.get(LIST, **token_headers(world.user_b)).json()["results"] == []


def test_the_api_refuses_runs_it_cannot_see_alike(world, links, post_as):
    for run_id in (links.run_b.pk, links.run_other.pk, 999999):
        response = post_as(world.user_a, {"run_id": run_id})
        assert (response.status_code, response.json()) == (
            400,
            {"detail": services.ERR_RUN_UNKNOWN},
        )


def test_the_api_refuses_draft_and_other_region_groups(world, links, post_as):
    draft = post_as(
        world.user_a, {"catalog_version_id": links.draft_group.version_id, "group_code": "A01"}
    )
    assert draft.json() == {
        "detail": services.ERR_GROUP_CODE.format(version=links.draft_group.version_id, code="A01")
    }
    other = post_as(
        world.user_a, {"catalog_version_id": links.other_group.version_id, "group_code": "A01"}
    )
    unknown = services.ERR_GROUP_CODE.format(version=links.other_group.version_id, code="A01")
    assert (other.status_code, other.json()) == (400, {"detail": unknown})
    half = post_as(world.user_a, {"group_code": "A01"})
    assert half.status_code == 400 and set(half.json()["errors"]) == {"group_code"}
    assert not DisputeItem.objects.exists()
