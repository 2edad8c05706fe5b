"""The notice list as a declared list page (config.lists): sort, filter, export, each side's columns."""

from __future__ import annotations

from django.urls import reverse

from tests.config.test_lists import csv_rows
from tests.notices.test_notices import notice

NOTICES = reverse("notices:notice_list")


def test_the_notice_list_sorts_filters_and_exports_what_the_hospital_may_read(world, client_for):
    first, second = notice(world, title="乙通知"), notice(world, title="甲通知")
    only_b = notice(world, title="丙通知", to_all=False, institutions=[world.hospital_b])
    client = client_for(world.user_a)
    titles = [n.title for n in client.get(NOTICES, {"sort": "title"}).context["page"]]
    assert titles == sorted([first.title, second.title])
    assert [n.pk for n in client.get(NOTICES, {"title": "甲"}).context["page"]] == [second.pk]
    rows = csv_rows(client.get(NOTICES, {"export": "csv"}))
    assert rows[0] == ["标题", "类别", "统筹区", "发布时间", "阅读"]
    assert {row[0] for row in rows[1:]} == {first.title, second.title} != {only_b.title}
    assert {row[4] for row in rows[1:]} == {"未读"}


def test_the_bureau_sees_status_and_readers_and_not_its_own_read_state(world, client_for):
    notice(world)
    html = client_for(world.officer).get(NOTICES).content.decode()
    assert "已读人数" in html and 'data-testid="notice-read-state"' not in html
    hospital = client_for(world.user_a).get(NOTICES).content.decode()
    assert '<tr class="fw-bold ' in hospital and 'data-testid="notice-read-state"' in hospital
