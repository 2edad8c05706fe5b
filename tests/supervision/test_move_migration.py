"""audit/0006 + supervision/0001–0002: supervision left audit/ for its own app (issue 20 item 1).

A database laid out as on the old main (supervision's models in the audit app) holding findings, rule
sets, indicators, quality scores, an assessment and audit events migrates forward: every row is still
there and read through the new models, the content types (and so the permissions and their grants)
are supervision's, and the old events, which nobody may edit, display and filter under the new names.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from audit import selectors
from audit.models import AuditEvent
from supervision.assessment.models import (
    Assessment,
    AssessmentItem,
    AssessmentScheme,
    AssessmentScore,
)
from supervision.models import DataQualityScore, Finding, IndicatorValue, RuleSet
from tests.world import World, world_create

BEFORE_MOVE = [("audit", "0005_finding_charge")]
MOVED = [
    RuleSet,
    Finding,
    IndicatorValue,
    DataQualityScore,
    AssessmentScheme,
    AssessmentItem,
    Assessment,
    AssessmentScore,
]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def old_layout_rows(apps, world: World) -> dict[str, int]:
    """One row of each moved model, made with the models as they were in the audit app."""
    model = lambda name: apps.get_model("audit", name)  # noqa: E731
    users = {"submitted_by_id": world.officer.pk, "approved_by_id": world.bureau_admin.pk}
    rule_set = model("RuleSet").objects.create(
        region_id=world.region.pk, version=1, status="in_force", thresholds={"x": 1}, **users
    )
    finding = model("Finding").objects.create(
        rule="split_admission",
        institution_id=world.hospital_a.pk,
        year=2024,
        month=3,
        severity="high",
        score=D("2.50"),
        description="分解住院",
        evidence=["E1"],
        rule_set=rule_set,
        status="confirmed",
        amount=D("3000.00"),
        scheme="390",
        category="DIP",
    )
    indicator = model("IndicatorValue").objects.create(
        institution_id=world.hospital_a.pk, year=2024, month=3, indicator="cases", value=D("12")
    )
    quality = model("DataQualityScore").objects.create(
        institution_id=world.hospital_b.pk, year=2024, month=3, score=D("97.50"), components={}
    )
    scheme = model("AssessmentScheme").objects.create(
        region_id=world.region.pk, name="年度考核方案"
    )
    item = model("AssessmentItem").objects.create(
        scheme=scheme, position=1, code="M1", name="人工评分", kind="manual", weight=D("100")
    )
    assessment = model("Assessment").objects.create(
        region_id=world.region.pk, year=2024, scheme=scheme, status="approved", **users
    )
    score = model("AssessmentScore").objects.create(
        assessment=assessment, institution_id=world.hospital_a.pk, item_code="M1", points=D("88.00")
    )
    return {
        "ruleset": rule_set.pk,
        "finding": finding.pk,
        "indicatorvalue": indicator.pk,
        "dataqualityscore": quality.pk,
        "assessmentscheme": scheme.pk,
        "assessmentitem": item.pk,
        "assessment": assessment.pk,
        "assessmentscore": score.pk,
    }


def old_events(apps, world: World, ids: dict[str, int]) -> list[int]:
    """Events as the old code wrote them: object types ``audit.<model>``."""
    event = apps.get_model("audit", "AuditEvent")
    review = event.objects.create(
        actor_id=world.officer.pk,
        actor_name=str(world.officer),
        action="finding_confirm",
        object_type="audit.finding",
        object_id=str(ids["finding"]),
        object_repr="2024年3月 分解住院",
        before={"status": "open", "amount": None},
        after={"status": "confirmed", "amount": "3000.00"},
    )
    approval = event.objects.create(
        actor_name="系统",
        action="assessment_approve",
        object_type="audit.assessment",
        object_id=str(ids["assessment"]),
    )
    return [review.pk, approval.pk]


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_old_layout_keeps_every_supervision_row_its_grants_and_its_events(
    client_for,
):
    world = world_create()
    executor = migrate(BEFORE_MOVE)
    old_apps = executor.loader.project_state(BEFORE_MOVE).apps
    # The test database had the new layout; migrating back gave the content types their old names.
    finding_type = ContentType.objects.get(app_label="audit", model="finding")
    assert not ContentType.objects.filter(app_label="supervision").exists()
    reviewers = Group.objects.create(name="复核组")
    reviewers.permissions.add(
        Permission.objects.get(content_type=finding_type, codename="review_finding")
    )
    world.user_b.groups.add(reviewers)
    ids = old_layout_rows(old_apps, world)
    events = old_events(old_apps, world, ids)

    migrate(latest())

    for model in MOVED:
        assert model.objects.filter(pk=ids[model._meta.model_name]).exists(), model
        assert model._meta.db_table == f"audit_{model._meta.model_name}"
    finding = Finding.objects.get(pk=ids["finding"])
    assert (finding.rule_set_id, finding.amount, finding.charge_label) == (
        ids["ruleset"],
        D("3000.00"),
        "城乡居民基本医疗保险 DIP",
    )
    assert (
        AssessmentScore.objects.get(pk=ids["assessmentscore"]).assessment.scheme.name
        == "年度考核方案"
    )
    if (
        connection.vendor == "postgresql"
    ):  # SQLite keeps a constraint's name in the table's SQL only
        with connection.cursor() as cursor:
            names = connection.introspection.get_constraints(cursor, "audit_finding")
        assert {"supervision_finding_unique_key", "supervision_finding_charge_pair"} <= set(names)
        assert not any(name.startswith("audit_finding_unique") for name in names)
    # Renamed, not recreated: the same row, so every grant made on it stands.
    assert ContentType.objects.get(app_label="supervision", model="finding").pk == finding_type.pk
    assert not ContentType.objects.filter(app_label="audit").exclude(model="auditevent").exists()
    user_b = type(world.user_b).objects.get(pk=world.user_b.pk)
    assert user_b.has_perm("supervision.review_finding") and not user_b.has_perm(
        "audit.review_finding"
    )

    # The events keep their rows as written, and show and filter under the new names.
    review = AuditEvent.objects.get(pk=events[0])
    assert (review.object_type, review.object_type_now) == ("audit.finding", "supervision.finding")
    assert [change.label for change in review.changes if change.changed] == [
        "状态",
        "扣减金额（元）",
    ]
    assert set(
        selectors.event_list(object_type="supervision.finding").values_list("pk", flat=True)
    ) == {events[0]}
    assert set(
        selectors.event_list(object_type="audit.assessment").values_list("pk", flat=True)
    ) == {events[1]}
    choices = selectors.event_filter_choices()["object_types"]
    assert "supervision.finding" in choices and "audit.finding" not in choices
    page = client_for(world.bureau_admin).get(
        reverse("audit:event_list"), {"object_type": "supervision.finding"}
    )
    html = page.content.decode()
    assert (
        page.status_code == 200 and "2024年3月 分解住院" in html and "supervision.finding #" in html
    )
    assert "audit.finding" not in html
