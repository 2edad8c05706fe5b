"""The CHS-DRG rule set as data (``DrgRules``): the constants of the grouping, the table columns, and
``drg_rules`` reading and checking the tables (catalogs/data/drg/README.md) into indexed frames. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from catalogs.dip.grouper import require_columns
from config.lazy import numpy as np
from config.lazy import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "drg"
SURGICAL_KIND, OPERATION_KIND, MEDICAL_KIND, AMBIGUOUS_KIND = (
    "surgical",
    "operation",
    "medical",
    "ambiguous",
)
KINDS = (SURGICAL_KIND, OPERATION_KIND, MEDICAL_KIND, AMBIGUOUS_KIND)
SPLITS = frozenset({"135", "15", "35", "9"})
SEVERITY = {"MCC": 1, "CC": 3}
NO_CC = 5
AMBIGUOUS_SUFFIX = "QY"
NEWBORN_DAYS = 28  # a newborn (新生儿) needs a weight to be grouped

# Conditions of a row (columns of mdc.csv / adrg.csv), as data.
DIAG_MATCHES = ("", "main", "any")  # "" = main when the row lists diagnoses
PROC_MATCHES = (
    "",
    "main",
    "any",
    "or_main",
    "or_any",
    "no_or",
)  # "" = main when the row lists procedures
SEXES = {"": 0, "M": 1, "F": 2}
YES = "yes"

TRACE_SURGICAL = "surgical"
TRACE_OPERATION = "operation"
TRACE_MEDICAL = "medical"
TRACE_AMBIGUOUS = "ambiguous"
TRACE_NO_DIAGNOSIS = "no_diagnosis"
TRACE_INVALID_DIAGNOSIS = "invalid_diagnosis"
TRACE_INVALID_SEX = "invalid_sex"
TRACE_NO_NEWBORN_WEIGHT = "no_newborn_weight"
TRACE_NO_MDC = "no_mdc"
TRACE_NO_ADRG = "no_adrg"
TRACE_TEXT = {
    TRACE_SURGICAL: "外科手术组：按主要手术入ADRG",
    TRACE_OPERATION: "非手术室操作组：按主要操作入ADRG",
    TRACE_MEDICAL: "内科组：按主要诊断入ADRG",
    TRACE_AMBIGUOUS: "歧义组（QY）：主要手术与主要诊断所属MDC不符",
    TRACE_NO_DIAGNOSIS: "不能入组：主要诊断缺失",
    TRACE_INVALID_DIAGNOSIS: "不能入组：主要诊断编码无效",
    TRACE_INVALID_SEX: "不能入组：性别缺失或取值不是1/2",
    TRACE_NO_NEWBORN_WEIGHT: "不能入组：新生儿（28天及以内）缺少出生或入院体重",
    TRACE_NO_MDC: "不能入组：主要诊断不在所有MDC的主诊表内",
    TRACE_NO_ADRG: "不能入组：不符合所有MDC的ADRG入组条件",
}
UNGROUPABLE_TRACES = frozenset(
    {
        TRACE_NO_DIAGNOSIS,
        TRACE_INVALID_DIAGNOSIS,
        TRACE_INVALID_SEX,
        TRACE_NO_NEWBORN_WEIGHT,
        TRACE_NO_MDC,
        TRACE_NO_ADRG,
    }
)
# Checks first (in this order), then the ADRG kinds, then the two late failures.
_TRACE_ORDER = [
    TRACE_NO_DIAGNOSIS,
    TRACE_INVALID_DIAGNOSIS,
    TRACE_INVALID_SEX,
    TRACE_NO_NEWBORN_WEIGHT,
    TRACE_SURGICAL,
    TRACE_OPERATION,
    TRACE_AMBIGUOUS,
    TRACE_MEDICAL,
    TRACE_NO_MDC,
    TRACE_NO_ADRG,
]
_KIND_TRACE = {
    SURGICAL_KIND: TRACE_SURGICAL,
    OPERATION_KIND: TRACE_OPERATION,
    MEDICAL_KIND: TRACE_MEDICAL,
    AMBIGUOUS_KIND: TRACE_AMBIGUOUS,
}
SEVERITY_TEXT = {1: "伴MCC", 3: "伴CC", NO_CC: "无CC/MCC"}

ERR_RULES_COLUMNS = "DRG规则表缺少列：{columns}"
ERR_RULES = "DRG规则表无效：{reason}"
ERR_CASES_COLUMNS = "病例缺少列：{columns}"

MDC_COLUMNS = ("mdc", "name", "diag_codes", "sex", "age_days_max", "or_procedure", "min_regions")
ADRG_COLUMNS = (
    "adrg",
    "mdc",
    "name",
    "kind",
    "split",
    "diag_match",
    "diag_codes",
    "proc_match",
    "proc_codes",
    "proc_rule",
    "age_days_max",
    "weight_min",
    "weight_max",
)
CC_COLUMNS = ("diag_code", "level", "family")
EXCLUSION_COLUMNS = ("family", "name", "diag_codes")
OR_PROCEDURE_COLUMNS = ("proc_code", "name")
TRAUMA_COLUMNS = ("region", "name", "diag_codes")
OPTIONAL_TABLES = ("or_procedures", "trauma")  # absent files / sheets are empty tables
TABLE_COLUMNS = {
    "mdc": MDC_COLUMNS,
    "adrg": ADRG_COLUMNS,
    "cc": CC_COLUMNS,
    "exclusions": EXCLUSION_COLUMNS,
    "or_procedures": OR_PROCEDURE_COLUMNS,
    "trauma": TRAUMA_COLUMNS,
}
# Columns added after the first format: a table without them reads as if they were blank.
_REQUIRED_COLUMNS = {
    "mdc": ("mdc", "name", "diag_codes"),
    "adrg": ("adrg", "mdc", "name", "kind", "split", "diag_codes", "proc_codes"),
    "cc": CC_COLUMNS,
    "exclusions": EXCLUSION_COLUMNS,
    "or_procedures": OR_PROCEDURE_COLUMNS,
    "trauma": TRAUMA_COLUMNS,
}


# --- the rule tables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrgRules:
    """The rule tables compiled: rows in listed order, lists in long form (one code per row).

    Build with ``drg_rules`` (from the CSV-shaped tables) or ``drg_rules_load`` (from a directory)."""

    mdc: pd.DataFrame  # mdc (unique), name, sex 0/1/2, age_days_max, or_procedure, min_regions; index = listed order
    mdc_diagnoses: pd.DataFrame  # mdc_row, diag_code
    adrg: (
        pd.DataFrame
    )  # adrg (unique), mdc, name, kind, split, diag_match, proc_match, age_days_max, weight_min,
    #                     weight_max, mdc_row, rank (order of trial: MDC order, then listed order); index 0..n-1
    adrg_diagnoses: pd.DataFrame  # adrg_row, diag_code
    adrg_procedures: pd.DataFrame  # adrg_row, proc_code, group
    adrg_rules: pd.DataFrame  # adrg_row, term, group: the procedure rule in disjunctive form
    cc: pd.DataFrame  # diag_code (unique), level MCC|CC, family
    exclusions: pd.DataFrame  # family, diag_code
    families: pd.Index  # every exclusion family (some list no diagnosis: they exclude nothing)
    or_procedures: pd.Index  # 手术室手术 codes
    trauma: pd.DataFrame  # region, diag_code


def _text(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    require_columns(frame, _REQUIRED_COLUMNS[table], ERR_RULES_COLUMNS)
    frame = frame.reindex(columns=TABLE_COLUMNS[table], fill_value="")
    return (
        frame.fillna("").astype(str).apply(lambda column: column.str.strip()).reset_index(drop=True)
    )


def _exploded(frame: pd.DataFrame, column: str, target: str) -> pd.DataFrame:
    """One row per ``;``-separated code of ``column``, renamed ``target``; blank entries dropped."""
    long = (
        frame.drop(columns=column).assign(**{target: frame[column].str.split(";")}).explode(target)
    )
    long[target] = long[target].fillna("").str.strip()
    return long[long[target] != ""].reset_index(drop=True)


def _fail(reason: str) -> None:
    raise ValueError(ERR_RULES.format(reason=reason))


def _number(column: pd.Series, name: str) -> np.ndarray:
    """A numeric condition column: blank = no condition (NaN)."""
    values = pd.to_numeric(column.replace("", np.nan), errors="coerce")
    if values.isna().sum() != (column == "").sum():
        _fail(f"{name}须为数字或留空")
    return values.to_numpy(dtype=float)


def drg_rules(
    *,
    mdc: pd.DataFrame,
    adrg: pd.DataFrame,
    cc: pd.DataFrame,
    exclusions: pd.DataFrame,
    or_procedures: pd.DataFrame | None = None,
    trauma: pd.DataFrame | None = None,
) -> DrgRules:
    """Rules from the CSV-shaped tables (list cells separated by ``;``), checked for consistency."""
    empty = lambda table: pd.DataFrame(columns=TABLE_COLUMNS[table])  # noqa: E731
    or_procedures = _text(
        empty("or_procedures") if or_procedures is None else or_procedures, "or_procedures"
    )
    trauma = _text(empty("trauma") if trauma is None else trauma, "trauma")
    if len(mdc) == 0 or len(adrg) == 0:
        _fail("MDC表和ADRG表不能为空")
    mdc_table = _mdc_table(_text(mdc, "mdc"))
    adrg_table, adrg_procedures, adrg_rules = _adrg_table(_text(adrg, "adrg"), mdc_table)
    cc_table = _text(cc, "cc")
    exclusion_table = _text(exclusions, "exclusions")
    rules = DrgRules(
        mdc=mdc_table.drop(columns="diag_codes"),
        mdc_diagnoses=_exploded(
            mdc_table[["diag_codes"]].assign(mdc_row=mdc_table.index), "diag_codes", "diag_code"
        ),
        adrg=adrg_table.drop(columns=["diag_codes", "proc_codes", "proc_rule"]),
        adrg_diagnoses=_exploded(
            adrg_table[["diag_codes"]].assign(adrg_row=adrg_table.index), "diag_codes", "diag_code"
        ),
        adrg_procedures=adrg_procedures,
        adrg_rules=adrg_rules,
        cc=cc_table,
        exclusions=_exploded(exclusion_table[["family", "diag_codes"]], "diag_codes", "diag_code"),
        families=pd.Index(pd.concat([exclusion_table["family"], cc_table["family"]]).unique()),
        or_procedures=pd.Index(or_procedures["proc_code"].unique()),
        trauma=_exploded(trauma[["region", "diag_codes"]], "diag_codes", "diag_code"),
    )
    _rules_checked(rules, exclusion_table)
    return rules


def _mdc_table(table: pd.DataFrame) -> pd.DataFrame:
    if table["mdc"].duplicated().any():
        _fail("MDC或ADRG编码重复，或ADRG所属MDC不存在")
    if not table["sex"].isin(SEXES).all():
        _fail("MDC性别条件须为 M、F 或留空")
    if not table["or_procedure"].isin(["", YES]).all():
        _fail("MDC手术室手术条件须为 yes 或留空")
    return table.assign(
        sex=table["sex"].map(SEXES).astype(np.int8),
        age_days_max=_number(table["age_days_max"], "MDC年龄天数上限"),
        or_procedure=table["or_procedure"] == YES,
        min_regions=np.nan_to_num(_number(table["min_regions"], "创伤部位数")).astype(int),
    )


def _adrg_table(
    table: pd.DataFrame, mdc: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The ADRG rows with their defaults filled, the procedures with their group, the procedure rules."""
    table = table.assign(
        diag_match=np.where(
            (table["diag_match"] == "") & (table["diag_codes"] != ""), "main", table["diag_match"]
        ),
        proc_match=np.where(
            (table["proc_match"] == "") & (table["proc_codes"] != ""), "main", table["proc_match"]
        ),
        age_days_max=_number(table["age_days_max"], "ADRG年龄天数上限"),
        weight_min=_number(table["weight_min"], "体重下限"),
        weight_max=_number(table["weight_max"], "体重上限"),
        mdc_row=pd.Index(mdc["mdc"]).get_indexer(table["mdc"]),
    )
    table["rank"] = np.lexsort((table.index.to_numpy(), table["mdc_row"].to_numpy()))
    table["rank"] = np.argsort(table["rank"].to_numpy())
    procedures = _exploded(
        table[["proc_codes"]].assign(adrg_row=table.index), "proc_codes", "entry"
    )
    grouped = procedures["entry"].str.contains(":", regex=False).to_numpy(dtype=bool)
    procedures["group"] = np.where(
        grouped, procedures["entry"].str.split(":").str[0].str.strip(), "1"
    )
    procedures["proc_code"] = procedures["entry"].str.split(":").str[-1].str.strip()
    return table, procedures[["adrg_row", "proc_code", "group"]], _rule_terms(table)


def _rule_terms(table: pd.DataFrame) -> pd.DataFrame:
    """The procedure rule ``1+2|1+3+4`` of each ``any`` row as (adrg_row, term, group): the row fires when every
    group of one term has a procedure of the case. An ``any`` row without a rule needs one group-1 procedure."""
    text = np.where(
        (table["proc_rule"] == "") & (table["proc_match"] == "any"), "1", table["proc_rule"]
    )
    rows = [
        (row, f"{row}/{t}", group.strip())
        for row, rule in enumerate(text)
        if rule
        for t, term in enumerate(rule.split("|"))
        for group in term.split("+")
    ]
    frame = pd.DataFrame(rows, columns=["adrg_row", "term", "group"])
    frame["term"] = pd.factorize(frame["term"])[0]
    return frame


def _rules_checked(rules: DrgRules, exclusions: pd.DataFrame) -> None:
    adrg, mdc = rules.adrg, rules.mdc
    if (
        mdc["mdc"].duplicated().any()
        or adrg["adrg"].duplicated().any()
        or (adrg["mdc_row"] < 0).any()
    ):
        _fail("MDC或ADRG编码重复，或ADRG所属MDC不存在")
    if not (adrg["adrg"].str[0] == adrg["mdc"].str[-1]).all():
        _fail("ADRG编码首字母须与所属MDC字母一致")
    if not adrg["kind"].isin(KINDS).all() or not adrg["split"].isin(SPLITS).all():
        _fail("ADRG类型须为 surgical/operation/medical/ambiguous，细分须为 135/15/35/9")
    if ((adrg["kind"] == AMBIGUOUS_KIND) != adrg["adrg"].str.endswith(AMBIGUOUS_SUFFIX)).any():
        _fail(
            f"歧义组（类型 ambiguous）的编码须为 MDC字母 + {AMBIGUOUS_SUFFIX}，其他ADRG不得以此结尾"
        )
    if (
        not adrg["diag_match"].isin(DIAG_MATCHES).all()
        or not adrg["proc_match"].isin(PROC_MATCHES).all()
    ):
        _fail("诊断匹配方式须为 main/any，手术匹配方式须为 main/any/or_main/or_any/no_or")
    procedure_kind = adrg["kind"].isin([SURGICAL_KIND, OPERATION_KIND])
    if (procedure_kind & ~adrg["proc_match"].isin(["main", "any", "or_main", "or_any"])).any():
        _fail("外科手术组和非手术室操作组须有手术条件（main/any/or_main/or_any）")
    has_diagnoses = adrg.index.isin(rules.adrg_diagnoses["adrg_row"])
    if ((adrg["diag_match"] != "") != has_diagnoses).any():
        _fail("按诊断匹配的ADRG须有诊断列表，不按诊断匹配的不得有")
    has_procedures = adrg.index.isin(rules.adrg_procedures["adrg_row"])
    if (adrg["proc_match"].isin(["main", "any"]) != has_procedures).any():
        _fail("按手术列表匹配（main/any）的ADRG须有手术操作列表，其他不得有")
    listed = pd.MultiIndex.from_frame(rules.adrg_procedures[["adrg_row", "group"]])
    if not pd.MultiIndex.from_frame(rules.adrg_rules[["adrg_row", "group"]]).isin(listed).all():
        _fail("手术组合规则引用了手术操作列表中没有的组")
    if ((adrg["proc_match"] == "main") & adrg.index.isin(rules.adrg_rules["adrg_row"])).any():
        _fail("手术组合规则只用于 any 匹配方式")
    if rules.cc["diag_code"].duplicated().any() or not rules.cc["level"].isin(SEVERITY).all():
        _fail("并发症编码重复或级别不是 MCC/CC")
    if exclusions["family"].duplicated().any():
        _fail("排除组编码重复")


def _optional_table(directory: Path, table: str) -> pd.DataFrame | None:
    path = next(
        (p for p in (directory / f"{table}.csv", directory / f"{table}.csv.gz") if p.exists()), None
    )
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path else None


def drg_rules_load(directory: Path = DATA_DIR) -> DrgRules:
    """The rule set stored as <table>.csv (or .csv.gz) in ``directory``; or_procedures and trauma may be absent."""
    return drg_rules(**{table: _optional_table(directory, table) for table in TABLE_COLUMNS})


# --- the grouper ---------------------------------------------------------------------------------


# --- weights from history ----------------------------------------------------------------------
