"""Province-run pages, API and command: who may read and start them, and what each answers."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from settlement.province.models import ProvinceRun
from settlement.services import region_create

YEAR = 2024


@pytest.fixture
def second_region(world):
    return region_create(actor=world.bureau_admin, code="379900", name="空白市", years=[YEAR])


def test_only_bureau_users_reach_the_pages_and_the_api(world, client):
    pages = [reverse("settlement:province_run_list"), reverse("settlement:province_run_start")]
    for page in pages:
        assert client.get(page).status_code == 302  # to the login page
    client.force_login(world.user_a)
    assert {client.get(page).status_code for page in pages} == {403}
    assert client.get(reverse("api:province-run-list")).status_code == 403
    client.force_login(world.expert)
    assert client.post(reverse("api:province-run-list"), {}).status_code == 403


def test_an_officer_starts_one_from_the_page_and_reads_its_summary(world, client, second_region):
    world.officer.province_wide = True
    world.officer.save(update_fields=["province_wide"])
    client.force_login(world.officer)
    response = client.post(
        reverse("settlement:province_run_start"),
        {"year": YEAR, "run_type": "monthly", "number": 2},
    )
    province = ProvinceRun.objects.get()
    assert response.url == reverse("settlement:province_run_detail", args=[province.pk])
    assert province.parts.count() == 2  # both regions, neither with parameters: recorded, not run
    page = client.get(response.url).content.decode()
    assert "全部失败" in page and "没有已批准的结算参数" in page and "空白市" in page
    assert AuditEvent.objects.filter(action="province_run_start").exists()
    part = province.parts.first()
    rerun = client.post(reverse("settlement:province_part_rerun", args=[province.pk, part.pk]))
    assert rerun.status_code == 302
    messages = [str(m) for m in client.get(rerun.url).context["messages"]]
    assert any("没有已批准的结算参数" in m for m in messages)


def test_an_officer_of_one_region_neither_sees_nor_starts_another_region(
    world, client, second_region
):
    client.force_login(world.officer)  # bound to world.region only
    answer = client.post(
        reverse("api:province-run-list"),
        {"year": YEAR, "run_type": "annual", "regions": ["379900"]},
        content_type="application/json",
    )
    assert answer.status_code == 404
    created = client.post(
        reverse("api:province-run-list"),
        {"year": YEAR, "run_type": "annual"},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert [part["region"] for part in body["parts"]] == [world.region.code]
    assert body["summary"]["status"] == "failed" and body["summary"]["failures"] == 1
    assert body["parts"][0]["state"] == "refused" and body["parts"][0]["run"] is None
    listed = client.get(reverse("api:province-run-list")).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    rerun = client.post(
        reverse("api:province-run-rerun", args=[body["id"]]),
        {"part": body["parts"][0]["id"]},
        content_type="application/json",
    )
    assert rerun.status_code == 400 and "没有已批准的结算参数" in rerun.json()["detail"]


def test_the_command_starts_and_shows_a_province_run(world, second_region, capsys):
    call_command(
        "province_run", "start", str(YEAR), "annual", "--user", world.bureau_admin.username
    )
    province = ProvinceRun.objects.get()
    call_command("province_run", "show", str(province.pk))
    out = capsys.readouterr().out
    assert "全部失败，2 个分区" in out and "379900 空白市" in out
