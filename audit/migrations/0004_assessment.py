# Annual assessment (考核): schemes and items, assessment versions under four eyes, scores per institution (issue 8).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_supervision'),
        ('catalogs', '0003_coefficients'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
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
                ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='audit.assessmentscheme', verbose_name='考核方案')),
            ],
            options={
                'verbose_name': '考核项目',
                'verbose_name_plural': '考核项目',
                'ordering': ['scheme', 'position'],
            },
        ),
        migrations.CreateModel(
            name='Assessment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='考核年度')),
                ('version', models.PositiveSmallIntegerField(default=1, verbose_name='版本号')),
                ('status', models.CharField(choices=[('draft', '草稿'), ('submitted', '已提交待审批'), ('approved', '已审批'), ('superseded', '已被替代')], default='draft', max_length=12, verbose_name='状态')),
                ('items', models.JSONField(default=list, help_text='计算时的方案项目快照', verbose_name='考核项目')),
                ('computed_at', models.DateTimeField(blank=True, null=True, verbose_name='计算时间')),
                ('reason', models.TextField(blank=True, verbose_name='退回原因')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='编制时间')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='提交时间')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='审批时间')),
                ('superseded_at', models.DateTimeField(blank=True, null=True, verbose_name='被替代时间')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审批人')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='编制人')),
                ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='catalogs.region', verbose_name='统筹区')),
                ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='提交人')),
                ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='audit.assessmentscheme', verbose_name='考核方案')),
            ],
            options={
                'verbose_name': '年度考核',
                'verbose_name_plural': '年度考核',
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
                ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='audit.assessment', verbose_name='年度考核')),
                ('entered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='录入人')),
                ('institution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessment_scores', to='catalogs.institution', verbose_name='定点医药机构')),
            ],
            options={
                'verbose_name': '考核得分',
                'verbose_name_plural': '考核得分',
                'ordering': ['assessment', 'institution', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='assessmentscheme',
            constraint=models.UniqueConstraint(fields=('region', 'name'), name='audit_assessmentscheme_unique_name', violation_error_message='该统筹区已有同名的考核方案。'),
        ),
        migrations.AddConstraint(
            model_name='assessmentitem',
            constraint=models.UniqueConstraint(fields=('scheme', 'code'), name='audit_assessmentitem_unique_code', violation_error_message='同一考核方案中项目编码不能重复。'),
        ),
        migrations.AddConstraint(
            model_name='assessmentitem',
            constraint=models.CheckConstraint(condition=models.Q(('weight__gt', 0), ('weight__lte', 100)), name='audit_assessmentitem_weight_range', violation_error_message='考核项目分值应大于0且不超过100。'),
        ),
        migrations.AddConstraint(
            model_name='assessmentitem',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'metric'), _negated=True), models.Q(('indicator', ''), _negated=True), _connector='OR'), name='audit_assessmentitem_metric_indicator', violation_error_message='指标项须选择一个监管指标。'),
        ),
        migrations.AddConstraint(
            model_name='assessmentitem',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'deduction'), _negated=True), ('per_finding__gt', 0), _connector='OR'), name='audit_assessmentitem_deduction_points', violation_error_message='扣分项须填写大于0的每条扣分。'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.UniqueConstraint(fields=('region', 'year', 'version'), name='audit_assessment_unique_version', violation_error_message='该统筹区该年度已存在此版本号的考核。'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'approved')), fields=('region', 'year'), name='audit_assessment_one_approved', violation_error_message='同一统筹区同一年度只能有一个已审批的考核。'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['draft', 'submitted'])), fields=('region', 'year'), name='audit_assessment_one_open', violation_error_message='同一统筹区同一年度只能有一个草稿或待审批的考核。'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.CheckConstraint(condition=models.Q(('approved_by__isnull', True), ('submitted_by__isnull', True), models.Q(('approved_by', models.F('submitted_by')), _negated=True), _connector='OR'), name='audit_assessment_four_eyes', violation_error_message='审批人不能是提交人。'),
        ),
        migrations.AddConstraint(
            model_name='assessmentscore',
            constraint=models.UniqueConstraint(fields=('assessment', 'institution', 'item_code'), name='audit_assessmentscore_unique_key', violation_error_message='同一考核中每家机构每个项目只能有一个得分。'),
        ),
        migrations.AddConstraint(
            model_name='assessmentscore',
            constraint=models.CheckConstraint(condition=models.Q(('points__isnull', True), models.Q(('points__gte', 0), ('points__lte', 100)), _connector='OR'), name='audit_assessmentscore_points_range', violation_error_message='得分应在0到100之间。'),
        ),
    ]
