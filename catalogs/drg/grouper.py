"""A data-driven CHS-DRG grouper (spec §9; CHS-DRG 1.1 as the nation writes it) and DRG weights from history.

The grouping logic is fixed; the rule set is data (``DrgRules``, built by ``drg_rules`` from the tables
of catalogs/data/drg/README.md, stored as ``catalogs.DrgRuleSet``). For each case:

1. checks: main diagnosis missing or not ICD-10 医保版, sex given but not 1/2, a newborn (<= 28 days)
   without a weight -> ungroupable with the CHS-DRG reason;
2. the MDCs are tried in their **listed order** (mdc table). An MDC opens when every condition of its
   row holds: main diagnosis on its list (none for a pre-MDC such as MDCA), the patient's sex (MDCM/MDCN),
   age in days (MDCP), the main procedure being an operating-room procedure (手术室手术, pre-MDC), and at
   least ``min_regions`` body regions among all diagnoses (multiple trauma, MDCZ; trauma table);
3. inside an open MDC its ADRGs are tried in their listed order; an ADRG fires when every condition of
   its row holds: main (or any) diagnosis on its list; main procedure on its list, or procedures anywhere
   in the case satisfying a group rule (``1+2|1+3+4``: two procedures, a procedure pair), or the main
   procedure being an OR procedure, or no OR procedure at all; age in days and weight bands (newborns).
   An ``ambiguous`` row is the MDC's 歧义组 ``<letter>QY`` at its place in the list. An MDC none of whose
   ADRGs fires passes the case to the next MDC; no MDC at all -> ungroupable;
4. severity from the other diagnoses: the most severe CC/MCC (1 = MCC, 3 = CC, 5 = none) whose exclusion
   family (排除表) does not list the main diagnosis (a family may list nothing: it excludes nothing); the
   DRG digit is the smallest digit of the ADRG's split (``135``, ``15``, ``35``, ``9``) >= the severity.

A diagnosis is looked up whole first (a dagger/asterisk code ``A17.000+G01*`` matches a list entry
written so), then by its deciding part (``A17.000``, catalogs.codes), then by its 3-character category.
Every case carries ``trace`` (the outcome kind), ``trace_text`` and ``rule_trace``, which names the rule
that fired at each step (MDC and why, ADRG and its conditions, severity, DRG).

Cost: cases are reduced to distinct *units*: the main diagnosis's class (the MDC and ADRG lists it is on),
what the procedures mean to that diagnosis (the ADRG procedure lists and procedure rules they meet, only in
MDCs the diagnosis can open, and OR procedures), the "any" diagnosis lists and trauma regions hit, sex, age
and weight band — 23,680 units for 1,000,000 national cases drawn from 3,000 × 3,000 codes. The rules run
on the units (each stands in by the codes of its first case), the severity on the distinct (exclusion
families, other-diagnosis string) pairs, the result columns once per distinct (outcome, severity), and all
are spread back to the cases by position. Nothing of this shows in a result: a case groups the same alone,
in any batch and in any order (tests/catalogs/test_drg_national.py).

Weights (``drg_weights``): ``RW_g = weighted mean cost of g / weighted mean cost of all cases``, base points
``= RW x 100`` (spec §9, Jinhua). Means are computed exactly from integer fen with ``fractions.Fraction``
and each result is rounded once, ROUND_HALF_UP to 4 decimals (``ratio_quantized``): no float anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from catalogs.codes import diagnosis_deciding
from catalogs.dip.grouper import (
    PROCEDURE_TYPE_TO_TREATMENT,
    SURGICAL,
    codes_factorized,
    identity_cached,
    labels,
    lookup,
    pair_keys,
    require_columns,
    valid_diagnosis,
)
from config.lazy import numpy as np
from config.lazy import pandas as pd

DATA_DIR = Path(__file__).resolve().parent / "data" / "drg"
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


_CACHE: dict[
    tuple, tuple
] = {}  # (kind, id(object), ...) -> (the object, its derived value): see ``_cached``
_CACHE_SIZE = 256
# Values derived from one call's cases (``_CaseCodes``, the case's distinct codes): kept apart, and only a few,
# so a call's cases are not held alive by the cache and never push the rule-set indexes out of it.
_CALL_CACHE: dict[tuple, tuple] = {}
_CALL_CACHE_SIZE = 8
_PER_CALL = frozenset({"keys", "other_entries", "listed_positions"})


def _cached(kind: str, owner: object, build, *extra):
    """A value derived from ``owner`` (a rule table, the compiled rules, an index of case codes), built once
    while ``owner`` lives: the entry keeps ``owner`` so its id cannot be reused by another object."""
    store, size = (_CALL_CACHE, _CALL_CACHE_SIZE) if kind in _PER_CALL else (_CACHE, _CACHE_SIZE)
    return identity_cached(store, size, kind, owner, build, *extra)


def _entry_index(
    table: pd.DataFrame, owner: str
) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct entries of a list table (a hash index) and, per entry, its owners as a slice of one array."""
    codes, entries = pd.factorize(table["diag_code"].to_numpy(dtype=object))
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(entries))
    return (
        pd.Index(entries, dtype=object),
        np.cumsum(counts) - counts,
        counts,
        table[owner].to_numpy()[order],
    )


def _keys(codes: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(whole code, deciding part, category) of each distinct diagnosis."""
    whole = np.asarray(codes, dtype=object)
    deciding = whole.copy()
    combined = np.asarray(pd.Index(whole).str.contains("+", regex=False), dtype=bool)
    if combined.any():
        deciding[combined] = np.asarray(diagnosis_deciding(pd.Index(whole[combined])), dtype=object)
    return whole, deciding, np.asarray(pd.Index(deciding).str[:3], dtype=object)


def _members(
    codes: pd.Index, table: pd.DataFrame, owner: str, *, category: bool = True
) -> pd.DataFrame:
    """(code, owner) for each distinct diagnosis on an owner's list: listed whole, by its deciding part
    (the aetiology code of a dagger/asterisk pair) or (``category``) by its 3-character category."""
    entries, starts, counts, owners = _cached(
        "entries", table, lambda: _entry_index(table, owner), owner
    )
    keys = _cached("keys", codes, lambda: _keys(codes))
    found_codes, found_owners = [], []
    for key in keys if category else keys[:2]:
        position = entries.get_indexer(
            pd.Index(key, dtype=object)
        )  # an object target: no string-dtype inference
        count = (
            np.where(position >= 0, counts[np.maximum(position, 0)], 0)
            if len(entries)
            else np.zeros(len(key), dtype=np.int64)
        )
        first = np.repeat(starts[np.maximum(position, 0)] if len(entries) else position, count)
        offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        found_codes.append(np.repeat(np.arange(len(key)), count))
        found_owners.append(owners[first + offset])
    found = pd.DataFrame({"code": np.concatenate(found_codes), owner: np.concatenate(found_owners)})
    return found.drop_duplicates().reset_index(drop=True)


# --- the grouper ---------------------------------------------------------------------------------


def drg_group(
    cases: pd.DataFrame,
    rules: DrgRules,
    procedure_types: Mapping[str, str] | pd.Series | None = None,
) -> pd.DataFrame:
    """Group each case: ``drg_code``, ``mdc``, ``adrg``, ``severity`` (1/3/5), ``trace``, ``trace_text``, ``rule_trace``.

    ``cases`` needs ``maindiag_code``, ``main_oprn_oprt_code`` and ``otherdiag_codes`` (``;``-separated); it may
    have ``other_oprn_oprt_codes``, ``gend`` (1/2), ``age`` (years), ``nwb_age`` (days), ``nwb_bir_wt`` and
    ``nwb_adm_wt`` (grams); a condition on an absent field does not hold. The operating-room procedures are
    the rule set's, plus the codes ``procedure_types`` types 手术. Ungroupable: ``drg_code == ""``.
    """
    require_columns(
        cases, ("maindiag_code", "main_oprn_oprt_code", "otherdiag_codes"), ERR_CASES_COLUMNS
    )
    case = _CaseCodes.of(cases, rules, procedure_types)
    unit_pos, units = _units(case, rules)
    adrg_row, trace, mdc_row = _outcomes(units, case, rules)
    severity = _severity(case, rules)
    # The result of a case depends on its unit's outcome and its severity only: one row per distinct pair (numbered
    # in the order of their first case, as the rule-trace texts are), spread back to the cases by position.
    outcome_pos = _factorized([adrg_row + 1, trace, mdc_row + 1])
    kinds = int(outcome_pos.max(initial=-1)) + 1
    outcome_of = np.zeros(kinds, dtype=np.int64)
    outcome_of[outcome_pos] = np.arange(len(outcome_pos))  # a unit standing for its outcome
    pair_pos, pairs = _positions(outcome_pos[unit_pos] * 3 + severity // 2, kinds * 3)
    first = np.full(len(pairs), len(pair_pos), dtype=np.int64)
    np.minimum.at(first, pair_pos, np.arange(len(pair_pos)))
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    unit, level = outcome_of[pairs[order] // 3], pairs[order] % 3 * 2 + 1
    return _spread(
        _result(
            pd.RangeIndex(len(order)), rules, adrg_row[unit], trace[unit], mdc_row[unit], level
        ),
        rank[pair_pos],
        cases.index,
    )


def _spread(frame: pd.DataFrame, positions: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """``frame``'s rows at ``positions`` (categoricals by their codes), with ``index``."""
    columns = {}
    for name, column in frame.items():
        if isinstance(column.dtype, pd.CategoricalDtype):
            columns[name] = pd.Categorical.from_codes(
                column.cat.codes.to_numpy()[positions], dtype=column.dtype, validate=False
            )
        else:
            columns[name] = column.to_numpy()[positions]
    return pd.DataFrame(columns, index=index)


@dataclass
class _CaseCodes:
    """The cases reduced to positions into their distinct codes and strings, and the per-case fields."""

    diag_pos: np.ndarray
    diag_codes: pd.Index
    proc_pos: np.ndarray
    proc_codes: pd.Index
    is_or: np.ndarray  # per distinct main procedure
    other_pos: np.ndarray  # the string of other diagnoses
    other_strings: np.ndarray
    oproc_pos: np.ndarray  # the string of other procedures
    oproc_strings: np.ndarray
    or_codes: pd.Index
    sex: np.ndarray  # 0 unknown, 1, 2
    age_days: np.ndarray  # float, NaN unknown
    weight: np.ndarray  # float grams, NaN unknown
    check: np.ndarray  # trace position of a failed check, -1 if none

    @classmethod
    def of(cls, cases: pd.DataFrame, rules: DrgRules, procedure_types) -> _CaseCodes:
        diag_pos, diag_codes = codes_factorized(cases["maindiag_code"])
        proc_pos, proc_codes = codes_factorized(cases["main_oprn_oprt_code"])
        or_codes = (
            rules.or_procedures
            if procedure_types is None
            else _typed_or_codes(rules, procedure_types)
        )
        blank = pd.Series("", index=cases.index)
        other_pos, other_strings = pd.factorize(cases["otherdiag_codes"].fillna("").astype(str))
        oproc_pos, oproc_strings = pd.factorize(
            cases.get("other_oprn_oprt_codes", blank).fillna("").astype(str)
        )

        def number(name):
            if name not in cases:
                return np.full(len(cases), np.nan)
            return pd.to_numeric(cases[name], errors="coerce").to_numpy(dtype=float)

        sex = _sexes(cases["gend"]) if "gend" in cases else None
        age_days = np.where(np.isnan(number("nwb_age")), number("age") * 365, number("nwb_age"))
        weight = np.where(
            np.isnan(number("nwb_bir_wt")), number("nwb_adm_wt"), number("nwb_bir_wt")
        )
        order = {name: position for position, name in enumerate(_TRACE_ORDER)}
        weighed = "nwb_bir_wt" in cases or "nwb_adm_wt" in cases
        check = np.select(
            [
                np.asarray(diag_codes == "")[diag_pos],
                ~valid_diagnosis(diag_codes)[diag_pos],
                sex == 0 if sex is not None else np.zeros(len(cases), dtype=bool),
                weighed & (age_days <= NEWBORN_DAYS) & np.isnan(weight),
            ],
            [
                order[TRACE_NO_DIAGNOSIS],
                order[TRACE_INVALID_DIAGNOSIS],
                order[TRACE_INVALID_SEX],
                order[TRACE_NO_NEWBORN_WEIGHT],
            ],
            -1,
        )
        return cls(
            diag_pos,
            diag_codes,
            proc_pos,
            proc_codes,
            np.asarray(proc_codes.isin(or_codes)),
            other_pos,
            np.asarray(other_strings, dtype=object),
            oproc_pos,
            np.asarray(oproc_strings, dtype=object),
            or_codes,
            np.zeros(len(cases), np.int8) if sex is None else sex,
            age_days,
            weight,
            check,
        )


def _typed_or_codes(rules: DrgRules, procedure_types) -> pd.Index:
    """The rule set's OR procedures plus the codes ``procedure_types`` types 手术: once per (rule set, procedure
    types) while both live (a catalog keeps its procedure types), so the procedure index built on them is too."""
    built = _cached("typed_or_codes", rules, dict)
    hit = built.get(id(procedure_types))
    if hit is None or hit[0] is not procedure_types:
        typed = pd.Series(procedure_types, dtype=object)
        surgery = typed.index[typed.map(PROCEDURE_TYPE_TO_TREATMENT).to_numpy() == SURGICAL]
        if len(built) >= 8:
            built.clear()
        hit = built[id(procedure_types)] = (
            procedure_types,
            rules.or_procedures.append(
                pd.Index(surgery.astype(str).str.strip(), dtype=object)
            ).unique(),
        )
    return hit[1]


def _sexes(column: pd.Series) -> np.ndarray:
    """1 / 2 / 0 (unknown) per case, mapped once per distinct value."""
    positions, values = pd.factorize(column, use_na_sentinel=True)
    sexes = (
        pd.Index(values, dtype=object)
        .astype(str)
        .str.strip()
        .map({"1": 1, "2": 2})
        .fillna(0)
        .to_numpy(dtype=np.int8)
    )
    return np.append(sexes, np.int8(0))[positions]


def _split_lists(strings) -> tuple[np.ndarray, np.ndarray]:
    """The ``;``-separated entries of each string and the position of the string each came from.

    One ``str.split`` over all strings joined with a marker entry, instead of one Python call per string:
    the entries after the k-th marker belong to string k.
    """
    marker = "\x1e"  # ASCII record separator; never in a code (and not NUL, which numpy strips)
    parts = np.array(f";{marker};".join(np.asarray(strings, dtype=object)).split(";"), dtype=object)
    is_marker = parts == marker
    owner, entries = np.cumsum(is_marker)[~is_marker], parts[~is_marker]
    entries = pd.Index(entries, dtype=object).str.strip()
    keep = np.asarray(entries != "")
    return owner[keep], np.asarray(entries[keep], dtype=object)


def _positions(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of non-negative integer ``keys`` (< ``size``) in their distinct values, and those values: through
    an array of ``size`` slots when that is small (the values ascending), else a hash table (in order of appearance)."""
    if size > max(4 * len(keys), 1 << 16):
        return pd.factorize(keys)
    seen = np.zeros(size, dtype=bool)
    seen[keys] = True
    distinct = np.flatnonzero(seen)
    slot = np.empty(size, dtype=np.int64)
    slot[distinct] = np.arange(len(distinct))
    return slot[keys], distinct


def _signatures(
    left_pos: np.ndarray,
    right_pos: np.ndarray,
    left_hits: pd.DataFrame,
    right_hits: pd.DataFrame,
    item: str,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Per case, the id (0 = none) of the set of ``item`` hit by its left code or its right string; and (sig, item) rows.

    Left codes hitting the same items are one class first, so the (class, right string) pairs are few."""
    if left_hits.empty and right_hits.empty:
        return np.zeros(len(left_pos), dtype=np.int64), pd.DataFrame(
            {"sig": [], item: []}, dtype=np.int64
        )
    left, member = (
        left_hits["left"].to_numpy(dtype=np.int64),
        left_hits[item].to_numpy(dtype=np.int64),
    )
    owners, ids = _set_ids(left, member)
    left_class = np.zeros(
        max(int(left_pos.max(initial=0)), int(left.max(initial=0))) + 1, dtype=np.int64
    )
    left_class[owners] = ids + 1
    class_hits = pd.DataFrame({"left": left_class[left], item: member}).drop_duplicates()
    size = int(right_pos.max(initial=0)) + 1
    pair_pos, pairs = _positions(
        left_class[left_pos] * size + right_pos, (int(left_class.max(initial=0)) + 1) * size
    )
    table = pd.DataFrame(
        {"pair": np.arange(len(pairs)), "left": pairs // size, "right": pairs % size}
    )
    hits = pd.concat(
        [
            table.merge(class_hits, on="left")[["pair", item]],
            table.merge(right_hits, on="right")[["pair", item]],
        ]
    )
    hits = hits.drop_duplicates()
    owner, set_id = _set_ids(hits["pair"].to_numpy(), hits[item].to_numpy())
    pair_sig = np.zeros(len(pairs), dtype=np.int64)
    pair_sig[owner] = set_id + 1
    rows = pd.DataFrame(
        {"sig": pair_sig[hits["pair"].to_numpy()], item: hits[item].to_numpy()}
    ).drop_duplicates()
    return pair_sig[pair_pos], rows.reset_index(drop=True)


def _set_ids(owner: np.ndarray, member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For (owner, member) pairs without repeats: the distinct owners and an id per owner equal for equal sets.

    A set is identified by the sum (mod 2**64) of fixed pseudo-random 64-bit weights of its members: vectorised,
    order-free, deterministic (seeded), and two different sets of rule lists share a sum with odds ~2**-64."""
    weights = np.random.default_rng(0x17).integers(
        0, 2**63, size=int(member.max(initial=0)) + 1, dtype=np.int64
    )
    owners, position = np.unique(owner, return_inverse=True)
    total = np.zeros(len(owners), dtype=np.uint64)
    np.add.at(total, position, weights[member].astype(np.uint64))
    return owners, pd.factorize(total)[0]


@dataclass
class _Units:
    """Distinct cases as far as the rules can tell, with what each hit: the unit table (one row per unit:
    diag, proc, dx, px, sex, age_days, weight, check) and, per signature, the lists and rules hit."""

    table: pd.DataFrame
    dx_lists: pd.DataFrame  # sig, list: "any" diagnosis lists (ADRG rows, then trauma regions) hit
    regions: np.ndarray  # per dx sig: body regions hit
    px_rules: pd.DataFrame  # sig, adrg_row: procedure rules satisfied
    px_or: np.ndarray  # per px sig: an OR procedure anywhere


def _any_lists(rules: DrgRules) -> pd.DataFrame:
    """The lists of diagnoses looked for among all diagnoses: ``any`` ADRG rows (list = row), then body regions."""
    any_rows = rules.adrg_diagnoses[
        (rules.adrg["diag_match"].to_numpy() == "any")[rules.adrg_diagnoses["adrg_row"].to_numpy()]
    ]
    regions = pd.Index(rules.trauma["region"].unique())
    return pd.concat(
        [
            any_rows.rename(columns={"adrg_row": "list"}),
            pd.DataFrame(
                {
                    "list": len(rules.adrg) + regions.get_indexer(rules.trauma["region"]),
                    "diag_code": rules.trauma["diag_code"],
                }
            ),
        ]
    )


def _other_entries(case: _CaseCodes) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """The other diagnoses of each distinct string: (string, position in the distinct codes), and the distinct codes."""
    owner, entries = _split_lists(case.other_strings)
    entry_pos, distinct = pd.factorize(
        entries
    )  # a million lists hold a few thousand distinct codes
    return owner, entry_pos, pd.Index(distinct, dtype=object)


def _diagnosis_hits(
    case: _CaseCodes, rules: DrgRules
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    adrg = rules.adrg
    lists = _cached("any_lists", rules, lambda: _any_lists(rules))
    main = _members(case.diag_codes, lists, "list").rename(columns={"code": "left"})
    owner, entry_pos, distinct = _cached("other_entries", case, lambda: _other_entries(case))
    found = _members(distinct, lists, "list")
    other = pd.DataFrame({"right": owner, "code": entry_pos}).merge(found, on="code")[
        ["right", "list"]
    ]
    sig, rows = _signatures(case.diag_pos, case.other_pos, main, other, "list")
    count = rows[rows["list"] >= len(adrg)].groupby("sig").size()
    region_count = np.zeros(int(sig.max(initial=0)) + 1, dtype=np.int64)
    region_count[count.index.to_numpy(dtype=np.int64)] = count.to_numpy()
    return sig, rows, region_count


def _procedure_hits(
    case: _CaseCodes, rules: DrgRules
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """Per case the id of its procedure signature; the (sig, adrg_row) rules it satisfies; per sig an OR procedure."""
    items = _cached(
        "rule_items",
        rules,
        lambda: rules.adrg_procedures[
            rules.adrg_procedures["adrg_row"].isin(rules.adrg_rules["adrg_row"])
        ].reset_index(drop=True),
    )
    or_item = len(items)

    def item_index() -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
        """The distinct codes of the rule items and OR procedures, and per code its items (a slice of one array)."""
        code_pos, codes = pd.factorize(
            np.concatenate(
                [items["proc_code"].to_numpy(dtype=object), case.or_codes.to_numpy(dtype=object)]
            )
        )
        item = np.concatenate([np.arange(len(items)), np.full(len(case.or_codes), or_item)])
        return pd.Index(codes, dtype=object), *_csr(code_pos, item, len(codes))

    # Built once per set of OR procedures: the rule set's own, or with procedure types added (``_typed_or_codes``,
    # which keeps each such set while its rule set lives).
    codes, *slices = _cached("procedure_items", case.or_codes, item_index, id(rules))

    def hits(found: np.ndarray, side: str) -> pd.DataFrame:
        position = codes.get_indexer(pd.Index(found, dtype=object))
        slots = np.flatnonzero(position >= 0)
        owner, item = _expanded(*slices, position[slots])
        return pd.DataFrame({side: slots[owner], "item": item})

    owner, entries = _split_lists(case.oproc_strings)
    entry_pos, distinct = pd.factorize(entries)
    other = pd.DataFrame({"right": owner, "code": entry_pos}).merge(
        hits(np.asarray(distinct, dtype=object), "code")
    )
    sig, rows = _signatures(
        case.proc_pos,
        case.oproc_pos,
        hits(case.proc_codes.to_numpy(dtype=object), "left"),
        other[["right", "item"]],
        "item",
    )
    px_or = np.zeros(int(sig.max(initial=0)) + 1, dtype=bool)
    px_or[rows.loc[rows["item"] == or_item, "sig"].to_numpy(dtype=np.int64)] = True
    found = rows[rows["item"] < or_item].assign(
        adrg_row=lambda f: items["adrg_row"].to_numpy()[f["item"]],
        group=lambda f: items["group"].to_numpy()[f["item"]],
    )
    terms = found.merge(rules.adrg_rules, on=["adrg_row", "group"]).drop_duplicates(
        ["sig", "term", "group"]
    )
    size = _cached("term_sizes", rules, lambda: rules.adrg_rules.groupby("term").size())
    met = terms.groupby(["sig", "term", "adrg_row"]).size().reset_index(name="n")
    met = met[met["n"].to_numpy() == size.reindex(met["term"]).to_numpy()]
    return sig, met[["sig", "adrg_row"]].drop_duplicates().reset_index(drop=True), px_or


def _bands(values: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """A band id per value such that every condition on ``thresholds`` holds alike inside a band; NaN apart."""
    cuts = np.unique(thresholds[~np.isnan(thresholds)])
    band = np.searchsorted(cuts, values, side="left") * 2 + np.isin(values, cuts)
    return np.where(np.isnan(values), -1, band)


def _diagnosis_classes(case: _CaseCodes, rules: DrgRules) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct main diagnosis: an id equal for diagnoses on the same MDC and ADRG lists (whole, deciding
    part or category; 0: none), and the MDCs it can open (its MDC lists and the MDCs without a list)."""
    mdc = _members(case.diag_codes, rules.mdc_diagnoses, "mdc_row")
    adrg = _members(case.diag_codes, rules.adrg_diagnoses, "adrg_row")
    owners, ids = _set_ids(
        np.concatenate([mdc["code"].to_numpy(), adrg["code"].to_numpy()]),
        np.concatenate([mdc["mdc_row"].to_numpy(), len(rules.mdc) + adrg["adrg_row"].to_numpy()]),
    )
    classes = np.zeros(len(case.diag_codes), dtype=np.int64)
    classes[owners] = ids + 1
    can_open = np.zeros((len(case.diag_codes), len(rules.mdc)), dtype=bool)
    can_open[mdc["code"].to_numpy(), mdc["mdc_row"].to_numpy()] = True
    can_open[:, _listless(rules)] = True
    return classes, can_open


def _listless(rules: DrgRules) -> np.ndarray:
    """The MDC rows without a diagnosis list (open to any main diagnosis), once per rule set."""
    return _cached(
        "listless",
        rules,
        lambda: np.setdiff1d(rules.mdc.index.to_numpy(), rules.mdc_diagnoses["mdc_row"].to_numpy()),
    )


def _listed_procedures(case: _CaseCodes, rules: DrgRules) -> np.ndarray:
    """Per entry of the ADRG procedure lists, the position of its code among the cases' main procedures (-1: none);
    looked up from the cases' few codes into the rules' distinct codes (factorized once per rule set)."""

    def listed_codes() -> tuple[pd.Index, np.ndarray]:
        entry_code, codes = pd.factorize(rules.adrg_procedures["proc_code"].to_numpy(dtype=object))
        return pd.Index(codes, dtype=object), entry_code

    def positions() -> np.ndarray:
        codes, entry_code = _cached("listed_codes", rules, listed_codes)
        found = codes.get_indexer(pd.Index(case.proc_codes, dtype=object))
        case_of = np.full(len(codes) + 1, -1, dtype=np.int64)
        case_of[found[found >= 0]] = np.flatnonzero(found >= 0)
        return case_of[entry_code]

    return _cached("listed_positions", case, positions)


def _csr(
    owner: np.ndarray, member: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(owner, member) pairs as slices of one array: per owner 0..size-1 its start and count, and the members."""
    order = np.argsort(owner, kind="stable")
    counts = np.bincount(owner, minlength=size)
    return np.cumsum(counts) - counts, counts, member[order]


def _expanded(
    starts: np.ndarray, counts: np.ndarray, members: np.ndarray, slots: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each position of ``slots`` (owners), its members: (index into ``slots``, member) pairs."""
    count = counts[slots]
    first = np.repeat(starts[slots], count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return np.repeat(np.arange(len(slots)), count), members[first + offset]


def _procedures_seen(
    case: _CaseCodes,
    rules: DrgRules,
    diag_class: np.ndarray,
    can_open: np.ndarray,
    px: np.ndarray,
    px_rules: pd.DataFrame,
    px_or: np.ndarray,
) -> np.ndarray:
    """Per case, an id of what its procedures mean to its main diagnosis: the ADRG procedure lists the main
    procedure is on and the procedure rules its procedures satisfy, both only in MDCs the diagnosis can open;
    the main procedure being an OR procedure; an OR procedure anywhere. Equal for two cases of one diagnosis
    class: the ADRGs they can reach hold alike for both (an ADRG is tried only in an open MDC)."""
    n_adrg = len(rules.adrg)
    triple_pos = _factorized([diag_class[case.diag_pos], case.proc_pos, px])
    triples = np.arange(int(triple_pos.max(initial=-1)) + 1)
    first = np.full(len(triples), len(triple_pos), dtype=np.int64)
    np.minimum.at(first, triple_pos, np.arange(len(triple_pos)))
    diag, proc, sig = case.diag_pos[first], case.proc_pos[first], px[first]
    listed = rules.adrg_procedures
    position = _listed_procedures(case, rules)
    on_list = _csr(
        position[position >= 0], listed["adrg_row"].to_numpy()[position >= 0], len(case.proc_codes)
    )
    satisfied = _csr(
        px_rules["sig"].to_numpy(dtype=np.int64),
        px_rules["adrg_row"].to_numpy(dtype=np.int64),
        int(px.max(initial=0)) + 1,
    )
    owner_l, row_l = _expanded(*on_list, proc)
    owner_r, row_r = _expanded(*satisfied, sig)
    mdc_row = rules.adrg["mdc_row"].to_numpy()
    keep_l, keep_r = (
        can_open[diag[owner_l], mdc_row[row_l]],
        can_open[diag[owner_r], mdc_row[row_r]],
    )
    flags = np.arange(len(triples))
    owner = np.concatenate(
        [owner_l[keep_l], owner_r[keep_r], flags[case.is_or[proc]], flags[px_or[sig]]]
    )
    member = np.concatenate(
        [
            row_l[keep_l],
            n_adrg + row_r[keep_r],
            np.full(int(case.is_or[proc].sum()), 2 * n_adrg),
            np.full(int(px_or[sig].sum()), 2 * n_adrg + 1),
        ]
    )
    seen = np.zeros(len(triples), dtype=np.int64)
    owners, ids = _set_ids(owner, member)
    seen[owners] = ids + 1
    return seen[triple_pos]


def _factorized(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Positions of the distinct rows of non-negative integer ``columns`` (one key when their sizes allow)."""
    positions, size = np.zeros(len(columns[0]), dtype=np.int64), 1
    for column in columns:
        column = np.asarray(column, dtype=np.int64)
        span = int(column.max(initial=0)) + 1
        if size * span >= 2**62:
            positions = pd.factorize(positions)[0]
            size = int(positions.max(initial=0)) + 1
        positions, size = positions * span + column, size * span
    return pd.factorize(positions)[0]


def _units(case: _CaseCodes, rules: DrgRules) -> tuple[np.ndarray, _Units]:
    dx, dx_lists, regions = _diagnosis_hits(case, rules)
    px, px_rules, px_or = _procedure_hits(case, rules)
    ages, weights = _cached(
        "thresholds",
        rules,
        lambda: (
            np.concatenate(
                [
                    rules.mdc["age_days_max"].to_numpy(),
                    rules.adrg["age_days_max"].to_numpy(),
                    [NEWBORN_DAYS],
                ]
            ),
            np.concatenate(
                [rules.adrg["weight_min"].to_numpy(), rules.adrg["weight_max"].to_numpy()]
            ),
        ),
    )
    # Main diagnoses on the same rule lists behave alike, and so do procedures that mean the same to them: the
    # units key on these classes, and each unit keeps the codes of its first case to stand for its class.
    diag_class, can_open = _diagnosis_classes(case, rules)
    seen = _procedures_seen(case, rules, diag_class, can_open, px, px_rules, px_or)
    columns = [
        diag_class[case.diag_pos],
        seen,
        dx,
        case.sex,
        _bands(case.age_days, ages) + 1,
        _bands(case.weight, weights) + 1,
        case.check + 1,
    ]
    unit_pos = _factorized(columns)
    first = np.full(int(unit_pos.max(initial=-1)) + 1, len(unit_pos), dtype=np.int64)
    np.minimum.at(first, unit_pos, np.arange(len(unit_pos)))
    table = pd.DataFrame(
        {
            "diag": case.diag_pos[first],
            "proc": case.proc_pos[first],
            "dx": dx[first],
            "px": px[first],
            "sex": case.sex[first],
            "age_days": case.age_days[first],
            "weight": case.weight[first],
            "check": case.check[first],
        }
    )
    return unit_pos, _Units(table, dx_lists, regions, px_rules, px_or)


def _in(keys: np.ndarray, table_keys: np.ndarray) -> np.ndarray:
    """Whether each key (``-1``: never) is among ``table_keys``."""
    table_keys = np.asarray(table_keys, dtype=np.int64)
    return np.asarray(keys >= 0) & np.asarray(
        pd.Index(keys).isin(table_keys[table_keys >= 0]), dtype=bool
    )


def _opened(units: _Units, case: _CaseCodes, rules: DrgRules) -> tuple[pd.DataFrame, np.ndarray]:
    """The (unit, mdc_row) pairs whose MDC opens; and per unit whether its main diagnosis is on any MDC's list."""
    table, mdc = units.table, rules.mdc
    members = _members(case.diag_codes, rules.mdc_diagnoses, "mdc_row").rename(
        columns={"code": "diag"}
    )
    by_diagnosis = (
        table[["diag"]]
        .rename_axis("unit")
        .reset_index()
        .merge(members, on="diag")[["unit", "mdc_row"]]
    )
    listless = _listless(rules)
    free = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(len(table)), len(listless)),
            "mdc_row": np.tile(listless, len(table)),
        }
    )
    opened = pd.concat([by_diagnosis, free], ignore_index=True)
    unit, row = opened["unit"].to_numpy(), opened["mdc_row"].to_numpy()
    sex, age_max = mdc["sex"].to_numpy()[row], mdc["age_days_max"].to_numpy()[row]
    with np.errstate(invalid="ignore"):
        holds = (
            ((sex == 0) | (sex == table["sex"].to_numpy()[unit]))
            & (np.isnan(age_max) | (table["age_days"].to_numpy()[unit] <= age_max))
            & (~mdc["or_procedure"].to_numpy()[row] | case.is_or[table["proc"].to_numpy()[unit]])
            & (units.regions[table["dx"].to_numpy()[unit]] >= mdc["min_regions"].to_numpy()[row])
        )
    listed = np.zeros(len(table), dtype=bool)
    listed[by_diagnosis["unit"].to_numpy()] = True
    return opened[holds].sort_values(["unit", "mdc_row"]), listed


def _candidates(
    units: _Units, case: _CaseCodes, rules: DrgRules, opened: pd.DataFrame
) -> pd.DataFrame:
    """(unit, adrg_row) pairs worth checking: by main diagnosis, else by main procedure, else every row of an open MDC."""
    adrg, table = rules.adrg, units.table
    unit_rows = table[["diag", "proc"]].rename_axis("unit").reset_index()
    main_diag = adrg["diag_match"].to_numpy() == "main"
    main_proc = ~main_diag & (adrg["proc_match"].to_numpy() == "main")
    diagnoses = _cached(
        "main_lists",
        rules,
        lambda: rules.adrg_diagnoses[main_diag[rules.adrg_diagnoses["adrg_row"].to_numpy()]],
    )
    by_diag = unit_rows.merge(
        _members(case.diag_codes, diagnoses, "adrg_row").rename(columns={"code": "diag"}), on="diag"
    )
    chosen = main_proc[rules.adrg_procedures["adrg_row"].to_numpy()]
    procedures = pd.DataFrame(
        {
            "proc": _listed_procedures(case, rules)[chosen],
            "adrg_row": rules.adrg_procedures["adrg_row"].to_numpy()[chosen],
        }
    )
    by_proc = unit_rows.merge(procedures[procedures["proc"] >= 0], on="proc")
    rest = pd.DataFrame(
        {
            "adrg_row": adrg.index[~main_diag & ~main_proc],
            "mdc_row": adrg["mdc_row"].to_numpy()[~main_diag & ~main_proc],
        }
    )
    by_mdc = opened.merge(rest, on="mdc_row")
    found = pd.concat(
        [frame[["unit", "adrg_row"]] for frame in (by_diag, by_proc, by_mdc)], ignore_index=True
    )
    open_keys = pair_keys(opened["unit"].to_numpy(), opened["mdc_row"].to_numpy(), len(rules.mdc))
    mdc_of = adrg["mdc_row"].to_numpy()[found["adrg_row"].to_numpy()]
    return found[
        _in(pair_keys(found["unit"].to_numpy(), mdc_of, len(rules.mdc)), open_keys)
    ].drop_duplicates()


def _fires(found: pd.DataFrame, units: _Units, case: _CaseCodes, rules: DrgRules) -> np.ndarray:
    """Whether every condition of each candidate's ADRG row holds for its unit."""
    adrg, table, n_adrg = rules.adrg, units.table, len(rules.adrg)
    unit, row = found["unit"].to_numpy(), found["adrg_row"].to_numpy()
    diag, proc, dx, px = (table[name].to_numpy()[unit] for name in ("diag", "proc", "dx", "px"))
    main_diag = _members(case.diag_codes, rules.adrg_diagnoses, "adrg_row")
    main_keys = pair_keys(main_diag["code"].to_numpy(), main_diag["adrg_row"].to_numpy(), n_adrg)
    any_keys = pair_keys(
        units.dx_lists["sig"].to_numpy(),
        units.dx_lists["list"].to_numpy(),
        n_adrg + len(rules.trauma),
    )
    diag_match = adrg["diag_match"].to_numpy()[row]
    diag_ok = np.select(
        [diag_match == "main", diag_match == "any"],
        [
            _in(pair_keys(diag, row, n_adrg), main_keys),
            _in(pair_keys(dx, row, n_adrg + len(rules.trauma)), any_keys),
        ],
        True,
    )
    proc_keys = pair_keys(
        _listed_procedures(case, rules), rules.adrg_procedures["adrg_row"].to_numpy(), n_adrg
    )
    rule_keys = pair_keys(
        units.px_rules["sig"].to_numpy(), units.px_rules["adrg_row"].to_numpy(), n_adrg
    )
    proc_match, any_or = adrg["proc_match"].to_numpy()[row], units.px_or[px]
    proc_ok = np.select(
        [
            proc_match == "main",
            proc_match == "any",
            proc_match == "or_main",
            proc_match == "or_any",
            proc_match == "no_or",
        ],
        [
            _in(pair_keys(proc, row, n_adrg), proc_keys),
            _in(pair_keys(px, row, n_adrg), rule_keys),
            case.is_or[proc],
            any_or,
            ~any_or,
        ],
        True,
    )
    age, weight = table["age_days"].to_numpy()[unit], table["weight"].to_numpy()[unit]
    age_max, low, high = (
        adrg[name].to_numpy()[row] for name in ("age_days_max", "weight_min", "weight_max")
    )
    with np.errstate(invalid="ignore"):
        bands = (
            (np.isnan(age_max) | (age <= age_max))
            & (np.isnan(low) | (weight >= low))
            & (np.isnan(high) | (weight < high))
        )
    return diag_ok & proc_ok & bands


def _outcomes(
    units: _Units, case: _CaseCodes, rules: DrgRules
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per unit the ADRG row that fires first in the listed order (-1: none), its trace position and its MDC row
    (when no ADRG fires: the first MDC that opened, else -1)."""
    opened, listed = _opened(units, case, rules)
    found = _candidates(units, case, rules, opened)
    fired = found[_fires(found, units, case, rules)]
    fired = fired.assign(
        rank=rules.adrg["rank"].to_numpy()[fired["adrg_row"].to_numpy()]
    ).sort_values(["unit", "rank"])
    fired = fired.drop_duplicates("unit")
    check = units.table["check"].to_numpy()
    adrg_row = np.full(len(check), -1, dtype=np.int64)
    adrg_row[fired["unit"].to_numpy()] = fired["adrg_row"].to_numpy()
    adrg_row[check >= 0] = -1
    order = {name: position for position, name in enumerate(_TRACE_ORDER)}
    kind_trace = _cached(
        "kind_trace",
        rules,
        lambda: np.array([order[_KIND_TRACE[kind]] for kind in rules.adrg["kind"]], dtype=np.int64),
    )
    trace = np.select(
        [check >= 0, adrg_row >= 0, ~listed],
        [check, kind_trace[np.maximum(adrg_row, 0)], order[TRACE_NO_MDC]],
        order[TRACE_NO_ADRG],
    )
    mdc_row = np.full(len(check), -1, dtype=np.int64)
    first_open = opened.drop_duplicates("unit")
    mdc_row[first_open["unit"].to_numpy()] = first_open["mdc_row"].to_numpy()
    mdc_row = np.where(
        adrg_row >= 0, rules.adrg["mdc_row"].to_numpy()[np.maximum(adrg_row, 0)], mdc_row
    )
    return adrg_row, trace, np.where(check >= 0, -1, mdc_row)


def _split_digits(adrg: pd.DataFrame) -> np.ndarray:
    """``digits[row, s // 2]`` = the DRG digit for case severity s in {1, 3, 5}: the smallest split digit >= s."""
    digits = np.zeros((len(adrg), 3), dtype=np.int64)
    for row, split in enumerate(adrg["split"]):
        allowed = sorted(int(d) for d in split)
        digits[row] = [next(d for d in allowed if d >= severity) for severity in (1, 3, 5)]
    return digits


def _mdc_reason(row: pd.Series) -> str:
    parts = ["主要手术为手术室手术" if row["or_procedure"] else "主要诊断"]
    parts += [f"性别{'男' if row['sex'] == 1 else '女'}"] if row["sex"] else []
    parts += [f"年龄≤{row['age_days_max']:g}天"] if not np.isnan(row["age_days_max"]) else []
    parts += [f"创伤部位≥{row['min_regions']}"] if row["min_regions"] else []
    return "、".join(parts)


_PROC_TEXT = {
    "main": "主要手术",
    "any": "手术组合",
    "or_main": "主要手术为手术室手术",
    "or_any": "存在手术室手术",
    "no_or": "无手术室手术",
}


def _adrg_reason(row: pd.Series) -> str:
    parts = {"main": ["主要诊断"], "any": ["任一诊断"]}.get(row["diag_match"], [])
    parts += [_PROC_TEXT[row["proc_match"]]] if row["proc_match"] else []
    parts += [f"年龄≤{row['age_days_max']:g}天"] if not np.isnan(row["age_days_max"]) else []
    low, high = row["weight_min"], row["weight_max"]
    parts += (
        [f"体重{'' if np.isnan(low) else f'≥{low:g}'}{'' if np.isnan(high) else f'<{high:g}'}克"]
        if not (np.isnan(low) and np.isnan(high))
        else []
    )
    return "、".join(parts) or "无条件"


def _result(
    index: pd.Index,
    rules: DrgRules,
    case_adrg: np.ndarray,
    case_trace: np.ndarray,
    mdc_pos: np.ndarray,
    severity: np.ndarray,
) -> pd.DataFrame:
    digit, ambiguous, drg_keys, drg_codes, mdc_codes, adrg_codes = _cached(
        "drg_table", rules, lambda: _drg_table(rules)
    )
    row = np.maximum(case_adrg, 0)
    key = np.where(
        case_adrg < 0, -1, row * 10 + np.where(ambiguous[row], 0, digit[row, severity // 2])
    )
    drg_pos = lookup(key, drg_keys)
    return pd.DataFrame(
        {
            "drg_code": labels(drg_pos, drg_codes),
            "mdc": labels(mdc_pos, mdc_codes),
            "adrg": labels(np.where(ambiguous[row], -1, case_adrg), adrg_codes),
            "severity": severity.astype(np.int8),
            "trace": labels(case_trace, _TRACE_ORDER),
            "trace_text": labels(case_trace, [TRACE_TEXT[name] for name in _TRACE_ORDER]),
            "rule_trace": _rule_trace(rules, case_adrg, case_trace, severity, drg_pos, drg_codes),
        },
        index=index,
    )


def _drg_table(
    rules: DrgRules,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], list[str], list[str]]:
    """What ``_result`` needs of the rule set (built once per rule set): the split digits, the 歧义组 rows, the DRG
    keys (ADRG row x 10 + digit, 0 for a 歧义组) and codes, the MDC and ADRG codes. The labels are every DRG of the
    rule set, whatever the cases, so results of several batches concatenate as categoricals."""
    adrg = rules.adrg
    ambiguous = adrg["kind"].to_numpy() == AMBIGUOUS_KIND
    drgs = [
        (r * 10, code) if ambiguous[r] else (r * 10 + int(d), f"{code}{d}")
        for r, (code, split) in enumerate(zip(adrg["adrg"], adrg["split"]))
        for d in (split[:1] if ambiguous[r] else split)
    ]
    return (
        _split_digits(adrg),
        ambiguous,
        np.array([k for k, _ in drgs], dtype=np.int64),
        [name for _, name in drgs],
        rules.mdc["mdc"].tolist(),
        adrg["adrg"].tolist(),
    )


def _rule_texts(rules: DrgRules) -> list[tuple[str, str]]:
    """Per ADRG row: the MDC step and the ADRG step of its trace."""
    mdc_text = [f"{row['mdc']}（{_mdc_reason(row)}）" for _, row in rules.mdc.iterrows()]
    return [
        (mdc_text[row["mdc_row"]], f"{row['adrg']}（{_adrg_reason(row)}）")
        for _, row in rules.adrg.iterrows()
    ]


def _rule_trace(
    rules: DrgRules, case_adrg, case_trace, severity, drg_pos, drg_codes
) -> pd.Categorical:
    """The rule that fired at each step, one text per distinct (outcome, severity): MDC → ADRG → severity → DRG."""
    combo_pos, combos = pd.factorize(
        pair_keys(
            np.where(case_adrg < 0, -1 - case_trace, case_adrg) + len(_TRACE_ORDER), severity, 6
        )
    )
    first = np.full(len(combos), len(combo_pos), dtype=np.int64)
    np.minimum.at(first, combo_pos, np.arange(len(combo_pos)))
    steps_of = _cached("rule_texts", rules, lambda: _rule_texts(rules))
    ambiguous = rules.adrg["kind"].to_numpy() == AMBIGUOUS_KIND
    texts = []
    for case in first:
        row = case_adrg[case]
        if row < 0:
            texts.append(TRACE_TEXT[_TRACE_ORDER[case_trace[case]]])
            continue
        steps = list(steps_of[row])
        if not ambiguous[row]:
            steps.append(SEVERITY_TEXT[int(severity[case])])
        texts.append(" → ".join([*steps, drg_codes[drg_pos[case]]]))
    text_pos, distinct = pd.factorize(pd.Series(texts, dtype=object))
    return pd.Categorical.from_codes(
        text_pos[combo_pos], categories=pd.Index(distinct, dtype=object)
    )


def _severity(case: _CaseCodes, rules: DrgRules) -> np.ndarray:
    """1 (MCC) / 3 (CC) / 5 per case: the most severe other diagnosis not excluded by the main diagnosis's families."""
    diag_pos, diag_codes, other_pos, strings = (
        case.diag_pos,
        case.diag_codes,
        case.other_pos,
        case.other_strings,
    )
    owner, code_pos, codes = _cached("other_entries", case, lambda: _other_entries(case))
    cc_table = _cached("cc_rows", rules, lambda: rules.cc.assign(cc=np.arange(len(rules.cc))))
    found_cc = _members(codes, cc_table, "cc", category=False)
    cc_of = np.full(len(codes), -1, dtype=np.int64)
    found_cc = found_cc.sort_values("cc").drop_duplicates("code", keep="first")
    exact = _cached("cc_codes", rules, lambda: pd.Index(rules.cc["diag_code"])).get_indexer(
        pd.Index(codes, dtype=object)
    )
    cc_of[found_cc["code"].to_numpy()] = found_cc["cc"].to_numpy()
    cc_of = np.where(exact >= 0, exact, cc_of)  # a code listed whole beats its deciding part
    cc_row = cc_of[code_pos] if len(codes) else np.zeros(0, dtype=np.int64)
    hits = pd.DataFrame({"other": owner[cc_row >= 0], "cc": cc_row[cc_row >= 0]})
    if hits.empty:
        return np.full(len(diag_pos), NO_CC)
    families = rules.families
    family_set, excluded_keys = _family_sets(diag_codes, families, rules)
    # Distinct (family set of the main diagnosis, other-diagnosis string) pairs carry the whole decision.
    combo_pos, combos = _positions(
        family_set[diag_pos] * len(strings) + other_pos,
        (int(family_set.max(initial=0)) + 1) * len(strings),
    )
    found = pd.DataFrame(
        {
            "combo": np.arange(len(combos)),
            "set": combos // len(strings),
            "other": combos % len(strings),
        }
    )
    found = found.merge(hits, on="other")
    cc_family, cc_level = _cached(
        "cc_family_level",
        rules,
        lambda: (
            families.get_indexer(rules.cc["family"].to_numpy()),
            rules.cc["level"].map(SEVERITY).to_numpy(),
        ),
    )
    family = cc_family[found["cc"]]
    kept = lookup(pair_keys(found["set"].to_numpy(), family, len(families)), excluded_keys) < 0
    level = cc_level[found["cc"]]
    severity = np.full(len(combos), NO_CC)
    np.minimum.at(severity, found["combo"].to_numpy()[kept], level[kept])
    return severity[combo_pos]


def _family_sets(
    diag_codes: pd.Index, families: pd.Index, rules: DrgRules
) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct main diagnosis, the id of its set of exclusion families (listed whole, by deciding part or by
    category in the exclusion table); and the (set id, family) keys excluded."""
    members = _members(diag_codes, rules.exclusions, "family").rename(columns={"code": "diag"})
    members["family"] = families.get_indexer(members["family"].to_numpy())
    owners, ids = _set_ids(members["diag"].to_numpy(), members["family"].to_numpy())
    set_of = np.zeros(len(diag_codes), dtype=np.int64)  # 0 = no family
    set_of[owners] = ids + 1
    excluded = np.unique(
        set_of[members["diag"].to_numpy()] * len(families) + members["family"].to_numpy()
    )
    return set_of, excluded.astype(np.int64)


# --- weights from history ----------------------------------------------------------------------
