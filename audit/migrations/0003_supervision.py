# Supervision: rule sets, findings, stored indicators, data-quality scores (issue 8).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_triggers'),
        ('catalogs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RuleSet',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveSmallIntegerField(default=1, verbose_name='版本号')),
                ('status', models.CharField(choices=[('draft', '草稿'), ('submitted', '已提交待审批'), ('in_force', '已批准执行'), ('superseded', '已被替代')], default='draft', max_length=12, verbose_name='状态')),
                ('thresholds', models.JSONField(blank=True, default=dict, help_text='未填写的阈值取默认值', verbose_name='阈值')),
                ('grassroots_categories', models.JSONField(blank=True, default=list, help_text='ICD-10 三位类目，如 J18', verbose_name='基层病种诊断类目')),
                ('reason', models.TextField(blank=True, verbose_name='说明')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='编制时间')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='提交时间')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='审批时间')),
                ('superseded_at', models.DateTimeField(blank=True, null=True, verbose_name='被替代时间')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审批人')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='编制人')),
                ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rule_sets', to='catalogs.region', verbose_name='统筹区')),
                ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='提交人')),
            ],
            options={
                'verbose_name': '监管规则',
                'verbose_name_plural': '监管规则',
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
                ('note', models.TextField(blank=True, verbose_name='复核意见')),
                ('reason', models.TextField(blank=True, verbose_name='排除理由')),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='复核时间')),
                ('institution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='findings', to='catalogs.institution', verbose_name='定点医药机构')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='复核人')),
                ('rule_set', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='findings', to='audit.ruleset', verbose_name='监管规则版本')),
            ],
            options={
                'verbose_name': '监管发现',
                'verbose_name_plural': '监管发现',
                'ordering': ['-year', '-month', 'rule', 'institution'],
                'permissions': [('review_finding', '可以复核监管发现')],
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
                'ordering': ['year', 'month', 'institution'],
                'constraints': [models.UniqueConstraint(fields=('institution', 'year', 'month'), name='audit_dataqualityscore_unique_key', violation_error_message='同一机构同一月份只能有一个数据质量评分。'), models.CheckConstraint(condition=models.Q(('month__gte', 1), ('month__lte', 12)), name='audit_dataqualityscore_month_range', violation_error_message='月份应在1到12之间。'), models.CheckConstraint(condition=models.Q(('score__gte', 0), ('score__lte', 100)), name='audit_dataqualityscore_score_range', violation_error_message='数据质量评分应在0到100之间。')],
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
                'ordering': ['year', 'month', 'institution', 'indicator'],
                'indexes': [models.Index(fields=['year', 'month', 'indicator'], name='audit_indicator_period')],
                'constraints': [models.UniqueConstraint(fields=('institution', 'year', 'month', 'indicator'), name='audit_indicatorvalue_unique_key', violation_error_message='同一机构同一月份的同一指标只能有一个值。'), models.CheckConstraint(condition=models.Q(('month__gte', 1), ('month__lte', 12)), name='audit_indicatorvalue_month_range', violation_error_message='月份应在1到12之间。')],
            },
        ),
        migrations.AddConstraint(
            model_name='ruleset',
            constraint=models.UniqueConstraint(fields=('region', 'version'), name='audit_ruleset_unique_version', violation_error_message='该统筹区已存在此版本号的监管规则。'),
        ),
        migrations.AddConstraint(
            model_name='ruleset',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'in_force')), fields=('region',), name='audit_ruleset_one_in_force', violation_error_message='同一统筹区只能有一个执行中的监管规则版本。'),
        ),
        migrations.AddConstraint(
            model_name='ruleset',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['draft', 'submitted'])), fields=('region',), name='audit_ruleset_one_open', violation_error_message='同一统筹区只能有一个草稿或待审批的监管规则版本。'),
        ),
        migrations.AddConstraint(
            model_name='ruleset',
            constraint=models.CheckConstraint(condition=models.Q(('approved_by__isnull', True), ('submitted_by__isnull', True), models.Q(('approved_by', models.F('submitted_by')), _negated=True), _connector='OR'), name='audit_ruleset_four_eyes', violation_error_message='审批人不能是提交人。'),
        ),
        migrations.AddIndex(
            model_name='finding',
            index=models.Index(fields=['year', 'month', 'status'], name='audit_finding_period_status'),
        ),
        migrations.AddConstraint(
            model_name='finding',
            constraint=models.UniqueConstraint(fields=('rule', 'institution', 'year', 'month'), name='audit_finding_unique_key', violation_error_message='同一机构同一月份的同一规则只能有一条监管发现。'),
        ),
        migrations.AddConstraint(
            model_name='finding',
            constraint=models.CheckConstraint(condition=models.Q(('month__gte', 1), ('month__lte', 12)), name='audit_finding_month_range', violation_error_message='月份应在1到12之间。'),
        ),
        migrations.AddConstraint(
            model_name='finding',
            constraint=models.CheckConstraint(condition=models.Q(('amount__isnull', True), ('amount__gte', 0), _connector='OR'), name='audit_finding_amount_non_negative', violation_error_message='扣减金额不能为负数。'),
        ),
        migrations.AddConstraint(
            model_name='finding',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'confirmed'), _negated=True), ('amount__isnull', False), _connector='OR'), name='audit_finding_confirmed_amount', violation_error_message='已确认的监管发现须有扣减金额。'),
        ),
        migrations.AddConstraint(
            model_name='finding',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'dismissed'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='audit_finding_dismissed_reason', violation_error_message='已排除的监管发现须填写排除理由。'),
        ),
    ]
