"""API endpoints for warehouses, locations, stock levels, moves, reservations, transfers, counts.

Reading needs VIEW_STOCK, changing needs MOVE_STOCK; unit costs are null for roles that may
not see costs. Quantities travel as decimal strings in the product's base unit.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from qudao.core.api import Error, PageNumber
from qudao.inventory import selectors, services
from qudao.inventory.models import (
    CountStatus,
    Location,
    LocationKind,
    MoveKind,
    Reservation,
    StockCount,
    StockMove,
    Transfer,
    TransferStatus,
    Warehouse,
)
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm

router = Router(tags=["inventory"])

QUANTITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
COST: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}


def _reader(request: HttpRequest) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.VIEW_STOCK)
    return actor


def _mover(request: HttpRequest) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.MOVE_STOCK)
    return actor


def _sees_costs(context: Any) -> bool:
    request = (context or {}).get("request")
    return selectors.can_see_costs(getattr(request, "auth", None))


# ---------------------------------------------------------------------------------------------
# Schemas


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    address: str
    archived_at: datetime | None


class WarehouseIn(Schema):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    address: str = Field("", max_length=300)


class LocationOut(Schema):
    id: int
    warehouse_id: int
    code: str
    name: str
    kind: LocationKind
    customer_id: int | None
    archived_at: datetime | None


class LocationIn(Schema):
    warehouse_id: int
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    kind: LocationKind = LocationKind.INTERNAL
    customer_id: int | None = None


class StockLevelOut(Schema):
    product_id: int
    product_code: str = Field(alias="product.code")
    location_id: int
    warehouse_id: int
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    average_cost: Decimal | None = Field(None, description="Only for roles that see costs.")

    @staticmethod
    def resolve_average_cost(obj: Any, context: Any) -> Decimal | None:
        cost = getattr(obj, "average_cost", None)
        return services.quantize_cost(cost) if cost is not None and _sees_costs(context) else None


class MoveOut(Schema):
    id: int
    product_id: int
    quantity: Decimal
    from_location_id: int | None
    to_location_id: int | None
    kind: MoveKind
    reason: str
    reference_type: str
    reference_id: int | None
    lot: str
    serial: str
    reverses_id: int | None
    moved_at: datetime
    actor_id: int | None
    unit_cost: Decimal | None = Field(None, description="Only for roles that see costs.")

    @staticmethod
    def resolve_unit_cost(obj: StockMove, context: Any) -> Decimal | None:
        return obj.unit_cost if _sees_costs(context) else None


class MoveLineIn(Schema):
    product_id: int
    quantity: Decimal = Field(gt=0, **QUANTITY)
    from_location_id: int | None = None
    to_location_id: int | None = None
    unit_cost: Decimal | None = Field(None, ge=0, **COST)
    lot: str = Field("", max_length=60)
    serial: str = Field("", max_length=80)


class AdjustmentIn(Schema):
    kind: MoveKind = MoveKind.ADJUSTMENT
    note: str = Field(min_length=1, max_length=300)
    lines: list[MoveLineIn] = Field(min_length=1, max_length=500)


class ReverseIn(Schema):
    note: str = Field("", max_length=300)


class ReservationOut(Schema):
    id: int
    product_id: int
    location_id: int
    quantity: Decimal
    reference: str
    created_at: datetime
    released_at: datetime | None


class ReservationIn(Schema):
    product_id: int
    quantity: Decimal = Field(gt=0, **QUANTITY)
    reference: str = Field(min_length=1, max_length=80)
    location_id: int | None = None
    warehouse_id: int | None = None


class ReleaseIn(Schema):
    reference: str = Field(min_length=1, max_length=80)
    product_id: int | None = None


class ReleasedOut(Schema):
    reference: str
    released: Decimal


class LineOut(Schema):
    product_id: int
    quantity: Decimal


class TransferOut(Schema):
    id: int
    number: str
    status: TransferStatus
    from_location_id: int
    to_location_id: int
    transit_location_id: int | None
    note: str
    created_at: datetime
    shipped_at: datetime | None
    received_at: datetime | None
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Transfer) -> list[dict[str, object]]:
        return [
            {"product_id": line.product_id, "quantity": line.quantity}
            for line in sorted(obj.lines.all(), key=lambda line: line.product_id)
        ]


class LineIn(Schema):
    product_id: int
    quantity: Decimal = Field(ge=0, **QUANTITY)


class TransferIn(Schema):
    from_location_id: int
    to_location_id: int
    note: str = Field("", max_length=2000)
    lines: list[LineIn] = Field([], max_length=500)


class CountLineOut(Schema):
    product_id: int
    counted: Decimal
    expected: Decimal | None


class CountOut(Schema):
    id: int
    number: str
    status: CountStatus
    location_id: int
    reason: str
    created_at: datetime
    posted_at: datetime | None
    lines: list[CountLineOut]

    @staticmethod
    def resolve_lines(obj: StockCount) -> list[dict[str, object]]:
        return [
            {"product_id": line.product_id, "counted": line.counted, "expected": line.expected}
            for line in sorted(obj.lines.all(), key=lambda line: line.product_id)
        ]


class CountIn(Schema):
    location_id: int
    reason: str = Field("", max_length=300)


class CountLineIn(Schema):
    product_id: int
    counted: Decimal = Field(ge=0, **QUANTITY)


class PostCountIn(Schema):
    reason: str = Field("", max_length=300)


# ---------------------------------------------------------------------------------------------
# Warehouses and locations


@router.get("/warehouses", response={200: list[WarehouseOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_warehouses(request: HttpRequest, include_archived: bool = False) -> object:
    _reader(request)
    return selectors.warehouses(include_archived=include_archived).order_by("code", "pk")


@router.get("/warehouses/{warehouse_id}", response={200: WarehouseOut, 403: Error, 404: Error})
def get_warehouse(request: HttpRequest, warehouse_id: int) -> Warehouse:
    _reader(request)
    return get_object_or_404(Warehouse, pk=warehouse_id)


@router.post("/warehouses", response={201: WarehouseOut, 403: Error, 409: Error, 422: Error})
def create_warehouse(request: HttpRequest, payload: WarehouseIn) -> Status[Warehouse]:
    actor = _mover(request)
    warehouse = services.create_warehouse(org=actor.org, actor=actor, **payload.model_dump())
    return Status(201, warehouse)


@router.get("/locations", response={200: list[LocationOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_locations(
    request: HttpRequest,
    warehouse_id: int | None = None,
    kind: LocationKind | None = None,
    include_archived: bool = False,
) -> object:
    _reader(request)
    rows = selectors.locations(include_archived=include_archived)
    if warehouse_id is not None:
        rows = rows.filter(warehouse_id=warehouse_id)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return rows.order_by("warehouse_id", "code", "pk")


@router.get("/locations/{location_id}", response={200: LocationOut, 403: Error, 404: Error})
def get_location(request: HttpRequest, location_id: int) -> Location:
    _reader(request)
    return get_object_or_404(Location, pk=location_id)


@router.post(
    "/locations", response={201: LocationOut, 403: Error, 404: Error, 409: Error, 422: Error}
)
def create_location(request: HttpRequest, payload: LocationIn) -> Status[Location]:
    actor = _mover(request)
    warehouse = get_object_or_404(Warehouse, pk=payload.warehouse_id)
    location = services.create_location(
        org=actor.org,
        actor=actor,
        warehouse=warehouse,
        data=services.LocationData(
            code=payload.code, name=payload.name, kind=payload.kind, customer_id=payload.customer_id
        ),
    )
    return Status(201, location)


# ---------------------------------------------------------------------------------------------
# Stock levels and moves


@router.get("/stock-levels", response={200: list[StockLevelOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_stock_levels(
    request: HttpRequest,
    q: str = "",
    warehouse_id: int | None = None,
    location_id: int | None = None,
    product_id: int | None = None,
    brand_id: int | None = None,
    below_zero_available: bool = False,
) -> object:
    actor = _reader(request)
    rows = selectors.stock_levels()
    if selectors.can_see_costs(actor):
        rows = selectors.with_average_cost(rows)
    if q:
        text = q[:100]
        rows = rows.filter(
            Q(product__code__icontains=text)
            | Q(product__name__icontains=text)
            | Q(product__pinyin__icontains=text)
            | Q(product__barcode__icontains=text)
        )
    for field, value in (
        ("warehouse_id", warehouse_id),
        ("location_id", location_id),
        ("product_id", product_id),
        ("product__brand_id", brand_id),
    ):
        if value is not None:
            rows = rows.filter(**{field: value})
    if below_zero_available:
        rows = rows.filter(available__lt=0)
    return rows.order_by("product__code", "location_id", "pk")


@router.get("/stock-moves", response={200: list[MoveOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_moves(
    request: HttpRequest,
    product_id: int | None = None,
    location_id: int | None = None,
    warehouse_id: int | None = None,
    kind: MoveKind | None = None,
    reference_type: str = "",
    reference_id: int | None = None,
) -> object:
    _reader(request)
    rows = StockMove.objects.all()
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    if location_id is not None:
        rows = rows.filter(Q(from_location_id=location_id) | Q(to_location_id=location_id))
    if warehouse_id is not None:
        rows = rows.filter(
            Q(from_location__warehouse_id=warehouse_id) | Q(to_location__warehouse_id=warehouse_id)
        )
    if kind is not None:
        rows = rows.filter(kind=kind)
    if reference_type:
        rows = rows.filter(reference_type=reference_type[:40])
    if reference_id is not None:
        rows = rows.filter(reference_id=reference_id)
    return rows.order_by("-moved_at", "-pk")


@router.get("/stock-moves/{move_id}", response={200: MoveOut, 403: Error, 404: Error})
def get_move(request: HttpRequest, move_id: int) -> StockMove:
    _reader(request)
    return get_object_or_404(StockMove, pk=move_id)


@router.post(
    "/stock-moves",
    response={201: list[MoveOut], 403: Error, 409: Error, 422: Error},
    summary="Post an adjustment, scrap or internal move (MOVE_STOCK); all lines or none",
)
def post_adjustment(request: HttpRequest, payload: AdjustmentIn) -> Status[list[StockMove]]:
    actor = _mover(request)
    moves = services.adjust_stock(
        org=actor.org,
        actor=actor,
        moves=[services.MoveLine(**line.model_dump()) for line in payload.lines],
        reason=payload.kind,
        note=payload.note,
    )
    return Status(201, moves)


@router.post(
    "/stock-moves/{move_id}/reverse",
    response={201: MoveOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Cancel a move with a move the other way",
)
def reverse_move(
    request: HttpRequest, move_id: int, payload: ReverseIn | None = None
) -> Status[StockMove]:
    actor = _mover(request)
    move = get_object_or_404(StockMove, pk=move_id)
    reversal = services.reverse_move(
        org=actor.org, actor=actor, move=move, note=payload.note if payload else ""
    )
    return Status(201, reversal)


# ---------------------------------------------------------------------------------------------
# Reservations


@router.get("/reservations", response={200: list[ReservationOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_reservations(
    request: HttpRequest, reference: str = "", product_id: int | None = None, open_only: bool = True
) -> object:
    _reader(request)
    rows = selectors.reservations(open_only=open_only)
    if reference:
        rows = rows.filter(reference=reference[:80])
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    return rows.order_by("-pk")


@router.post(
    "/reservations",
    response={201: list[ReservationOut], 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Reserve stock at a location or in a warehouse (never more than available)",
)
def reserve(request: HttpRequest, payload: ReservationIn) -> Status[list[Reservation]]:
    actor = _mover(request)
    reservations = services.reserve_stock(org=actor.org, actor=actor, **payload.model_dump())
    return Status(201, reservations)


@router.post(
    "/reservations/release",
    response={200: ReleasedOut, 403: Error, 422: Error},
    summary="Release what is still reserved for a reference",
)
def release(request: HttpRequest, payload: ReleaseIn) -> dict[str, object]:
    actor = _mover(request)
    released = services.release_reservation(
        org=actor.org, actor=actor, reference=payload.reference, product_id=payload.product_id
    )
    return {"reference": payload.reference, "released": released}


# ---------------------------------------------------------------------------------------------
# Transfers


@router.get("/transfers", response={200: list[TransferOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_transfers(request: HttpRequest, status: TransferStatus | None = None) -> object:
    _reader(request)
    rows = Transfer.objects.prefetch_related("lines")
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-pk")


@router.get("/transfers/{transfer_id}", response={200: TransferOut, 403: Error, 404: Error})
def get_transfer(request: HttpRequest, transfer_id: int) -> Transfer:
    _reader(request)
    return get_object_or_404(Transfer, pk=transfer_id)


@router.post(
    "/transfers", response={201: TransferOut, 403: Error, 404: Error, 409: Error, 422: Error}
)
def create_transfer(request: HttpRequest, payload: TransferIn) -> Status[Transfer]:
    actor = _mover(request)
    transfer = services.create_transfer(
        org=actor.org,
        actor=actor,
        from_location_id=payload.from_location_id,
        to_location_id=payload.to_location_id,
        note=payload.note,
        lines=[services.QuantityLine(**line.model_dump()) for line in payload.lines],
    )
    return Status(201, transfer)


@router.post(
    "/transfers/{transfer_id}/lines",
    response={200: TransferOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Set a product's quantity on a draft transfer (0 removes it)",
)
def set_transfer_line(request: HttpRequest, transfer_id: int, payload: LineIn) -> Transfer:
    actor = _mover(request)
    transfer = get_object_or_404(Transfer, pk=transfer_id)
    return services.set_transfer_line(
        org=actor.org,
        actor=actor,
        transfer=transfer,
        line=services.QuantityLine(**payload.model_dump()),
    )


def _register_transfer_action(name: str, act: Any, summary: str) -> None:
    @router.post(
        f"/transfers/{{transfer_id}}/{name}",
        response={200: TransferOut, 403: Error, 404: Error, 409: Error},
        summary=summary,
        operation_id=f"{name}_transfer",
    )
    def action(request: HttpRequest, transfer_id: int) -> Transfer:
        actor = _mover(request)
        transfer = get_object_or_404(Transfer, pk=transfer_id)
        return act(org=actor.org, actor=actor, transfer=transfer)  # type: ignore[no-any-return]


_register_transfer_action("ship", services.ship_transfer, "Ship: goods go into transit")
_register_transfer_action("receive", services.receive_transfer, "Receive at the destination")
_register_transfer_action("cancel", services.cancel_transfer, "Cancel a draft transfer")


# ---------------------------------------------------------------------------------------------
# Stock counts


@router.get("/stock-counts", response={200: list[CountOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_counts(request: HttpRequest, status: CountStatus | None = None) -> object:
    _reader(request)
    rows = StockCount.objects.prefetch_related("lines")
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-pk")


@router.get("/stock-counts/{count_id}", response={200: CountOut, 403: Error, 404: Error})
def get_count(request: HttpRequest, count_id: int) -> StockCount:
    _reader(request)
    return get_object_or_404(StockCount, pk=count_id)


@router.post(
    "/stock-counts", response={201: CountOut, 403: Error, 404: Error, 409: Error, 422: Error}
)
def create_count(request: HttpRequest, payload: CountIn) -> Status[StockCount]:
    actor = _mover(request)
    count = services.create_count(
        org=actor.org, actor=actor, location_id=payload.location_id, reason=payload.reason
    )
    return Status(201, count)


@router.post(
    "/stock-counts/{count_id}/lines",
    response={200: CountOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Record a counted quantity on a draft count",
)
def set_count_line(request: HttpRequest, count_id: int, payload: CountLineIn) -> StockCount:
    actor = _mover(request)
    count = get_object_or_404(StockCount, pk=count_id)
    services.set_count_line(
        org=actor.org,
        actor=actor,
        count=count,
        product_id=payload.product_id,
        counted=payload.counted,
    )
    return count


@router.post(
    "/stock-counts/{count_id}/post",
    response={200: CountOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Post the differences as count moves (once)",
)
def post_count(
    request: HttpRequest, count_id: int, payload: PostCountIn | None = None
) -> StockCount:
    actor = _mover(request)
    count = get_object_or_404(StockCount, pk=count_id)
    return services.post_count(
        org=actor.org, actor=actor, count=count, reason=payload.reason if payload else ""
    )


@router.post(
    "/stock-counts/{count_id}/cancel",
    response={200: CountOut, 403: Error, 404: Error, 409: Error},
    summary="Cancel a draft count",
)
def cancel_count(request: HttpRequest, count_id: int) -> StockCount:
    actor = _mover(request)
    count = get_object_or_404(StockCount, pk=count_id)
    return services.cancel_count(org=actor.org, actor=actor, count=count)
