"""Money conventions shared by every computation: the fen, the one rounding rule, exact allocation.

Domain modules (budgets.domain, settlement.engine, …) import from here so that there is one rule for
rounding money and one largest-remainder allocator in the whole product.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

FEN = Decimal("0.01")
MONEY_PLACES = 2
#: The rounding rule for money everywhere: half-up to the fen (四舍五入到分).
ROUNDING = ROUND_HALF_UP

ERR_WEIGHTS = "分配权重必须为非负数且合计大于零。"
ERR_NOT_FEN = "待分配金额必须精确到分。"


class AllocationError(ValueError):
    """An allocation that cannot be made; the message is for users (Chinese)."""


def to_fen(value: Decimal | Fraction | int) -> Decimal:
    """Quantize to the fen with ``ROUNDING`` (exact for a ``Fraction``)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(FEN, rounding=ROUNDING)


def allocate_largest_remainder(
    total: Decimal, weights: Sequence[Decimal | int | Fraction]
) -> list[Decimal]:
    """Split ``total`` (to the fen) in proportion to ``weights``; the parts sum exactly to ``total``.

    Hamilton's method: each part gets the floor of its exact quota in fen; the fen left over go one
    each to the parts with the largest remainders (ties: the earlier part). Quotas are computed as
    integers over one common denominator, so thousands of parts cost O(n log n).
    """
    if Decimal(total).quantize(FEN) != total:
        raise AllocationError(ERR_NOT_FEN)
    exact = [Fraction(w) for w in weights]
    if not exact or any(w < 0 for w in exact) or sum(exact) == 0:
        raise AllocationError(ERR_WEIGHTS)
    common = math.lcm(*(w.denominator for w in exact))
    ints = [int(w * common) for w in exact]
    whole, units = sum(ints), int(Decimal(total).scaleb(MONEY_PLACES))
    sign, units = (-1 if units < 0 else 1), abs(units)
    parts, remainders = zip(*(divmod(units * w, whole) for w in ints))
    parts = list(parts)
    for i in sorted(range(len(parts)), key=lambda i: (-remainders[i], i))[: units - sum(parts)]:
        parts[i] += 1
    return [Decimal(sign * part).scaleb(-MONEY_PLACES) for part in parts]
