"""Settlement periods and the case record (医保结算清单).

``CaseRecord`` is the largest table of the portal (millions of rows a year). Its indexes serve the
queries that run on it: a period's cases of one scheme (settlement runs, catalog building), one
institution's cases of a period in setl_id order (statements, hospital pages, the case list of one
institution), every case in the case list's order ``(period, institution, setl_id)`` (keyset pages, see
``settlement.selectors.CASE_ORDERING``), the case list's search by settlement id or diagnosis prefix, a
patient's stays in time order (readmission checks), and the natural key ``(institution, setl_id)``
(corrections).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.tenancy import TenantQuerySet
from catalogs.choices import Scheme
from catalogs.codes import CODE_LENGTH
from settlement.choices import DischargeWay, Gender, MedType, PeriodStatus, ReadmissionPlan
from settlement.intake.columns import NEWBORN_WEIGHT_MAX, NEWBORN_WEIGHT_MIN

ERR_MONTH_RANGE = "月份应在1到12之间。"
ERR_DISCHARGE_BEFORE_ADMISSION = "出院时间不能早于入院时间。"
ERR_FUND_OVER_TOTAL = "基金支付总额不能大于医疗费总额。"


def money(verbose_name: str, *, required: bool = True) -> models.DecimalField:
    """A money column: Decimal(14,2) yuan, non-negative by a named constraint on the model."""
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, null=not required, blank=not required
    )


def newborn_weight(verbose_name: str) -> models.PositiveSmallIntegerField:
    """A newborn weight in whole grams (4101 nwb_bir_wt / nwb_adm_wt), optional."""
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MinValueValidator(NEWBORN_WEIGHT_MIN), MaxValueValidator(NEWBORN_WEIGHT_MAX)],
    )


class SettlementPeriod(models.Model):
    """结算期间 — one month of one region. A closed month locks its cases against corrections."""

    region = models.ForeignKey(
        "catalogs.Region", on_delete=models.PROTECT, related_name="periods", verbose_name="统筹区"
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField(
        "月份", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    status = models.CharField(
        "状态", max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    closed_at = models.DateTimeField("关账时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="关账人",
    )

    class Meta:
        verbose_name = "结算期间"
        verbose_name_plural = "结算期间"
        ordering = ["region", "-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "month"], name="%(app_label)s_%(class)s_unique_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="%(app_label)s_%(class)s_month_range",
                violation_error_message=ERR_MONTH_RANGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def is_open(self) -> bool:
        return self.status == PeriodStatus.OPEN

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1


class CaseRecordQuerySet(TenantQuerySet):
    tenant_field = "institution"


class CaseRecord(models.Model):
    """结算清单 — one settled case, with the columns of settlement-list-columns.md (national field codes)."""

    institution = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="定点医药机构",
    )
    period = models.ForeignKey(
        SettlementPeriod, on_delete=models.PROTECT, related_name="cases", verbose_name="结算期间"
    )
    setl_id = models.CharField("结算ID", max_length=30)
    mdtrt_id = models.CharField("就诊ID", max_length=30)
    psn_no = models.CharField("人员编号", max_length=30)
    insutype = models.CharField("险种类型", max_length=3, choices=Scheme.choices)
    med_type = models.CharField("医疗类别", max_length=6, choices=MedType.choices)
    gend = models.CharField("性别", max_length=1, choices=Gender.choices)
    # 4101 leaves age blank under one year (nwb_age in days instead); such an infant is stored as 0 years.
    age = models.PositiveSmallIntegerField("年龄(岁)", validators=[MaxValueValidator(150)])
    nwb_age = models.PositiveSmallIntegerField(
        "新生儿年龄(天)", null=True, blank=True, validators=[MaxValueValidator(365)]
    )
    nwb_bir_wt = newborn_weight("新生儿出生体重(克)")
    nwb_adm_wt = newborn_weight("新生儿入院体重(克)")
    adm_time = models.DateTimeField("入院时间", null=True, blank=True)
    dscg_time = models.DateTimeField("出院时间", null=True, blank=True)
    act_ipt_days = models.PositiveIntegerField("实际住院天数", null=True, blank=True)
    dscg_way = models.CharField("离院方式", max_length=1, choices=DischargeWay.choices, blank=True)
    # Codes keep their full text (a combined A17.000+G01*); groupers read the deciding part (catalogs.codes).
    maindiag_code = models.CharField("主要诊断编码", max_length=CODE_LENGTH)
    otherdiag_codes = models.TextField("其他诊断编码", blank=True, help_text="以 ; 分隔")
    main_oprn_oprt_code = models.CharField("主要手术及操作编码", max_length=CODE_LENGTH, blank=True)
    other_oprn_oprt_codes = models.TextField(
        "其他手术及操作编码", blank=True, help_text="以 ; 分隔"
    )
    opsp_dise_code = models.CharField("门诊慢特病病种代码", max_length=20, blank=True)
    # Durations arrive as D/H/M text and are kept as minutes so they can be compared and summed.
    scs_cutd_sum_dura = models.PositiveIntegerField("重症监护合计时长(分钟)", null=True, blank=True)
    vent_used_dura = models.PositiveIntegerField("呼吸机使用时长(分钟)", null=True, blank=True)
    days_rinp_flag_31 = models.CharField(
        "出院31天内再住院计划", max_length=1, choices=ReadmissionPlan.choices, blank=True
    )
    medfee_sumamt = money("医疗费总额")
    fund_pay_sumamt = money("基金支付总额")
    hifp_pay = money("统筹基金支出")
    psn_part_amt = money("个人负担总金额")
    fulamt_ownpay_amt = money("全自费金额", required=False)
    acct_pay = money("个人账户支出", required=False)
    psn_cash_pay = money("个人现金支出", required=False)
    fee_drug = money("药品费", required=False)
    fee_material = money("卫生材料费", required=False)
    fee_exam = money("检查化验费", required=False)
    fee_treatment = money("治疗手术费", required=False)
    fee_other = money("其他费用", required=False)
    setl_time = models.DateTimeField("结算时间")
    version = models.PositiveIntegerField("版本", default=1, help_text="每次更正加1")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "结算清单"
        verbose_name_plural = "结算清单"
        ordering = ["period", "institution", "setl_id"]
        indexes = [
            models.Index(
                fields=["period", "insutype", "med_type"], name="settlement_case_period_scheme"
            ),
            models.Index(
                fields=["institution", "period", "setl_id"], name="settlement_case_inst_per_setl"
            ),
            models.Index(
                fields=["period", "institution", "setl_id"], name="settlement_case_list_order"
            ),
            models.Index(fields=["psn_no", "adm_time"], name="settlement_case_patient_adm"),
            # The case list's search (q): a settlement id, or a diagnosis code prefix (LIKE 'I21%', which on
            # PostgreSQL needs the pattern operator class unless the database collation is C).
            models.Index(fields=["setl_id"], name="settlement_case_setl_id"),
            # A diagnosis prefix (LIKE 'I21%', hence the pattern operator class on PostgreSQL) with the
            # list's key and the id after it: the search finds, orders and counts its cases from the
            # index alone (index-only scans).
            models.Index(
                fields=["maindiag_code", "period", "institution", "setl_id", "id"],
                name="settlement_case_maindiag_key",
                opclasses=["varchar_pattern_ops", "int8_ops", "int8_ops", "text_ops", "int8_ops"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "setl_id"], name="%(app_label)s_%(class)s_unique_setl_id"
            ),
            models.CheckConstraint(
                condition=Q(dscg_time__isnull=True)
                | Q(adm_time__isnull=True)
                | Q(dscg_time__gte=models.F("adm_time")),
                name="%(app_label)s_%(class)s_discharge_after_admission",
                violation_error_message=ERR_DISCHARGE_BEFORE_ADMISSION,
            ),
            models.CheckConstraint(
                condition=Q(
                    medfee_sumamt__gte=0,
                    fund_pay_sumamt__gte=0,
                    hifp_pay__gte=0,
                    psn_part_amt__gte=0,
                ),
                name="%(app_label)s_%(class)s_money_non_negative",
                violation_error_message="金额不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(fund_pay_sumamt__lte=models.F("medfee_sumamt")),
                name="%(app_label)s_%(class)s_fund_within_total",
                violation_error_message=ERR_FUND_OVER_TOTAL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.setl_id}（{self.institution_id}）"


# The intake and parameter models live beside their code (settlement/intake/, settlement/parameters/);
# importing them here registers them.
from settlement.aggregates.models import CaseMonthAggregate  # noqa: E402, F401
from settlement.grouping.models import CaseGroup  # noqa: E402, F401
from settlement.intake.models import CaseRecordVersion, ImportBatch, ImportIssue  # noqa: E402, F401
from settlement.parameters.models import ParameterSet  # noqa: E402, F401
from settlement.partitions.models import CaseYearArchive  # noqa: E402, F401
from settlement.province.models import ProvinceRun, ProvinceRunPart  # noqa: E402, F401
from settlement.publication.models import Holiday, StatementPublication, StatementResponse  # noqa: E402, F401
from settlement.runs.models import RevolvingFund, RunCase, RunInstitution, SettlementRun  # noqa: E402, F401
