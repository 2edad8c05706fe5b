"""The entry point ``drg_group``: checks, units, MDC/ADRG outcomes, severity and result, spread back to the cases. Pure."""

from __future__ import annotations

from collections.abc import Mapping

from catalogs.dip.grouper import require_columns
from catalogs.drg.grouper.adrg import _outcomes
from catalogs.drg.grouper.cases import _CaseCodes, _positions
from catalogs.drg.grouper.result import _result
from catalogs.drg.grouper.severity import _severity
from catalogs.drg.grouper.tables import ERR_CASES_COLUMNS, DrgRules
from catalogs.drg.grouper.units import _factorized, _units
from config.lazy import numpy as np
from config.lazy import pandas as pd


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
