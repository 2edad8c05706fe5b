# The supervision models (监管) as they left audit/ (audit/0006_supervision_moved): state only, on the
# tables audit/0003–0005 created, which keep their names (db_table). The constraints named after the
# app label (``%(app_label)s_%(class)s_<rule>``) are renamed audit_… → supervision_… on PostgreSQL; on
# SQLite a constraint's name lives in the table's SQL and Django remakes the table whenever it alters
# one, so there is nothing to rename.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _renames(apps, *, source: str, target: str) -> list[tuple[str, str, str]]:
    """(table, name now, name after) of each constraint named after the app label."""
    renames = []
    for model in apps.get_app_config("supervision").get_models():
        for constraint in model._meta.constraints:
            if constraint.name.startswith("supervision_"):
                rule = constraint.name.removeprefix("supervision_")
                renames.append((model._meta.db_table, f"{source}_{rule}", f"{target}_{rule}"))
    return renames


def _constraints_rename(apps, schema_editor, *, source: str, target: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        for table, name, new_name in _renames(apps, source=source, target=target):
            # A unique constraint with a condition is a partial unique index, not a table constraint.
            cursor.execute(
                "SELECT 1 FROM pg_constraint WHERE conname = %s AND conrelid = %s::regclass",
                [name, table],
            )
            is_constraint = cursor.fetchone() is not None
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {quote(name)} TO {quote(new_name)}"
                if is_constraint
                else f"ALTER INDEX {quote(name)} RENAME TO {quote(new_name)}"
            )


def constraints_rename(apps, schema_editor):
    _constraints_rename(apps, schema_editor, source="audit", target="supervision")


def constraints_rename_back(apps, schema_editor):
    _constraints_rename(apps, schema_editor, source="supervision", target="audit")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('audit', '0006_supervision_moved'),
        ('catalogs', '0009_drggoldencase'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AssessmentScheme',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=60, verbose_name='方案名称')),
                        ('description', models.TextField(blank=True, verbose_name='说明')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='编制时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='修改时间')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='编制人')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessment_schemes', to='catalogs.region', verbose_name='统筹区')),
                    ],
                    options={
                        'verbose_name': '考核方案',
                        'verbose_name_plural': '考核方案',
                        'db_table': 'audit_assessmentscheme',
                        'ordering': ['region', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='AssessmentItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(verbose_name='顺序')),
                        ('code', models.CharField(max_length=20, verbose_name='项目编码')),
                        ('name', models.CharField(max_length=60, verbose_name='项目名称')),
                        ('kind', models.CharField(choices=[('metric', '指标项（中位数满分，P90零分）'), ('deduction', '扣分项（按确认违规扣分）'), ('quality', '数据质量'), ('manual', '人工评分')], max_length=10, verbose_name='评分方式')),
                        ('weight', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='分值')),
                        ('indicator', models.CharField(blank=True, max_length=30, verbose_name='监管指标')),
                        ('per_finding', models.DecimalField(decimal_places=2, default=0, max_digits=5, verbose_name='每条违规扣分')),
                        ('rule', models.CharField(blank=True, choices=[('split_admission', '分解住院'), ('low_standard_admission', '低标准入院'), ('upcoding', '高套编码（次要诊断/高严重度分型）'), ('cmi_jump', '高套分值（CMI异常跃升）'), ('shirking', '推诿患者'), ('point_inflation', '冲点数（病例数异常增长）')], help_text='空为全部规则', max_length=30, verbose_name='违规规则')),
                        ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='supervision.assessmentscheme', verbose_name='考核方案')),
                    ],
                    options={
                        'verbose_name': '考核项目',
                        'verbose_name_plural': '考核项目',
                        'db_table': 'audit_assessmentitem',
                        'ordering': ['scheme', 'position'],
                    },
                ),
                migrations.CreateModel(
                    name='Assessment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='编制时间')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='提交时间')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='审批时间')),
                        ('superseded_at', models.DateTimeField(blank=True, null=True, verbose_name='被替代时间')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='考核年度')),
                        ('version', models.PositiveSmallIntegerField(default=1, verbose_name='版本号')),
                        ('status', models.CharField(choices=[('draft', '草稿'), ('submitted', '已提交待审批'), ('approved', '已审批'), ('superseded', '已被替代')], default='draft', max_length=12, verbose_name='状态')),
                        ('items', models.JSONField(default=list, help_text='计算时的方案项目快照', verbose_name='考核项目')),
                        ('computed_at', models.DateTimeField(blank=True, null=True, verbose_name='计算时间')),
                        ('reason', models.TextField(blank=True, verbose_name='退回原因')),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审批人')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='编制人')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='catalogs.region', verbose_name='统筹区')),
                        ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='提交人')),
                        ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='supervision.assessmentscheme', verbose_name='考核方案')),
                    ],
                    options={
                        'verbose_name': '年度考核',
                        'verbose_name_plural': '年度考核',
                        'db_table': 'audit_assessment',
                        'ordering': ['region', '-year', '-version'],
                        'permissions': [('compile_assessment', '可以编制考核方案与考核结果'), ('approve_assessment', '可以审批考核结果')],
                    },
                ),
                migrations.CreateModel(
                    name='AssessmentScore',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('item_code', models.CharField(max_length=20, verbose_name='项目编码')),
                        ('points', models.DecimalField(blank=True, decimal_places=2, help_text='人工评分项录入前为空', max_digits=5, null=True, verbose_name='得分')),
                        ('basis', models.CharField(blank=True, max_length=200, verbose_name='评分依据')),
                        ('note', models.TextField(blank=True, verbose_name='评分说明')),
                        ('entered_at', models.DateTimeField(blank=True, null=True, verbose_name='录入时间')),
                        ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='supervision.assessment', verbose_name='年度考核')),
                        ('entered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='录入人')),
                        ('institution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessment_scores', to='catalogs.institution', verbose_name='定点医药机构')),
                    ],
                    options={
                        'verbose_name': '考核得分',
                        'verbose_name_plural': '考核得分',
                        'db_table': 'audit_assessmentscore',
                        'ordering': ['assessment', 'institution', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='DataQualityScore',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('month', models.PositiveSmallIntegerField(verbose_name='月份')),
                        ('score', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='评分')),
                        ('components', models.JSONField(default=dict, verbose_name='评分构成')),
                        ('computed_at', models.DateTimeField(auto_now_add=True, verbose_name='计算时间')),
                        ('institution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='data_quality_scores', to='catalogs.institution', verbose_name='定点医药机构')),
                    ],
                    options={
                        'verbose_name': '数据质量评分',
                        'verbose_name_plural': '数据质量评分',
                        'db_table': 'audit_dataqualityscore',
                        'ordering': ['year', 'month', 'institution'],
                    },
                ),
                migrations.CreateModel(
                    name='IndicatorValue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('month', models.PositiveSmallIntegerField(verbose_name='月份')),
                        ('indicator', models.CharField(max_length=30, verbose_name='指标')),
                        ('value', models.DecimalField(decimal_places=4, max_digits=18, verbose_name='指标值')),
                        ('region_median', models.DecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='全区中位数')),
                        ('region_p90', models.DecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='全区P90')),
                        ('computed_at', models.DateTimeField(auto_now_add=True, verbose_name='计算时间')),
                        ('institution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='indicator_values', to='catalogs.institution', verbose_name='定点医药机构')),
                    ],
                    options={
                        'verbose_name': '监管指标值',
                        'verbose_name_plural': '监管指标值',
                        'db_table': 'audit_indicatorvalue',
                        'ordering': ['year', 'month', 'institution', 'indicator'],
                    },
                ),
                migrations.CreateModel(
                    name='RuleSet',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='编制时间')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='提交时间')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='审批时间')),
                        ('superseded_at', models.DateTimeField(blank=True, null=True, verbose_name='被替代时间')),
                        ('version', models.PositiveSmallIntegerField(default=1, verbose_name='版本号')),
                        ('status', models.CharField(choices=[('draft', '草稿'), ('submitted', '已提交待审批'), ('in_force', '已批准执行'), ('superseded', '已被替代')], default='draft', max_length=12, verbose_name='状态')),
                        ('thresholds', models.JSONField(blank=True, default=dict, help_text='未填写的阈值取默认值', verbose_name='阈值')),
                        ('grassroots_categories', models.JSONField(blank=True, default=list, help_text='ICD-10 三位类目，如 J18', verbose_name='基层病种诊断类目')),
                        ('reason', models.TextField(blank=True, verbose_name='说明')),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审批人')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='编制人')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rule_sets', to='catalogs.region', verbose_name='统筹区')),
                        ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='提交人')),
                    ],
                    options={
                        'verbose_name': '监管规则',
                        'verbose_name_plural': '监管规则',
                        'db_table': 'audit_ruleset',
                        'ordering': ['region', '-version'],
                        'permissions': [('approve_ruleset', '可以审批监管规则')],
                    },
                ),
                migrations.CreateModel(
                    name='Finding',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rule', models.CharField(choices=[('split_admission', '分解住院'), ('low_standard_admission', '低标准入院'), ('upcoding', '高套编码（次要诊断/高严重度分型）'), ('cmi_jump', '高套分值（CMI异常跃升）'), ('shirking', '推诿患者'), ('point_inflation', '冲点数（病例数异常增长）')], max_length=30, verbose_name='规则')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('month', models.PositiveSmallIntegerField(verbose_name='月份')),
                        ('severity', models.CharField(choices=[('high', '高'), ('medium', '中')], max_length=10, verbose_name='严重程度')),
                        ('score', models.DecimalField(decimal_places=2, help_text='指标值÷阈值，≥1', max_digits=10, verbose_name='评分')),
                        ('description', models.TextField(verbose_name='说明')),
                        ('evidence', models.JSONField(blank=True, default=list, help_text='结算ID (setl_id) 列表', verbose_name='证据病例')),
                        ('evidence_count', models.PositiveIntegerField(default=0, verbose_name='涉及病例数')),
                        ('metrics', models.JSONField(blank=True, default=dict, verbose_name='指标')),
                        ('detected_at', models.DateTimeField(auto_now_add=True, verbose_name='发现时间')),
                        ('status', models.CharField(choices=[('open', '待复核'), ('confirmed', '已确认'), ('dismissed', '已排除')], db_index=True, default='open', max_length=10, verbose_name='状态')),
                        ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='扣减金额（元）')),
                        ('scheme', models.CharField(blank=True, choices=[('310', '职工基本医疗保险'), ('390', '城乡居民基本医疗保险')], help_text='扣减金额只在该险种该细分类别的年终清算中扣减', max_length=3, verbose_name='计入险种')),
                        ('category', models.CharField(blank=True, max_length=20, verbose_name='计入细分类别')),
                        ('note', models.TextField(blank=True, verbose_name='复核意见')),
                        ('reason', models.TextField(blank=True, verbose_name='排除理由')),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='复核时间')),
                        ('institution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='findings', to='catalogs.institution', verbose_name='定点医药机构')),
                        ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='复核人')),
                        ('rule_set', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='findings', to='supervision.ruleset', verbose_name='监管规则版本')),
                    ],
                    options={
                        'verbose_name': '监管发现',
                        'verbose_name_plural': '监管发现',
                        'db_table': 'audit_finding',
                        'ordering': ['-year', '-month', 'rule', 'institution'],
                        'permissions': [('review_finding', '可以复核监管发现')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='assessmentscheme',
                    constraint=models.UniqueConstraint(fields=('region', 'name'), name='supervision_assessmentscheme_unique_name', violation_error_message='该统筹区已有同名的考核方案。'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentitem',
                    constraint=models.UniqueConstraint(fields=('scheme', 'code'), name='supervision_assessmentitem_unique_code', violation_error_message='同一考核方案中项目编码不能重复。'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentitem',
                    constraint=models.CheckConstraint(condition=models.Q(('weight__gt', 0), ('weight__lte', 100)), name='supervision_assessmentitem_weight_range', violation_error_message='考核项目分值应大于0且不超过100。'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentitem',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'metric'), _negated=True), models.Q(('indicator', ''), _negated=True), _connector='OR'), name='supervision_assessmentitem_metric_indicator', violation_error_message='指标项须选择一个监管指标。'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentitem',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'deduction'), _negated=True), ('per_finding__gt', 0), _connector='OR'), name='supervision_assessmentitem_deduction_points', violation_error_message='扣分项须填写大于0的每条扣分。'),
                ),
                migrations.AddConstraint(
                    model_name='assessment',
                    constraint=models.UniqueConstraint(fields=('region', 'year', 'version'), name='supervision_assessment_unique_version', violation_error_message='该统筹区该年度已存在此版本号的考核。'),
                ),
                migrations.AddConstraint(
                    model_name='assessment',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'approved')), fields=('region', 'year'), name='supervision_assessment_one_approved', violation_error_message='同一统筹区同一年度只能有一个已审批的考核。'),
                ),
                migrations.AddConstraint(
                    model_name='assessment',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['draft', 'submitted'])), fields=('region', 'year'), name='supervision_assessment_one_open', violation_error_message='同一统筹区同一年度只能有一个草稿或待审批的考核。'),
                ),
                migrations.AddConstraint(
                    model_name='assessment',
                    constraint=models.CheckConstraint(condition=models.Q(('approved_by__isnull', True), ('submitted_by__isnull', True), models.Q(('approved_by', models.F('submitted_by')), _negated=True), _connector='OR'), name='supervision_assessment_four_eyes', violation_error_message='审批人不能是提交人。'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentscore',
                    constraint=models.UniqueConstraint(fields=('assessment', 'institution', 'item_code'), name='supervision_assessmentscore_unique_key', violation_error_message='同一考核中每家机构每个项目只能有一个得分。'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentscore',
                    constraint=models.CheckConstraint(condition=models.Q(('points__isnull', True), models.Q(('points__gte', 0), ('points__lte', 100)), _connector='OR'), name='supervision_assessmentscore_points_range', violation_error_message='得分应在0到100之间。'),
                ),
                migrations.AddConstraint(
                    model_name='dataqualityscore',
                    constraint=models.UniqueConstraint(fields=('institution', 'year', 'month'), name='supervision_dataqualityscore_unique_key', violation_error_message='同一机构同一月份只能有一个数据质量评分。'),
                ),
                migrations.AddConstraint(
                    model_name='dataqualityscore',
                    constraint=models.CheckConstraint(condition=models.Q(('month__gte', 1), ('month__lte', 12)), name='supervision_dataqualityscore_month_range', violation_error_message='月份应在1到12之间。'),
                ),
                migrations.AddConstraint(
                    model_name='dataqualityscore',
                    constraint=models.CheckConstraint(condition=models.Q(('score__gte', 0), ('score__lte', 100)), name='supervision_dataqualityscore_score_range', violation_error_message='数据质量评分应在0到100之间。'),
                ),
                migrations.AddIndex(
                    model_name='indicatorvalue',
                    index=models.Index(fields=['year', 'month', 'indicator'], name='audit_indicator_period'),
                ),
                migrations.AddConstraint(
                    model_name='indicatorvalue',
                    constraint=models.UniqueConstraint(fields=('institution', 'year', 'month', 'indicator'), name='supervision_indicatorvalue_unique_key', violation_error_message='同一机构同一月份的同一指标只能有一个值。'),
                ),
                migrations.AddConstraint(
                    model_name='indicatorvalue',
                    constraint=models.CheckConstraint(condition=models.Q(('month__gte', 1), ('month__lte', 12)), name='supervision_indicatorvalue_month_range', violation_error_message='月份应在1到12之间。'),
                ),
                migrations.AddConstraint(
                    model_name='ruleset',
                    constraint=models.UniqueConstraint(fields=('region', 'version'), name='supervision_ruleset_unique_version', violation_error_message='该统筹区已存在此版本号的监管规则。'),
                ),
                migrations.AddConstraint(
                    model_name='ruleset',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'in_force')), fields=('region',), name='supervision_ruleset_one_in_force', violation_error_message='同一统筹区只能有一个执行中的监管规则版本。'),
                ),
                migrations.AddConstraint(
                    model_name='ruleset',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['draft', 'submitted'])), fields=('region',), name='supervision_ruleset_one_open', violation_error_message='同一统筹区只能有一个草稿或待审批的监管规则版本。'),
                ),
                migrations.AddConstraint(
                    model_name='ruleset',
                    constraint=models.CheckConstraint(condition=models.Q(('approved_by__isnull', True), ('submitted_by__isnull', True), models.Q(('approved_by', models.F('submitted_by')), _negated=True), _connector='OR'), name='supervision_ruleset_four_eyes', violation_error_message='审批人不能是提交人。'),
                ),
                migrations.AddIndex(
                    model_name='finding',
                    index=models.Index(fields=['year', 'month', 'status'], name='audit_finding_period_status'),
                ),
                migrations.AddConstraint(
                    model_name='finding',
                    constraint=models.UniqueConstraint(fields=('rule', 'institution', 'year', 'month'), name='supervision_finding_unique_key', violation_error_message='同一机构同一月份的同一规则只能有一条监管发现。'),
                ),
                migrations.AddConstraint(
                    model_name='finding',
                    constraint=models.CheckConstraint(condition=models.Q(('month__gte', 1), ('month__lte', 12)), name='supervision_finding_month_range', violation_error_message='月份应在1到12之间。'),
                ),
                migrations.AddConstraint(
                    model_name='finding',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__isnull', True), ('amount__gte', 0), _connector='OR'), name='supervision_finding_amount_non_negative', violation_error_message='扣减金额不能为负数。'),
                ),
                migrations.AddConstraint(
                    model_name='finding',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'confirmed'), _negated=True), ('amount__isnull', False), _connector='OR'), name='supervision_finding_confirmed_amount', violation_error_message='已确认的监管发现须有扣减金额。'),
                ),
                migrations.AddConstraint(
                    model_name='finding',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'dismissed'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='supervision_finding_dismissed_reason', violation_error_message='已排除的监管发现须填写排除理由。'),
                ),
                migrations.AddConstraint(
                    model_name='finding',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('category', ''), ('scheme', '')), models.Q(models.Q(('scheme', ''), _negated=True), models.Q(('category', ''), _negated=True)), _connector='OR'), name='supervision_finding_charge_pair', violation_error_message='计入的险种和细分类别须同时填写或同时为空。'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(constraints_rename, constraints_rename_back, elidable=False),
    ]
