"""How a statement's closing balance reads: what is owed, or the prepaid balance in the
customer's favour (a negative balance is never shown with a minus sign to the customer)."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def prepaid(balance: Decimal) -> Decimal:
    """A negative closing balance as the positive amount the customer has paid in advance."""
    return -balance
