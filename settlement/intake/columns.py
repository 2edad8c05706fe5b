"""The settlement-list column contract (shared/domain/settlement-list-columns.md) as data.

One source for the parser (header mapping, kinds, required rules), the template (headers, drop-down
lists, instructions) and the error messages (column code + Chinese name).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

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
    TEXT: "文本",
    CHOICE: "字典值",
    INT: "整数",
    GRAMS: "克数（整数）",
    DATETIME: "日期时间",
    MONEY: "金额（元，最多两位小数）",
    DURATION: "时长（天/时/分）",
    ICD10: "ICD-10医保版诊断编码",
    ICD9: "ICD-9-CM-3医保版手术操作编码",
    ICD10_LIST: "ICD-10医保版诊断编码（多个）",
    ICD9_LIST: "ICD-9-CM-3医保版手术操作编码（多个）",
    INSTITUTION: "定点医药机构编码",
    CHRONIC_DISEASE: "门诊慢特病病种代码",
}

# When a column is required.
ALWAYS = "always"
INPATIENT = "inpatient"
FROM_ONE_YEAR = (
    "from_one_year"  # age (4101): required from one year up; infants give nwb_age (days) instead
)
OPTIONAL = "optional"

REQUIRED_LABEL = {
    ALWAYS: "是",
    INPATIENT: "住院必填",
    FROM_ONE_YEAR: "满1周岁必填（不足1周岁可空，须填新生儿年龄）",
    OPTIONAL: "否",
}


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
    national: str = ""  # "interface/table/code" in the national field list; "" for our own columns
    aliases: tuple[
        str, ...
    ] = ()  # other codes a header may use (4101 spells psn_cashpay, 2207 psn_cash_pay)

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
    Column(
        "setl_id",
        "结算ID",
        TEXT,
        ALWAYS,
        max_length=30,
        notes="同一机构内唯一；再次上传同一结算ID即为更正",
        national="4101/setlinfo/setl_id",
    ),
    Column("mdtrt_id", "就诊ID", TEXT, ALWAYS, max_length=30, national="4101/setlinfo/mdtrt_id"),
    Column(
        "psn_no",
        "人员编号",
        TEXT,
        ALWAYS,
        max_length=30,
        notes="脱敏的参保人编号，用于再入院核查",
        national="2207-output/setlinfo/psn_no",
    ),
    Column(
        "fixmedins_code",
        "定点医药机构编号",
        INSTITUTION,
        ALWAYS,
        max_length=30,
        notes="如 H37080200001，须为已登记机构",
        national="4101/setlinfo/fixmedins_code",
    ),
    Column(
        "insutype",
        "险种类型",
        CHOICE,
        ALWAYS,
        choices=_choices(Scheme),
        national="2207-output/setlinfo/insutype",
    ),
    Column(
        "med_type",
        "医疗类别",
        CHOICE,
        ALWAYS,
        choices=_choices(MedType),
        national="2207-output/setlinfo/med_type",
    ),
    Column("gend", "性别", CHOICE, ALWAYS, choices=_choices(Gender), national="4101/setlinfo/gend"),
    Column(
        "age",
        "年龄(岁)",
        INT,
        FROM_ONE_YEAR,
        minimum=0,
        maximum=150,
        notes="不足1周岁可空（按0岁计），此时须填新生儿年龄(天)",
        national="4101/setlinfo/age",
    ),
    Column(
        "nwb_age",
        "新生儿年龄(天)",
        INT,
        minimum=0,
        maximum=365,
        notes="不足1周岁时填写；年龄为空或住院且年龄为0时必填",
        national="4101/setlinfo/nwb_age",
    ),
    Column(
        "nwb_bir_wt",
        "新生儿出生体重",
        GRAMS,
        minimum=NEWBORN_WEIGHT_MIN,
        maximum=NEWBORN_WEIGHT_MAX,
        notes="单位克，如 3250；新生儿病例填写，新生儿DRG分组需要",
        national="4101/setlinfo/nwb_bir_wt",
    ),
    Column(
        "nwb_adm_wt",
        "新生儿入院体重",
        GRAMS,
        minimum=NEWBORN_WEIGHT_MIN,
        maximum=NEWBORN_WEIGHT_MAX,
        notes="单位克，如 3100；新生儿病例填写，新生儿DRG分组需要",
        national="4101/setlinfo/nwb_adm_wt",
    ),
    Column(
        "adm_time",
        "入院时间",
        DATETIME,
        INPATIENT,
        notes="可用 2024-03-01 08:30、2024/3/1、2024年3月1日",
        national="4101/setlinfo/adm_time",
    ),
    Column(
        "dscg_time",
        "出院时间",
        DATETIME,
        INPATIENT,
        notes="不得早于入院时间",
        national="4101/setlinfo/dscg_time",
    ),
    Column(
        "act_ipt_days",
        "实际住院天数",
        INT,
        INPATIENT,
        minimum=0,
        maximum=36500,
        notes="须与出入院日期相符；当日出院可填0或1",
        national="4101/setlinfo/act_ipt_days",
    ),
    Column(
        "dscg_way",
        "离院方式",
        CHOICE,
        INPATIENT,
        choices=_choices(DischargeWay),
        national="4101/setlinfo/dscg_way",
    ),
    Column(
        "maindiag_code",
        "主要诊断编码",
        ICD10,
        ALWAYS,
        max_length=CODE_LENGTH,
        notes="ICD-10 医保版，如 I21.000、J18.900x001、A17.000+G01*（剑号星号合并编码全文保存，按剑号部分分组）；"
        "别名：即4101诊断(diseinfo)中主诊断标志为1的诊断代码",
        national="4101/diseinfo/diag_code",
    ),
    Column(
        "otherdiag_codes",
        "其他诊断编码",
        ICD10_LIST,
        notes="多个以 ; 或 , 分隔；即4101诊断(diseinfo)中其余西医诊断",
        national="4101/diseinfo/diag_code",
    ),
    Column(
        "main_oprn_oprt_code",
        "主要手术及操作编码",
        ICD9,
        max_length=CODE_LENGTH,
        notes="ICD-9-CM-3 医保版，如 36.0601、17.91100、17.912A0；空表示保守治疗；即4101手术操作(oprninfo)中主手术标志为1的代码",
        national="4101/oprninfo/oprn_oprt_code",
    ),
    Column(
        "other_oprn_oprt_codes",
        "其他手术及操作编码",
        ICD9_LIST,
        notes="多个以 ; 或 , 分隔；即4101手术操作(oprninfo)中其余行",
        national="4101/oprninfo/oprn_oprt_code",
    ),
    Column(
        "opsp_dise_code",
        "门诊慢特病病种代码",
        CHRONIC_DISEASE,
        max_length=20,
        notes="医疗类别为14时必填；M加5位数字，如 M03900",
    ),
    Column(
        "scs_cutd_sum_dura",
        "重症监护合计时长",
        DURATION,
        notes="天/时/分，如 2/5/30；4101为重症监护(icuinfo)各段之和",
        national="4101/icuinfo/scs_cutd_sum_dura",
    ),
    Column(
        "vent_used_dura",
        "呼吸机使用时长",
        DURATION,
        notes="天/时/分，如 0/12/0",
        national="4101/setlinfo/vent_used_dura",
    ),
    Column(
        "days_rinp_flag_31",
        "出院31天内再住院计划",
        CHOICE,
        choices=_choices(ReadmissionPlan),
        national="4101/setlinfo/days_rinp_flag_31",
    ),
    Column(
        "medfee_sumamt",
        "医疗费总额",
        MONEY,
        ALWAYS,
        notes="非负，最多两位小数",
        national="2207-output/setlinfo/medfee_sumamt",
    ),
    Column(
        "fund_pay_sumamt",
        "基金支付总额",
        MONEY,
        ALWAYS,
        notes="不得大于医疗费总额",
        national="2207-output/setlinfo/fund_pay_sumamt",
    ),
    Column(
        "hifp_pay",
        "统筹基金支出",
        MONEY,
        ALWAYS,
        notes="不得大于基金支付总额",
        national="2207-output/setlinfo/hifp_pay",
    ),
    Column(
        "psn_part_amt",
        "个人负担总金额",
        MONEY,
        ALWAYS,
        notes="医疗费总额 = 基金支付总额 + 个人负担总金额（±0.01）",
        national="2207-output/setlinfo/psn_part_amt",
    ),
    Column(
        "fulamt_ownpay_amt", "全自费金额", MONEY, national="2207-output/setlinfo/fulamt_ownpay_amt"
    ),
    Column("acct_pay", "个人账户支出", MONEY, national="2207-output/setlinfo/acct_pay"),
    Column(
        "psn_cash_pay",
        "个人现金支出",
        MONEY,
        notes="4101写作 psn_cashpay，两种写法均可",
        national="2207-output/setlinfo/psn_cash_pay",
        aliases=("psn_cashpay",),
    ),
    Column("fee_drug", "药品费", MONEY, notes="西药费 + 中成药费 + 中药饮片费"),
    Column("fee_material", "卫生材料费", MONEY),
    Column("fee_exam", "检查化验费", MONEY, notes="检查费 + 化验费"),
    Column("fee_treatment", "治疗手术费", MONEY, notes="治疗费 + 手术费"),
    Column("fee_other", "其他费用", MONEY, notes="五项费用齐全时合计须等于医疗费总额（±0.01）"),
    Column(
        "setl_time",
        "结算时间",
        DATETIME,
        ALWAYS,
        notes="决定结算月份",
        national="2207-output/setlinfo/setl_time",
    ),
)

BY_CODE: dict[str, Column] = {column.code: column for column in COLUMNS}
BY_ALIAS: dict[str, str] = {alias: column.code for column in COLUMNS for alias in column.aliases}
CODES: tuple[str, ...] = tuple(BY_CODE)
FEE_BREAKDOWN: tuple[str, ...] = (
    "fee_drug",
    "fee_material",
    "fee_exam",
    "fee_treatment",
    "fee_other",
)
INPATIENT_MED_TYPES: frozenset[str] = frozenset(str(code) for code in MedType.inpatient())
CHRONIC_MED_TYPE = str(MedType.CHRONIC_SPECIAL)


def column_of(code: str) -> Column | None:
    """The column a stored issue names: a flat code, or 'table.code' of a 4101 list (diseinfo.diag_code)."""
    table, _, sub = code.partition(".")
    return SUBTABLE_BY_CODE.get(table, {}).get(sub) if sub else BY_CODE.get(code)


def column_label(code: str) -> str:
    """'中文(code)' for a column, or the code itself for file-level messages."""
    column = column_of(code)
    if column is None:
        return code
    table = code.partition(".")[0] if "." in code else ""
    return f"{TABLE_NAMES[table]}·{column.name}({code})" if table else column.label


def column_name(code: str) -> str:
    column = column_of(code)
    return column.name if column else ""


def columns_of_kind(*kinds: str) -> list[Column]:
    return [column for column in COLUMNS if column.kind in kinds]


# --- the national 4101 shape: a record (setlinfo) with its lists --------------------------------------

NATIONAL_FIELDS_PATH = Path(__file__).with_name("national_fields.csv")


@dataclass(frozen=True)
class NationalField:
    """One field as the national interface defines it (national_fields.csv, docs/intake-contract.md)."""

    interface: str
    table: str
    code: str
    name: str
    type: str
    length: str
    dictionary: bool
    required: bool
    note: str


def _national_fields() -> dict[str, NationalField]:
    with NATIONAL_FIELDS_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        f"{row['interface']}/{row['table']}/{row['code']}": NationalField(
            row["interface"],
            row["table"],
            row["code"],
            row["name_cn"],
            row["type"],
            row["length"],
            row["dict"] == "Y",
            row["required"] == "Y",
            row["note"],
        )
        for row in rows
    }


NATIONAL_FIELDS: dict[str, NationalField] = _national_fields()

SETLINFO, DISEINFO, OPRNINFO, ICUINFO = "setlinfo", "diseinfo", "oprninfo", "icuinfo"
TABLE_NAMES = {SETLINFO: "结算清单", DISEINFO: "诊断", OPRNINFO: "手术操作", ICUINFO: "重症监护"}
SUBTABLES: tuple[str, ...] = (DISEINFO, OPRNINFO, ICUINFO)
FLAG = {"1": "是", "0": "否"}
WESTERN_DIAGNOSIS = "1"
DIAG_TYPES = {WESTERN_DIAGNOSIS: "西医诊断", "2": "中医主病诊断", "3": "中医主证诊断"}

# A list row names its record by setl_id (else mdtrt_id), and by fixmedins_code in a regional file.
JOIN_KEYS: tuple[Column, ...] = (
    Column(
        "setl_id",
        "结算ID",
        TEXT,
        max_length=30,
        national="4101/setlinfo/setl_id",
        notes="关联结算清单；无结算ID时按就诊ID关联",
    ),
    Column("mdtrt_id", "就诊ID", TEXT, max_length=30, national="4101/setlinfo/mdtrt_id"),
    Column(
        "fixmedins_code",
        "定点医药机构编号",
        TEXT,
        max_length=30,
        national="4101/setlinfo/fixmedins_code",
        notes="统筹区多机构文件中与结算ID一起关联",
    ),
)

SUBTABLE_COLUMNS: dict[str, tuple[Column, ...]] = {
    DISEINFO: (
        Column(
            "diag_type",
            "诊断类别",
            CHOICE,
            choices=DIAG_TYPES,
            national="4101/diseinfo/diag_type",
            notes="空按1 西医诊断；中医诊断（2、3）保存原文，不按ICD-10校验，不参与主要诊断",
        ),
        Column(
            "diag_code",
            "诊断代码",
            ICD10,
            ALWAYS,
            max_length=CODE_LENGTH,
            national="4101/diseinfo/diag_code",
            notes="西医诊断为ICD-10医保版，如 I21.000、J18.900x001、A17.000+G01*",
        ),
        Column(
            "diag_name",
            "诊断名称",
            TEXT,
            max_length=100,
            national="4101/diseinfo/diag_name",
            notes="校验长度，不保存",
        ),
        Column(
            "maindiag_flag",
            "主诊断标志",
            CHOICE,
            choices=FLAG,
            national="4101/diseinfo/maindiag_flag",
            notes="1 主要诊断（→ maindiag_code），每条结算清单的西医诊断中有且仅有一条；空按0",
        ),
        Column(
            "adm_cond_type",
            "入院病情类型",
            TEXT,
            max_length=3,
            national="4101/diseinfo/adm_cond_type",
            notes="校验长度，不保存",
        ),
    ),
    OPRNINFO: (
        Column(
            "oprn_oprt_type",
            "手术操作类别",
            TEXT,
            max_length=3,
            national="4101/oprninfo/oprn_oprt_type",
            notes="校验长度，不保存",
        ),
        Column(
            "oprn_oprt_name",
            "手术操作名称",
            TEXT,
            max_length=500,
            national="4101/oprninfo/oprn_oprt_name",
            notes="校验长度，不保存",
        ),
        Column(
            "oprn_oprt_code",
            "手术操作代码",
            ICD9,
            ALWAYS,
            max_length=CODE_LENGTH,
            national="4101/oprninfo/oprn_oprt_code",
            notes="ICD-9-CM-3医保版，如 36.0601、17.91100、17.912A0",
        ),
        Column(
            "main_oprn_flag",
            "主手术操作标志",
            CHOICE,
            choices=FLAG,
            notes="1 主要手术及操作（→ main_oprn_oprt_code），至多一条；均未标记时取第一行并给出警告",
        ),
        Column(
            "oprn_oprt_date",
            "手术操作日期",
            DATETIME,
            national="4101/oprninfo/oprn_oprt_date",
            notes="校验格式，不保存",
        ),
        Column(
            "anst_way",
            "麻醉方式",
            TEXT,
            max_length=6,
            national="4101/oprninfo/anst_way",
            notes="校验长度，不保存",
        ),
        Column(
            "oper_dr_name",
            "术者医师姓名",
            TEXT,
            max_length=50,
            national="4101/oprninfo/oper_dr_name",
            notes="校验长度，不保存",
        ),
        Column(
            "oper_dr_code",
            "术者医师代码",
            TEXT,
            max_length=20,
            national="4101/oprninfo/oper_dr_code",
            notes="校验长度，不保存",
        ),
        Column(
            "anst_dr_name",
            "麻醉医师姓名",
            TEXT,
            max_length=50,
            national="4101/oprninfo/anst_dr_name",
            notes="校验长度，不保存",
        ),
        Column(
            "anst_dr_code",
            "麻醉医师代码",
            TEXT,
            max_length=20,
            national="4101/oprninfo/anst_dr_code",
            notes="校验长度，不保存",
        ),
    ),
    ICUINFO: (
        Column(
            "scs_cutd_ward_type",
            "重症监护病房类型",
            TEXT,
            max_length=6,
            national="4101/icuinfo/scs_cutd_ward_type",
            notes="校验长度，不保存",
        ),
        Column(
            "scs_cutd_inpool_time",
            "重症监护进入时间",
            DATETIME,
            national="4101/icuinfo/scs_cutd_inpool_time",
        ),
        Column(
            "scs_cutd_exit_time",
            "重症监护退出时间",
            DATETIME,
            national="4101/icuinfo/scs_cutd_exit_time",
            notes="不得早于进入时间",
        ),
        Column(
            "scs_cutd_sum_dura",
            "重症监护合计时长",
            DURATION,
            national="4101/icuinfo/scs_cutd_sum_dura",
            notes="天/时/分；为空时按进入、退出时间计算；各段之和 → 病例的 scs_cutd_sum_dura",
        ),
    ),
}
SUBTABLE_BY_CODE: dict[str, dict[str, Column]] = {
    table: {column.code: column for column in (*JOIN_KEYS, *columns)}
    for table, columns in SUBTABLE_COLUMNS.items()
}
# setlinfo fields of the national interfaces that the portal does not keep: taken silently, not warned about.
NATIONAL_SETLINFO_UNUSED: frozenset[str] = frozenset(
    field.code
    for field in NATIONAL_FIELDS.values()
    if field.table == SETLINFO and field.code not in BY_CODE and field.code not in BY_ALIAS
)
