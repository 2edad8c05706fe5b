"""Display helpers of the budget pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """A rate as a percentage without trailing zeros: ``Decimal("0.0525")`` → ``5.25%``; empty for None."""
    if value is None or value == "":
        return ""
    number = (Decimal(str(value)) * 100).normalize()
    return f"{number:f}%"
