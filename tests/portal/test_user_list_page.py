"""The account list as a declared list page (config.lists): the old filter names, sort, export, scope."""

from __future__ import annotations

from django.urls import reverse

from accounts.choices import Role
from config import lists
from tests.config.test_lists import csv_rows

USERS = reverse("portal:user_list")


def test_the_account_list_keeps_its_filters_sorts_and_exports(world, client_for):
    client = client_for(world.bureau_admin)
    hospitals = client.get(USERS, {"role": Role.HOSPITAL, "q": "医院"}).context["page"].object_list
    assert {u.username for u in hospitals} == {world.user_a.username, world.user_b.username}
    by_name = [u.username for u in client.get(USERS, {"sort": "-username"}).context["page"]]
    assert by_name == sorted(by_name, reverse=True) and world.expert.username in by_name
    world.user_b.is_active = False
    world.user_b.save(update_fields=["is_active"])
    rows = csv_rows(client.get(USERS, {"active": "0", "export": "csv"}))
    assert rows[0] == ["用户名", "姓名", "角色", "所属机构", "状态", "最近登录"]
    assert [row[0] for row in rows[1:]] == [world.user_b.username] and rows[1][4].startswith("停用")
    assert world.hospital_b.code in rows[1][3]


def test_a_refused_account_filter_is_a_chinese_error(world, client_for):
    response = client_for(world.bureau_admin).get(USERS, {"role": "king"})
    assert response.status_code == 200 and lists.ERR_FILTER in response.content.decode()
