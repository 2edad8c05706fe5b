"""Parameter sets gain ``ratio_rounding`` (偏差比舍入). Sets written before it existed compare the
exact deviation ratio, as the policy texts do: they get ``exact``, so they validate and run unchanged."""

from django.db import migrations

KEY, EXACT = "ratio_rounding", "exact"


def add_exact(apps, schema_editor):
    ParameterSet = apps.get_model("settlement", "ParameterSet")
    for parameter_set in ParameterSet.objects.all().only("pk", "values"):
        if KEY not in parameter_set.values:
            parameter_set.values = {**parameter_set.values, KEY: EXACT}
            parameter_set.save(update_fields=["values"])


def remove(apps, schema_editor):
    ParameterSet = apps.get_model("settlement", "ParameterSet")
    for parameter_set in ParameterSet.objects.all().only("pk", "values"):
        if KEY in parameter_set.values:
            parameter_set.values = {k: v for k, v in parameter_set.values.items() if k != KEY}
            parameter_set.save(update_fields=["values"])


class Migration(migrations.Migration):
    dependencies = [("settlement", "0007_casegroup_partitioned")]

    operations = [migrations.RunPython(add_exact, remove)]
