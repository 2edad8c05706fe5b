"""A data-driven CHS-DRG grouper (spec §9) and DRG weights from history: pure and vectorised.

The grouping logic is fixed; the catalog is data (``DrgRules``, loaded from CSV by ``drg_rules_load``,
format in catalogs/data/drg/README.md). For each case, in this order:

1. main diagnosis missing or not ICD-10 医保版 -> ungroupable; MDC (主要诊断大类) by main diagnosis;
   no MDC -> ungroupable. Every diagnosis, of the cases and of the rule tables, is looked up by its deciding
   part (catalogs.codes): ``A17.000+G01*`` as ``A17.000``;
2. ADRG (核心疾病诊断相关组) inside that MDC, procedures first: a surgical ADRG (外科手术组) whose
   procedure list holds the main procedure (and whose diagnosis list, when it has one, holds the main
   diagnosis), then a non-OR procedure ADRG (非手术室操作组) the same way; a main procedure typed 手术
   that matches no surgical ADRG of the MDC -> the MDC's ambiguous group ``<MDC>QY`` (歧义组);
   otherwise the medical ADRG (内科组) whose diagnosis list holds the main diagnosis; none -> ungroupable;
3. severity from the other diagnoses: the most severe CC/MCC (1 = MCC, 3 = CC, 5 = none) whose
   exclusion family (排除表) does not contain the main diagnosis; the DRG digit is the smallest digit of
   the ADRG's split (``135``, ``15``, ``35`` or ``9`` = not subdivided) that is >= the case's severity.

DRG code = ADRG code (MDC letter + ADRG letter + digit) + severity digit, e.g. ``FM1`` + ``3`` = ``FM13``.
Diagnosis lists hold full codes or 3-character categories; a full code beats its category.

As in catalogs.grouping, every rule runs on the distinct codes and distinct (diagnosis, procedure) pairs
of the cases and is spread back to the rows, so the cost per case is a few integer ``take`` operations.

Weights (``drg_weights``): ``RW_g = weighted mean cost of g / weighted mean cost of all cases``, base points
``= RW x 100`` (spec §9, Jinhua). Means are computed exactly from integer fen with ``fractions.Fraction``
and each result is rounded once, ROUND_HALF_UP to 4 decimals (``ratio_quantized``): no float anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from catalogs.codes import diagnosis_deciding
from catalogs.grouping import (
    PROCEDURE_TYPE_TO_TREATMENT,
    SURGICAL,
    codes_factorized,
    diagnoses_factorized,
    labels,
    lookup,
    pair_keys,
    require_columns,
    taken,
    valid_diagnosis,
)

DATA_DIR = Path(__file__).resolve().parent / "data" / "drg"
SURGICAL_KIND, OPERATION_KIND, MEDICAL_KIND = "surgical", "operation", "medical"
KINDS = (SURGICAL_KIND, OPERATION_KIND, MEDICAL_KIND)
SPLITS = frozenset({"135", "15", "35", "9"})
SEVERITY = {"MCC": 1, "CC": 3}
NO_CC = 5
AMBIGUOUS_SUFFIX = "QY"
PLACES = 4  # RW and points: Decimal, ROUND_HALF_UP, 4 decimals
POINTS_SCALE = 100

TRACE_SURGICAL = "surgical"
TRACE_OPERATION = "operation"
TRACE_MEDICAL = "medical"
TRACE_AMBIGUOUS = "ambiguous"
TRACE_NO_DIAGNOSIS = "no_diagnosis"
TRACE_INVALID_DIAGNOSIS = "invalid_diagnosis"
TRACE_NO_MDC = "no_mdc"
TRACE_NO_ADRG = "no_adrg"
TRACE_TEXT = {
    TRACE_SURGICAL: "外科手术组：按主要手术入ADRG",
    TRACE_OPERATION: "非手术室操作组：按主要操作入ADRG",
    TRACE_MEDICAL: "内科组：按主要诊断入ADRG",
    TRACE_AMBIGUOUS: "歧义组（QY）：主要手术与主要诊断所属MDC不符",
    TRACE_NO_DIAGNOSIS: "不能入组：主要诊断缺失",
    TRACE_INVALID_DIAGNOSIS: "不能入组：主要诊断编码无效",
    TRACE_NO_MDC: "不能入组：主要诊断不属于任何MDC",
    TRACE_NO_ADRG: "不能入组：MDC内无与主要诊断对应的ADRG",
}
UNGROUPABLE_TRACES = frozenset({TRACE_NO_DIAGNOSIS, TRACE_INVALID_DIAGNOSIS, TRACE_NO_MDC, TRACE_NO_ADRG})
_TRACE_ORDER = [TRACE_NO_DIAGNOSIS, TRACE_INVALID_DIAGNOSIS, TRACE_NO_MDC, TRACE_SURGICAL, TRACE_OPERATION, TRACE_AMBIGUOUS,
                TRACE_MEDICAL, TRACE_NO_ADRG]  # fmt: skip

ERR_RULES_COLUMNS = "DRG规则表缺少列：{columns}"
ERR_RULES = "DRG规则表无效：{reason}"
ERR_CASES_COLUMNS = "病例缺少列：{columns}"
ERR_HISTORY_COLUMNS = "历史数据缺少列：{columns}"
ERR_YEAR_WEIGHTS = "历史数据中的年度没有权重：{years}"


# --- the rule tables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrgRules:
    """The rule tables in long form (one code per row); build with ``drg_rules`` or ``drg_rules_load``."""

    mdc: pd.DataFrame  # mdc, name, diag_code (unique)
    adrg: pd.DataFrame  # adrg (unique), mdc, name, kind, split; index 0..n-1
    adrg_diagnoses: pd.DataFrame  # adrg_row, diag_code
    adrg_procedures: pd.DataFrame  # adrg_row, proc_code
    cc: pd.DataFrame  # diag_code (unique), level MCC|CC, family
    exclusions: pd.DataFrame  # family, diag_code


def _text(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    require_columns(frame, columns, ERR_RULES_COLUMNS)
    table = frame[list(columns)].fillna("").astype(str).apply(lambda column: column.str.strip()).reset_index(drop=True)
    if "diag_code" in table.columns:
        table["diag_code"] = diagnosis_deciding(table["diag_code"])
    return table


def _exploded(frame: pd.DataFrame, column: str, target: str) -> pd.DataFrame:
    """One row per ``;``-separated code of ``column``, renamed ``target``; blank entries dropped."""
    long = frame.assign(**{target: frame[column].str.split(";")}).explode(target)
    long[target] = long[target].fillna("").str.strip()
    if target == "diag_code":
        long[target] = diagnosis_deciding(long[target])
    return long[long[target] != ""].drop(columns=column)


def _fail(reason: str) -> None:
    raise ValueError(ERR_RULES.format(reason=reason))


def drg_rules(*, mdc: pd.DataFrame, adrg: pd.DataFrame, cc: pd.DataFrame, exclusions: pd.DataFrame) -> DrgRules:
    """Rules from the four CSV-shaped frames (list cells separated by ``;``), checked for consistency."""
    mdc_long = _exploded(_text(mdc, ["mdc", "name", "diag_codes"]), "diag_codes", "diag_code")
    table = _text(adrg, ["adrg", "mdc", "name", "kind", "split", "diag_codes", "proc_codes"])
    table["adrg_row"] = table.index
    diagnoses = _exploded(table[["adrg_row", "diag_codes"]], "diag_codes", "diag_code")
    procedures = _exploded(table[["adrg_row", "proc_codes"]], "proc_codes", "proc_code")
    cc_table = _text(cc, ["diag_code", "level", "family"])
    exclusion_long = _exploded(_text(exclusions, ["family", "name", "diag_codes"]), "diag_codes", "diag_code")
    rules = DrgRules(
        mdc=mdc_long.reset_index(drop=True), adrg=table[["adrg", "mdc", "name", "kind", "split"]],
        adrg_diagnoses=diagnoses.reset_index(drop=True), adrg_procedures=procedures.reset_index(drop=True),
        cc=cc_table, exclusions=exclusion_long[["family", "diag_code"]].reset_index(drop=True),
    )  # fmt: skip
    _rules_checked(rules)
    return rules


def _rules_checked(rules: DrgRules) -> None:
    adrg = rules.adrg
    if adrg.empty or rules.mdc.empty:
        _fail("MDC表和ADRG表不能为空")
    if rules.mdc["diag_code"].duplicated().any():
        _fail("同一诊断编码属于多个MDC：" + "、".join(rules.mdc.loc[rules.mdc["diag_code"].duplicated(), "diag_code"]))
    if adrg["adrg"].duplicated().any() or not adrg["mdc"].isin(rules.mdc["mdc"]).all():
        _fail("ADRG编码重复或所属MDC不存在")
    if not (adrg["adrg"].str[0] == adrg["mdc"].str[-1]).all():
        _fail("ADRG编码首字母须与所属MDC字母一致")
    if not adrg["kind"].isin(KINDS).all() or not adrg["split"].isin(SPLITS).all():
        _fail("ADRG类型须为 surgical/operation/medical，细分须为 135/15/35/9")
    by_procedure = adrg["kind"].isin([SURGICAL_KIND, OPERATION_KIND])
    if set(rules.adrg_procedures["adrg_row"]) != set(adrg.index[by_procedure]):
        _fail("手术组和操作组须有手术操作列表，内科组不得有手术操作列表")
    medical = rules.adrg_diagnoses[~by_procedure[rules.adrg_diagnoses["adrg_row"]].to_numpy()]
    if medical["diag_code"].duplicated().any() or set(medical["adrg_row"]) != set(adrg.index[~by_procedure]):
        _fail("内科组须有诊断列表，且同一诊断只能属于一个内科组")
    if rules.cc["diag_code"].duplicated().any() or not rules.cc["level"].isin(SEVERITY).all():
        _fail("并发症编码重复或级别不是 MCC/CC")


def drg_rules_load(directory: Path = DATA_DIR) -> DrgRules:
    """The rule set stored as mdc.csv, adrg.csv, cc.csv and exclusions.csv in ``directory``."""
    read = lambda name: pd.read_csv(directory / name, dtype=str, keep_default_na=False)  # noqa: E731
    return drg_rules(mdc=read("mdc.csv"), adrg=read("adrg.csv"), cc=read("cc.csv"), exclusions=read("exclusions.csv"))


def _diagnosis_matches(codes: pd.Index, table_codes: pd.Series) -> np.ndarray:
    """Position in the unique ``table_codes`` of each code's own entry, else of its 3-character category; -1 if neither."""
    entries = pd.Index(table_codes)
    exact = entries.get_indexer(codes)
    return np.where(exact >= 0, exact, entries.get_indexer(codes.str[:3]))


# --- the grouper ---------------------------------------------------------------------------------


def drg_group(cases: pd.DataFrame, rules: DrgRules, procedure_types: Mapping[str, str] | pd.Series | None = None) -> pd.DataFrame:
    """Group each case: ``drg_code``, ``mdc``, ``adrg``, ``severity`` (1/3/5), ``trace``, ``trace_text``.

    ``cases`` needs ``maindiag_code``, ``main_oprn_oprt_code`` and ``otherdiag_codes`` (``;``-separated).
    ``procedure_types`` (code -> 手术/治疗性操作/诊断性操作) enables the ambiguous groups (歧义组); without
    it an unmatched procedure simply falls through to the medical ADRG. Ungroupable: ``drg_code == ""``.
    """
    require_columns(cases, ("maindiag_code", "main_oprn_oprt_code", "otherdiag_codes"), ERR_CASES_COLUMNS)
    diag_pos, diag_codes = diagnoses_factorized(cases["maindiag_code"])
    proc_pos, proc_codes = codes_factorized(cases["main_oprn_oprt_code"])
    mdc_row = _diagnosis_matches(diag_codes, rules.mdc["diag_code"])
    mdc_names = pd.Index(rules.mdc["mdc"].unique())
    diag_mdc = taken(mdc_names.get_indexer(rules.mdc["mdc"].to_numpy()), mdc_row)

    pair_pos, pairs = pd.factorize(pair_keys(diag_pos, proc_pos, len(proc_codes)))
    pair_diag, pair_proc = pairs // max(len(proc_codes), 1), pairs % max(len(proc_codes), 1)
    adrg_row, pair_trace = _adrg_of_pairs(pair_diag, pair_proc, diag_codes, proc_codes, diag_mdc, mdc_names, rules, procedure_types)
    severity = _severity(cases["otherdiag_codes"], diag_pos, diag_codes, rules)

    digit = _split_digits(rules.adrg)  # (adrg row, severity 1/3/5) -> DRG digit
    case_adrg = adrg_row[pair_pos]
    case_trace = pair_trace[pair_pos]
    ambiguous = case_trace == _TRACE_ORDER.index(TRACE_AMBIGUOUS)
    # DRG keys: ADRG row x 10 + digit, then len(adrg) x 10 + MDC position for "<MDC letter>QY". The labels are
    # every DRG of the rule set, whatever the cases, so results of several batches concatenate as categoricals.
    key = np.where(case_adrg >= 0, case_adrg * 10 + digit[np.maximum(case_adrg, 0), severity // 2], -1)
    case_mdc = diag_mdc[diag_pos]
    key = np.where(ambiguous, len(rules.adrg) * 10 + case_mdc, key)
    drgs = [(row * 10 + int(d), f"{code}{d}") for row, (code, split) in enumerate(zip(rules.adrg["adrg"], rules.adrg["split"]))
            for d in split]  # fmt: skip
    drgs += [(len(rules.adrg) * 10 + position, f"{name[-1]}{AMBIGUOUS_SUFFIX}") for position, name in enumerate(mdc_names)]
    return pd.DataFrame(
        {
            "drg_code": labels(lookup(key, np.array([k for k, _ in drgs])), [name for _, name in drgs]),
            "mdc": labels(np.where(case_trace >= 3, case_mdc, -1), list(mdc_names)),
            "adrg": labels(case_adrg, rules.adrg["adrg"].tolist()),
            "severity": severity.astype(np.int8),
            "trace": labels(case_trace, _TRACE_ORDER),
            "trace_text": labels(case_trace, [TRACE_TEXT[name] for name in _TRACE_ORDER]),
        },
        index=cases.index,
    )


def _adrg_of_pairs(pair_diag, pair_proc, diag_codes, proc_codes, diag_mdc, mdc_names, rules, procedure_types):
    """ADRG row and trace position for each distinct (main diagnosis, main procedure) pair."""
    n = len(pair_diag)
    pair_mdc = diag_mdc[pair_diag]
    by_procedure = _procedure_adrg(pair_diag, pair_proc, diag_codes, proc_codes, pair_mdc, mdc_names, rules)
    medical_rows = rules.adrg_diagnoses[_is_medical(rules)]
    medical = _diagnosis_matches(diag_codes, medical_rows["diag_code"])
    medical_adrg = taken(medical_rows["adrg_row"].to_numpy(), medical)
    medical_mdc = mdc_names.get_indexer(rules.adrg["mdc"].to_numpy())
    pair_medical = np.where(taken(medical_mdc, medical_adrg[pair_diag]) == pair_mdc, medical_adrg[pair_diag], -1)
    surgery = np.zeros(n, dtype=bool)
    if procedure_types is not None:
        surgery_codes = {code.strip() for code, kind in pd.Series(procedure_types, dtype=object).items()
                         if PROCEDURE_TYPE_TO_TREATMENT.get(kind) == SURGICAL}  # fmt: skip
        surgery = np.asarray(proc_codes.isin(surgery_codes))[pair_proc]
    kind = rules.adrg["kind"].to_numpy()
    procedure_kind = np.where(by_procedure >= 0, kind[np.maximum(by_procedure, 0)], "")
    diag_missing = np.asarray(diag_codes == "")[pair_diag]
    diag_invalid = ~valid_diagnosis(diag_codes)[pair_diag]
    order = {name: position for position, name in enumerate(_TRACE_ORDER)}
    trace = np.select(
        [diag_missing, diag_invalid, pair_mdc < 0, procedure_kind == SURGICAL_KIND, procedure_kind == OPERATION_KIND, surgery,
         pair_medical >= 0],
        [order[TRACE_NO_DIAGNOSIS], order[TRACE_INVALID_DIAGNOSIS], order[TRACE_NO_MDC], order[TRACE_SURGICAL],
         order[TRACE_OPERATION], order[TRACE_AMBIGUOUS], order[TRACE_MEDICAL]],
        order[TRACE_NO_ADRG],
    )  # fmt: skip
    adrg = np.select([np.isin(trace, [order[TRACE_SURGICAL], order[TRACE_OPERATION]]), trace == order[TRACE_MEDICAL]],
                     [by_procedure, pair_medical], -1)  # fmt: skip
    return adrg, trace


def _is_medical(rules: DrgRules) -> np.ndarray:
    return (rules.adrg["kind"].to_numpy() == MEDICAL_KIND)[rules.adrg_diagnoses["adrg_row"].to_numpy()]


def _procedure_adrg(pair_diag, pair_proc, diag_codes, proc_codes, pair_mdc, mdc_names, rules) -> np.ndarray:
    """Per pair, the best procedure ADRG of its MDC: surgical before operation, diagnosis-restricted before open, file order."""
    adrg = rules.adrg
    procedures = rules.adrg_procedures.assign(proc=proc_codes.get_indexer(rules.adrg_procedures["proc_code"]))
    procedures = procedures[procedures["proc"] >= 0]
    pairs = pd.DataFrame({"pair": np.arange(len(pair_diag)), "proc": pair_proc, "diag": pair_diag, "mdc": pair_mdc})
    candidates = pairs.merge(procedures, on="proc")
    candidates = candidates[mdc_names.get_indexer(adrg["mdc"].to_numpy()[candidates["adrg_row"]]) == candidates["mdc"]]
    # Diagnosis restriction: none listed, or the main diagnosis (or its category) listed.
    listed = rules.adrg_diagnoses[~_is_medical(rules)]
    restricted = candidates["adrg_row"].isin(listed["adrg_row"]).to_numpy()
    code = diag_codes.to_numpy()[candidates["diag"]]
    keep = ~restricted | _listed(candidates["adrg_row"].to_numpy(), code, listed)
    candidates = candidates[keep].assign(
        rank_kind=adrg["kind"].to_numpy()[candidates["adrg_row"][keep]] != SURGICAL_KIND, rank_open=~restricted[keep]
    )
    best = candidates.sort_values(["pair", "rank_kind", "rank_open", "adrg_row"]).drop_duplicates("pair")
    result = np.full(len(pair_diag), -1)
    result[best["pair"].to_numpy()] = best["adrg_row"].to_numpy()
    return result


def _listed(rows: np.ndarray, codes: np.ndarray, listed: pd.DataFrame) -> np.ndarray:
    """Whether each (ADRG row, diagnosis) has the diagnosis or its category on the ADRG's diagnosis list."""
    allowed = pd.MultiIndex.from_arrays([listed["adrg_row"].to_numpy(), listed["diag_code"].to_numpy()])
    own = pd.MultiIndex.from_arrays([rows, codes]).isin(allowed)
    category = pd.MultiIndex.from_arrays([rows, pd.Index(codes, dtype=object).str[:3]]).isin(allowed)
    return np.asarray(own | category, dtype=bool)


def _split_digits(adrg: pd.DataFrame) -> np.ndarray:
    """``digits[row, s // 2]`` = the DRG digit for case severity s in {1, 3, 5}: the smallest split digit >= s."""
    digits = np.zeros((len(adrg), 3), dtype=np.int64)
    for row, split in enumerate(adrg["split"]):
        allowed = sorted(int(d) for d in split)
        digits[row] = [next(d for d in allowed if d >= severity) for severity in (1, 3, 5)]
    return digits


def _severity(other: pd.Series, diag_pos: np.ndarray, diag_codes: pd.Index, rules: DrgRules) -> np.ndarray:
    """1 (MCC) / 3 (CC) / 5 per case: the most severe other diagnosis not excluded by the main diagnosis's families."""
    other_pos, strings = pd.factorize(other.fillna(""))
    owner, entries = _split_lists(strings)
    code_pos, codes = pd.factorize(entries)  # a million lists hold a few thousand distinct codes
    cc_row = pd.Index(rules.cc["diag_code"]).get_indexer(diagnosis_deciding(pd.Index(codes, dtype=object).str.strip()))[code_pos]
    hits = pd.DataFrame({"other": owner[cc_row >= 0], "cc": cc_row[cc_row >= 0]})
    if hits.empty:
        return np.full(len(diag_pos), NO_CC)
    families = pd.Index(pd.concat([rules.cc["family"], rules.exclusions["family"]]).unique())
    family_set, excluded_keys = _family_sets(diag_codes, families, rules)
    # Distinct (family set of the main diagnosis, other-diagnosis string) pairs carry the whole decision.
    combo_pos, combos = pd.factorize(pair_keys(family_set[diag_pos], other_pos, len(strings)))
    found = pd.DataFrame({"combo": np.arange(len(combos)), "set": combos // len(strings), "other": combos % len(strings)})
    found = found.merge(hits, on="other")
    family = families.get_indexer(rules.cc["family"].to_numpy())[found["cc"]]
    kept = lookup(pair_keys(found["set"].to_numpy(), family, len(families)), excluded_keys) < 0
    level = rules.cc["level"].map(SEVERITY).to_numpy()[found["cc"]]
    severity = np.full(len(combos), NO_CC)
    np.minimum.at(severity, found["combo"].to_numpy()[kept], level[kept])
    return severity[combo_pos]


def _split_lists(strings) -> tuple[np.ndarray, np.ndarray]:
    """The ``;``-separated entries of each string and the position of the string each came from.

    One ``str.split`` over all strings joined with a marker entry, instead of one Python call per string:
    the entries after the k-th marker belong to string k.
    """
    marker = "\x1e"  # ASCII record separator; never in a code (and not NUL, which numpy strips)
    parts = np.array(f";{marker};".join(np.asarray(strings, dtype=object)).split(";"), dtype=object)
    is_marker = parts == marker
    return np.cumsum(is_marker)[~is_marker], parts[~is_marker]


def _family_sets(diag_codes: pd.Index, families: pd.Index, rules: DrgRules) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct main diagnosis, the id of its set of exclusion families; and the (set id, family) keys excluded.

    A diagnosis is in a family when the exclusion table lists it or its category, or when it is itself a
    CC of that family (a CC never raises the severity of its own condition).
    """
    listed = rules.exclusions
    own = pd.DataFrame({"diag": np.arange(len(diag_codes)), "code": diag_codes.to_numpy(), "category": diag_codes.str[:3]})
    members = pd.concat([
        own.merge(listed, left_on="code", right_on="diag_code")[["diag", "family"]],
        own.merge(listed, left_on="category", right_on="diag_code")[["diag", "family"]],
        own.merge(rules.cc, left_on="code", right_on="diag_code")[["diag", "family"]],
    ]).drop_duplicates()  # fmt: skip
    members["family"] = families.get_indexer(members["family"].to_numpy())
    signature = members.sort_values(["diag", "family"]).groupby("diag")["family"].agg(tuple)
    set_of = np.zeros(len(diag_codes), dtype=np.int64)  # 0 = no family
    ids, sets = pd.factorize(signature.to_numpy())
    set_of[signature.index.to_numpy()] = ids + 1
    excluded = [(index + 1) * len(families) + family for index, members_ in enumerate(sets) for family in members_]
    return set_of, np.array(excluded, dtype=np.int64)


# --- weights from history ----------------------------------------------------------------------


def ratio_quantized(value: Fraction, places: int = PLACES) -> Decimal:
    """An exact rational rounded once, ROUND_HALF_UP, to ``places`` decimals."""
    scaled = abs(value) * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    whole += 2 * rest >= scaled.denominator
    result = Decimal(whole).scaleb(-places)
    return (-result if value < 0 else result).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _weighted_means(history: pd.DataFrame, keys: list[str], *, cost: str, year: str, year_weights: Mapping) -> dict:
    """Key tuple -> (time-weighted mean of the yearly means in fen as a Fraction, cases). Years absent for a key drop out
    and the weights of the years present are renormalised."""
    sums = history.groupby([*keys, year], observed=True, sort=True)[cost].agg(["sum", "count"])
    means: dict = {}
    for index, row in zip(sums.index, sums.itertuples(index=False)):
        key, when = (index[:-1], index[-1]) if keys else ((), index)
        weight = Fraction(str(year_weights[when]))
        total, weights, cases = means.get(key, (Fraction(0), Fraction(0), 0))
        means[key] = (total + weight * Fraction(int(row.sum), int(row.count)), weights + weight, cases + int(row.count))
    return {key: (total / weights, cases) for key, (total, weights, cases) in means.items()}


def weighted_mean_cost(history: pd.DataFrame, *, cost: str, year_weights: Mapping, year: str = "year") -> Fraction:
    """The all-case mean M in yuan, exactly: the ``year_weights``-weighted mean of the yearly mean
    ``cost`` (int64 fen) — the divisor ``relative_weight_from_history`` gives every group."""
    return _weighted_means(history, [], cost=cost, year=year, year_weights=year_weights)[()][0] / 100


def relative_weight_from_history(
    history: pd.DataFrame,
    *,
    by: str | Sequence[str],
    within: Sequence[str] = (),
    cost: str = "medfee_sumamt",
    year: str = "year",
    year_weights: Mapping | None = None,
    scale: int = 1,
    places: int = PLACES,
) -> pd.DataFrame:
    """``ratio = weighted mean cost of each ``by`` group / weighted mean cost of its ``within`` group (all cases if none) x scale``.

    The weighted mean of a group is the ``year_weights``-weighted mean of its yearly mean costs (spec §4, the
    "weight yearly means" reading); ``cost`` is int64 fen. Without a ``year`` column all rows are one year.
    Returns ``by`` columns, ``cases``, ``mean`` (Decimal yuan, 2 decimals) and ``ratio`` (Decimal, ``places``).
    This is the DRG weight (x100 = base points), the APG points and the level-coefficient suggestion.
    """
    by = [by] if isinstance(by, str) else list(by)
    within = list(within)
    require_columns(history, [*by, *within, cost], ERR_HISTORY_COLUMNS)
    frame = history if year in history.columns else history.assign(**{year: 0})
    weights = dict(year_weights) if year_weights is not None else {when: 1 for when in frame[year].unique()}
    unknown = sorted(set(frame[year].unique()) - set(weights), key=str)
    if unknown:
        raise ValueError(ERR_YEAR_WEIGHTS.format(years="、".join(map(str, unknown))))
    frame = frame[frame[year].isin([when for when, weight in weights.items() if weight])]
    groups = _weighted_means(frame, [*within, *by] if within else by, cost=cost, year=year, year_weights=weights)
    bases = _weighted_means(frame, within, cost=cost, year=year, year_weights=weights)
    rows = []
    for key, (mean, cases) in sorted(groups.items(), key=lambda item: tuple(map(str, item[0]))):
        base = bases[key[: len(within)]][0]
        rows.append((*key, cases, ratio_quantized(mean / 100, 2), ratio_quantized(mean / base * scale, places)))
    return pd.DataFrame(rows, columns=[*(within + by if within else by), "cases", "mean", "ratio"])


def drg_weights(history: pd.DataFrame, *, year_weights: Mapping | None = None, cost: str = "medfee_sumamt") -> pd.DataFrame:
    """Per DRG: ``cases``, ``mean`` (yuan), ``rw`` = group mean / all mean and ``base_points`` = RW x 100 (spec §9).

    ``history`` has ``drg_code``, ``medfee_sumamt`` (int64 fen) and optionally ``year``; every row counts in the
    all-case mean, so drop ungroupable or excluded cases first. Both figures come from the exact ratio.
    """
    rw = relative_weight_from_history(history, by="drg_code", cost=cost, year_weights=year_weights, scale=1)
    points = relative_weight_from_history(history, by="drg_code", cost=cost, year_weights=year_weights, scale=POINTS_SCALE)
    return rw.rename(columns={"ratio": "rw"}).assign(base_points=points["ratio"].to_numpy())
