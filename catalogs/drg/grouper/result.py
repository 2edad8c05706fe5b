"""Finalisation: the DRG code from the ADRG and severity, the trace, its text and the rule trace. Pure."""

from __future__ import annotations

from catalogs.dip.grouper import labels, lookup, pair_keys
from catalogs.drg.grouper.adrg import _split_digits
from catalogs.drg.grouper.index import _cached
from catalogs.drg.grouper.tables import (
    _TRACE_ORDER,
    AMBIGUOUS_KIND,
    SEVERITY_TEXT,
    TRACE_TEXT,
    DrgRules,
)
from config.lazy import numpy as np
from config.lazy import pandas as pd


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
