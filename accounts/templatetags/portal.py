"""Display helpers shared by every page: money with thousands separators, to the fen."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

FEN = Decimal("0.01")


@register.filter
def money(value) -> str:
    """``1234567.5`` → ``1,234,567.50``; empty for None. Never goes through float."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f}"


@register.filter
def thousands(value) -> str:
    """Integer counts with thousands separators."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


@register.filter
def duration_zh(value: timedelta | None) -> str:
    """``timedelta(minutes=90)`` → ``1 小时 30 分钟``; whole minutes, at least one."""
    if value is None:
        return ""
    hours, minutes = divmod(max(1, round(value.total_seconds() / 60)), 60)
    parts = [f"{hours} 小时" if hours else "", f"{minutes} 分钟" if minutes else ""]
    return " ".join(part for part in parts if part)
