"""Every read in sales: orders and deliveries a member may see, stock beside each line, the
approval chain with who did each step, and the product search of the order entry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qudao.catalog.models import PackagingUnit, Product
from qudao.catalog.selectors import quote_many
from qudao.inventory.models import LocationKind, StockLevel, StockMove
from qudao.parties.selectors import visible_customers
from qudao.sales.models import (
    ZERO_QUANTITY,
    DeliveryNote,
    OrderStatus,
    SalesOrder,
    SalesOrderLine,
    SalesSettings,
)
from qudao.tenancy.models import Event, Membership, Organization
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm


def visible_orders(membership: Membership) -> QuerySet[SalesOrder]:
    """Orders of the customers the member may see (a sales rep: his own)."""
    orders = SalesOrder.objects.select_related("customer", "warehouse", "sales_rep__user")
    if not can(membership, Perm.VIEW_ALL_CUSTOMERS):
        orders = orders.filter(customer__owner=membership)
    return orders


def visible_deliveries(membership: Membership) -> QuerySet[DeliveryNote]:
    deliveries = DeliveryNote.objects.select_related("order", "customer", "order__warehouse")
    if not can(membership, Perm.VIEW_ALL_CUSTOMERS):
        deliveries = deliveries.filter(customer__owner=membership)
    return deliveries


def customer_choices(membership: Membership) -> list[tuple[str, str]]:
    rows = visible_customers(membership).filter(archived_at__isnull=True).order_by("code")
    return [(str(p.pk), f"{p.code} {p.name}") for p in rows.only("pk", "code", "name")[:2000]]


def _available_in(warehouse_id: int) -> Subquery:
    levels = (
        StockLevel.objects.filter(
            product_id=OuterRef("pk"),
            location__warehouse_id=warehouse_id,
            location__kind=LocationKind.INTERNAL,
        )
        .values("product_id")
        .annotate(free=Sum(F("on_hand") - F("reserved")))
        .values("free")
    )
    return Subquery(levels)


def available_by_product(warehouse_id: int, product_ids: Sequence[int]) -> dict[int, Decimal]:
    """product id → on hand minus reserved at the warehouse's internal locations (one query)."""
    rows = (
        StockLevel.objects.filter(
            product_id__in=product_ids,
            location__warehouse_id=warehouse_id,
            location__kind=LocationKind.INTERNAL,
        )
        .values("product_id")
        .annotate(free=Sum(F("on_hand") - F("reserved")))
    )
    return {row["product_id"]: Decimal(row["free"]).quantize(Decimal("0.001")) for row in rows}


@dataclass(frozen=True)
class LineView:
    line: SalesOrderLine
    available: Decimal  # in the order's warehouse, not counting this order's own reservation


def order_lines(order: SalesOrder) -> list[LineView]:
    lines = list(order.lines.select_related("product").order_by("position", "pk"))
    available = available_by_product(order.warehouse_id, [line.product_id for line in lines])
    reserved_here = order.is_open
    return [
        LineView(
            line,
            available.get(line.product_id, ZERO_QUANTITY)
            + (line.open_quantity if reserved_here else ZERO_QUANTITY),
        )
        for line in lines
    ]


@dataclass(frozen=True)
class ProductHit:
    product: Product
    unit_price: Decimal | None
    available: Decimal
    units: str


def search_products(
    *, org: Organization, text: str, customer_id: int, warehouse_id: int, limit: int = 12
) -> list[ProductHit]:
    """Products by code, name, pinyin initials anywhere in the name, or barcode (a carton's
    too), with this customer's price and what is free in the warehouse: four queries.

    An exact code or barcode comes first, then a match at the start of the code, name or
    initials, then one anywhere in the name or initials (空调 in 凌风变频挂式空调: "kt")."""
    text = text.strip()
    if not text:
        return []
    initials = "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())
    carton = Q(pk__in=PackagingUnit.objects.filter(barcode=text).values("product_id"))
    exact = Q(code__iexact=text) | Q(barcode=text) | carton
    prefix = Q(code__istartswith=text) | Q(name__istartswith=text)
    anywhere = Q(name__icontains=text)
    if initials:
        prefix |= Q(pinyin__istartswith=initials)
        anywhere |= Q(pinyin__icontains=initials)
    products = list(
        Product.objects.filter(archived_at__isnull=True)
        .filter(exact | prefix | anywhere)
        .annotate(
            free=Coalesce(_available_in(warehouse_id), ZERO_QUANTITY),
            rank=Case(When(exact, then=0), When(prefix, then=1), default=2),
        )
        .prefetch_related("packaging_units")
        .order_by("rank", "code")[:limit]
    )
    quotes = quote_many(
        org=org,
        customer_id=customer_id,
        quantities={p.pk: Decimal(1) for p in products},
        on=timezone.localdate(),
    )
    return [
        ProductHit(
            product=p,
            unit_price=quotes[p.pk].unit_price if p.pk in quotes else None,
            available=Decimal(p.free),  # type: ignore[attr-defined]
            units=" · ".join(
                [p.base_unit]
                + [
                    f"{u.name}={u.factor.normalize():f}{p.base_unit}"
                    for u in p.packaging_units.all()
                ]
            ),
        )
        for p in products
    ]


def serials_in_stock(warehouse_id: int, product_ids: Sequence[int]) -> dict[int, list[str]]:
    """product id → the serial numbers now on the warehouse's internal locations, where their
    latest move put them (what a keeper may pick for a delivery): one query."""
    latest: dict[tuple[int, str], tuple[int, bool]] = {}
    moves = (
        StockMove.objects.filter(product_id__in=product_ids)
        .exclude(serial="")
        .values_list("pk", "product_id", "serial", "to_location__warehouse_id", "to_location__kind")
    )
    for move_id, product_id, serial, warehouse, kind in moves:
        key = (product_id, serial)
        if key not in latest or move_id > latest[key][0]:
            here = warehouse == warehouse_id and kind == LocationKind.INTERNAL
            latest[key] = (move_id, here)
    found: dict[int, list[str]] = {}
    for (product_id, serial), (_move_id, here) in sorted(latest.items()):
        if here:
            found.setdefault(product_id, []).append(serial)
    return found


def unit_for_barcode(text: str) -> tuple[Product, str] | None:
    """A scanned barcode → the product and the unit it names (a carton's barcode: 箱)."""
    text = text.strip()
    product = Product.objects.filter(archived_at__isnull=True, code=text).first()
    if product is not None:
        return product, ""
    product = (
        Product.objects.filter(archived_at__isnull=True, barcode=text).exclude(barcode="").first()
    )
    if product is not None:
        return product, ""
    unit = (
        PackagingUnit.objects.filter(barcode=text, product__archived_at__isnull=True)
        .exclude(barcode="")
        .select_related("product")
        .first()
    )
    return (unit.product, unit.name) if unit is not None else None


# ---------------------------------------------------------------------------------------------
# The approval chain as the order page shows it


@dataclass(frozen=True)
class Step:
    key: str
    label: str | Promise
    state: str  # done, current, waiting, off
    who_may: str | Promise
    done_by: str = ""
    done_at: datetime | None = None


def _events(subject_type: str, ids: Sequence[int]) -> list[Event]:
    return list(
        Event.objects.filter(subject_type=subject_type, subject_id__in=ids)
        .select_related("actor__user")
        .order_by("at", "pk")
    )


def order_events(order: SalesOrder) -> list[Event]:
    """The order's own events and its deliveries', oldest first (two queries)."""
    delivery_ids = list(order.deliveries.values_list("pk", flat=True))
    events = _events("sales.salesorder", [order.pk]) + _events("sales.deliverynote", delivery_ids)
    return sorted(events, key=lambda e: (e.at, e.pk))


def _who(event: Event | None) -> str:
    if event is None:
        return ""
    return str(event.actor.user) if event.actor else str(_("The customer"))


def step_state(on: bool, done: bool, current: bool) -> str:
    """How a step of an approval chain shows: off, done, current (waits on someone) or waiting."""
    if not on:
        return "off"
    return "done" if done else ("current" if current else "waiting")


def done_step(
    key: str, label: str | Promise, who_may: str | Promise, event: Event | None, state: str
) -> Step:
    """A chain step, with who did it and when taken from `event`."""
    return Step(key, label, state, who_may, _who(event), event.at if event else None)


def chain(order: SalesOrder, settings: SalesSettings, events: list[Event]) -> list[Step]:
    """Every step of the chain, on or off, with who may act and who did it."""
    last: dict[str, Event] = {}
    for event in events:
        if event.subject_type == "sales.salesorder":
            key = event.verb
            if event.verb in ("approved", "credit_override"):
                key = f"approved:{(event.data or {}).get('step', '')}"
            last[key] = event
        else:
            last[f"delivery:{event.verb}"] = event
    status = order.status
    confirmed = order.confirmed_at is not None
    shipped_any = status in (
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.CLOSED,
    )
    delivered = last.get("delivery:delivered")
    state = step_state
    submitted = last.get("submitted") or last.get("sent_to_customer") or last.get("confirmed")
    review = last.get("approved:order_review")
    finance = last.get("approved:finance_review")
    released = last.get("delivery:released")
    shipped = last.get("delivery:shipped")
    return [
        Step(
            "submitted",
            _("Submitted"),
            # a draft (new or sent back) waits on nobody: nothing is current yet
            state(True, order.submitted_at is not None and status != OrderStatus.DRAFT, False),
            _("The sales rep"),
            _who(submitted),
            order.submitted_at,
        ),
        Step(
            "order_review",
            _("Order review (订单审核)"),
            state(settings.order_review, review is not None or confirmed, status == "order_review"),
            _("The boss"),
            _who(review),
            review.at if review else None,
        ),
        Step(
            "finance_review",
            _("Finance review (财务审核)"),
            state(
                settings.finance_review,
                finance is not None or confirmed,
                status == "finance_review",
            ),
            _("Finance or the boss"),
            _who(finance),
            finance.at if finance else None,
        ),
        Step(
            "warehouse_release",
            _("Warehouse release (出库审核)"),
            state(settings.warehouse_release, released is not None, confirmed and not released),
            _("The warehouse"),
            _who(released),
            released.at if released else None,
        ),
        Step(
            "shipped",
            _("Shipped (发货确认)"),
            state(True, shipped_any, confirmed and not shipped_any),
            _("The warehouse"),
            _who(shipped),
            shipped.at if shipped else None,
        ),
        Step(
            "received",
            _("Received (收货确认)"),
            state(settings.receipt_confirmation, delivered is not None, shipped_any),
            _("The warehouse or the sales rep"),
            _who(delivered),
            delivered.at if delivered else None,
        ),
    ]


def waiting_for(membership: Membership) -> Q:
    """Orders whose current step this member may act on."""
    steps = []
    if can(membership, Perm.REVIEW_ORDERS):
        steps.append(OrderStatus.ORDER_REVIEW)
    if can(membership, Perm.MANAGE_CREDIT):
        steps.append(OrderStatus.FINANCE_REVIEW)
    return Q(status__in=steps) if steps else Q(pk__in=[])
