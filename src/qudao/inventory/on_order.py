"""Goods already on order (在途/已订未到), told to inventory by the contexts above it.

Inventory sits below purchasing and may not import it, so purchasing registers a lookup here
from its AppConfig.ready, the way every context registers its nightly integrity check with
`tenancy.integrity.register_check`. A lookup gets the product and the warehouse as expressions
(outer references of the query it joins; a null warehouse means every warehouse) and returns
one scalar SQL expression: the quantity in base units ordered and not yet received. The
reorder suggestions stay one query however many lookups there are.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Final

from django.db.models import DecimalField, Value
from django.db.models.expressions import Combinable, Expression
from django.db.models.functions import Coalesce

QUANTITY: Final = DecimalField(max_digits=14, decimal_places=3)
NOTHING: Final = Value(Decimal("0"), output_field=QUANTITY)

OnOrderLookup = Callable[[Combinable, Combinable], Expression]
_LOOKUPS: dict[str, OnOrderLookup] = {}


def register_on_order(name: str, lookup: OnOrderLookup) -> None:
    """Let a context above inventory count its open orders in the reorder suggestions."""
    _LOOKUPS[name] = lookup


def on_order(*, product: Combinable, warehouse: Combinable) -> Expression:
    """Everything on order for `product` into `warehouse` (null: any), 0 when nothing is."""
    total: Expression = NOTHING
    for lookup in _LOOKUPS.values():
        total = total + Coalesce(lookup(product, warehouse), NOTHING, output_field=QUANTITY)  # type: ignore[assignment]
    return total
