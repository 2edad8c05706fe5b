"""Institution coefficients (医疗机构系数 / 调节系数, spec §7): pure, Decimal in and out.

- Suggestion from history [C: S3]: ``level coefficient = weighted mean cost at the level / weighted mean cost of
  the region`` (``level_coefficient_suggestion``), per disease group when asked, exact like catalogs.drg.
- Coefficient = basic coefficient (基本系数) by level + bonus coefficients (加成系数) for grassroots, TCM, key
  discipline...: additive ``basic + sum(bonus)`` (default) [C: S3] or multiplicative ``basic x prod(1 + bonus)`` [K].
- Grassroots diseases (基层病种): coefficient fixed at 1 at every institution ("同病同治同价"). The
  coefficient table does not hold that 1: ``case_coefficients`` (the engine's step) applies it.

All coefficients are Decimal, ROUND_HALF_UP to 4 decimals.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from catalogs.dip.grouper import codes_factorized, require_columns
from catalogs.drg.weights import PLACES, relative_weight_from_history
from config.lazy import numpy as np
from config.lazy import pandas as pd

Combination = Literal["additive", "multiplicative"]
COMBINATIONS = ("additive", "multiplicative")
QUANTUM = Decimal(1).scaleb(-PLACES)
ONE = Decimal(1)

#: Starting basic coefficient per institution level (基本系数) of a new table; the bureau sets the real
#: ones per year, with the history-based suggestion shown beside each.
DEFAULT_BASIC = {
    "3A": Decimal("1.2000"),
    "3": Decimal("1.1500"),
    "2A": Decimal("1.0500"),
    "2": Decimal("1.0000"),
    "1": Decimal("0.9000"),
    "0": Decimal("0.9000"),
}
FEN_PER_YUAN = 100

ERR_COLUMNS = "机构数据缺少列：{columns}"
ERR_LEVEL = "以下医院等级没有基本系数：{levels}"
ERR_COMBINATION = "系数组合方式无效：{value}（应为 additive 或 multiplicative）"
ERR_UNKNOWN_INSTITUTION = "以下机构没有机构系数：{codes}"


def quantized(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM, rounding=ROUND_HALF_UP)


def level_coefficient_suggestion(
    history: pd.DataFrame,
    *,
    level: str = "level",
    group: str | None = None,
    year_weights: Mapping | None = None,
    cost: str = "medfee_sumamt",
) -> pd.DataFrame:
    """Suggested basic coefficient per level: ``level``, ``cases``, ``mean`` (yuan) and ``coefficient``.

    With ``group`` (e.g. ``dip_code``) it is per (group, level) against the group's regional mean, the S3
    form; which groups qualify (large level differences, enough cases, no inversion) is the caller's choice.
    """
    suggestion = relative_weight_from_history(
        history, by=level, within=[group] if group else [], cost=cost, year_weights=year_weights
    )
    return suggestion.rename(columns={"ratio": "coefficient"})


def level_suggestions(
    history: pd.DataFrame, *, year_weights: Mapping | None = None
) -> dict[str, Decimal]:
    """Suggested basic coefficient by level from a case history with ``level``, ``year`` and
    ``medfee_sumamt`` in Decimal yuan (``catalogs.selectors.case_history_frame``); empty without cases."""
    if history.empty:
        return {}
    fen = history.assign(
        medfee_sumamt=[int(Decimal(value) * FEN_PER_YUAN) for value in history["medfee_sumamt"]]
    )
    weights = {
        year: weight for year, weight in (year_weights or {}).items() if year in set(fen["year"])
    } or None
    suggestion = level_coefficient_suggestion(fen, year_weights=weights)
    return dict(zip(suggestion["level"].astype(str), suggestion["coefficient"], strict=True))


def combined(
    basic: Decimal, bonuses: Collection[Decimal], combination: Combination = "additive"
) -> Decimal:
    """One institution's coefficient from its basic coefficient and the bonuses it earns, quantized once."""
    if combination not in COMBINATIONS:
        raise ValueError(ERR_COMBINATION.format(value=combination))
    if combination == "additive":
        return quantized(basic + sum(bonuses, Decimal(0)))
    product = basic
    for bonus in bonuses:
        product *= ONE + bonus
    return quantized(product)


def institution_coefficients(
    institutions: pd.DataFrame,
    *,
    basic: Mapping[str, Decimal | str],
    bonuses: Mapping[str, Decimal | str] | None = None,
    combination: Combination = "additive",
) -> pd.DataFrame:
    """Per institution: ``code``, ``level``, ``basic``, ``bonus`` (sum of earned bonuses) and ``coefficient``.

    ``institutions`` has ``code``, ``level`` and one boolean column per key of ``bonuses`` (e.g.
    ``is_grassroots``, ``is_tcm``, ``key_discipline``); ``basic`` maps each level to its basic coefficient.
    """
    bonuses = {name: Decimal(str(value)) for name, value in (bonuses or {}).items()}
    require_columns(institutions, ["code", "level", *bonuses], ERR_COLUMNS)
    basic = {str(key): Decimal(str(value)) for key, value in basic.items()}
    levels = institutions["level"].astype(str)
    missing = sorted(set(levels) - set(basic))
    if missing:
        raise ValueError(ERR_LEVEL.format(levels="、".join(missing)))
    earned = [
        [bonuses[name] for name in bonuses if bool(flags[name])]
        for _, flags in institutions[list(bonuses)].iterrows()
    ]
    base = [basic[level] for level in levels]
    return pd.DataFrame(
        {
            "code": institutions["code"].to_numpy(),
            "level": levels.to_numpy(),
            "basic": base,
            "bonus": [sum(items, Decimal(0)) for items in earned],
            "coefficient": [
                combined(value, items, combination)
                for value, items in zip(base, earned, strict=True)
            ],
        }
    )


def case_coefficients(
    cases: pd.DataFrame,
    coefficients: pd.DataFrame,
    *,
    grassroots_groups: Collection[str] = (),
    group: str = "dip_code",
) -> pd.Series:
    """Per case the coefficient of its institution (``institution_code``), or 1 for a grassroots group (基层病种).

    ``coefficients`` has ``code`` and ``coefficient`` (``institution_coefficients``). Vectorised: the few
    distinct institutions are looked up and spread to the rows.
    """
    require_columns(cases, ["institution_code", group], ERR_COLUMNS)
    positions, codes = codes_factorized(cases["institution_code"])
    table = pd.Index(coefficients["code"].astype(str))
    found = table.get_indexer(codes)
    grassroots = np.asarray(pd.Series(cases[group]).astype(str).isin(set(grassroots_groups)))
    unknown = sorted(set(codes[(found < 0)]) & set(codes[positions[~grassroots]]))
    if unknown:
        raise ValueError(ERR_UNKNOWN_INSTITUTION.format(codes="、".join(unknown[:10])))
    values = np.append(coefficients["coefficient"].to_numpy(dtype=object), ONE)
    per_code = np.where(found >= 0, found, len(values) - 1)
    coefficient = np.where(grassroots, ONE, values[per_code[positions]])
    return pd.Series(coefficient, index=cases.index, dtype=object, name="coefficient")


def payable_points(points: Decimal, coefficient: Decimal) -> Decimal:
    """Case points x institution coefficient (E5: 1,000 x 1.25 = 1,250), ROUND_HALF_UP to 4 decimals."""
    return quantized(points * coefficient)
