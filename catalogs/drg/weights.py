"""DRG weights from history (DRG权重测算): pure, exact — integer fen, ``Fraction`` means, one ROUND_HALF_UP
rounding per result (``PLACES``). ``weight = weighted group mean / weighted all-case mean x scale``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from catalogs.dip.grouper import require_columns
from config.lazy import pandas as pd

PLACES = 4  # RW and points: Decimal, ROUND_HALF_UP, 4 decimals


POINTS_SCALE = 100


ERR_HISTORY_COLUMNS = "历史数据缺少列：{columns}"


ERR_YEAR_WEIGHTS = "历史数据中的年度没有权重：{years}"


def ratio_quantized(value: Fraction, places: int = PLACES) -> Decimal:
    """An exact rational rounded once, ROUND_HALF_UP, to ``places`` decimals."""
    scaled = abs(value) * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    whole += 2 * rest >= scaled.denominator
    result = Decimal(whole).scaleb(-places)
    return (-result if value < 0 else result).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


def _weighted_means(
    history: pd.DataFrame, keys: list[str], *, cost: str, year: str, year_weights: Mapping
) -> dict:
    """Key tuple -> (time-weighted mean of the yearly means in fen as a Fraction, cases). Years absent for a key drop out
    and the weights of the years present are renormalised."""
    sums = history.groupby([*keys, year], observed=True, sort=True)[cost].agg(["sum", "count"])
    means: dict = {}
    for index, row in zip(sums.index, sums.itertuples(index=False)):
        key, when = (index[:-1], index[-1]) if keys else ((), index)
        weight = Fraction(str(year_weights[when]))
        total, weights, cases = means.get(key, (Fraction(0), Fraction(0), 0))
        means[key] = (
            total + weight * Fraction(int(row.sum), int(row.count)),
            weights + weight,
            cases + int(row.count),
        )
    return {key: (total / weights, cases) for key, (total, weights, cases) in means.items()}


def weighted_mean_cost(
    history: pd.DataFrame, *, cost: str, year_weights: Mapping, year: str = "year"
) -> Fraction:
    """The all-case mean M in yuan, exactly: the ``year_weights``-weighted mean of the yearly mean
    ``cost`` (int64 fen) — the divisor ``relative_weight_from_history`` gives every group."""
    return (
        _weighted_means(history, [], cost=cost, year=year, year_weights=year_weights)[()][0] / 100
    )


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
    weights = (
        dict(year_weights) if year_weights is not None else dict.fromkeys(frame[year].unique(), 1)
    )
    unknown = sorted(set(frame[year].unique()) - set(weights), key=str)
    if unknown:
        raise ValueError(ERR_YEAR_WEIGHTS.format(years="、".join(map(str, unknown))))
    frame = frame[frame[year].isin([when for when, weight in weights.items() if weight])]
    groups = _weighted_means(
        frame, [*within, *by] if within else by, cost=cost, year=year, year_weights=weights
    )
    bases = _weighted_means(frame, within, cost=cost, year=year, year_weights=weights)
    rows = []
    for key, (mean, cases) in sorted(groups.items(), key=lambda item: tuple(map(str, item[0]))):
        base = bases[key[: len(within)]][0]
        rows.append(
            (
                *key,
                cases,
                ratio_quantized(mean / 100, 2),
                ratio_quantized(mean / base * scale, places),
            )
        )
    return pd.DataFrame(rows, columns=[*(within + by if within else by), "cases", "mean", "ratio"])


def drg_weights(
    history: pd.DataFrame, *, year_weights: Mapping | None = None, cost: str = "medfee_sumamt"
) -> pd.DataFrame:
    """Per DRG: ``cases``, ``mean`` (yuan), ``rw`` = group mean / all mean and ``base_points`` = RW x 100 (spec §9).

    ``history`` has ``drg_code``, ``medfee_sumamt`` (int64 fen) and optionally ``year``; every row counts in the
    all-case mean, so drop ungroupable or excluded cases first. Both figures come from the exact ratio.
    """
    rw = relative_weight_from_history(
        history, by="drg_code", cost=cost, year_weights=year_weights, scale=1
    )
    points = relative_weight_from_history(
        history, by="drg_code", cost=cost, year_weights=year_weights, scale=POINTS_SCALE
    )
    return rw.rename(columns={"ratio": "rw"}).assign(base_points=points["ratio"].to_numpy())
