"""The findings list as a declared list page (config.lists): sort, filter, export, bureau only."""

from __future__ import annotations

from decimal import Decimal as D

from django.urls import reverse

from config import lists
from supervision.models import Finding
from tests.config.test_lists import csv_rows
from tests.supervision.test_supervision_views import findings  # noqa: F401  (fixture)

FINDINGS = reverse("supervision:finding_list")


def test_the_findings_list_sorts_filters_and_exports(world, findings, client_for):  # noqa: F811
    client = client_for(world.bureau_admin)
    a, b = findings[world.hospital_a.pk], findings[world.hospital_b.pk]
    up = client.get(FINDINGS, {"sort": "institution"}).context["page"].object_list
    down = client.get(FINDINGS, {"sort": "-institution"}).context["page"].object_list
    codes = [f.institution.code for f in up]
    assert codes == sorted(codes) and [f.pk for f in down] == [f.pk for f in reversed(up)]
    Finding.objects.filter(pk=a.pk).update(status="confirmed", amount=D("1234.50"))
    confirmed = client.get(FINDINGS, {"status": "confirmed"}).context["page"].object_list
    assert [f.pk for f in confirmed] == [a.pk]
    rows = csv_rows(client.get(FINDINGS, {"institution": b.institution_id, "export": "csv"}))
    assert rows[0][:3] == ["期间", "规则", "机构"] and len(rows) == 2
    assert world.hospital_b.code in rows[1][2] and rows[1][0] == f"{b.year}年{b.month}月"
    exported = csv_rows(client.get(FINDINGS, {"status": "confirmed", "export": "csv"}))
    assert exported[1][rows[0].index("扣减金额（元）")] == "1234.50"


def test_the_findings_list_refuses_a_bad_month_in_chinese(world, findings, client_for):  # noqa: F811
    response = client_for(world.bureau_admin).get(FINDINGS, {"month": "13"})
    assert response.status_code == 200 and lists.ERR_FILTER in response.content.decode()
    assert list(response.context["page"]) == []


def test_a_hospital_exports_no_findings_list(world, findings, client_for):  # noqa: F811
    response = client_for(world.user_a).get(FINDINGS, {"export": "csv"})
    assert response.status_code == 302 and response.url == reverse("supervision:my_results")
    assert client_for(world.expert).get(FINDINGS, {"export": "csv"}).status_code == 403
