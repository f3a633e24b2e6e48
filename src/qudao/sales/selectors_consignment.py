"""Reads for consignment (代销): what sits at a customer's consignment locations, what it
reported sold, what was settled or recalled; per product, set-based."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from qudao.catalog.models import Product
from qudao.inventory.models import Location, LocationKind, StockLevel, StockMove
from qudao.parties.models import Party
from qudao.sales.models_returns import ConsignmentLine, SellThroughLine

STEP = Decimal("0.001")
ZERO = Decimal("0.000")


def _q(value: Decimal | None) -> Decimal:
    """A summed quantity back to 3 places (SQLite sums decimals as floats)."""
    return Decimal(str(value or 0)).quantize(STEP)


def on_hand(customer: Party) -> dict[int, Decimal]:
    """product id → units at the customer's consignment locations."""
    rows = (
        StockLevel.objects.filter(
            location__kind=LocationKind.CONSIGNMENT, location__customer=customer
        )
        .values("product_id")
        .annotate(quantity=Sum("on_hand"))
    )
    return {row["product_id"]: _q(row["quantity"]) for row in rows if row["quantity"]}


def unsettled_sold(customer: Party) -> dict[int, Decimal]:
    """product id → units reported sold and not settled yet."""
    rows = (
        SellThroughLine.objects.filter(report__customer=customer, report__settlement__isnull=True)
        .values("product_id")
        .annotate(quantity=Sum("quantity"))
    )
    return {row["product_id"]: _q(row["quantity"]) for row in rows}


def unreported(customer: Party) -> dict[int, Decimal]:
    """product id → units still at the customer and not reported sold (may be reported or
    recalled)."""
    sold = unsettled_sold(customer)
    return {pid: quantity - sold.get(pid, ZERO) for pid, quantity in on_hand(customer).items()}


def settled_and_recalled(customer: Party) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    settled: dict[int, Decimal] = defaultdict(lambda: ZERO)
    recalled: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for product_id, is_settlement, quantity in (
        ConsignmentLine.objects.filter(order_line__order__customer=customer)
        .values("product_id", "settlement_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("product_id", "settlement_id", "quantity")
    ):
        (settled if is_settlement else recalled)[product_id] += _q(quantity)
    return dict(settled), dict(recalled)


def shipped_in(customer: Party) -> dict[int, Decimal]:
    """product id → units our deliveries brought to the customer's consignment locations."""
    rows = (
        StockMove.objects.filter(
            to_location__kind=LocationKind.CONSIGNMENT,
            to_location__customer=customer,
            reference_type="sales_delivery",
        )
        .values("product_id")
        .annotate(quantity=Sum("quantity"))
    )
    return {row["product_id"]: _q(row["quantity"]) for row in rows}


def reported_sold(customer: Party) -> dict[int, Decimal]:
    rows = (
        SellThroughLine.objects.filter(report__customer=customer)
        .values("product_id")
        .annotate(quantity=Sum("quantity"))
    )
    return {row["product_id"]: _q(row["quantity"]) for row in rows}


@dataclass(frozen=True)
class StockRow:
    """One product at a customer's consignment locations (quantities only, never costs)."""

    product: Product
    shipped_in: Decimal
    reported: Decimal
    settled: Decimal
    recalled: Decimal
    on_hand: Decimal
    awaiting_settlement: Decimal

    @property
    def unreported(self) -> Decimal:
        return self.on_hand - self.awaiting_settlement


def consignment_stock(customer: Party) -> list[StockRow]:
    shipped, reported, here = shipped_in(customer), reported_sold(customer), on_hand(customer)
    waiting = unsettled_sold(customer)
    settled, recalled = settled_and_recalled(customer)
    product_ids = set(shipped) | set(here) | set(reported)
    products = Product.objects.filter(pk__in=product_ids).order_by("code")
    return [
        StockRow(
            product=product,
            shipped_in=shipped.get(product.pk, ZERO),
            reported=reported.get(product.pk, ZERO),
            settled=settled.get(product.pk, ZERO),
            recalled=recalled.get(product.pk, ZERO),
            on_hand=here.get(product.pk, ZERO),
            awaiting_settlement=waiting.get(product.pk, ZERO),
        )
        for product in products
    ]


def consignment_customers(customers) -> list[dict]:
    """The customers (of the queryset given) that have consignment locations, with their units
    on hand there and units reported sold awaiting settlement."""
    here = dict(
        StockLevel.objects.filter(
            location__kind=LocationKind.CONSIGNMENT, location__customer__in=customers
        )
        .values("location__customer_id")
        .annotate(quantity=Sum("on_hand"))
        .values_list("location__customer_id", "quantity")
    )
    waiting = dict(
        SellThroughLine.objects.filter(
            report__customer__in=customers, report__settlement__isnull=True
        )
        .values("report__customer_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("report__customer_id", "quantity")
    )
    ids = set(
        Location.objects.filter(kind=LocationKind.CONSIGNMENT, customer__in=customers).values_list(
            "customer_id", flat=True
        )
    )
    return [
        {
            "customer": customer,
            "on_hand": _q(here.get(customer.pk)),
            "awaiting": _q(waiting.get(customer.pk)),
        }
        for customer in customers.filter(pk__in=ids).order_by("code")
    ]
