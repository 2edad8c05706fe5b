"""Fixed-point arithmetic (定点数运算) shared by the engine: exact, vectorised, half-up.

Case-level frames carry exact quantities as int64 counts of a decimal unit, named by suffix:

- ``*_fen``  money in fen (分, 0.01 元);
- ``*_e4``   scores, points, coefficients and ratios in ten-thousandths (4 decimals).

Integer arithmetic on these columns gives exactly what ``Decimal`` gives with ``ROUND_HALF_UP``
(half away from zero), without creating a million ``Decimal`` objects. Institution-level results
(hundreds of rows) are plain ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from config import money
from config.lazy import numpy as np
from config.lazy import pandas as pd

#: The one rounding rule of settlement: half-up (四舍五入).
ROUNDING = ROUND_HALF_UP
FEN = Decimal("0.01")
MONEY_PLACES = 2
POINTS_PLACES = 4  # 分值/点数, ratios and coefficients
PV_PLACES = 6  # 点值
E4 = 10**POINTS_PLACES

ERR_WEIGHTS, ERR_NOT_FEN = money.ERR_WEIGHTS, money.ERR_NOT_FEN
ERR_NOT_DECIMAL = "数值 {value!r} 不是精确的十进制数（不接受浮点数或空值）。"
ERR_TOO_FINE = "数值 {value} 超过 {places} 位小数。"


class EngineError(ValueError):
    """Input the settlement engine cannot compute; the message is for users (Chinese)."""


def quantize(value: Decimal | Fraction | int, places: int) -> Decimal:
    """``value`` rounded half-up to ``places`` decimals (exact for fractions too)."""
    if isinstance(value, Fraction):
        units = div_half_up(value.numerator * 10**places, value.denominator)
        return Decimal(int(units)).scaleb(-places)
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUNDING)


def to_fen(value: Decimal | Fraction | int) -> Decimal:
    return quantize(value, MONEY_PLACES)


def div_half_up(num, den):
    """``num / den`` rounded half away from zero, for Python ints or int64 arrays with ``den > 0``."""
    magnitude = (2 * abs(num) + den) // (2 * den)
    return (
        np.where(num < 0, -magnitude, magnitude)
        if isinstance(num, np.ndarray)
        else (-magnitude if num < 0 else magnitude)
    )


def unit_count(value: object, places: int) -> int:
    """One exact value as a count of ``10**-places``; refuses floats, blanks and finer values."""
    if isinstance(value, (float, np.floating)) or value is None or value is pd.NA:
        raise EngineError(ERR_NOT_DECIMAL.format(value=value))
    exact = Decimal(str(value)).scaleb(places)
    if exact != exact.to_integral_value():
        raise EngineError(ERR_TOO_FINE.format(value=value, places=places))
    return int(exact)


def to_units(values: Iterable[object] | pd.Series, places: int) -> np.ndarray:
    """Decimal / str / int values as int64 counts of ``10**-places``; refuses floats and finer values.

    Converts each distinct value once (scores and coefficients repeat across many cases).
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    table = np.array([unit_count(value, places) for value in uniques], dtype=np.int64)
    return table[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def from_units(units: Iterable[int] | np.ndarray, places: int) -> list[Decimal]:
    """int counts of ``10**-places`` back to ``Decimal`` with exactly ``places`` decimals."""
    return [Decimal(int(unit)).scaleb(-places) for unit in units]


def unit_decimal(unit: int, places: int) -> Decimal:
    return Decimal(int(unit)).scaleb(-places)


def allocate_largest_remainder(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """``config.money.allocate_largest_remainder``, its refusal as an ``EngineError``."""
    try:
        return money.allocate_largest_remainder(total, weights)
    except money.AllocationError as error:
        raise EngineError(str(error)) from None
