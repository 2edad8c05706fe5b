"""Schemathesis drives every operation of the published OpenAPI schema, as a bureau officer and as a
hospital user, against a seeded demo region: no answer is a 5xx, and every answer's status code,
content type and body are the ones the schema documents.

Two passes per user: each GET with a path parameter on a real object (the first one its list shows),
then generated requests, valid and invalid, for every operation. Bounded in time: a few generated
requests per operation, no shrinking, and the whole run is held to ``BUDGET_SECONDS``. On PostgreSQL
only, the production database (it refuses text a SQLite run lets through, such as a NUL character)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from accounts.services import token_create
from budgets.models import Budget
from budgets.services import budget_adjust
from demo.services import demo_generate
from disputes.choices import ItemKind, Subject
from disputes.negotiation.services import meeting_create
from disputes.services import item_create
from jobs.services import job_run
from settlement.runs.choices import RunType
from settlement.runs.services import run_start
from tests.conftest import postgres_only
from tests.world import run_publish_now

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

YEAR = 2024
EXAMPLES_PER_OPERATION = 6
BUDGET_SECONDS = 150
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def auth_headers(user: User) -> dict[str, str]:
    """The one place that knows how an API client authenticates (adapt here if the token scheme changes)."""
    _, key = token_create(user=user)
    return {"Authorization": f"Token {key}"}


@contextmanager
def same_connection() -> Iterator[None]:
    """Requests run in this thread inside the test's transaction, as Django's test client does it:
    the per-request connection clean-up would otherwise close that transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def world_seed() -> None:
    """A small demo region, one settled and published month, and rows whose optional links are empty: a draft budget
    version (no submitter, no approver), an objection with no period or run, a meeting."""
    demo_generate(actor="测试", years=2, cases_per_year=1000, end_year=YEAR, months_settled=False)
    officer, hospital = User.objects.get(username="officer"), User.objects.get(username="hospital")
    region = hospital.institution.region
    run = run_start(
        actor=officer,
        region=region,
        year=YEAR,
        scheme="310",
        category="DIP",
        run_type=RunType.MONTHLY,
        number=1,
        dispatch=False,
    )
    job_run(job_id=run.job_id)
    run_publish_now(run, actor=officer)
    budget_adjust(
        actor=officer,
        budget=Budget.objects.filter(region=region, year=YEAR).first(),
        reason="年中调整",
    )
    item_create(
        actor=hospital,
        kind=ItemKind.OBJECTION,
        statement="对月度预付结果有异议。",
        subject=Subject.DEDUCTION,
    )
    meeting_create(
        actor=officer, region=region, year=YEAR, title="谈判会议", held_on=date(YEAR, 6, 1)
    )


def failure_text(operation, failure: BaseException) -> str:
    return f"{operation.label}: {failure}"


def real_object_violations(api_schema, headers: dict[str, str]) -> list[str]:
    """Each GET with one path parameter, called with the parameter of the first object its list answers."""
    found = []
    for operation in (result.ok() for result in api_schema.get_all_operations()):
        names = [p.name for p in operation.path_parameters]
        list_path = operation.path.split("{")[0]
        if operation.method != "get" or len(names) != 1 or list_path not in api_schema:
            continue
        listed = api_schema[list_path]["GET"].Case().call(headers=headers).json()
        rows = listed.get("results", []) if isinstance(listed, dict) else listed
        if rows and names[0] in rows[0]:
            case = operation.Case(path_parameters={names[0]: rows[0][names[0]]})
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except (AssertionError, BaseExceptionGroup) as failure:
                found.append(failure_text(operation, failure))
    return found


def generated_violations(operation, headers: dict[str, str]) -> list[str]:
    """The distinct failures of one operation on generated data (not shrunk: generation goes on)."""
    found: dict[str, str] = {}
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def call(case) -> None:
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as failure:
            found.setdefault(str(failure).splitlines()[0], failure_text(operation, failure))

    call()
    return list(found.values())


def test_every_answer_matches_the_schema_for_officer_and_hospital():
    postgres_only(connection)
    world_seed()
    api_schema = schemathesis.openapi.from_dict(
        SchemaGenerator().get_schema(request=None, public=True)
    )
    api_schema.app = get_wsgi_application()
    started, violations = time.perf_counter(), []
    with same_connection():
        for username in ("officer", "hospital"):
            headers = auth_headers(User.objects.get(username=username))
            found = real_object_violations(api_schema, headers)
            for result in api_schema.get_all_operations():
                found += generated_violations(result.ok(), headers)
            violations += [f"[{username}] {text}" for text in found]
    assert not violations, "\n\n".join(violations)
    assert time.perf_counter() - started < BUDGET_SECONDS
