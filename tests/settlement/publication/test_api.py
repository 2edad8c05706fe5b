"""Publication API: publish and the overview (bureau), confirm and object (the statement's hospital)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from disputes.models import DisputeItem
from settlement.publication import services
from settlement.publication.models import StatementPublication
from tests.api.conftest import token_headers  # noqa: F401  (the fixture)
from tests.settlement.publication.conftest import statement_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, token_headers):
    def call(method: str, user, url: str, data: dict | None = None):
        return getattr(client, method)(
            url, data or {}, content_type="application/json", **token_headers(user)
        )

    return call


def test_statements_of_an_unpublished_run_are_invisible_to_the_hospital_until_published(
    world, run, api
):
    statement = statement_of(run, world.hospital_a)
    assert api("get", world.user_a, reverse("api:statement-list")).json()["count"] == 0
    assert (
        api("get", world.user_a, reverse("api:statement-detail", args=[statement.pk])).status_code
        == 404
    )
    response = api(
        "post", world.officer, reverse("api:run-publish", args=[run.pk]), {"note": "公示"}
    )
    assert response.status_code == 201 and response.json()["window_days"] == 2
    rows = api("get", world.user_a, reverse("api:statement-list")).json()["results"]
    assert [(row["id"], row["confirm_deadline"], row["answer"]) for row in rows] == [
        (statement.pk, str(response.json()["deadline"]), None)
    ]


def test_only_the_bureau_publishes_and_reads_the_overview(world, run, api):
    response = api("post", world.user_a, reverse("api:run-publish", args=[run.pk]))
    assert response.status_code == 403 and response.json()["detail"]
    assert api("get", world.user_a, reverse("api:run-responses", args=[run.pk])).status_code == 403
    assert api("get", world.officer, reverse("api:run-responses", args=[run.pk])).status_code == 404


def test_confirm_object_and_the_overview(world, run, api):
    services.run_publish(actor=world.officer, run=run)
    a, b = statement_of(run, world.hospital_a), statement_of(run, world.hospital_b)
    assert (
        api(
            "post", world.user_a, reverse("api:statement-confirm", args=[a.pk]), {"note": "无误"}
        ).json()["kind"]
        == "confirmed"
    )
    assert (
        api("get", world.user_a, reverse("api:statement-detail", args=[a.pk])).json()["answer"]
        == "confirmed"
    )
    objected = api(
        "post",
        world.user_b,
        reverse("api:statement-object", args=[b.pk]),
        {"subject": "score", "reason": "分值有误"},
    ).json()
    assert (
        objected["kind"] == "objected"
        and objected["dispute"] == DisputeItem.objects.get(statement_line=b).pk
    )
    overview = api("get", world.officer, reverse("api:run-responses", args=[run.pk])).json()
    assert overview["counts"] == {"confirmed": 1, "objected": 1, "pending": 0, "lapsed": 0}
    assert [row["state"] for row in overview["rows"]] == ["confirmed", "objected"]


def test_a_hospital_cannot_answer_another_institutions_statement(world, run, api):
    services.run_publish(actor=world.officer, run=run)
    b = statement_of(run, world.hospital_b)
    assert (
        api("post", world.user_a, reverse("api:statement-confirm", args=[b.pk])).status_code == 404
    )
    assert (
        api(
            "post", world.user_a, reverse("api:statement-object", args=[b.pk]), {"reason": "x"}
        ).status_code
        == 404
    )


def test_refusals_are_chinese_json(world, run, api):
    publication = services.run_publish(actor=world.officer, run=run)
    a = statement_of(run, world.hospital_a)
    missing = api("post", world.user_a, reverse("api:statement-object", args=[a.pk]), {})
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    StatementPublication.objects.filter(pk=publication.pk).update(
        deadline=publication.deadline - timedelta(days=30)
    )
    late = api("post", world.user_a, reverse("api:statement-confirm", args=[a.pk]))
    assert late.status_code == 400 and "不能再确认或提出异议" in late.json()["detail"]
