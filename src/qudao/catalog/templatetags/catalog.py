"""Template helpers for catalog pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain_quantity(value: object) -> str:
    """12.000 → 12, 0.500 → 0.5, 100.000 → 100 (never 1E+2)."""
    if not isinstance(value, Decimal):
        return "" if value is None else str(value)
    return f"{value.normalize():f}"
