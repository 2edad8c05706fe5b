"""API tokens moved from DRF's authtoken (one never-expiring key per user, stored in clear) to
django-rest-knox (expiring, revocable, stored as digests). Knox keys cannot be derived from the old
ones, so the old table is dropped: every old token stops working on upgrade and users create new ones
on their tokens page or with POST /api/v1/auth/token/ (docs/operations.md)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=["DROP TABLE IF EXISTS authtoken_token", "DELETE FROM django_migrations WHERE app = 'authtoken'"],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
