"""Every read of stock: levels, the ledger, a product's stock card, costs, the nightly check."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, NullIf

from qudao.inventory.models import (
    ZERO_QUANTITY,
    Location,
    LocationKind,
    MoveKind,
    Reservation,
    StockCount,
    StockLevel,
    StockMove,
    Transfer,
    Warehouse,
    WarehouseCost,
)
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

QUANTITY = DecimalField(max_digits=14, decimal_places=3)
QUANTITY_STEP = Decimal("0.001")


def can_see_costs(actor: Membership | None) -> bool:
    """Unit costs and stock values: boss and finance only, never warehouse, reps or outsiders."""
    return can(actor, Perm.VIEW_COSTS)


def warehouses(*, include_archived: bool = False) -> QuerySet[Warehouse]:
    rows = Warehouse.objects.order_by("code")
    return rows if include_archived else rows.filter(archived_at__isnull=True)


def warehouse_choices() -> list[tuple[str, str]]:
    return [(str(w.pk), w.name) for w in warehouses()]


def locations(
    *, warehouse: Warehouse | None = None, include_archived: bool = False
) -> QuerySet[Location]:
    rows = Location.objects.select_related("warehouse", "customer").order_by(
        "warehouse__code", "code"
    )
    if warehouse is not None:
        rows = rows.filter(warehouse=warehouse)
    return rows if include_archived else rows.filter(archived_at__isnull=True)


def location_choices(*, stock_only: bool = False) -> list[tuple[str, str]]:
    """(id, "warehouse / location") for live locations; `stock_only` leaves transit out."""
    rows = locations()
    if stock_only:
        rows = rows.exclude(kind=LocationKind.TRANSIT)
    return [(str(loc.pk), f"{loc.warehouse.name} / {loc.name}") for loc in rows]


def stock_levels() -> QuerySet[StockLevel]:
    """Every product × location row that has ever held or reserved stock."""
    return StockLevel.objects.select_related(
        "product", "product__brand", "location", "warehouse"
    ).exclude(on_hand=0, reserved=0)


def with_average_cost(levels: QuerySet[StockLevel]) -> QuerySet[StockLevel]:
    """Add the warehouse's average cost of the product (for roles that may see costs)."""
    from django.db.models import OuterRef, Subquery

    cost = WarehouseCost.objects.filter(
        product_id=OuterRef("product_id"), warehouse_id=OuterRef("warehouse_id")
    ).values("average_cost")[:1]
    return levels.annotate(
        average_cost=Subquery(cost, output_field=DecimalField(max_digits=18, decimal_places=4))
    )


def moves() -> QuerySet[StockMove]:
    return StockMove.objects.select_related(
        "product", "from_location__warehouse", "to_location__warehouse", "actor__user"
    )


def stock_card(*, product_id: int, warehouse_id: int | None = None) -> QuerySet[StockMove]:
    """A product's moves, oldest first, with the running on hand (in one warehouse, or all)."""
    if warehouse_id is None:
        inside_to = Q(to_location__isnull=False)
        inside_from = Q(from_location__isnull=False)
    else:
        inside_to = Q(to_location__warehouse_id=warehouse_id)
        inside_from = Q(from_location__warehouse_id=warehouse_id)
    signed = Case(
        When(inside_to & ~inside_from, then=F("quantity")),
        When(inside_from & ~inside_to, then=-F("quantity")),
        default=Value(Decimal("0")),
        output_field=QUANTITY,
    )
    rows = moves().filter(product_id=product_id)
    if warehouse_id is not None:
        rows = rows.filter(inside_to | inside_from)
    return rows.annotate(
        change=signed,
        balance=Window(Sum(signed), order_by=[F("moved_at").asc(), F("id").asc()]),
    ).order_by("moved_at", "id")


def on_hand_from_moves(*, product_id: int | None = None) -> dict[tuple[int, int], Decimal]:
    """On hand per (product, location) rebuilt from the ledger alone: two GROUP BY queries."""
    base = StockMove.objects.all()
    if product_id is not None:
        base = base.filter(product_id=product_id)
    totals: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO_QUANTITY)
    incoming = (
        base.filter(to_location__isnull=False)
        .values_list("product_id", "to_location_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for product, location, total in incoming:
        totals[(product, location)] += total.quantize(QUANTITY_STEP)  # SQLite sums in floats
    outgoing = (
        base.filter(from_location__isnull=False)
        .values_list("product_id", "from_location_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for product, location, total in outgoing:
        totals[(product, location)] -= total.quantize(QUANTITY_STEP)
    return dict(totals)


@dataclass(frozen=True)
class LevelMismatch:
    product_id: int
    location_id: int
    level: Decimal
    ledger: Decimal


def level_mismatches() -> list[LevelMismatch]:
    """Stock rows whose on hand differs from the sum of their moves (the nightly check)."""
    ledger = on_hand_from_moves()
    levels = {
        (product, location): on_hand
        for product, location, on_hand in StockLevel.objects.values_list(
            "product_id", "location_id", "on_hand"
        )
    }
    keys = set(ledger) | set(levels)
    return [
        LevelMismatch(
            p, loc, levels.get((p, loc), ZERO_QUANTITY), ledger.get((p, loc), ZERO_QUANTITY)
        )
        for p, loc in sorted(keys)
        if levels.get((p, loc), ZERO_QUANTITY) != ledger.get((p, loc), ZERO_QUANTITY)
    ]


def reservations(*, open_only: bool = True) -> QuerySet[Reservation]:
    rows = Reservation.objects.select_related("product", "location__warehouse").order_by("-id")
    return rows.filter(released_at__isnull=True) if open_only else rows


def transfers() -> QuerySet[Transfer]:
    return Transfer.objects.select_related(
        "from_location__warehouse", "to_location__warehouse", "created_by__user"
    )


def counts() -> QuerySet[StockCount]:
    return StockCount.objects.select_related("location__warehouse", "created_by__user")


def turnover(
    *, start: datetime, end: datetime, warehouse_id: int | None = None
) -> QuerySet[StockMove]:
    """Days of inventory per product over [start, end), in one GROUP BY query.

    average stock = (on hand at start + on hand at end) / 2; days = average stock × days in
    the period ÷ units shipped out. In base units: a unit's cost cancels out of the ratio, and
    roles that may not see costs can still see which products sit.
    """
    if warehouse_id is None:
        inside_to, inside_from = Q(to_location__isnull=False), Q(from_location__isnull=False)
    else:
        inside_to = Q(to_location__warehouse_id=warehouse_id)
        inside_from = Q(from_location__warehouse_id=warehouse_id)
    signed = Case(
        When(inside_to & ~inside_from, then=F("quantity")),
        When(inside_from & ~inside_to, then=-F("quantity")),
        default=Value(Decimal("0")),
        output_field=QUANTITY,
    )
    zero = Value(Decimal("0"), output_field=QUANTITY)
    period_days = Value(Decimal(max((end - start).days, 1)), output_field=QUANTITY)
    shipped = Q(kind=MoveKind.SHIPMENT, moved_at__gte=start, moved_at__lt=end) & inside_from
    rows = StockMove.objects.filter(moved_at__lt=end)
    if warehouse_id is not None:
        rows = rows.filter(inside_to | inside_from)
    return (
        rows.values("product_id", "product__code", "product__name", "product__base_unit")
        .annotate(
            opening=Coalesce(Sum(signed, filter=Q(moved_at__lt=start)), zero),
            closing=Coalesce(Sum(signed), zero),
            shipped=Coalesce(Sum("quantity", filter=shipped), zero),
        )
        .annotate(
            average=ExpressionWrapper(
                (F("opening") + F("closing")) / Value(Decimal("2")), output_field=QUANTITY
            ),
            days=ExpressionWrapper(
                (F("opening") + F("closing")) * period_days / (NullIf(F("shipped"), zero) * 2),
                output_field=QUANTITY,
            ),
        )
        .filter(Q(closing__gt=0) | Q(shipped__gt=0))
        .order_by(F("days").desc(nulls_first=True), "product__code")
    )
