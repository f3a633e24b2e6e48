"""Template filters for stock pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from qudao.core.money import quantize
from qudao.inventory.services import quantize_cost

register = template.Library()


@register.filter
def stock_value(quantity: object, unit_cost: object) -> Decimal | str:
    """quantity × unit cost, rounded to the fen (the named point for a stock value)."""
    if not isinstance(quantity, Decimal) or not isinstance(unit_cost, Decimal):
        return ""
    return quantize(quantity * quantize_cost(unit_cost))


@register.filter
def unit_cost(value: object) -> Decimal | str:
    """A unit cost with its 4 places (SQLite hands computed decimals back unrounded)."""
    return quantize_cost(value) if isinstance(value, Decimal) else ""


@register.filter
def quantity(value: object) -> str:
    """A computed quantity to 3 places, without trailing zeros (12, 0.5, never 11.9999999)."""
    if not isinstance(value, Decimal):
        return "" if value is None else str(value)
    return f"{value.quantize(Decimal('0.001')).normalize():f}"
