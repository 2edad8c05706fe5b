"""Catalog and coefficient pages: permissions per role (a hospital reads published catalogs only and
changes nothing), search and filters, the workflow and the build job through the pages, group detail,
diff, and the coefficient table pages."""

from __future__ import annotations

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from catalogs.choices import CatalogStatus, CoefficientStatus
from catalogs.coefficients import services as coefficient_services
from catalogs.coefficients.models import CoefficientTable
from catalogs.versions import services
from catalogs.versions.models import CatalogGroup, CatalogVersion
from config import lists
from config.spreadsheets import XLSX
from jobs.models import Job
from tests.catalogs.conftest import PCI, catalog_create
from tests.config.test_lists import csv_rows

pytestmark = pytest.mark.django_db


def version_pages(version: CatalogVersion) -> list[str]:
    group = version.groups.get(code=PCI)
    return [
        reverse("catalogs:version_detail", args=[version.pk]),
        reverse("catalogs:version_diff", args=[version.pk]),
        reverse("catalogs:version_export", args=[version.pk]),
        reverse("catalogs:group_detail", args=[group.pk]),
    ]


def version_posts(version: CatalogVersion) -> list[str]:
    names = ("build", "submit", "return", "publish", "copy", "import")
    group = version.groups.get(code=PCI)
    return [
        *(reverse(f"catalogs:version_{name}", args=[version.pk]) for name in names),
        reverse("catalogs:group_score_edit", args=[group.pk]),
    ]


def table_pages(table: CoefficientTable) -> list[str]:
    return [
        reverse("catalogs:coefficient_list"),
        reverse("catalogs:coefficient_detail", args=[table.pk]),
    ]


def table_posts(table: CoefficientTable) -> list[str]:
    names = ("submit", "return", "approve", "revise", "import")
    return [
        *(reverse(f"catalogs:coefficient_{name}", args=[table.pk]) for name in names),
        reverse("catalogs:coefficient_row_edit", args=[table.pk, "H37080200001"]),
    ]


def test_anonymous_users_are_sent_to_the_login_page(draft, table):
    urls = [
        reverse("catalogs:version_list"),
        reverse("catalogs:version_create"),
        reverse("catalogs:coefficient_create"),
        *version_pages(draft),
        *table_pages(table),
        reverse("catalogs:coefficient_export", args=[table.pk]),
    ]
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), (
            url
        )
    for url in version_posts(draft) + table_posts(table):
        response = Client().post(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), (
            url
        )


@pytest.mark.parametrize("who", ["user_a", "expert"])
def test_hospital_and_expert_users_read_published_catalogs_only(
    world, draft, published, client_for, who
):
    client = client_for(getattr(world, who))
    listed = client.get(reverse("catalogs:version_list")).context["page"]
    assert [v.pk for v in listed] == [published.pk]
    for url in version_pages(published):
        assert client.get(url).status_code == 200, url
    for url in version_pages(draft):
        assert client.get(url).status_code == 404, url
    diff = reverse("catalogs:version_diff", args=[published.pk])
    assert (
        client.get(diff, {"with": draft.pk}).context["other"] is None
    )  # a draft is not even a choice
    html = client.get(reverse("catalogs:version_detail", args=[published.pk])).content.decode()
    assert "version-actions" not in html and "导入 Excel" not in html


@pytest.mark.parametrize("who", ["user_a", "expert"])
def test_hospital_and_expert_users_change_nothing(world, draft, published, table, client_for, who):
    client = client_for(getattr(world, who))
    for version in (draft, published):
        for url in version_posts(version):
            assert client.post(url, {"reason": "x", "score": "1"}).status_code == 403, url
    for url in [
        reverse("catalogs:version_create"),
        reverse("catalogs:coefficient_create"),
        *table_posts(table),
    ]:
        assert client.post(url).status_code == 403, url
    assert CatalogVersion.objects.get(pk=draft.pk).status == CatalogStatus.DRAFT
    assert CatalogGroup.objects.get(version=published, code=PCI).score == D("1510.2041")


@pytest.mark.parametrize("who", ["officer", "bureau_admin"])
def test_bureau_users_see_every_page(world, draft, published, table, client_for, who):
    client = client_for(getattr(world, who))
    urls = [
        reverse("catalogs:version_list"),
        reverse("catalogs:version_create"),
        reverse("catalogs:coefficient_create"),
        *version_pages(draft),
        *version_pages(published),
        *table_pages(table),
        reverse("catalogs:coefficient_export", args=[table.pk]),
        reverse("catalogs:coefficient_row_edit", args=[table.pk, "H37080200001"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_version_list_filters_and_its_queries_are_flat(
    world, draft, published, client_for, django_assert_max_num_queries
):
    for year in (2020, 2021, 2022):
        catalog_create(world, year=year)
    client = client_for(world.officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalogs:version_list"))
    assert response.context["page"].paginator.count == 5
    assert [
        v.pk
        for v in client.get(reverse("catalogs:version_list"), {"status": "published"}).context[
            "page"
        ]
    ] == [published.pk]
    assert [
        v.pk
        for v in client.get(
            reverse("catalogs:version_list"), {"year": "2025", "kind": "DIP", "region": "370800"}
        ).context["page"]
    ] == [draft.pk]
    assert list(client.get(reverse("catalogs:version_list"), {"kind": "DRG"}).context["page"]) == []
    assert (
        '<option value="2025">2025年</option>' in response.content.decode()
    )  # no thousands separator in years


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ({"q": "肺炎"}, ["J18.900"]),
        ({"q": "i21"}, ["I21-S", PCI]),
        ({"group_type": "comprehensive"}, ["I21-S"]),
        ({"flag": "is_grassroots"}, ["J18.900"]),
        ({"flag": "is_tcm", "q": "I21"}, ["I21-S"]),
        ({}, ["I21-S", PCI, "J18.900"]),
    ],
)
def test_the_detail_searches_and_filters_groups(
    world, published, client_for, query, codes, django_assert_max_num_queries
):
    client = client_for(world.user_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalogs:version_detail", args=[published.pk]), query)
    assert [g.code for g in response.context["page"]] == codes


def test_the_detail_is_paginated(world, draft, client_for, django_assert_max_num_queries):
    CatalogGroup.objects.bulk_create(
        CatalogGroup(version=draft, code=f"Z{i:03d}", score=D(i)) for i in range(60)
    )
    client = client_for(world.officer)
    with django_assert_max_num_queries(14):
        first = client.get(reverse("catalogs:version_detail", args=[draft.pk]))
    assert (len(first.context["page"]), first.context["page"].paginator.count) == (50, 63)
    assert (
        len(
            client.get(reverse("catalogs:version_detail", args=[draft.pk]), {"page": 2}).context[
                "page"
            ]
        )
        == 13
    )


def test_the_build_form_starts_the_job_and_shows_its_page(world, draft, client_for):
    client = client_for(world.officer)
    data = {
        "years": "2022, 2023，2024",
        "core_threshold": "10",
        "scale": "100",
        "score_method": "average",
        "tcm_codes": "J18, I21；K35.800",
        "day_surgery_codes": "",
    }
    response = client.post(reverse("catalogs:version_build", args=[draft.pk]), data)
    job = Job.objects.get(kind="catalog_build_dip")
    assert response.url == reverse("jobs:job_detail", args=[job.pk])
    assert job.params == {
        "version_id": draft.pk,
        "years": [2022, 2023, 2024],
        "params": {
            "core_threshold": 10,
            "scale": "100",
            "score_method": "average",
            "tcm_codes": ["J18", "I21", "K35.800"],
            "day_surgery_codes": [],
        },
    }
    bad = client.post(
        reverse("catalogs:version_build", args=[draft.pk]), {**data, "years": "去年"}, follow=True
    )
    assert "请填写测算年度" in bad.content.decode() and Job.objects.count() == 1


def test_only_a_dip_draft_can_be_built(world, published, client_for):
    data = {"years": "2023", "core_threshold": "15", "scale": "1000", "score_method": "average"}
    page = client_for(world.officer).post(
        reverse("catalogs:version_build", args=[published.pk]), data, follow=True
    )
    assert "不能修改" in page.content.decode() and not Job.objects.exists()


def test_the_workflow_through_the_pages_needs_two_users(world, draft, client_for):
    officer = client_for(world.officer)
    officer.post(reverse("catalogs:version_submit", args=[draft.pk]))
    refused = officer.post(reverse("catalogs:version_publish", args=[draft.pk]), follow=True)
    assert "审核发布人不能是提交人" in refused.content.decode()
    admin = Client()
    admin.force_login(world.bureau_admin)
    admin.post(reverse("catalogs:version_return", args=[draft.pk]), {"reason": "分值需论证"})
    assert CatalogVersion.objects.get(pk=draft.pk).status == CatalogStatus.DRAFT
    officer.post(reverse("catalogs:version_submit", args=[draft.pk]))
    admin.post(reverse("catalogs:version_publish", args=[draft.pk]))
    assert CatalogVersion.objects.get(pk=draft.pk).status == CatalogStatus.PUBLISHED
    officer.post(reverse("catalogs:version_copy", args=[draft.pk]))
    assert CatalogVersion.objects.get(based_on=draft).status == CatalogStatus.DRAFT


def test_a_publish_refused_by_golden_cases_lists_each_failure(world, draft, client_for):
    services.golden_case_add(
        actor=world.officer,
        version=draft,
        label="肺炎",
        case={"maindiag_code": "J18.900"},
        expected_code="J18.900",
        expected_score=D("500"),
    )
    services.golden_case_add(
        actor=world.officer,
        version=draft,
        label="阑尾炎",
        case={"maindiag_code": "K35.800"},
        expected_code="K35-M",
        expected_score=D("1000"),
    )
    services.version_submit(actor=world.officer, version=draft)
    page = client_for(world.bureau_admin).post(
        reverse("catalogs:version_publish", args=[draft.pk]), follow=True
    )
    messages = [str(m) for m in page.context["messages"]]
    assert messages == [
        "标准病例校验未通过，不能发布。未通过的标准病例：",
        "「肺炎」预期 J18.900（500.0000），实际 J18.900（489.7959）",
        "「阑尾炎」预期 K35-M（1000.0000），实际 不能入组（无此病种）",
    ]
    assert CatalogVersion.objects.get(pk=draft.pk).status == CatalogStatus.SUBMITTED


def test_the_group_detail_shows_history_counts_levels_and_subtypes(
    world, published, revision, client_for
):
    group = revision.groups.get(code=PCI)
    response = client_for(world.officer).get(reverse("catalogs:group_detail", args=[group.pk]))
    assert [(g.version.pk, g.score) for g in response.context["history"]] == [
        (published.pk, D("1510.2041")),
        (revision.pk, D("1520.0000")),
    ]
    assert response.context["chart"] == [["2024年第1版", "1510.2041"], ["2024年第2版", "1520.0000"]]
    html = response.content.decode()
    assert "14,800.00" in html and "三级甲等" in html and "2.0270" in html and "score-form" in html
    hospital = client_for(world.user_a).get(
        reverse("catalogs:group_detail", args=[published.groups.get(code=PCI).pk])
    )
    assert [g.version.pk for g in hospital.context["history"]] == [
        published.pk
    ] and "score-form" not in hospital.content.decode()


def test_the_score_edit_form_needs_a_reason_and_is_audited(world, draft, client_for):
    group = draft.groups.get(code=PCI)
    client = client_for(world.officer)
    url = reverse("catalogs:group_score_edit", args=[group.pk])
    client.post(url, {"score": "1600", "reason": ""})
    assert CatalogGroup.objects.get(pk=group.pk).score == D("1510.2041")
    client.post(url, {"score": "1600", "reason": "专家论证"})
    event = AuditEvent.objects.get(action="catalog_group_score_edit")
    assert (CatalogGroup.objects.get(pk=group.pk).score, event.message, event.after["score"]) == (
        D("1600.0000"),
        "专家论证",
        "1600.0000",
    )


def test_the_diff_shows_added_removed_and_changed_scores(world, published, revision, client_for):
    CatalogGroup.objects.filter(version=revision, code="I21-S").delete()
    CatalogGroup.objects.create(version=revision, code="K35.800", score=D("700"))
    response = client_for(world.officer).get(
        reverse("catalogs:version_diff", args=[revision.pk])
    )  # default: the version it copies
    diff = response.context["diff"]
    assert (response.context["other"], diff.added, diff.removed) == (
        published,
        ("K35.800",),
        ("I21-S",),
    )
    html = response.content.decode()
    assert (
        '<td>I21.000+36.0601</td><td class="num">1510.2041</td><td class="num">1520.0000</td><td class="num">9.7959</td>'
        in html
    )


def test_the_diff_downloads_as_a_workbook_with_exact_scores(world, published, revision, client_for):
    CatalogGroup.objects.filter(version=revision, code="I21-S").delete()
    CatalogGroup.objects.create(
        version=revision, code="K35.800", name="=急性阑尾炎", score=D("700")
    )
    response = client_for(world.officer).get(
        reverse("catalogs:version_diff_export", args=[revision.pk]), {"with": published.pk}
    )
    assert response["Content-Type"] == XLSX and "catalog-diff-" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content))["版本对比"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[:2] for row in rows] == [["新增", "K35.800"], ["删除", "I21-S"], ["分值变化", PCI]]
    assert rows[0][2] == "'=急性阑尾炎"  # a name that would be a formula stays text
    assert [D(str(value)) for value in rows[2][3:]] == [D("1510.2041"), D("1520.0000"), D("9.7959")]


def test_a_hospital_cannot_download_a_diff_against_a_draft(world, published, revision, client_for):
    client = client_for(world.user_a)
    assert (
        client.get(
            reverse("catalogs:version_diff_export", args=[published.pk]), {"with": revision.pk}
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("catalogs:version_diff_export", args=[revision.pk]), {"with": published.pk}
        ).status_code
        == 404
    )


# --- coefficient tables ---------------------------------------------------------------------------


def test_the_coefficient_pages_create_edit_and_approve_a_table(world, client_for):
    officer = client_for(world.officer)
    response = officer.post(
        reverse("catalogs:coefficient_create"),
        {"region": world.region.pk, "year": 2025, "combination": "additive"},
    )
    table = CoefficientTable.objects.get(year=2025)
    assert response.url == reverse("catalogs:coefficient_detail", args=[table.pk])
    edit = reverse("catalogs:coefficient_row_edit", args=[table.pk, "H37080200001"])
    form = {
        "level_basic": "1.20",
        "bonus_grassroots": "0",
        "bonus_tcm": "0",
        "bonus_key_discipline": "0.05",
        "note": "",
    }
    assert officer.post(edit, form).status_code == 200  # no reason: the form is shown again
    officer.post(edit, {**form, "reason": "重点学科"})
    assert table.rows.get(institution=world.hospital_a).combined == D("1.2500")
    officer.post(reverse("catalogs:coefficient_submit", args=[table.pk]))
    refused = officer.post(reverse("catalogs:coefficient_approve", args=[table.pk]), follow=True)
    assert "审批人不能是提交人" in refused.content.decode()
    client_for(world.bureau_admin).post(reverse("catalogs:coefficient_approve", args=[table.pk]))
    assert CoefficientTable.objects.get(pk=table.pk).status == CoefficientStatus.IN_FORCE


def test_hospital_users_read_only_their_row_of_tables_in_force(
    world, table, client_for, django_assert_max_num_queries
):
    client = client_for(world.user_a)
    assert list(client.get(reverse("catalogs:coefficient_list")).context["tables"]) == []
    assert client.get(reverse("catalogs:coefficient_detail", args=[table.pk])).status_code == 404
    coefficient_services.coefficient_table_submit(actor=world.officer, table=table)
    coefficient_services.coefficient_table_approve(actor=world.bureau_admin, table=table)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalogs:coefficient_detail", args=[table.pk]))
    assert [r.institution.code for r in response.context["page"]] == ["H37080200001"]
    assert "coefficient-actions" not in response.content.decode()


def test_experts_have_no_coefficient_pages(world, in_force, client_for):
    client = client_for(world.expert)
    for url in table_pages(in_force):
        assert client.get(url).status_code == 403, url


def test_the_coefficient_list_queries_are_flat(
    world, in_force, client_for, django_assert_max_num_queries
):
    for year in (2026, 2027, 2028):
        coefficient_services.coefficient_table_create(
            actor=world.officer, region=world.region, year=year
        )
    client = client_for(world.officer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("catalogs:coefficient_list"))
    assert len(response.context["tables"]) == 4


# --- the version list as a declared list page (config.lists): sort, filter, export, tenancy ---


def test_the_version_list_sorts_filters_and_exports(world, draft, published, client_for):
    client = client_for(world.officer)
    versions = reverse("catalogs:version_list")
    assert [v.pk for v in client.get(versions, {"sort": "year"}).context["page"]] == [
        published.pk,
        draft.pk,
    ]
    assert [v.pk for v in client.get(versions, {"sort": "-year"}).context["page"]] == [
        draft.pk,
        published.pk,
    ]
    rows = csv_rows(client.get(versions, {"status": "draft", "export": "csv"}))
    assert rows[0][:6] == ["年度", "统筹区", "类别", "版本", "名称", "状态"]
    assert [row[0] for row in rows[1:]] == ["2025"] and rows[1][5] == draft.get_status_display()
    refused = client.get(versions, {"year": "abc"})
    assert (
        refused.context["filter_error"] == lists.ERR_FILTER and list(refused.context["page"]) == []
    )


def test_a_hospital_exports_only_the_published_versions(world, draft, published, client_for):
    client = client_for(world.user_a)
    rows = csv_rows(client.get(reverse("catalogs:version_list"), {"export": "csv"}))
    assert [row[0] for row in rows[1:]] == ["2024"]
    assert rows[1][5] == published.get_status_display()
    statuses = client.get(reverse("catalogs:version_list"), {"status": "draft", "export": "csv"})
    assert len(csv_rows(statuses)) == 2  # a hospital has no status filter: the parameter is ignored


# --- the coefficient table list as a declared list page (config.lists) ---------------------------


def test_the_coefficient_list_sorts_filters_and_exports(world, in_force, client_for):
    draft_2026 = coefficient_services.coefficient_table_create(
        actor=world.officer, region=world.region, year=2026
    )
    client = client_for(world.officer)
    coefficients = reverse("catalogs:coefficient_list")
    up = [t.pk for t in client.get(coefficients, {"sort": "year"}).context["tables"]]
    assert up == [in_force.pk, draft_2026.pk]
    assert [t.pk for t in client.get(coefficients, {"sort": "-year"}).context["tables"]] == up[::-1]
    rows = csv_rows(client.get(coefficients, {"status": "draft", "export": "csv"}))
    assert rows[0][:4] == ["年度", "统筹区", "版本", "状态"]
    assert [row[0] for row in rows[1:]] == ["2026"] and rows[1][
        3
    ] == draft_2026.get_status_display()
    hospital = csv_rows(client_for(world.user_a).get(coefficients, {"export": "csv"}))
    assert [row[0] for row in hospital[1:]] == [str(in_force.year)]
