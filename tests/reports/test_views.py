"""The download centre: the bureau sees and generates every file of the month; a hospital sees and
downloads only its own institution's workbook (the bureau's and another hospital's are 404); experts 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import Job
from reports import services
from reports.models import ReportFile
from tests.reports.helpers import sheet_rows

pytestmark = pytest.mark.django_db

LIST = "/reports/"


@pytest.fixture
def files(world, month):
    services.report_pack_generate(actor=world.officer, region=world.region, year=2024, month=3)
    return {f.institution_id: f for f in ReportFile.objects.all()}


def download(report: ReportFile) -> str:
    return reverse("reports:report_download", args=[report.pk])


def test_anonymous_users_are_sent_to_login(client, files):
    assert client.get(LIST).status_code == 302
    assert client.get(download(files[None])).status_code == 302


def test_experts_have_no_report_centre(world, files, client_for):
    assert client_for(world.expert).get(LIST).status_code == 403
    assert client_for(world.expert).get(download(files[world.hospital_a.pk])).status_code == 404


def test_the_bureau_sees_every_file_of_the_month_and_the_generate_form(world, files, client_for):
    page = client_for(world.officer).get(LIST + "?month=2024-03")
    expected = [files[None].pk, files[world.hospital_a.pk].pk, files[world.hospital_b.pk].pk]
    assert page.status_code == 200 and [f.pk for f in page.context["files"]] == expected
    html = page.content.decode()
    assert (
        "2024年3月" in html
        and "甲医院" in html
        and "乙医院" in html
        and 'data-testid="report-generate"' in html
    )


def test_a_hospital_sees_only_its_own_file(world, files, client_for):
    page = client_for(world.user_a).get(LIST)
    assert [f.pk for f in page.context["files"]] == [files[world.hospital_a.pk].pk]
    html = page.content.decode()
    assert (
        "乙医院" not in html
        and "统筹区月度报表" not in html
        and 'data-testid="report-generate"' not in html
    )


def test_a_hospital_downloads_its_own_workbook_and_gets_404_for_others(world, files, client_for):
    client = client_for(world.user_a)
    response = client.get(download(files[world.hospital_a.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    with open(files[world.hospital_a.pk].file.path, "rb") as stored:
        assert body == stored.read()
    assert client.get(download(files[None])).status_code == 404
    assert client.get(download(files[world.hospital_b.pk])).status_code == 404


def test_the_bureau_downloads_the_regional_workbook(world, files, client_for, tmp_path):
    response = client_for(world.officer).get(download(files[None]))
    path = tmp_path / "pack.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    assert [r[0] for r in sheet_rows(path, "病例明细")][-1] == "合计"


def test_the_bureau_generates_a_month_through_the_page(
    world, month, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.officer).post(
            reverse("reports:report_generate"),
            {"region": world.region.pk, "year": 2024, "month": 3},
        )
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    assert ReportFile.objects.count() == 3


def test_a_bad_month_is_reported_and_nothing_starts(world, client_for):
    response = client_for(world.officer).post(
        reverse("reports:report_generate"),
        {"region": world.region.pk, "year": 2024, "month": 13},
        follow=True,
    )
    assert any("12" in str(message) for message in response.context["messages"])
    assert not ReportFile.objects.exists() and not Job.objects.exists()


@pytest.mark.parametrize("who", ["user_a", "expert"])
def test_only_the_bureau_generates(world, month, who, client_for):
    response = client_for(getattr(world, who)).post(
        reverse("reports:report_generate"), {"region": world.region.pk, "year": 2024, "month": 3}
    )
    assert response.status_code == 403 and not ReportFile.objects.exists()


def test_the_list_query_count_is_flat(world, files, client_for, django_assert_max_num_queries):
    client = client_for(world.officer)
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


def test_the_admin_lists_report_files_read_only(world, files, client_for):
    world.bureau_admin.is_superuser = world.bureau_admin.is_staff = True
    world.bureau_admin.save(update_fields=["is_superuser", "is_staff"])
    client = client_for(world.bureau_admin)
    page = client.get(reverse("admin:reports_reportfile_changelist"))
    assert page.status_code == 200 and "报表文件" in page.content.decode()
    assert client.get(reverse("admin:reports_reportfile_add")).status_code == 403
