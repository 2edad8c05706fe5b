# A finding's charge (计入险种/细分类别): the one clearing that deducts it (issue 15 item 1). Existing
# findings get the default of ``supervision.charging`` from their evidence cases; a finding whose evidence
# decides nothing stays without one (a clearing then refuses to run until the officer names it).

from django.conf import settings
from django.db import migrations, models


def charges_from_evidence(apps, schema_editor):
    import pandas as pd

    from supervision.charging import categories_by_med_type, finding_charges
    from settlement.grouping.selectors import MED_TYPES

    finding_model = apps.get_model("audit", "Finding")
    case_model = apps.get_model("settlement", "CaseRecord")
    parameter_model = apps.get_model("settlement", "ParameterSet")
    keys = finding_model.objects.values_list("institution__region_id", "year").distinct().order_by()
    for region_id, year in keys:
        findings = list(finding_model.objects.filter(institution__region_id=region_id, year=year).order_by("pk"))
        sets = parameter_model.objects.filter(region_id=region_id, year=year).values_list("scheme", "category", "kind").distinct()
        ids = sorted({str(setl_id) for finding in findings for setl_id in finding.evidence})
        cases = pd.DataFrame.from_records(
            list(case_model.objects.filter(institution__region_id=region_id, setl_id__in=ids)
                 .values_list("institution_id", "setl_id", "insutype", "med_type", "medfee_sumamt")),
            columns=["institution", "setl_id", "scheme", "med_type", "medfee"],
        )
        frame = pd.DataFrame({"institution": [f.institution_id for f in findings], "evidence": [list(f.evidence) for f in findings]})
        for finding, charge in zip(findings, finding_charges(frame, cases, categories_by_med_type(sets, MED_TYPES)), strict=True):
            if charge is not None:
                finding.scheme, finding.category = charge
                finding.save(update_fields=["scheme", "category"])


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_assessment'),
        ('catalogs', '0004_drg_rule_sets'),
        ('settlement', '0007_casegroup_partitioned'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='finding',
            name='category',
            field=models.CharField(blank=True, max_length=20, verbose_name='计入细分类别'),
        ),
        migrations.AddField(
            model_name='finding',
            name='scheme',
            field=models.CharField(blank=True, choices=[('310', '职工基本医疗保险'), ('390', '城乡居民基本医疗保险')], help_text='扣减金额只在该险种该细分类别的年终清算中扣减', max_length=3, verbose_name='计入险种'),
        ),
        migrations.RunPython(charges_from_evidence, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='finding',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('category', ''), ('scheme', '')), models.Q(models.Q(('scheme', ''), _negated=True), models.Q(('category', ''), _negated=True)), _connector='OR'), name='audit_finding_charge_pair', violation_error_message='计入的险种和细分类别须同时填写或同时为空。'),
        ),
    ]
