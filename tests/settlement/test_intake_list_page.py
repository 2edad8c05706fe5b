"""The intake batch list as a declared list page (config.lists): sort, filter, export, tenancy."""

from __future__ import annotations

from django.urls import reverse

from config import lists
from settlement.intake.models import ImportBatch
from tests.config.test_lists import csv_rows
from tests.settlement.intake_rows import valid_row

BATCHES = reverse("settlement:batch_list")


def test_the_batch_list_sorts_filters_and_exports_within_the_institution(world, client_for, upload):
    good = upload(world.user_a, [valid_row("S1")])
    bad = upload(world.user_a, [valid_row("S2", medfee_sumamt="abc")])
    other = upload(world.user_b, [valid_row("S3", institution=world.hospital_b.code)])
    client = client_for(world.user_a)
    by_errors = client.get(BATCHES, {"sort": "-error_count"}).context["page"]
    assert [b.pk for b in by_errors] == [bad.pk, good.pk] and bad.error_count > 0
    failed = client.get(BATCHES, {"status": bad.status}).context["page"]
    assert bad.pk in [b.pk for b in failed] and good.status != bad.status
    assert good.pk not in [b.pk for b in failed]
    rows = csv_rows(client.get(BATCHES, {"sort": "id", "export": "csv"}))
    assert rows[0][:3] == ["批次", "上传时间", "机构"]
    assert [int(row[0]) for row in rows[1:]] == [good.pk, bad.pk]
    assert other.pk not in ImportBatch.objects.for_user(world.user_a).values_list("pk", flat=True)


def test_an_unknown_batch_status_is_a_chinese_error(world, client_for):
    response = client_for(world.officer).get(BATCHES, {"status": "lost"})
    assert response.status_code == 200 and lists.ERR_FILTER in response.content.decode()
