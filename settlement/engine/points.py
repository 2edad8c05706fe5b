"""Case points (病例点数/分值): deviation ratio, deviation type, coefficients — vectorised and exact.

One row per case, fixed-point columns (see ``fixed``):

=====================  ========  ==========================================================
column                 required  meaning
=====================  ========  ==========================================================
``kind``               yes       DIP / DRG / APG (``Kind``)
``score_e4``           yes       group score / base points (病种分值 / 基准点数), already × scale
``medfee_fen``         yes       case total cost (医疗费用总额 medfee_sumamt)
``mean_fen``           yes       the group's mean cost (病组次均费用)
``mean_level_fen``     no        the group's mean cost at the institution's level (同级别); 0 = none
``level``              no        institution level 1/2/3 (三级 = 3); selects level thresholds
``aux_coef_e4``        no        auxiliary typing coefficient (辅助目录系数), default 1
``inst_coef_e4``       no        institution coefficient (医疗机构系数), default 1
``grassroots``         no        grassroots group (基层病种): coefficient fixed at 1
``special_outcome``    no        ``SpecialOutcome`` of an approved special case (特例单议)
``special_points_e4``  no        approved points when the outcome is ``points``
=====================  ========  ==========================================================

Fee-for-service points (按项目付费, Jilin art.25) divide by the catalog's all-case mean M
(全部病例次均费用), passed as ``base_mean``: the exact M its group scores were computed with.

Exactness: the deviation ratio r = cost ÷ mean is banded and multiplied exactly (``params.ratio_places``
None, the policy texts), or rounded half-up to that many places first when a bureau's rule says so;
``ratio_e4`` is r shown to 4 places either way. Then
``points = round_half_up(score × aux × factor × coefficient, 4)`` — one rounding of an exact product.
When the factor is a whole 4-decimal number (normal cases, or a rounded ratio) the product of four
4-decimal numbers has 16 decimals and overflows int64, so it is split (``_product_e4``) into two
int64 products whose parts cannot overflow; when the inputs are too large for that, and for the
exact factor of low and high cases (a fraction over the mean), the same formula runs on Python ints.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from config.lazy import numpy as np
from config.lazy import pandas as pd
from settlement.engine.fixed import (
    E4,
    MONEY_PLACES,
    POINTS_PLACES,
    EngineError,
    div_half_up,
    unit_count,
    unit_decimal,
)
from settlement.engine.params import (
    DEFAULT_PARAMS,
    Deviation,
    Kind,
    SettlementParams,
    SpecialOutcome,
)
from settlement.engine.point_value import ffs_points

REQUIRED_COLUMNS = ("kind", "score_e4", "medfee_fen", "mean_fen")
DEVIATIONS = [Deviation.NORMAL, Deviation.LOW, Deviation.HIGH, Deviation.EXTREME]
_NORMAL, _LOW, _HIGH, _EXTREME = range(4)
_INT64_MAX = 2**63 - 1
_LEVELS = 16  # institution levels are small integers (0 = unknown)

ERR_MISSING_COLUMNS = "病例数据缺少必需列：{columns}。"
ERR_UNKNOWN_KIND = "未知的付费方式：{kinds}。"
ERR_UNKNOWN_OUTCOME = "未知的特例单议结果：{outcomes}。"
ERR_LEVEL = "医疗机构级别应为 0 到 15 的整数。"
ERR_NEGATIVE = "列 {column} 含负数，无法计算点数。"
ERR_OVERFLOW = "点数超出可计算范围，请检查分值、系数与费用数据。"
ERR_NO_MEAN = "有 {count} 个病例缺少病组次均费用，无法计算偏差比。"
ERR_NO_BASE = "有 {count} 个按项目付费的特例病例缺少全部病例次均费用。"


def _column(cases: pd.DataFrame, name: str, default: int = 0) -> np.ndarray:
    if name not in cases:
        return np.full(len(cases), default, dtype=np.int64)
    values = cases[name].fillna(default).to_numpy(dtype=np.int64)
    if (values < 0).any():
        raise EngineError(ERR_NEGATIVE.format(column=name))
    return values


def reference_mean_fen(cases: pd.DataFrame) -> np.ndarray:
    """The mean cost a case is compared with: same-level mean (同级别均值), else the group's mean."""
    level_mean, mean = _column(cases, "mean_level_fen"), _column(cases, "mean_fen")
    reference = np.where(level_mean > 0, level_mean, mean)
    if (missing := int((reference <= 0).sum())) > 0:
        raise EngineError(ERR_NO_MEAN.format(count=missing))
    return reference


def deviation_ratio_e4(
    medfee_fen: np.ndarray, mean_fen: np.ndarray, places: int = POINTS_PLACES
) -> np.ndarray:
    """偏差比 r = case cost ÷ reference mean, half-up to ``places`` (≤ 4) decimals, counted in e4."""
    return div_half_up(medfee_fen * 10**places, mean_fen) * 10 ** (POINTS_PLACES - places)


def banded_ratio(
    medfee_fen: np.ndarray, mean_fen: np.ndarray, places: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The ratio that bands and multiplies, as e4 numerator and denominator: exact (cost × 10⁴ over the
    mean) when ``places`` is None, else the ratio rounded to ``places`` over 1."""
    if places is None:
        return medfee_fen * E4, mean_fen
    return deviation_ratio_e4(medfee_fen, mean_fen, places), np.ones_like(mean_fen)


def _kind_codes(cases: pd.DataFrame) -> tuple[np.ndarray, list[Kind]]:
    codes, uniques = pd.factorize(cases["kind"].astype(str), use_na_sentinel=False)
    unknown = sorted({str(kind) for kind in uniques} - set(Kind))
    if unknown:
        raise EngineError(ERR_UNKNOWN_KIND.format(kinds="、".join(unknown)))
    return codes.astype(np.int64), [Kind(kind) for kind in uniques]


def thresholds_e4(
    cases: pd.DataFrame, params: SettlementParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-case (low, high, extreme) ratio thresholds from the rule of its kind and level."""
    kind_codes, kinds = _kind_codes(cases)
    level = _column(cases, "level")
    if (level >= _LEVELS).any():
        raise EngineError(ERR_LEVEL)
    codes, combos = pd.factorize(kind_codes * _LEVELS + level)
    table = np.array(
        [_rule_e4(params, kinds[combo // _LEVELS], combo % _LEVELS) for combo in combos],
        dtype=np.int64,
    )
    table = table.reshape(-1, 3)
    return table[codes, 0], table[codes, 1], table[codes, 2]


def _rule_e4(params: SettlementParams, kind: Kind, level: int) -> tuple[int, int, int]:
    rule = params.deviation[kind]
    return tuple(
        unit_count(value, POINTS_PLACES)
        for value in (rule.low, rule.high_for(int(level)), rule.extreme)
    )


def classify_deviation(
    num: np.ndarray, den: np.ndarray, low: np.ndarray, high: np.ndarray, extreme: np.ndarray
) -> np.ndarray:
    """Deviation codes (index into ``DEVIATIONS``) of r = num ÷ den: extreme ≥ high ≥ … ≥ low, else normal."""
    bands = [num >= extreme * den, num >= high * den, num <= low * den]
    return np.select(bands, [_EXTREME, _HIGH, _LOW], _NORMAL).astype(np.int8)


def deviation_factor_num(
    num: np.ndarray, den: np.ndarray, deviation: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """The factor's e4 numerator over ``den``. Low: r; high and extreme (provisionally): r − high + 1
    (DIP: (r − 2) + 1); normal: 1."""
    over = num - (high - E4) * den
    return np.where(deviation == _LOW, num, np.where(deviation >= _HIGH, over, E4 * den))


def _product_e4(
    score: np.ndarray, aux: np.ndarray, factor: np.ndarray, coef: np.ndarray
) -> np.ndarray:
    """round_half_up(score × aux × factor × coef ÷ 10¹²): four e4 numbers multiplied back to e4."""
    if len(score) == 0:
        return np.zeros(0, dtype=np.int64)
    base_max = int(score.max()) * int(aux.max()) * int(coef.max())
    factor_max = int(factor.max())
    if (
        base_max > _INT64_MAX
        or (base_max // 10**8 + 1) * factor_max > _INT64_MAX
        or factor_max > 9 * 10**10
    ):
        exact = (score.astype(object) * aux * coef * factor + 5 * 10**11) // 10**12
        if exact.max() > _INT64_MAX:
            raise EngineError(ERR_OVERFLOW)
        return exact.astype(np.int64)
    # base × factor = (high·10⁸ + low) × factor; the high part carries into e4 directly.
    high_part, low_part = np.divmod(score * aux * coef, 10**8)
    carried = high_part * factor
    rest = (carried % E4) * 10**8 + low_part * factor + 5 * 10**11
    return carried // E4 + rest // 10**12


def _points_e4(
    score: np.ndarray, aux: np.ndarray, coef: np.ndarray, factor_num: np.ndarray, den: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(factor shown to 4 places, points): round_half_up(score × aux × coef × factor_num ÷ den ÷ 10¹²).
    A factor that is a whole e4 takes the int64 product; an exact fraction (low and high cases with an
    unrounded ratio) takes Python ints, case by case."""
    factor = div_half_up(factor_num, den)
    points = _product_e4(score, aux, factor, coef)
    fractional = np.flatnonzero(factor_num % den != 0)
    if len(fractional):
        exact = [
            div_half_up(
                int(score[i]) * int(aux[i]) * int(coef[i]) * int(factor_num[i]),
                int(den[i]) * 10**12,
            )
            for i in fractional
        ]
        if max(exact) > _INT64_MAX:
            raise EngineError(ERR_OVERFLOW)
        points[fractional] = exact
    return factor, points


def _special_outcomes(cases: pd.DataFrame) -> np.ndarray:
    if "special_outcome" not in cases:
        return np.full(len(cases), SpecialOutcome.NONE.value, dtype=object)
    outcomes = cases["special_outcome"].fillna("").astype(str).to_numpy(dtype=object)
    unknown = sorted(set(pd.unique(outcomes)) - {outcome.value for outcome in SpecialOutcome})
    if unknown:
        raise EngineError(ERR_UNKNOWN_OUTCOME.format(outcomes="、".join(unknown)))
    return outcomes


def ffs_points_e4(
    cost_fen: np.ndarray, base_mean: Decimal | Fraction, scale: np.ndarray
) -> np.ndarray:
    """按项目付费折算点数 (Jilin art.25) of each case: ``point_value.ffs_points`` with the exact M, as e4."""
    return np.array(
        [
            unit_count(
                ffs_points(unit_decimal(int(cost), MONEY_PLACES), base=base_mean, scale=int(k)),
                POINTS_PLACES,
            )
            for cost, k in zip(cost_fen, scale)
        ],
        dtype=np.int64,
    )


def _scales(cases: pd.DataFrame, params: SettlementParams) -> np.ndarray:
    kind_codes, kinds = _kind_codes(cases)
    return np.array([params.scale(kind) for kind in kinds], dtype=np.int64)[kind_codes]


def _apply_special(
    cases: pd.DataFrame,
    points: np.ndarray,
    medfee: np.ndarray,
    params: SettlementParams,
    base_mean: Decimal | Fraction | None,
) -> tuple[np.ndarray, np.ndarray]:
    outcomes = _special_outcomes(cases)
    ffs, approved = outcomes == SpecialOutcome.FFS.value, outcomes == SpecialOutcome.POINTS.value
    if ffs.any():
        if base_mean is None or base_mean <= 0:
            raise EngineError(ERR_NO_BASE.format(count=int(ffs.sum())))
        points = points.copy()
        points[ffs] = ffs_points_e4(medfee[ffs], base_mean, _scales(cases, params)[ffs])
    points = np.where(approved, _column(cases, "special_points_e4"), points)
    return points, outcomes != SpecialOutcome.NONE.value


def case_points(
    cases: pd.DataFrame,
    params: SettlementParams = DEFAULT_PARAMS,
    *,
    base_mean: Decimal | Fraction | None = None,
) -> pd.DataFrame:
    """Points of each case (one row per input row, same index); ``base_mean`` is the catalog's exact
    all-case mean M, needed when a case is paid fee-for-service.

    Columns: ``ratio_e4``, ``deviation`` (categorical ``Deviation``), ``factor_e4``, ``coef_e4``
    (the coefficient applied), ``points_e4``, ``special`` (an approved special-case outcome replaced
    the formula) and ``needs_review`` (extreme, no outcome yet: 专家评议).
    """
    if missing := [name for name in REQUIRED_COLUMNS if name not in cases]:
        raise EngineError(ERR_MISSING_COLUMNS.format(columns="、".join(missing)))
    medfee, score, mean = (
        _column(cases, "medfee_fen"),
        _column(cases, "score_e4"),
        reference_mean_fen(cases),
    )
    num, den = banded_ratio(medfee, mean, params.ratio_places)
    low, high, extreme = thresholds_e4(cases, params)
    deviation = classify_deviation(num, den, low, high, extreme)
    grassroots = (
        cases["grassroots"].fillna(False).to_numpy(dtype=bool)
        if "grassroots" in cases
        else np.zeros(len(cases), bool)
    )
    coef = np.where(
        grassroots,
        unit_count(params.grassroots_coefficient, POINTS_PLACES),
        _column(cases, "inst_coef_e4", E4),
    )
    factor, points = _points_e4(
        score,
        _column(cases, "aux_coef_e4", E4),
        coef,
        deviation_factor_num(num, den, deviation, high),
        den,
    )
    points, special = _apply_special(cases, points, medfee, params, base_mean)
    return pd.DataFrame(
        {
            "ratio_e4": deviation_ratio_e4(medfee, mean),
            "deviation": pd.Categorical.from_codes(
                deviation, categories=[d.value for d in DEVIATIONS]
            ),
            "factor_e4": factor,
            "coef_e4": coef,
            "points_e4": points,
            "special": special,
            "needs_review": (deviation == _EXTREME) & ~special,
        },
        index=cases.index,
    )
