"""The settlement-list column contract (shared/domain/settlement-list-columns.md) as data.

One source for the parser (header mapping, kinds, required rules), the template (headers, drop-down
lists, instructions) and the error messages (column code + Chinese name).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalogs.choices import Scheme
from catalogs.codes import CODE_LENGTH
from settlement.choices import DischargeWay, Gender, MedType, ReadmissionPlan

# Kinds of column: how a cell is parsed.
TEXT = "text"
CHOICE = "choice"
INT = "int"
GRAMS = "grams"
DATETIME = "datetime"
MONEY = "money"
DURATION = "duration"
ICD10 = "icd10"
ICD9 = "icd9"
ICD10_LIST = "icd10_list"
ICD9_LIST = "icd9_list"
CHRONIC_DISEASE = "chronic_disease"
INSTITUTION = "institution"

KIND_LABEL = {
    TEXT: "文本", CHOICE: "字典值", INT: "整数", GRAMS: "克数（整数）", DATETIME: "日期时间", MONEY: "金额（元，最多两位小数）",
    DURATION: "时长（天/时/分）", ICD10: "ICD-10医保版诊断编码", ICD9: "ICD-9-CM-3医保版手术操作编码",
    ICD10_LIST: "ICD-10医保版诊断编码（多个）", ICD9_LIST: "ICD-9-CM-3医保版手术操作编码（多个）",
    INSTITUTION: "定点医药机构编码", CHRONIC_DISEASE: "门诊慢特病病种代码",
}  # fmt: skip

# When a column is required.
ALWAYS = "always"
INPATIENT = "inpatient"
FROM_ONE_YEAR = "from_one_year"  # age (4101): required from one year up; infants give nwb_age (days) instead
OPTIONAL = "optional"

REQUIRED_LABEL = {ALWAYS: "是", INPATIENT: "住院必填", FROM_ONE_YEAR: "满1周岁必填（不足1周岁可空，须填新生儿年龄）", OPTIONAL: "否"}


@dataclass(frozen=True)
class Column:
    code: str
    name: str
    kind: str
    required: str = OPTIONAL
    max_length: int | None = None
    choices: dict[str, str] = field(default_factory=dict)
    minimum: int | None = None
    maximum: int | None = None
    notes: str = ""

    @property
    def header(self) -> str:
        """The template header: '中文 code', which the parser maps back like either part alone."""
        return f"{self.name} {self.code}"

    @property
    def label(self) -> str:
        return f"{self.name}({self.code})"


# Newborn weights in grams: 4101 gives them as 数值型(6,2), so at most 9,999.99 g; below 200 g is no live birth record.
NEWBORN_WEIGHT_MIN = 200
NEWBORN_WEIGHT_MAX = 9999


def _choices(text_choices) -> dict[str, str]:
    return {str(value): str(label) for value, label in text_choices.choices}


COLUMNS: tuple[Column, ...] = (
    Column("setl_id", "结算ID", TEXT, ALWAYS, max_length=30, notes="同一机构内唯一；再次上传同一结算ID即为更正"),
    Column("mdtrt_id", "就诊ID", TEXT, ALWAYS, max_length=30),
    Column("psn_no", "人员编号", TEXT, ALWAYS, max_length=30, notes="脱敏的参保人编号，用于再入院核查"),
    Column("fixmedins_code", "定点医药机构编号", INSTITUTION, ALWAYS, max_length=30, notes="如 H37080200001，须为已登记机构"),
    Column("insutype", "险种类型", CHOICE, ALWAYS, choices=_choices(Scheme)),
    Column("med_type", "医疗类别", CHOICE, ALWAYS, choices=_choices(MedType)),
    Column("gend", "性别", CHOICE, ALWAYS, choices=_choices(Gender)),
    Column("age", "年龄(岁)", INT, FROM_ONE_YEAR, minimum=0, maximum=150, notes="不足1周岁可空（按0岁计），此时须填新生儿年龄(天)"),
    Column("nwb_age", "新生儿年龄(天)", INT, minimum=0, maximum=365, notes="不足1周岁时填写；年龄为空或住院且年龄为0时必填"),
    Column("nwb_bir_wt", "新生儿出生体重", GRAMS, minimum=NEWBORN_WEIGHT_MIN, maximum=NEWBORN_WEIGHT_MAX,
           notes="单位克，如 3250；新生儿病例填写，新生儿DRG分组需要"),
    Column("nwb_adm_wt", "新生儿入院体重", GRAMS, minimum=NEWBORN_WEIGHT_MIN, maximum=NEWBORN_WEIGHT_MAX,
           notes="单位克，如 3100；新生儿病例填写，新生儿DRG分组需要"),
    Column("adm_time", "入院时间", DATETIME, INPATIENT, notes="可用 2024-03-01 08:30、2024/3/1、2024年3月1日"),
    Column("dscg_time", "出院时间", DATETIME, INPATIENT, notes="不得早于入院时间"),
    Column("act_ipt_days", "实际住院天数", INT, INPATIENT, minimum=0, maximum=36500, notes="须与出入院日期相符；当日出院可填0或1"),
    Column("dscg_way", "离院方式", CHOICE, INPATIENT, choices=_choices(DischargeWay)),
    Column("maindiag_code", "主要诊断编码", ICD10, ALWAYS, max_length=CODE_LENGTH,
           notes="ICD-10 医保版，如 I21.000、J18.900x001、A17.000+G01*（剑号星号合并编码全文保存，按剑号部分分组）"),
    Column("otherdiag_codes", "其他诊断编码", ICD10_LIST, notes="多个以 ; 或 , 分隔"),
    Column("main_oprn_oprt_code", "主要手术及操作编码", ICD9, max_length=CODE_LENGTH,
           notes="ICD-9-CM-3 医保版，如 36.0601、17.91100、17.912A0；空表示保守治疗"),
    Column("other_oprn_oprt_codes", "其他手术及操作编码", ICD9_LIST, notes="多个以 ; 或 , 分隔"),
    Column("opsp_dise_code", "门诊慢特病病种代码", CHRONIC_DISEASE, max_length=20, notes="医疗类别为14时必填；M加5位数字，如 M03900"),
    Column("scs_cutd_sum_dura", "重症监护合计时长", DURATION, notes="天/时/分，如 2/5/30"),
    Column("vent_used_dura", "呼吸机使用时长", DURATION, notes="天/时/分，如 0/12/0"),
    Column("days_rinp_flag_31", "出院31天内再住院计划", CHOICE, choices=_choices(ReadmissionPlan)),
    Column("medfee_sumamt", "医疗费总额", MONEY, ALWAYS, notes="非负，最多两位小数"),
    Column("fund_pay_sumamt", "基金支付总额", MONEY, ALWAYS, notes="不得大于医疗费总额"),
    Column("hifp_pay", "统筹基金支出", MONEY, ALWAYS, notes="不得大于基金支付总额"),
    Column("psn_part_amt", "个人负担总金额", MONEY, ALWAYS, notes="医疗费总额 = 基金支付总额 + 个人负担总金额（±0.01）"),
    Column("fulamt_ownpay_amt", "全自费金额", MONEY),
    Column("acct_pay", "个人账户支出", MONEY),
    Column("psn_cash_pay", "个人现金支出", MONEY),
    Column("fee_drug", "药品费", MONEY, notes="西药费 + 中成药费 + 中药饮片费"),
    Column("fee_material", "卫生材料费", MONEY),
    Column("fee_exam", "检查化验费", MONEY, notes="检查费 + 化验费"),
    Column("fee_treatment", "治疗手术费", MONEY, notes="治疗费 + 手术费"),
    Column("fee_other", "其他费用", MONEY, notes="五项费用齐全时合计须等于医疗费总额（±0.01）"),
    Column("setl_time", "结算时间", DATETIME, ALWAYS, notes="决定结算月份"),
)

BY_CODE: dict[str, Column] = {column.code: column for column in COLUMNS}
CODES: tuple[str, ...] = tuple(BY_CODE)
FEE_BREAKDOWN: tuple[str, ...] = ("fee_drug", "fee_material", "fee_exam", "fee_treatment", "fee_other")
INPATIENT_MED_TYPES: frozenset[str] = frozenset(str(code) for code in MedType.inpatient())
CHRONIC_MED_TYPE = str(MedType.CHRONIC_SPECIAL)


def column_label(code: str) -> str:
    """'中文(code)' for a column, or the code itself for file-level messages."""
    column = BY_CODE.get(code)
    return column.label if column else code


def column_name(code: str) -> str:
    column = BY_CODE.get(code)
    return column.name if column else ""


def columns_of_kind(*kinds: str) -> list[Column]:
    return [column for column in COLUMNS if column.kind in kinds]
