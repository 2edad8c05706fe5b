"""The case table and the per-case run results partitioned by settlement year on PostgreSQL (issue 21 item 1).

``RunCase`` gets the run's ``year`` (its partition key), filled from the run; the foreign key of the case
versions to the case table stops being a database constraint (as do disputes' and reconciliation's, in
their own migrations this one depends on): PostgreSQL has no foreign key to a partitioned table without
its key. Then both tables are rebuilt as ``PARTITION BY RANGE`` with a partition per year present, this
year and next, and a DEFAULT one (settlement/partitions/ddl.py); every row, id, key and index is kept.
Backwards rebuilds them as plain tables. SQLite keeps plain tables: only ``year`` is filled.
Rehearsed on a few million rows: docs/partitioning.md.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

RUN_YEAR = "(SELECT r.year FROM settlement_settlementrun r WHERE r.id = settlement_runcase.run_id)"


def _coming_years() -> set[int]:
    year = timezone.localdate().year
    return {year, year + 1}


def _run_case_select(cursor) -> str:
    """The run-case rows with the run's year, in the table's column order (a row whose run is gone: year 0)."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'settlement_runcase' "
        "AND table_schema = current_schema() ORDER BY ordinal_position"
    )
    columns = [name for (name,) in cursor.fetchall()]
    values = ", ".join("coalesce(r.year, 0)" if name == "year" else f"c.{name}" for name in columns)
    return f"SELECT {values} FROM {{old}} c LEFT JOIN settlement_settlementrun r ON r.id = c.run_id"


def forwards(apps, schema_editor) -> None:
    from settlement.partitions.ddl import CASES, RUN_CASES, table_partition, years_present

    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor != "postgresql":
            cursor.execute(f"UPDATE settlement_runcase SET year = coalesce({RUN_YEAR}, 0)")
            return
        table_partition(cursor, CASES, years=sorted(set(years_present(cursor, CASES)) | _coming_years()))
        select = _run_case_select(cursor)
        cursor.execute("SELECT DISTINCT year FROM settlement_settlementrun")
        run_years = {year for (year,) in cursor.fetchall()}
        table_partition(cursor, RUN_CASES, years=sorted(run_years | _coming_years()), select=select)


def backwards(apps, schema_editor) -> None:
    from settlement.partitions.ddl import CASES, RUN_CASES, table_unpartition

    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        table_unpartition(cursor, RUN_CASES)
        table_unpartition(cursor, CASES)


class Migration(migrations.Migration):

    dependencies = [
        ('settlement', '0016_case_search_covering_index'),
        ('disputes', '0005_case_no_db_constraint'),
        ('reconciliation', '0003_case_no_db_constraint'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='runcase',
            name='year',
            field=models.PositiveSmallIntegerField(default=0, help_text='结算运行的年度（分区键）', verbose_name='年度'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='caserecordversion',
            name='case',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='settlement.caserecord', verbose_name='结算清单'),
        ),
        migrations.CreateModel(
            name='CaseYearArchive',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='年度')),
                ('location', models.CharField(max_length=500, verbose_name='归档位置')),
                ('case_rows', models.PositiveBigIntegerField(verbose_name='结算清单行数')),
                ('run_case_rows', models.PositiveBigIntegerField(verbose_name='病例结果行数')),
                ('archived_at', models.DateTimeField(auto_now_add=True, verbose_name='归档时间')),
                ('archived_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='归档人')),
            ],
            options={
                'verbose_name': '归档年度',
                'verbose_name_plural': '归档年度',
                'ordering': ['year'],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
