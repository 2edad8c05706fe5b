"""Append-only in the database too, so raw SQL cannot rewrite history either.

The ORM guards on ``AuditEvent`` (save/delete/queryset) stop application code; these triggers stop
everything else that speaks SQL through the application's connection.

Why the two databases differ:

* PostgreSQL (production): a row-level trigger rejects every UPDATE and DELETE. TRUNCATE is left
  open on purpose: Django empties the database between transactional tests with one ``TRUNCATE``
  of all tables, and TRUNCATE, like DROP TABLE, is a privilege of the table owner anyway. In
  production the portal should connect as a role that does not own the table and holds only
  SELECT, INSERT on it, which closes TRUNCATE and DDL as well.
* SQLite (development, demo, the fast test pass): only UPDATE is rejected. SQLite has no TRUNCATE
  and no statement-level triggers; Django's flush runs ``DELETE FROM audit_auditevent``, which a
  DELETE trigger would break, so DELETE is guarded by the ORM alone there.

On SQLite a later migration that alters this table rebuilds it and drops the trigger; such a
migration must run ``SQLITE_CREATE`` again. tests/audit/test_audit.py fails if the trigger is gone.
"""

from django.db import migrations

MESSAGE = "audit_auditevent is append-only / 审计事件只能追加，不能修改或删除"

POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING MESSAGE = '{MESSAGE}: ' || TG_OP, ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_auditevent_append_only
        BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_append_only()",
]
SQLITE_CREATE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update
        BEFORE UPDATE ON audit_auditevent
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}: UPDATE');
    END
    """,
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_auditevent_no_update"]

STATEMENTS = {
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
}


def _run(schema_editor, which: int) -> None:
    statements = STATEMENTS.get(schema_editor.connection.vendor, ([], []))[which]
    for sql in statements:
        # params=None: the SQL is sent as written, so no placeholder processing of its text.
        schema_editor.execute(sql, params=None)


def triggers_create(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def triggers_drop(apps, schema_editor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(triggers_create, triggers_drop, elidable=False)]
