"""The restricted database role of docs/operations.md: connected as it, the portal works, but the audit
trail can be neither rewritten, emptied nor unguarded (PostgreSQL only)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import audit_record
from catalogs.models import Institution
from settlement.grouping.bulk import version_results_replaced
from settlement.grouping.models import CaseGroup
from tests.conftest import postgres_only

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

REFUSED = {
    "TRUNCATE audit_auditevent": "permission denied",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL": "must be owner",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only": "must be owner",
    "UPDATE audit_auditevent SET message = 'rewritten'": "permission denied",
    "DELETE FROM audit_auditevent": "permission denied",
    "DROP TABLE audit_auditevent": "must be owner",
    "TRUNCATE settlement_caserecord": "permission denied",
}


@pytest.fixture
def app_role(world):
    """The role created by the command, then taken by this connection for the test (all rolled back)."""
    postgres_only(connection)
    role = f"{connection.settings_dict['NAME']}_app"
    call_command("db_app_role", role, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(role)}")
        yield role
        cursor.execute("RESET ROLE")


@pytest.mark.parametrize(("statement", "reason"), REFUSED.items())
def test_the_app_role_is_refused_what_would_rewrite_or_unguard_the_trail(
    app_role, statement, reason
):
    with (
        pytest.raises(DatabaseError, match=reason),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


def test_the_app_role_still_does_the_portals_work(app_role, world):
    with transaction.atomic():
        institution = Institution.objects.create(
            region=world.region, code="H37080200009", name="丙医院", level="2", type="general"
        )
        institution.name = "丙医院（新）"
        institution.save(update_fields=["name"])
        audit_record(actor=world.officer, action="role_probe", instance=institution)
    assert AuditEvent.objects.filter(action="role_probe").exists()


def test_the_app_role_swaps_a_grouping_partition(app_role):
    """The one piece of DDL the portal runs: a whole-year grouping builds the version's partition afresh."""
    with (
        transaction.atomic(),
        version_results_replaced(
            version_id=987654, old=CaseGroup.objects.none(), whole=True
        ) as target,
    ):
        assert target.table.endswith("_new")
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('settlement_casegroup_v987654') IS NOT NULL")
        assert cursor.fetchone()[0]


def test_the_check_names_a_role_that_owns_the_audit_table(world):
    postgres_only(connection)
    role = f"{connection.settings_dict['NAME']}_app"
    call_command("db_app_role", role, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # the world's events have deferred key checks pending
        cursor.execute(f"ALTER TABLE audit_auditevent OWNER TO {connection.ops.quote_name(role)}")
    with pytest.raises(CommandError, match="owns audit_auditevent"):
        call_command("db_app_role", role, "--check", stdout=io.StringIO())
