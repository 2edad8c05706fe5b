"""The database role the portal runs as in production (PostgreSQL), and the check that it is restricted.

Two roles: the *owner* runs ``manage.py migrate`` and owns the tables; the *app* role is what the web
process and the workers connect as. The app role owns nothing it must not alter:

* every table: SELECT, INSERT, UPDATE, DELETE — never TRUNCATE, REFERENCES or TRIGGER, and no DDL,
  which only an owner may run;
* ``audit_auditevent``: SELECT, INSERT only, so the trail cannot be rewritten, emptied (TRUNCATE) or
  unguarded (``ALTER TABLE … DISABLE TRIGGER``), whatever SQL reaches the connection;
* ``django_migrations``: SELECT only;
* the grouping results (``settlement_casegroup`` and its partitions) are the exception it owns: the
  grouping job builds a version's partition as a fresh table and swaps it in (settlement/grouping/bulk.py),
  which is DDL. The owner is made a member of the app role, so later migrations can still alter them.

``app_role_grant`` is idempotent; run it (``manage.py db_app_role``) after every ``migrate``.
"""

from __future__ import annotations

from audit.models import AuditEvent

AUDIT_TABLE = AuditEvent._meta.db_table
READ_ONLY_TABLES = ["django_migrations"]
APP_OWNED_TABLE = (
    "settlement_casegroup"  # partitioned; the grouping job creates and swaps its partitions
)
AUDIT_REFUSED = ["UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"]


def _quoted(cursor, name: str) -> str:
    return cursor.db.ops.quote_name(name)


def _role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def _app_owned_tables(cursor) -> list[str]:
    """The grouping results table and its partitions, as they are now."""
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid "
        "WHERE i.inhparent = to_regclass(%s)",
        [APP_OWNED_TABLE],
    )
    return [APP_OWNED_TABLE, *(name for (name,) in cursor.fetchall())]


def app_role_grant(*, cursor, role: str, password: str | None = None) -> None:
    """Create ``role`` if missing (LOGIN with ``password``, else NOLOGIN) and give it exactly the rights
    above, in the current database and schema. Run as the owner of the tables (or a superuser)."""
    app = _quoted(cursor, role)
    if not _role_exists(cursor, role):
        cursor.execute(
            f"CREATE ROLE {app} LOGIN PASSWORD %s" if password else f"CREATE ROLE {app} NOLOGIN",
            [password] if password else None,
        )
    cursor.execute("SELECT current_database(), current_schema()")
    database, schema = (_quoted(cursor, name) for name in cursor.fetchone())
    statements = [
        f"GRANT {app} TO CURRENT_USER",  # lets the owner hand tables to the role and alter them later
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}",
        f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {app}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        f"REVOKE UPDATE, DELETE ON {_quoted(cursor, AUDIT_TABLE)} FROM {app}",
        *(
            f"REVOKE INSERT, UPDATE, DELETE ON {_quoted(cursor, table)} FROM {app}"
            for table in READ_ONLY_TABLES
        ),
        *(
            f"ALTER TABLE {_quoted(cursor, table)} OWNER TO {app}"
            for table in _app_owned_tables(cursor)
        ),
        # Tables a later migration adds are usable at once; rerunning this after migrate narrows them again.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]
    for statement in statements:
        cursor.execute(statement)


def app_role_problems(*, cursor, role: str) -> list[str]:
    """What is wrong with ``role`` as the app role (empty when it is as documented above)."""
    if not _role_exists(cursor, role):
        return [f"role {role} does not exist"]
    return [
        *_attribute_problems(cursor, role),
        *_ownership_problems(cursor, role),
        *_audit_privilege_problems(cursor, role),
    ]


def _attribute_problems(cursor, role: str) -> list[str]:
    cursor.execute(
        "SELECT rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = %s",
        [role],
    )
    return (
        [f"role {role} has superuser, bypassrls, createrole or createdb"]
        if cursor.fetchone()[0]
        else []
    )


def _ownership_problems(cursor, role: str) -> list[str]:
    cursor.execute(
        "SELECT (SELECT datdba FROM pg_database WHERE datname = current_database()) = r.oid "
        "OR (SELECT nspowner FROM pg_namespace WHERE nspname = current_schema()) = r.oid FROM pg_roles r WHERE r.rolname = %s",
        [role],
    )
    problems = [f"role {role} owns the database or its schema"] if cursor.fetchone()[0] else []
    allowed = set(_app_owned_tables(cursor))
    cursor.execute(
        "SELECT c.relname FROM pg_class c WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = %s) "
        "AND c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') ORDER BY 1",
        [role],
    )
    return problems + [
        f"role {role} owns {name}" for (name,) in cursor.fetchall() if name not in allowed
    ]


def _audit_privilege_problems(cursor, role: str) -> list[str]:
    problems = []
    for privilege in AUDIT_REFUSED:
        cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, AUDIT_TABLE, privilege])
        if cursor.fetchone()[0]:
            problems.append(f"role {role} holds {privilege} on {AUDIT_TABLE}")
    return problems
