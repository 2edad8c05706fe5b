"""The DIP grouper (DIP 分组器): pure, vectorised, no ORM and no settings.

``dip_group(cases, groups, procedure_types)`` gives every case exactly one outcome, in this order
(spec §3, the "basic rule -> comprehensive fallback" part of the grouping order):

1. the main diagnosis (主要诊断) is missing or not an ICD-10 医保版 code    -> ungroupable (不能入组);
   a combined code (``A17.000+G01*``) groups as its aetiology part (``A17.000``, catalogs.codes);
2. exact core combination (核心病种): main diagnosis + main procedure (主要手术操作); a case without a
   procedure matches the conservative (保守治疗) core group of its diagnosis (``proc_code == ""``);
3. a main procedure that is not in ``procedure_types`` cannot be typed      -> ungroupable;
4. comprehensive fallback (综合病种): diagnosis category (类目, first 3 characters) x treatment type
   (内科诊疗 without procedure / 诊断性操作 / 治疗性操作 / 相关手术);
5. no comprehensive group for the category and treatment type              -> ungroupable.

Input contract of ``groups`` (one row per DIP group 病种; extra columns such as name or score are ignored):

=============== =================================================================================
column          meaning
=============== =================================================================================
code            group code (病种编码), unique
diag_code       core-like groups: the full main-diagnosis code (ICD-10 医保版 2.0, e.g. ``I21.000``);
                comprehensive groups: the 3-character category (``I21``)
proc_code       core-like groups: the main procedure code (ICD-9-CM-3 医保版, e.g. ``36.0601``), or
                ``""`` for a conservative core group; comprehensive groups: ``""``
group_type      ``comprehensive`` (综合病种), or a core-like type matched on the exact combination:
                ``core`` (核心病种), ``grassroots`` (基层病种), ``tcm`` (中医优势病种), ``day`` (日间病种)
treatment_type  comprehensive groups: 内科诊疗 / 诊断性操作 / 治疗性操作 / 相关手术 (or the stored values of
                ``catalogs.choices.TreatmentType``: medical / diagnostic / therapeutic / surgical);
                core-like groups: ignored, may be ""
=============== =================================================================================

Core-like (diag_code, proc_code) pairs are unique, and so are comprehensive (diag_code, treatment_type)
pairs; ``dip_group`` refuses a table that breaks the contract (``ValueError``, Chinese message).

``procedure_types`` maps procedure codes to 手术 / 治疗性操作 / 诊断性操作 (demo/data/procedures.csv), or to
the DIP treatment types or their stored values; with ``unmapped_procedure_type`` a procedure missing from it
gets that type instead of making the case ungroupable (catalogs/dip/build.py builds catalogs the same way).

``cases`` needs ``maindiag_code`` and ``main_oprn_oprt_code`` (blank or NA = none); for auxiliary typing
(辅助目录分型) the subtype key of each case per dimension of ``subtypes`` comes from ``subtype_keys[dimension]``
(aligned by position) or else the column of that name (e.g. ``age_band``, see ``age_band``).

Speed: a million cases carry a few thousand distinct codes, so every rule runs on the distinct codes
(``pd.factorize``) and the result is spread back to the rows with integer ``take``: no per-row Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from catalogs.codes import diagnosis_deciding, is_diagnosis
from config.lazy import numpy as np
from config.lazy import pandas as pd

# DIP treatment types (治疗方式) of the comprehensive groups, in the order of their integer codes.
CONSERVATIVE = "内科诊疗"
DIAGNOSTIC = "诊断性操作"
THERAPEUTIC = "治疗性操作"
SURGICAL = "相关手术"
TREATMENT_TYPES = (CONSERVATIVE, DIAGNOSTIC, THERAPEUTIC, SURGICAL)
# The stored values of catalogs.choices.TreatmentType, accepted wherever a treatment type is read.
TREATMENT_ALIASES = {
    "medical": CONSERVATIVE,
    "diagnostic": DIAGNOSTIC,
    "therapeutic": THERAPEUTIC,
    "surgical": SURGICAL,
    **{name: name for name in TREATMENT_TYPES},
}
# procedures.csv says 手术 / 治疗性操作 / 诊断性操作; the DIP vocabulary and the stored values are accepted as well.
PROCEDURE_TYPE_TO_TREATMENT = {
    "手术": SURGICAL,
    **{k: v for k, v in TREATMENT_ALIASES.items() if v != CONSERVATIVE},
}

COMPREHENSIVE = "comprehensive"
CORE_LIKE_TYPES = frozenset({"core", "grassroots", "tcm", "day"})

# Trace codes (short, stable) and their Chinese texts.
TRACE_CORE = "core"
TRACE_CORE_CONSERVATIVE = "core_conservative"
TRACE_COMPREHENSIVE = "comprehensive"
TRACE_NO_DIAGNOSIS = "no_diagnosis"
TRACE_INVALID_DIAGNOSIS = "invalid_diagnosis"
TRACE_UNKNOWN_PROCEDURE = "unknown_procedure"
TRACE_NO_COMPREHENSIVE = "no_comprehensive"
TRACE_TEXT = {
    TRACE_CORE: "核心病种：主要诊断与主要手术操作组合精确匹配",
    TRACE_CORE_CONSERVATIVE: "核心病种（保守治疗）：主要诊断精确匹配，无手术操作",
    TRACE_COMPREHENSIVE: "综合病种：按诊断类目×治疗方式兜底入组",
    TRACE_NO_DIAGNOSIS: "不能入组：主要诊断缺失",
    TRACE_INVALID_DIAGNOSIS: "不能入组：主要诊断编码无效",
    TRACE_UNKNOWN_PROCEDURE: "不能入组：主要手术操作编码不在手术操作字典中，无法确定治疗方式",
    TRACE_NO_COMPREHENSIVE: "不能入组：该诊断类目无对应治疗方式的综合病种",
}
UNGROUPABLE_TRACES = frozenset(
    {TRACE_NO_DIAGNOSIS, TRACE_INVALID_DIAGNOSIS, TRACE_UNKNOWN_PROCEDURE, TRACE_NO_COMPREHENSIVE}
)

ERR_GROUPS_COLUMNS = "病种目录缺少列：{columns}"
ERR_GROUPS_TYPE = "病种目录的病种类型无效：{values}"
ERR_GROUPS_TREATMENT = "综合病种的治疗方式无效：{values}"
ERR_GROUPS_DUPLICATE = "病种目录中组合重复：{values}"
ERR_GROUPS_CODE = "病种编码重复：{values}"
ERR_PROCEDURE_TYPE = "手术操作类型无效：{values}"
ERR_CASES_COLUMNS = "病例缺少列：{columns}"
ERR_SUBTYPES = "辅助分型表无效：{reason}"

GROUPS_COLUMNS = ("code", "diag_code", "proc_code", "group_type", "treatment_type")
SUBTYPES_COLUMNS = ("code", "dimension", "key", "coefficient")


# --- shared helpers (also used by the DRG and APG groupers) ---------------------------------------


def identity_cached(store: dict, size: int, kind: str, owner: object, build, *extra):
    """A value derived from ``owner`` (a rule or catalog table, never changed in place), built once while ``owner``
    lives: the entry keeps ``owner`` so its id cannot be reused by another object; ``store`` is emptied when full."""
    key = (kind, id(owner), *extra)
    hit = store.get(key)
    if hit is None or hit[0] is not owner:
        if len(store) >= size:
            store.clear()
        hit = store[key] = (owner, build())
    return hit[1]


_DERIVED: dict[tuple, tuple] = {}  # see ``identity_cached``


def codes_factorized(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Row positions into the distinct stripped codes: ``(positions, codes)``; NA and blanks become ``""``."""
    positions, raw = pd.factorize(column, use_na_sentinel=True)
    stripped = (
        pd.Index(raw, dtype=object).astype(str).str.strip().append(pd.Index([""], dtype=object))
    )
    positions = np.where(positions < 0, len(raw), positions)
    remap, codes = pd.factorize(stripped)
    return remap[positions], pd.Index(codes, dtype=object)


def pair_keys(left: np.ndarray, right: np.ndarray, right_size: int) -> np.ndarray:
    """One int64 key per (left, right) position pair; ``-1`` where either side is ``-1``."""
    keys = left.astype(np.int64) * max(right_size, 1) + right
    return np.where((left < 0) | (right < 0), -1, keys)


def lookup(keys: np.ndarray, table_keys: np.ndarray) -> np.ndarray:
    """Position of each key in ``table_keys`` (``-1`` when absent, or when the key is ``-1``).

    Table keys are unique except ``-1`` (a rule whose codes do not occur in this batch): those get distinct
    negative keys that no case key can equal."""
    table_keys = np.asarray(table_keys, dtype=np.int64)
    table_keys = np.where(table_keys < 0, -2 - np.arange(len(table_keys)), table_keys)
    found = pd.Index(table_keys).get_indexer(keys)
    return np.where(keys < 0, -1, found)


def taken(values: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``values[positions]`` with ``-1`` where the position is ``-1`` (also when ``values`` is empty)."""
    if len(values) == 0:
        return np.full(len(positions), -1)
    return np.where(positions >= 0, values[np.maximum(positions, 0)], -1)


def labels(positions: np.ndarray, names, *, missing: str = "") -> pd.Categorical:
    """A categorical of ``names[positions]`` with ``missing`` where the position is ``-1``."""
    categories = pd.Index(list(dict.fromkeys([*names, missing])), dtype=object)
    codes = categories.get_indexer(list(names))
    return pd.Categorical.from_codes(
        np.where(positions < 0, categories.get_loc(missing), codes[positions]),
        categories=categories,
    )


def require_columns(frame: pd.DataFrame, columns, message: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(message.format(columns="、".join(missing)))


def diagnoses_factorized(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``codes_factorized`` of a diagnosis column by the part that decides: a combined code (``A17.000+G01*``)
    groups as its aetiology code (``A17.000``), the manifestation is kept in the case but not looked up."""
    positions, codes = codes_factorized(column)
    deciding_positions, deciding = pd.factorize(diagnosis_deciding(codes))
    return deciding_positions[positions], pd.Index(deciding, dtype=object)


def valid_diagnosis(codes: pd.Index) -> np.ndarray:
    """Which distinct codes are ICD-10 医保版 diagnosis codes (a bare category such as I21 is not)."""
    return is_diagnosis(codes)


def procedure_treatment(
    codes: pd.Index, procedure_types: Mapping[str, str] | pd.Series, unmapped: str | None = None
) -> np.ndarray:
    """DIP treatment-type position (``TREATMENT_TYPES``) of each distinct procedure code; ``-1`` when unknown
    (or the position of ``unmapped`` when given)."""
    position, typed_codes = identity_cached(
        _DERIVED,
        16,
        "procedure_treatment",
        procedure_types,
        lambda: _procedure_positions(procedure_types),
    )
    found = typed_codes.get_indexer(codes)
    fallback = -1 if unmapped is None else TREATMENT_TYPES.index(_treatment_named(unmapped))
    result = np.where(found >= 0, position[np.maximum(found, 0)] if len(position) else -1, fallback)
    return np.where(codes == "", TREATMENT_TYPES.index(CONSERVATIVE), result)


def _procedure_positions(
    procedure_types: Mapping[str, str] | pd.Series,
) -> tuple[np.ndarray, pd.Index]:
    """Per typed procedure code its treatment-type position, and the stripped codes (once per procedure-type table;
    a ValueError, an unknown type, is not kept)."""
    types = pd.Series(procedure_types, dtype=object)
    mapped = types.map(PROCEDURE_TYPE_TO_TREATMENT)
    if mapped.isna().any():
        raise ValueError(
            ERR_PROCEDURE_TYPE.format(
                values="、".join(sorted(set(types[mapped.isna()].astype(str))))
            )
        )
    return pd.Index(TREATMENT_TYPES).get_indexer(mapped.to_numpy()), pd.Index(
        types.index.astype(str).str.strip()
    )


# --- the grouper ---------------------------------------------------------------------------------


def dip_group(
    cases: pd.DataFrame,
    groups: pd.DataFrame,
    procedure_types: Mapping[str, str] | pd.Series,
    *,
    subtypes: pd.DataFrame | None = None,
    subtype_keys: Mapping[str, pd.Series] | None = None,
    unmapped_procedure_type: str | None = None,
    checked: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Assign each case its DIP group (病种): ``dip_code``, ``group_type``, ``treatment_type``, ``trace``, ``trace_text``.

    Ungroupable cases have ``dip_code == ""`` and an ungroupable ``trace`` (``UNGROUPABLE_TRACES``).
    With ``subtypes`` (columns ``SUBTYPES_COLUMNS``) it adds ``subtype`` (``"dimension=key"`` or "")
    and ``typing_coefficient`` (Decimal, 1 when no subtype applies). The index is the cases' index.
    ``checked``: ``groups_checked(groups)`` when the caller keeps it (a published version's table does not
    change, and checking it again costs more than grouping one case).
    """
    require_columns(cases, ("maindiag_code", "main_oprn_oprt_code"), ERR_CASES_COLUMNS)
    table = groups_checked(groups) if checked is None else checked
    diag_pos, diag_codes = diagnoses_factorized(cases["maindiag_code"])
    proc_pos, proc_codes = codes_factorized(cases["main_oprn_oprt_code"])

    core = table[table["group_type"] != COMPREHENSIVE]
    core_keys = pair_keys(
        diag_codes.get_indexer(core["diag_code"]),
        proc_codes.get_indexer(core["proc_code"]),
        len(proc_codes),
    )
    core_row = lookup(pair_keys(diag_pos, proc_pos, len(proc_codes)), core_keys)

    category_pos, categories = pd.factorize(diag_codes.str[:3])
    treatment = procedure_treatment(proc_codes, procedure_types, unmapped_procedure_type)
    comprehensive = table[table["group_type"] == COMPREHENSIVE]
    comprehensive_keys = pair_keys(
        pd.Index(categories).get_indexer(comprehensive["diag_code"]),
        pd.Index(TREATMENT_TYPES).get_indexer(comprehensive["treatment_type"]),
        len(TREATMENT_TYPES),
    )
    case_treatment = treatment[proc_pos]
    comprehensive_row = lookup(
        pair_keys(category_pos[diag_pos], case_treatment, len(TREATMENT_TYPES)), comprehensive_keys
    )

    diag_missing = np.asarray(diag_codes == "")[diag_pos]
    diag_invalid = ~valid_diagnosis(diag_codes)[diag_pos]
    trace = np.select(
        [diag_missing, diag_invalid, core_row >= 0, case_treatment < 0, comprehensive_row >= 0],
        [0, 1, 2, 3, 4],
        5,
    )
    trace = np.where((trace == 2) & np.asarray(proc_codes == "")[proc_pos], 6, trace)
    names = [
        TRACE_NO_DIAGNOSIS,
        TRACE_INVALID_DIAGNOSIS,
        TRACE_CORE,
        TRACE_UNKNOWN_PROCEDURE,
        TRACE_COMPREHENSIVE,
        TRACE_NO_COMPREHENSIVE,
        TRACE_CORE_CONSERVATIVE,
    ]
    row = np.where(np.isin(trace, [2, 6]), taken(core.index.to_numpy(), core_row), -1)
    row = np.where(trace == 4, taken(comprehensive.index.to_numpy(), comprehensive_row), row)
    result = pd.DataFrame(
        {
            "dip_code": labels(row, table["code"].tolist()),
            "group_type": labels(row, table["group_type"].tolist()),
            "treatment_type": labels(case_treatment, TREATMENT_TYPES),
            "trace": labels(trace, names),
            "trace_text": labels(trace, [TRACE_TEXT[name] for name in names]),
        },
        index=cases.index,
    )
    if subtypes is not None:
        result["subtype"], result["typing_coefficient"] = typing_applied(
            cases, row, table, subtypes, subtype_keys or {}
        )
    return result


def groups_checked(groups: pd.DataFrame) -> pd.DataFrame:
    """The group table with stripped text cells and a 0..n-1 index, or ``ValueError`` when it breaks the contract."""
    require_columns(groups, GROUPS_COLUMNS, ERR_GROUPS_COLUMNS)
    table = (
        groups[list(GROUPS_COLUMNS)]
        .fillna("")
        .astype(str)
        .apply(lambda column: column.str.strip())
        .reset_index(drop=True)
    )
    table["diag_code"] = diagnosis_deciding(table["diag_code"])
    bad_type = ~table["group_type"].isin(CORE_LIKE_TYPES | {COMPREHENSIVE})
    comprehensive = table["group_type"] == COMPREHENSIVE
    bad_treatment = comprehensive & ~table["treatment_type"].isin(TREATMENT_ALIASES)
    table["treatment_type"] = (
        table["treatment_type"].map(TREATMENT_ALIASES).fillna(table["treatment_type"])
    )
    checks = [
        (bad_type, ERR_GROUPS_TYPE, table["group_type"]),
        (bad_treatment, ERR_GROUPS_TREATMENT, table["treatment_type"]),
        (table["code"].duplicated(), ERR_GROUPS_CODE, table["code"]),
        (
            ~comprehensive & table[["diag_code", "proc_code"]].assign(c=comprehensive).duplicated(),
            ERR_GROUPS_DUPLICATE,
            table["diag_code"] + "+" + table["proc_code"],
        ),
        (
            comprehensive
            & table[["diag_code", "treatment_type"]].assign(c=comprehensive).duplicated(),
            ERR_GROUPS_DUPLICATE,
            table["diag_code"] + "×" + table["treatment_type"],
        ),
    ]
    for failed, message, values in checks:
        if failed.any():
            raise ValueError(message.format(values="、".join(sorted(set(values[failed]))[:10])))
    return table


def _treatment_named(name: str) -> str:
    if name not in TREATMENT_ALIASES:
        raise ValueError(ERR_PROCEDURE_TYPE.format(values=name))
    return TREATMENT_ALIASES[name]


# --- auxiliary typing (辅助目录分型) -----------------------------------------------------------------


def typing_applied(
    cases: pd.DataFrame,
    row: np.ndarray,
    table: pd.DataFrame,
    subtypes: pd.DataFrame,
    keys: Mapping[str, pd.Series],
):
    """Per case: the subtype label and its typing coefficient (the highest when several dimensions match)."""
    require_columns(subtypes, SUBTYPES_COLUMNS, ERR_SUBTYPES.format(reason="缺少列 {columns}"))
    sub = subtypes.reset_index(drop=True)
    coefficients = np.array([Decimal(str(value)) for value in sub["coefficient"]], dtype=object)
    group_of = pd.Index(table["code"]).get_indexer(sub["code"].astype(str).str.strip())
    if (group_of < 0).any():
        raise ValueError(ERR_SUBTYPES.format(reason="病种编码不在病种目录中"))
    best = np.full(len(row), -1)
    best_value = np.zeros(len(row))
    for dimension, rules in sub.groupby("dimension", sort=True):
        if dimension not in keys:
            require_columns(cases, [dimension], ERR_CASES_COLUMNS)
        value_pos, values = codes_factorized(pd.Series(keys.get(dimension, cases.get(dimension))))
        rule_keys = pair_keys(
            group_of[rules.index],
            values.get_indexer(rules["key"].astype(str).str.strip()),
            len(values),
        )
        found = lookup(pair_keys(row, value_pos, len(values)), rule_keys)
        rule = taken(rules.index.to_numpy(), found)
        value = np.where(rule >= 0, coefficients[np.maximum(rule, 0)].astype(float), 0.0)
        better = (rule >= 0) & ((best < 0) | (value > best_value))
        best, best_value = np.where(better, rule, best), np.where(better, value, best_value)
    label = labels(best, (sub["dimension"].astype(str) + "=" + sub["key"].astype(str)).tolist())
    coefficient = (
        np.where(best >= 0, coefficients[np.maximum(best, 0)], Decimal(1))
        if len(sub)
        else np.full(len(row), Decimal(1))
    )
    return label, pd.Series(coefficient, index=cases.index, dtype=object)


AGE_BANDS = ("0-28d", "29d-1y", "1-6", "7-17", "65+")


def age_band(age: pd.Series, nwb_age_days: pd.Series | None = None) -> pd.Categorical:
    """Spec §5 age bands (0-28 days, 29 days-1 year, 1-6, 7-17, >= 65); "" for 18-64 or unknown age."""
    years = pd.to_numeric(age, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    days = (
        np.full(len(years), np.nan)
        if nwb_age_days is None
        else pd.to_numeric(nwb_age_days, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    )
    band = np.select(
        [
            (years == 0) & (days <= 28),
            years == 0,
            (years >= 1) & (years <= 6),
            (years >= 7) & (years <= 17),
            years >= 65,
        ],
        [0, 1, 2, 3, 4],
        -1,
    )
    return labels(band, AGE_BANDS)
