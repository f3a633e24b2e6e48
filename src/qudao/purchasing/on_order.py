"""What confirmed purchase orders still bring, for inventory's reorder suggestions.

Registered with `qudao.inventory.on_order` in PurchasingConfig.ready (inventory sits below
purchasing and cannot ask it directly). Open = ordered − received (damaged units count as
received) on orders that are confirmed or partly received; drafts, closed and cancelled orders
and over-deliveries bring nothing more. An order without a delivery warehouse counts only
toward rules that cover every warehouse.
"""

from __future__ import annotations

from django.db.models import F, Q, Subquery, Sum
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import IsNull

from qudao.inventory.on_order import NOTHING, QUANTITY
from qudao.purchasing.models import OrderStatus, PurchaseOrderLine

OPEN_ORDERS = (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_RECEIVED)


def open_quantity(product: Combinable, warehouse: Combinable) -> Subquery:
    """One scalar subquery: the open quantity of `product` on order into `warehouse`."""
    # a rule without a warehouse matches every order: COALESCE(rule's, order's) = order's
    into = Q(order__warehouse_id=Coalesce(warehouse, F("order__warehouse_id"))) | (
        Q(order__warehouse__isnull=True) & IsNull(warehouse, True)  # type: ignore[arg-type]
    )
    rows = (
        PurchaseOrderLine.objects.filter(
            Q(product_id=product, order__status__in=OPEN_ORDERS) & into
        )
        .order_by()
        .values("product_id")
        .annotate(
            open=Sum(
                Greatest(F("quantity") - F("received_quantity"), NOTHING),
                output_field=QUANTITY,
            )
        )
        .values("open")
    )
    return Subquery(rows[:1], output_field=QUANTITY)
