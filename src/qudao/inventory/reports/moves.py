"""What the stock reports count as goods coming in and as goods sold, as query filters.

- Goods come into a warehouse with a receipt, a return, or a transfer from another warehouse
  (a transfer between two locations of one warehouse is not an arrival). Reversal moves do not
  count, and neither does a move that was later reversed.
- A sale is a shipment-kind move that leaves our stock for a customer (to the outside).
  Reversing a shipment takes its quantity back off the sales.
- For reorder planning, what drains a warehouse is what leaves its internal locations for
  customers: sales, and deliveries into a consignment location at a customer (net of goods
  coming back from there).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Final

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce

from qudao.inventory.models import LocationKind, MoveKind, StockMove

QUANTITY: Final = DecimalField(max_digits=14, decimal_places=3)
VALUE: Final = DecimalField(max_digits=22, decimal_places=4)  # quantity × unit cost, unrounded
ZERO: Final = Value(Decimal("0"), output_field=QUANTITY)
INCOMING_KINDS: Final = (MoveKind.RECEIPT, MoveKind.TRANSFER, MoveKind.RETURN)


def not_reversed() -> Q:
    """Neither a reversal nor a move that was reversed later."""
    reversal = StockMove.objects.filter(reverses_id=OuterRef("pk"))
    return Q(reverses__isnull=True) & ~Q(Exists(reversal))


def same_warehouse(side: str, warehouse: Combinable | None, *, or_any: bool = False) -> Q:
    """`side` ("from_location" / "to_location") is in `warehouse` (an outer reference); with
    `or_any`, a null `warehouse` means any of ours, and so does `warehouse=None`."""
    if warehouse is None:
        return Q(**{f"{side}__isnull": False})
    if or_any:
        return Q(**{f"{side}__warehouse_id": Coalesce(warehouse, F(f"{side}__warehouse_id"))})
    return Q(**{f"{side}__warehouse_id": warehouse})


def arrivals(*, product: Combinable, warehouse: Combinable, since: datetime) -> QuerySet[StockMove]:
    """Goods that arrived in the outer row's warehouse since `since` (see the module note)."""
    from_elsewhere = Q(from_location__isnull=True) | ~Q(from_location__warehouse_id=warehouse)
    return StockMove.objects.filter(
        Q(product_id=product, kind__in=INCOMING_KINDS, moved_at__gte=since)
        & same_warehouse("to_location", warehouse)
        & from_elsewhere
        & not_reversed()
    )


def summed(moves: QuerySet[StockMove], expression: Combinable | str = "quantity") -> Coalesce:
    """SUM(`expression`) over `moves` as a scalar subquery, 0 when there are none."""
    total = moves.order_by().values("product_id").annotate(total=Sum(expression)).values("total")
    return Coalesce(Subquery(total[:1], output_field=QUANTITY), ZERO)


def customer_sales(
    *, product: Combinable, warehouse: Combinable | None, since: datetime
) -> Coalesce:
    """Units sold to customers since `since` (shipments out less shipment reversals back in)."""
    out = Q(to_location__isnull=True) & same_warehouse("from_location", warehouse)
    back = Q(from_location__isnull=True, reverses__isnull=False) & same_warehouse(
        "to_location", warehouse
    )
    moves = StockMove.objects.filter(
        Q(product_id=product, kind=MoveKind.SHIPMENT, moved_at__gte=since) & (out | back)
    )
    signed = Case(When(out, then=F("quantity")), default=-F("quantity"), output_field=QUANTITY)
    return summed(moves, signed)


def last_customer_sale(*, product: Combinable, warehouse: Combinable | None) -> Subquery:
    """When the product was last shipped to a customer (a shipment that was not reversed)."""
    moves = StockMove.objects.filter(
        Q(product_id=product, kind=MoveKind.SHIPMENT, to_location__isnull=True)
        & same_warehouse("from_location", warehouse)
        & not_reversed()
    ).order_by("-moved_at")
    return Subquery(moves.values("moved_at")[:1])


def outflow_from_stock(*, product: Combinable, warehouse: Combinable, since: datetime) -> Coalesce:
    """Units that left warehouse stock (internal locations) for customers since `since`: shipped
    outright, or delivered into a consignment location at a customer (a shipment or transfer);
    shipment reversals and consignment goods coming back are taken off. A null outer
    `warehouse` means all warehouses."""
    consignment_kinds = (MoveKind.SHIPMENT, MoveKind.TRANSFER)
    out = (
        Q(from_location__kind=LocationKind.INTERNAL)
        & same_warehouse("from_location", warehouse, or_any=True)
        & (
            Q(kind=MoveKind.SHIPMENT, to_location__isnull=True)
            | Q(kind__in=consignment_kinds, to_location__kind=LocationKind.CONSIGNMENT)
        )
    )
    back = (
        Q(to_location__kind=LocationKind.INTERNAL)
        & same_warehouse("to_location", warehouse, or_any=True)
        & (
            Q(kind=MoveKind.SHIPMENT, from_location__isnull=True, reverses__isnull=False)
            | Q(kind__in=consignment_kinds, from_location__kind=LocationKind.CONSIGNMENT)
        )
    )
    moves = StockMove.objects.filter(Q(product_id=product, moved_at__gte=since) & (out | back))
    signed = Case(When(out, then=F("quantity")), default=-F("quantity"), output_field=QUANTITY)
    return summed(moves, signed)
