"""Settlement runs (结算运行): what a run froze as its inputs and what it computed, per case and per institution.

A run covers one category (细分类别) of one scheme (险种) of a region's year: a month (月度预付), a quarter
(季度预清算), the year (年度结算) or the year-end clearing (年终清算). It is queued by ``run_start`` and
computed by ``run_execute`` in one transaction, so a run is either complete — its case rows, institution
rows and result hash all written — or it has no results at all. Running a period again supersedes the
earlier run of the same key; only one run of a key can be queued or running at a time.

Imported by settlement/models.py, so the models belong to the ``settlement`` app.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.tenancy import TenantQuerySet
from catalogs.choices import Scheme
from settlement.runs.choices import RunStatus, RunType
from workflow.models import user_field

ERR_ONE_ACTIVE = "该期间已有一个正在排队或计算中的结算运行，请等待其完成后再运行。"
ERR_ONE_CURRENT = "同一期间只能有一个有效的结算运行。"
ERR_NUMBER = "月度运行的期号为1–12，季度运行为1–4，年度结算与年终清算为0。"

POINTS = dict(max_digits=16, decimal_places=4)
MONEY = dict(max_digits=16, decimal_places=2)
RATIO = dict(max_digits=12, decimal_places=4)


def _money(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(verbose_name, null=True, blank=True, **MONEY)


class SettlementRunManager(models.Manager):
    """Runs load without their frozen institution states (a JSON object per institution of the region),
    which only a run's computation, reproduction and consortium reads need; reading the field loads it."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().defer("institution_states")


class SettlementRun(models.Model):
    """结算运行 — one computation of a period's points, point value and institution amounts."""

    region = models.ForeignKey(
        "catalogs.Region",
        on_delete=models.PROTECT,
        related_name="settlement_runs",
        verbose_name="统筹区",
    )
    year = models.PositiveSmallIntegerField("年度")
    scheme = models.CharField("险种", max_length=3, choices=Scheme.choices)
    category = models.CharField("细分类别", max_length=20)
    kind = models.CharField("付费方式", max_length=3)
    run_type = models.CharField("运行类型", max_length=10, choices=RunType.choices)
    number = models.PositiveSmallIntegerField(
        "期号", default=0, help_text="月份或季度；年度结算与年终清算为0"
    )
    status = models.CharField(
        "状态", max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    job = models.ForeignKey(
        "jobs.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="后台任务",
    )
    started_by = user_field("发起人")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    error = models.TextField("失败原因", blank=True)
    # Frozen inputs (冻结的输入)
    catalog_version = models.ForeignKey(
        "catalogs.CatalogVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="目录版本",
    )
    parameter_set = models.ForeignKey(
        "settlement.ParameterSet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="结算参数版本",
    )
    coefficient_table = models.ForeignKey(
        "catalogs.CoefficientTable",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="机构系数表",
    )
    budget = models.ForeignKey(
        "budgets.Budget",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="预算版本",
    )
    base_run = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="依据的年度结算",
        help_text="年终清算所依据的年度结算运行",
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name="替代的运行",
    )
    case_count = models.PositiveIntegerField("病例数", default=0)
    case_hash = models.CharField("病例集指纹", max_length=64, blank=True)
    input_hash = models.CharField("输入指纹", max_length=64, blank=True)
    inputs = models.JSONField("输入摘要", default=dict, blank=True)
    institution_states = models.JSONField(
        "机构状态",
        default=dict,
        blank=True,
        help_text="运行期间末日在用的机构等级、类别、基层标识、医共体牵头机构与协议期，按机构id",
    )
    # Results (结果)
    pool = _money("可分配基金（元）")
    total = _money("结算总额（元）")
    points_total = models.DecimalField("有效点数合计", null=True, blank=True, **POINTS)
    point_value = models.DecimalField(
        "点值", max_digits=18, decimal_places=6, null=True, blank=True
    )
    result_hash = models.CharField("结果指纹", max_length=64, blank=True)
    summary = models.JSONField("结果摘要", default=dict, blank=True)

    objects = SettlementRunManager()

    class Meta:
        verbose_name = "结算运行"
        verbose_name_plural = "结算运行"
        ordering = ["-created_at", "-id"]
        permissions = [("close_settlementperiod", "可以结算关账")]
        indexes = [
            models.Index(fields=["region", "year", "scheme", "category"], name="settlement_run_key")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "scheme", "category", "run_type", "number"],
                condition=Q(status__in=RunStatus.active()),
                name="%(app_label)s_%(class)s_one_active",
                violation_error_message=ERR_ONE_ACTIVE,
            ),
            models.UniqueConstraint(
                fields=["region", "year", "scheme", "category", "run_type", "number"],
                condition=Q(status=RunStatus.COMPLETED),
                name="%(app_label)s_%(class)s_one_current",
                violation_error_message=ERR_ONE_CURRENT,
            ),
            models.CheckConstraint(
                condition=(
                    Q(run_type=RunType.MONTHLY, number__gte=1, number__lte=12)
                    | Q(run_type=RunType.QUARTERLY, number__gte=1, number__lte=4)
                    | Q(run_type__in=[RunType.ANNUAL, RunType.CLEARING], number=0)
                ),
                name="%(app_label)s_%(class)s_number_range",
                violation_error_message=ERR_NUMBER,
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.period_label} {self.get_scheme_display()}{self.category} {self.get_run_type_display()}"

    @property
    def period_label(self) -> str:
        return RunType(self.run_type).period_label(self.year, self.number)

    @property
    def period_end(self) -> datetime.date:
        """The period's last day: the institution states in force on it are the run's."""
        return RunType(self.run_type).period_end(self.year, self.number)

    @property
    def is_current(self) -> bool:
        return self.status == RunStatus.COMPLETED

    def lead_of(self, institution) -> int | None:
        """The consortium lead (医共体牵头机构) the run booked the institution's cases to: the frozen state's,
        or the register's current one for a run stored before runs froze states."""
        frozen = (
            self.institution_states.get(str(institution.pk)) if self.institution_states else None
        )
        return frozen.get("consortium_lead_id") if frozen else institution.consortium_lead_id


class RunResultQuerySet(TenantQuerySet):
    """A run's results (statements, case rows). Hospitals read those of published runs only (公示): every
    page, API view, download and report reaches them through ``for_user`` or ``published``."""

    tenant_field = "institution"

    def published(self) -> RunResultQuerySet:
        return self.filter(run__publication__isnull=False)

    def for_user(self, user) -> RunResultQuerySet:
        rows = super().for_user(user)
        return rows.published() if getattr(user, "is_hospital", False) else rows


class RunInstitutionQuerySet(RunResultQuerySet):
    pass


class RunInstitution(models.Model):
    """结算运行的机构结果 — one (booked) institution's figures of a run; the statement (结算单) shows them."""

    run = models.ForeignKey(
        SettlementRun,
        on_delete=models.CASCADE,
        related_name="institutions",
        verbose_name="结算运行",
    )
    institution = models.ForeignKey(
        "catalogs.Institution", on_delete=models.PROTECT, related_name="+", verbose_name="结算机构"
    )
    cases = models.PositiveIntegerField("病例数", default=0)
    points = models.DecimalField("有效点数", default=0, **POINTS)
    medfee = _money("医疗总费用")
    fund = _money("统筹基金记账金额")
    psn_part = _money("个人负担")
    settlement = _money("结算金额（点数×点值）")
    fund_due = _money("基金应付")
    advance = _money("月度预付额")
    advances_paid = _money("本季已拨付月度预付")
    deposit = _money("预留保证金")
    payment = _money("本期应拨付（负数为追回）")
    # Year-end clearing (年终清算)
    actual = _money("全年实际记账统筹金额")
    ratio = models.DecimalField("实际/应付比例", null=True, blank=True, **RATIO)
    band = models.CharField("清算分档", max_length=40, blank=True)
    payable = _money("分档后应付")
    compensation = _money("调节金补偿")
    violations = _money("违规扣款")
    assessment_score = models.DecimalField(
        "考核得分", max_digits=6, decimal_places=2, null=True, blank=True
    )
    deposit_deduction = _money("考核扣减保证金")
    revolving_fund = _money("周转金抵扣")
    paid_before = _money("年内已拨付")
    final = _money("清算后应付")
    review = models.BooleanField("需关注（可能服务不足）", default=False)
    breakdown = models.JSONField(
        "点数构成", default=dict, blank=True, help_text="按病种类型、偏差类型的病例数与点数"
    )
    members = models.JSONField("医共体成员", default=list, blank=True)

    objects = RunInstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = "结算运行机构结果"
        verbose_name_plural = "结算运行机构结果"
        ordering = ["run", "institution__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "institution"], name="%(app_label)s_%(class)s_unique_institution"
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.institution_id}"


class RunCaseQuerySet(RunResultQuerySet):
    pass


class RunCase(models.Model):
    """结算运行的病例结果 — how a run turned one case into points (the per-case explanation, 病例点数明细).

    Written in bulk (COPY) by ``run_execute``; no database foreign keys, like ``CaseGroup``: the rows are
    derived data of one run, written by one writer from ids it read in the same transaction. ``year`` is
    the run's: on PostgreSQL the table is partitioned by it (settlement/partitions/).
    """

    run = models.ForeignKey(
        SettlementRun,
        on_delete=models.CASCADE,
        related_name="case_results",
        db_constraint=False,
        db_index=False,
        verbose_name="结算运行",
    )
    case = models.ForeignKey(
        "settlement.CaseRecord",
        on_delete=models.CASCADE,
        related_name="run_results",
        db_constraint=False,
        db_index=False,
        verbose_name="结算清单",
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name="就诊机构",
    )
    booked = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name="结算机构",
        help_text="医共体成员计入牵头机构",
    )
    year = models.PositiveSmallIntegerField("年度", help_text="结算运行的年度（分区键）")
    group_code = models.CharField("病种/病组编码", max_length=60, blank=True)
    trace = models.CharField("入组路径", max_length=30)
    score = models.DecimalField("基准分值", **POINTS)
    mean = models.DecimalField("对照次均费用", **MONEY)
    ratio = models.DecimalField("偏差比", **RATIO)
    deviation = models.CharField("偏差类型", max_length=12)
    factor = models.DecimalField("偏差系数", **RATIO)
    aux_coef = models.DecimalField("辅助分型系数", **RATIO)
    inst_coef = models.DecimalField("机构系数", **RATIO)
    points = models.DecimalField("病例点数", **POINTS)
    special = models.CharField("特例单议结果", max_length=8, blank=True)
    needs_review = models.BooleanField("需专家评议", default=False)
    amount = models.DecimalField("折算金额（点数×点值）", **MONEY)

    objects = RunCaseQuerySet.as_manager()

    class Meta:
        verbose_name = "结算运行病例结果"
        verbose_name_plural = "结算运行病例结果"
        ordering = ["run", "case"]
        indexes = [
            models.Index(fields=["case"], name="settlement_runcase_case"),
            # an institution's cases of a run in case order (keyset pages of the statement)
            models.Index(fields=["run", "booked", "case"], name="settlement_runcase_inst_case"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.case_id}"


class RevolvingFund(models.Model):
    """周转金 — money advanced to an institution at the start of a year, offset at year-end clearing."""

    region = models.ForeignKey(
        "catalogs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="统筹区"
    )
    year = models.PositiveSmallIntegerField("年度")
    scheme = models.CharField("险种", max_length=3, choices=Scheme.choices)
    category = models.CharField("细分类别", max_length=20)
    institution = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="定点医疗机构",
    )
    amount = models.DecimalField("周转金（元）", **MONEY)
    granted_at = models.DateField("拨付日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "周转金"
        verbose_name_plural = "周转金"
        ordering = ["-year", "institution"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "scheme", "category", "institution"],
                name="%(app_label)s_%(class)s_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_non_negative",
                violation_error_message="周转金不能为负数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.institution_id} 周转金 {self.amount}"
