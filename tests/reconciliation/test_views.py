"""Pages and API of the reconciliation: the bureau's, and tenancy (a hospital sees its own rows of a
published reconciliation only; unpublished is invisible; another hospital's case is 404)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogs.models import Region
from reconciliation import services
from reconciliation.choices import FileKind
from reconciliation.models import NationalUpload, ReconCase
from tests.reconciliation.conftest import GROUPS_CSV, reconcile, upload_all


@pytest.fixture
def recon(world, region):
    upload_all(world)
    return reconcile(world)


def test_the_officer_uploads_a_file_on_the_page_and_sees_every_bad_row(world, region, client_for):
    client = client_for(world.officer)
    bad = GROUPS_CSV.replace("S3,H37080200001", "S3,H99999999999")
    data = {
        "region": world.region.pk,
        "year": 2024,
        "month": 3,
        "kind": FileKind.GROUPS,
        "file": SimpleUploadedFile("groups.csv", bad.encode()),
    }
    response = client.post(reverse("reconciliation:upload_list"), data)
    assert response.status_code == 200
    assert (
        "第4行“定点医药机构编号”：定点医药机构“H99999999999”不在本统筹区的机构名录中。"
        in response.content.decode()
    )
    assert not NationalUpload.objects.exists()
    data["file"] = SimpleUploadedFile("groups.csv", GROUPS_CSV.encode())
    assert client.post(reverse("reconciliation:upload_list"), data).status_code == 302
    assert NationalUpload.objects.get().rows == 6


def test_the_officer_starts_filters_drills_down_and_publishes(
    world, region, client_for, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    upload_all(world)
    client = client_for(world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reconciliation:reconciliation_list"),
            {"region": world.region.pk, "year": 2024, "month": 3, "scheme": "310"},
        )
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    recon = services.Reconciliation.objects.get()
    with django_assert_max_num_queries(15):
        page = client.get(
            reverse("reconciliation:reconciliation_detail", args=[recon.pk]),
            {"kind": "group", "group": "J18.900"},
        )
    body = page.content.decode()
    assert (
        "S4" in body
        and "S5" in body
        and "S1" not in body
        and 'data-chart="chart-institution"' in body
    )
    row = ReconCase.objects.get(reconciliation=recon, setl_id="S1", kind="group")
    case = client.get(
        reverse("reconciliation:reconciliation_case", args=[recon.pk, row.pk])
    ).content.decode()
    assert "I21.000+36.0601" in case and "I21-S" in case and "急性心梗手术" in case
    flagged = ReconCase.objects.get(reconciliation=recon, setl_id="S3", kind="qc_ours")
    case = client.get(
        reverse("reconciliation:reconciliation_case", args=[recon.pk, flagged.pk])
    ).content.decode()
    assert (
        "IQ-LOS" in case and "实际住院天数超过60天" in case
    )  # our quality finding, on our side of the page
    assert (
        client.post(reverse("reconciliation:reconciliation_publish", args=[recon.pk])).status_code
        == 302
    )
    recon.refresh_from_db()
    assert recon.published_at is not None


def test_an_unpublished_reconciliation_is_invisible_to_hospitals(world, recon, client_for):
    client = client_for(world.user_a)
    assert (
        client.get(reverse("reconciliation:reconciliation_detail", args=[recon.pk])).status_code
        == 404
    )
    assert client.get(reverse("api:reconciliation-detail", args=[recon.pk])).status_code == 404
    assert client.get(reverse("api:reconciliation-list")).json()["count"] == 0


def test_a_hospital_sees_only_its_own_rows_once_published(world, recon, client_for):
    services.reconciliation_publish(actor=world.officer, reconciliation=recon)
    client = client_for(world.user_a)
    rows = client.get(reverse("api:reconciliation-case-list", args=[recon.pk])).json()["results"]
    assert {r["setl_id"] for r in rows} == {"S1", "S2", "S3", "S4"}
    institutions = client.get(
        reverse("api:reconciliation-institution-list", args=[recon.pk])
    ).json()["results"]
    assert [r["institution"] for r in institutions] == [world.hospital_a.code]
    other = ReconCase.objects.get(reconciliation=recon, setl_id="S5")
    assert (
        client.get(
            reverse("reconciliation:reconciliation_case", args=[recon.pk, other.pk])
        ).status_code
        == 404
    )
    export = client.get(reverse("reconciliation:reconciliation_export", args=[recon.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_hospitals_and_experts_cannot_upload_or_start(world, region, client_for):
    for user in (world.user_a, world.expert):
        client = client_for(user)
        assert client.get(reverse("reconciliation:upload_list")).status_code == 403
        assert client.get(reverse("api:national-upload-list")).status_code == 403
    assert (
        client_for(world.user_a)
        .post(reverse("reconciliation:reconciliation_list"), {"region": world.region.pk})
        .status_code
        == 200
    )
    assert not services.Reconciliation.objects.exists()


def test_the_api_uploads_and_answers_bad_files_and_params_in_chinese_json(
    world, region, client_for
):
    client = client_for(world.officer)
    url = reverse("api:national-upload-list")
    bad = GROUPS_CSV + "S2,H37080200001,2024-03,J18.900,肺炎,DIP,500,normal,\n"
    response = client.post(
        url,
        {
            "region": world.region.pk,
            "year": 2024,
            "month": 3,
            "kind": "groups",
            "file": SimpleUploadedFile("g.csv", bad.encode()),
        },
    )
    assert response.status_code == 400
    assert (
        "工作表“国家分组结果”第8行“结算ID”：S2 在本表中重复出现。"
        in response.json()["errors"]["file"]
    )
    response = client.post(
        url,
        {
            "region": world.region.pk,
            "year": 2024,
            "month": 3,
            "kind": "groups",
            "file": SimpleUploadedFile("g.csv", GROUPS_CSV.encode()),
        },
    )
    assert response.status_code == 201 and response.json()["rows"] == 6
    assert client.get(url).json()["count"] == 1
    assert client.get(url, {"bogus": 1}).status_code == 400


def test_anonymous_users_are_sent_to_login_or_get_401(client, world):
    assert client.get(reverse("reconciliation:reconciliation_list")).status_code == 302
    assert client.get(reverse("api:reconciliation-list")).status_code in {401, 403}


def test_the_nav_offers_the_reconciliation_to_the_bureau_and_hospitals(world, client_for):
    url = reverse("reconciliation:reconciliation_list")
    for user in (world.officer, world.user_a):
        assert f'href="{url}"' in client_for(user).get(reverse("portal:home")).content.decode()
    assert (
        f'href="{url}"' not in client_for(world.expert).get(reverse("portal:home")).content.decode()
    )


def test_the_export_of_hospital_b_holds_its_own_rows_only(world, recon, client_for):
    services.reconciliation_publish(actor=world.officer, reconciliation=recon)
    content = (
        client_for(world.user_b)
        .get(reverse("reconciliation:reconciliation_export", args=[recon.pk]))
        .content
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    cases = [row[0] for row in book["病例差异"].iter_rows(min_row=2, values_only=True)]
    institutions = [row[0] for row in book["机构差异"].iter_rows(min_row=2, values_only=True)]
    assert sorted(cases) == ["N1", "S5", "S6"] and institutions == [world.hospital_b.code]


def test_the_month_chart_and_summary_show_a_hospital_its_own_rate_only(world, recon, client_for):
    services.reconciliation_publish(actor=world.officer, reconciliation=recon)
    bureau = (
        client_for(world.officer)
        .get(reverse("reconciliation:reconciliation_list"))
        .context["month_chart"]
    )
    assert bureau["categories"] == ["2024-03"] and bureau["series"][0]["data"] == [
        "66.67"
    ]  # 4 mismatches of 6 cases
    hospital = (
        client_for(world.user_a)
        .get(reverse("reconciliation:reconciliation_list"))
        .context["month_chart"]
    )
    assert hospital["series"][0]["data"] == ["75.00"]  # A: 3 of 4
    assert (
        client_for(world.user_a)
        .get(reverse("api:reconciliation-detail", args=[recon.pk]))
        .json()["summary"]
        == {}
    )


def test_a_bureau_user_neither_sees_nor_uploads_for_a_region_it_is_not_bound_to(
    world, recon, client_for
):
    other = Region.objects.create(code="370900", name="乙统筹区")
    client = client_for(world.officer)
    recon.region = other
    recon.save(update_fields=["region"])
    NationalUpload.objects.update(region=other)
    assert (
        client.get(reverse("reconciliation:reconciliation_detail", args=[recon.pk])).status_code
        == 404
    )
    assert client.get(reverse("api:national-upload-list")).json()["count"] == 0
    page = client.post(
        reverse("reconciliation:upload_list"),
        {
            "region": other.pk,
            "year": 2024,
            "month": 3,
            "kind": FileKind.GROUPS,
            "file": SimpleUploadedFile("g.csv", GROUPS_CSV.encode()),
        },
    )
    assert page.status_code == 200 and "region" in page.context["form"].errors
    api = client.post(
        reverse("api:national-upload-list"),
        {
            "region": other.pk,
            "year": 2024,
            "month": 3,
            "kind": "groups",
            "file": SimpleUploadedFile("g.csv", GROUPS_CSV.encode()),
        },
    )
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")
    assert NationalUpload.objects.filter(region=other).count() == NationalUpload.objects.count()
    assert not NationalUpload.objects.filter(region=world.region).exists()
