# Supervision (监管) left audit/ for its own app (issue 20 item 1). Its models leave audit's migration
# state here and enter supervision's in supervision/0001_initial; the tables stay as they are (their
# names included: the models set db_table), so no row moves. audit keeps AuditEvent only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_finding_charge'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='assessmentscore',
                    name='assessment',
                ),
                migrations.RemoveField(
                    model_name='assessmentitem',
                    name='scheme',
                ),
                migrations.RemoveField(
                    model_name='assessmentscheme',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='assessmentscheme',
                    name='region',
                ),
                migrations.RemoveField(
                    model_name='assessmentscore',
                    name='entered_by',
                ),
                migrations.RemoveField(
                    model_name='assessmentscore',
                    name='institution',
                ),
                migrations.RemoveField(
                    model_name='dataqualityscore',
                    name='institution',
                ),
                migrations.RemoveField(
                    model_name='finding',
                    name='institution',
                ),
                migrations.RemoveField(
                    model_name='finding',
                    name='reviewed_by',
                ),
                migrations.RemoveField(
                    model_name='finding',
                    name='rule_set',
                ),
                migrations.RemoveField(
                    model_name='indicatorvalue',
                    name='institution',
                ),
                migrations.RemoveField(
                    model_name='ruleset',
                    name='approved_by',
                ),
                migrations.RemoveField(
                    model_name='ruleset',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='ruleset',
                    name='region',
                ),
                migrations.RemoveField(
                    model_name='ruleset',
                    name='submitted_by',
                ),
                migrations.DeleteModel(
                    name='Assessment',
                ),
                migrations.DeleteModel(
                    name='AssessmentItem',
                ),
                migrations.DeleteModel(
                    name='AssessmentScheme',
                ),
                migrations.DeleteModel(
                    name='AssessmentScore',
                ),
                migrations.DeleteModel(
                    name='DataQualityScore',
                ),
                migrations.DeleteModel(
                    name='Finding',
                ),
                migrations.DeleteModel(
                    name='IndicatorValue',
                ),
                migrations.DeleteModel(
                    name='RuleSet',
                ),
            ],
            database_operations=[],
        ),
    ]
