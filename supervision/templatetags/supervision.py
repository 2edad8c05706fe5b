"""Display of supervision indicator values by kind: rates as percentages, money to the fen, counts grouped."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from accounts.templatetags.portal import money, thousands

register = template.Library()


@register.filter
def indicator_value(value, kind: str) -> str:
    """``Decimal("0.1234")``, ``"rate"`` → ``12.34%``; empty for None."""
    if value is None or value == "":
        return ""
    if kind == "rate":
        return f"{(Decimal(value) * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"
    if kind == "money":
        return money(value)
    if kind == "count":
        return thousands(Decimal(value).to_integral_value(rounding=ROUND_HALF_UP))
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


@register.filter
def above(value, limit) -> bool:
    """Whether an indicator value lies above a benchmark (both may be None)."""
    return value is not None and limit is not None and Decimal(value) > Decimal(limit)
