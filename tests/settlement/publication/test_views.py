"""Publication pages: the publish button, hospitals' statement pages before and after, confirm/object
forms, the bureau's overview and its workbook, the holiday calendar; tenancy and officer names."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.services import user_create
from catalogs.models import Institution, Region
from disputes.models import DisputeItem
from settlement.publication import services
from settlement.publication.models import StatementPublication, StatementResponse
from settlement.runs.models import RunInstitution
from tests.settlement.publication.conftest import statement_of
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db
OFFICER_NAME = "王经办"


@pytest.fixture
def named_officer(world):
    world.officer.display_name = OFFICER_NAME
    world.officer.save(update_fields=["display_name"])
    return world.officer


def statement_url(run, institution, action: str = "") -> str:
    name = f"settlement:statement_{action}" if action else "settlement:statement_detail"
    return reverse(name, args=[run.pk, institution.code])


def test_hospitals_get_404_for_an_unpublished_statement_and_see_it_once_published(
    world, run, client_for, named_officer
):
    client = client_for(world.user_a)
    assert client.get(statement_url(run, world.hospital_a)).status_code == 404
    assert (
        client.get(
            reverse("settlement:statement_export", args=[run.pk, world.hospital_a.code])
        ).status_code
        == 404
    )
    assert "暂无结算单" in client.get(reverse("settlement:statement_list")).content.decode()
    client_for(named_officer).post(
        reverse("settlement:run_publish", args=[run.pk]), {"note": "", "notify": "on"}
    )
    client = client_for(world.user_a)
    page = client.get(statement_url(run, world.hospital_a)).content.decode()
    assert 'data-testid="statement-confirm-form"' in page and OFFICER_NAME not in page
    assert client.get(statement_url(run, world.hospital_b)).status_code == 404


def test_the_officer_publishes_from_the_run_page(world, run, client_for):
    client = client_for(world.officer)
    assert (
        'data-testid="run-publish-form"'
        in client.get(reverse("settlement:run_detail", args=[run.pk])).content.decode()
    )
    response = client.post(reverse("settlement:run_publish", args=[run.pk]), {"note": "请核对"})
    assert response.status_code == 302 and response.url == reverse(
        "settlement:run_responses", args=[run.pk]
    )
    publication = StatementPublication.objects.get(run=run)
    assert publication.note == "请核对" and publication.notice is None  # the box was not ticked
    again = client.post(
        reverse("settlement:run_publish", args=[run.pk]), follow=True
    ).content.decode()
    assert "不能重复公示" in again


def test_hospitals_cannot_publish_or_read_the_overview(world, run, client_for):
    client = client_for(world.user_a)
    assert client.post(reverse("settlement:run_publish", args=[run.pk])).status_code == 403
    assert client.get(reverse("settlement:run_responses", args=[run.pk])).status_code == 403
    assert not StatementPublication.objects.exists()


def test_a_hospital_confirms_and_another_objects_from_the_statement_page(world, run, client_for):
    services.run_publish(actor=world.officer, run=run)
    page = (
        client_for(world.user_a)
        .post(statement_url(run, world.hospital_a, "confirm"), {"note": "无误"}, follow=True)
        .content.decode()
    )
    assert "已确认本机构结算单" in page and 'data-testid="statement-answer"' in page
    page = (
        client_for(world.user_b)
        .post(
            statement_url(run, world.hospital_b, "object"),
            {"subject": "amount", "reason": "预付少拨"},
            follow=True,
        )
        .content.decode()
    )
    item = DisputeItem.objects.get()
    assert f"争议申请 {item.number} 已提交" in page and item.statement_line == statement_of(
        run, world.hospital_b
    )


def test_a_hospital_cannot_answer_another_institutions_statement(world, run, client_for):
    services.run_publish(actor=world.officer, run=run)
    assert (
        client_for(world.user_a).post(statement_url(run, world.hospital_b, "confirm")).status_code
        == 404
    )
    assert (
        client_for(world.user_a)
        .post(statement_url(run, world.hospital_b, "object"), {"reason": "x"})
        .status_code
        == 404
    )
    assert not StatementResponse.objects.exists()


def test_after_the_window_the_page_offers_no_form_and_refuses_in_chinese(world, run, client_for):
    publication = services.run_publish(actor=world.officer, run=run)
    StatementPublication.objects.filter(pk=publication.pk).update(
        deadline=publication.deadline - timedelta(days=30)
    )
    client = client_for(world.user_a)
    assert (
        'data-testid="statement-confirm-form"'
        not in client.get(statement_url(run, world.hospital_a)).content.decode()
    )
    page = client.post(
        statement_url(run, world.hospital_a, "confirm"), follow=True
    ).content.decode()
    assert "结算单确认期限已于" in page and "不能再确认或提出异议" in page
    assert not StatementResponse.objects.exists()


def test_the_overview_page_counts_and_exports(world, run, client_for):
    services.run_publish(actor=world.officer, run=run)
    services.statement_confirm(actor=world.user_a, statement=statement_of(run, world.hospital_a))
    client = client_for(world.officer)
    page = client.get(reverse("settlement:run_responses", args=[run.pk])).content.decode()
    assert 'data-testid="count-confirmed">1<' in page and 'data-testid="count-pending">1<' in page
    response = client.get(reverse("settlement:run_responses_export", args=[run.pk]))
    sheet = openpyxl.load_workbook(
        BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )["确认情况"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[4]) for r in rows] == [
        (world.hospital_a.code, "已确认"),
        (world.hospital_b.code, "待回复"),
    ]


def test_the_overview_of_an_unpublished_run_is_404(world, run, client_for):
    assert (
        client_for(world.officer)
        .get(reverse("settlement:run_responses", args=[run.pk]))
        .status_code
        == 404
    )


def test_the_holiday_page_adds_and_refuses_a_duplicate(world, client_for):
    client = client_for(world.officer)
    client.post(reverse("settlement:holiday_list"), {"day": "2024-10-01", "name": "国庆节"})
    page = client.post(
        reverse("settlement:holiday_list"), {"day": "2024-10-01", "name": "国庆"}
    ).content.decode()
    assert "2024-10-01 已在节假日表中" in page
    assert client_for(world.user_a).get(reverse("settlement:holiday_list")).status_code == 403


def test_the_overview_page_reads_in_a_bounded_number_of_queries(
    world, run, client_for, django_assert_max_num_queries
):
    for n in range(3, 13):
        institution = Institution.objects.create(
            region=world.region,
            code=f"H370802000{n:02d}",
            name=f"医院{n}",
            level="1",
            type="general",
        )
        RunInstitution.objects.create(run=run, institution=institution, cases=1)
    services.run_publish(actor=world.officer, run=run)
    client = client_for(world.officer)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("settlement:run_responses", args=[run.pk])).content.decode()
    assert 'data-testid="count-pending">12<' in page


def test_an_officer_of_another_region_neither_publishes_nor_reads_the_overview(
    world, run, client_for
):
    other = Region.objects.create(code="370900", name="乙统筹区")
    stranger = user_create(
        actor=None,
        username="b_officer",
        password=PASSWORD,
        role=Role.BUREAU_OFFICER,
        regions=[other],
    )
    client = client_for(stranger)
    assert (
        client.post(reverse("settlement:run_publish", args=[run.pk]), {"note": ""}).status_code
        == 404
    )
    assert not StatementPublication.objects.exists()
    services.run_publish(actor=world.officer, run=run)
    assert client.get(reverse("settlement:run_responses", args=[run.pk])).status_code == 404
    assert client.get(reverse("settlement:run_responses_export", args=[run.pk])).status_code == 404
    assert (
        client.post(
            reverse("api:run-publish", args=[run.pk]), {}, content_type="application/json"
        ).status_code
        == 404
    )
