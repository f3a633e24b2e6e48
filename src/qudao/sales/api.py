"""API endpoints for sales orders (create, submit, approve, cancel) and delivery notes.

Reading needs VIEW_ORDERS (a sales rep: his own customers); entering orders needs SELL; each
review step needs its own permission; deliveries need MOVE_STOCK, invoicing POST_FINANCE.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from qudao.core.api import Error, PageNumber
from qudao.sales import selectors, services
from qudao.sales.models import DeliveryNote, OrderStatus, SalesOrder
from qudao.sales.services.rebates import (
    cancel_rest_of_order,
    fit_order_rebate,
    set_order_rebate,
)
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm

router = Router(tags=["sales"])

QUANTITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
PRICE: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}


def _actor(request: HttpRequest, perm: Perm) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, perm)
    return actor


class LineOut(Schema):
    id: int
    position: int
    product_id: int
    product_code: str
    product_name: str
    unit: str
    unit_quantity: Decimal
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    amount: Decimal
    tax: Decimal
    price_rule: str
    shipped_quantity: Decimal
    cancelled_quantity: Decimal
    open_quantity: Decimal


class OrderOut(Schema):
    id: int
    number: str
    status: str
    source: str
    customer_id: int
    customer_name: str
    warehouse_id: int
    payment_mode: str
    requested_on: date | None
    ship_to: str
    note: str
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    rebate_amount: Decimal = Field(description="The part the customer pays from its rebate")
    created_at: datetime
    confirmed_at: datetime | None
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: SalesOrder) -> list[Any]:
        return sorted(obj.lines.all(), key=lambda line: (line.position, line.pk))


class LineIn(Schema):
    product_id: int
    quantity: Decimal = Field(..., ge=0, **QUANTITY)
    unit: str = Field("", max_length=10, description="Empty: the base unit; or e.g. 箱")
    unit_price: Decimal | None = Field(
        None, ge=0, **PRICE, description="Empty: the customer's price list (hand prices: finance)"
    )


class OrderIn(Schema):
    customer_id: int
    warehouse_id: int
    requested_on: date | None = None
    ship_to: str = Field("", max_length=300)
    note: str = Field("", max_length=2000)
    lines: list[LineIn] = Field(default_factory=list, max_length=500)
    submit: bool = Field(True, description="Submit at once: confirm, or enter the review steps")


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


class ApproveIn(ReasonIn):
    override: bool = Field(False, description="confirm although the credit rule refuses")


class RebateIn(Schema):
    amount: Decimal = Field(..., ge=0, max_digits=18, decimal_places=2)


class DeliveryLineOut(Schema):
    order_line_id: int
    product_id: int
    quantity: Decimal
    amount: Decimal
    tax: Decimal
    serials: list[str]

    @staticmethod
    def resolve_serials(obj: Any) -> list[str]:
        return obj.serial_list


class DeliveryOut(Schema):
    id: int
    number: str
    status: str
    order_id: int
    customer_id: int
    total: Decimal
    invoice_id: int | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    signed_by: str
    lines: list[DeliveryLineOut]

    @staticmethod
    def resolve_lines(obj: DeliveryNote) -> list[Any]:
        return list(obj.lines.all())


class DeliveryIn(Schema):
    quantities: dict[int, Decimal] | None = Field(
        None, description="Order line id → quantity in base units; empty: everything open"
    )
    carrier: str = Field("", max_length=100)


class ShipIn(Schema):
    serials: dict[int, list[str]] = Field(
        default_factory=dict, description="Order line id → serial numbers, one per unit"
    )


class ReceiptIn(Schema):
    signed_by: str = Field(..., max_length=100)
    note: str = Field("", max_length=300)


def _order(request: HttpRequest, order_id: int) -> SalesOrder:
    orders = selectors.visible_orders(request.auth).prefetch_related("lines")  # type: ignore[attr-defined]
    return get_object_or_404(orders, pk=order_id)


def _delivery(request: HttpRequest, delivery_id: int) -> DeliveryNote:
    rows = selectors.visible_deliveries(request.auth).prefetch_related("lines")  # type: ignore[attr-defined]
    return get_object_or_404(rows, pk=delivery_id)


@router.get("/sales-orders", response={200: list[OrderOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_orders(
    request: HttpRequest,
    q: str = "",
    customer_id: int | None = None,
    status: OrderStatus | None = None,
) -> object:
    actor = _actor(request, Perm.VIEW_ORDERS)
    rows = selectors.visible_orders(actor).prefetch_related("lines")
    if q:
        rows = rows.filter(Q(number__icontains=q[:100]) | Q(customer_name__icontains=q[:100]))
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-pk")


@router.get("/sales-orders/{order_id}", response={200: OrderOut, 403: Error, 404: Error})
def get_order(request: HttpRequest, order_id: int) -> SalesOrder:
    _actor(request, Perm.VIEW_ORDERS)
    return _order(request, order_id)


@router.post(
    "/sales-orders",
    response={201: OrderOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Place an order: header and lines, submitted at once unless submit is false",
)
def create_order(request: HttpRequest, payload: OrderIn) -> Status[SalesOrder]:
    actor = _actor(request, Perm.SELL)
    order = services.place_order(
        org=actor.org,
        actor=actor,
        data=services.OrderData(
            customer_id=payload.customer_id,
            warehouse_id=payload.warehouse_id,
            requested_on=payload.requested_on,
            ship_to=payload.ship_to,
            note=payload.note,
            source="api",
        ),
        lines=[services.LineInput(**line.model_dump()) for line in payload.lines],
        submit=payload.submit,
    )
    return Status(201, _order(request, order.pk))


@router.put(
    "/sales-orders/{order_id}/lines",
    response={200: OrderOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Replace a draft's lines",
)
def set_lines(request: HttpRequest, order_id: int, payload: list[LineIn]) -> SalesOrder:
    actor = _actor(request, Perm.SELL)
    services.set_order_lines(
        org=actor.org,
        actor=actor,
        order=_order(request, order_id),
        lines=[services.LineInput(**line.model_dump()) for line in payload],
        replace=True,
    )
    fit_order_rebate(org=actor.org, order=_order(request, order_id))  # within the new total
    return _order(request, order_id)


def _act(request: HttpRequest, order_id: int, perm: Perm, act: Any, **kwargs: Any) -> SalesOrder:
    actor = _actor(request, perm)
    act(org=actor.org, actor=actor, order=_order(request, order_id), **kwargs)
    return _order(request, order_id)


ACT = {200: OrderOut, 403: Error, 404: Error, 409: Error, 422: Error}


@router.put(
    "/sales-orders/{order_id}/rebate",
    response=ACT,
    summary="Pay part of a draft (or, for finance, an order in review) from the rebate account",
)
def set_rebate(request: HttpRequest, order_id: int, payload: RebateIn) -> SalesOrder:
    actor = _actor(request, Perm.VIEW_ORDERS)
    set_order_rebate(
        org=actor.org, actor=actor, order=_order(request, order_id), amount=payload.amount
    )
    return _order(request, order_id)


@router.post("/sales-orders/{order_id}/submit", response=ACT)
def submit(request: HttpRequest, order_id: int, for_customer: bool = False) -> SalesOrder:
    return _act(request, order_id, Perm.SELL, services.submit_order, for_customer=for_customer)


@router.post(
    "/sales-orders/{order_id}/approve",
    response=ACT,
    summary="Pass the current review step; `override` with a reason confirms an order the"
    " credit rule refuses (finance, boss)",
)
def approve(request: HttpRequest, order_id: int, payload: ApproveIn) -> SalesOrder:
    return _act(
        request,
        order_id,
        Perm.VIEW_ORDERS,
        services.approve_order,
        override=payload.override,
        reason=payload.reason,
    )


@router.post("/sales-orders/{order_id}/reject", response=ACT)
def reject(request: HttpRequest, order_id: int, payload: ReasonIn) -> SalesOrder:
    return _act(request, order_id, Perm.VIEW_ORDERS, services.reject_order, reason=payload.reason)


@router.post("/sales-orders/{order_id}/cancel", response=ACT)
def cancel(request: HttpRequest, order_id: int, payload: ReasonIn) -> SalesOrder:
    return _act(request, order_id, Perm.VIEW_ORDERS, services.cancel_order, reason=payload.reason)


@router.post("/sales-orders/{order_id}/cancel-rest", response=ACT)
def cancel_rest(request: HttpRequest, order_id: int, payload: ReasonIn) -> SalesOrder:
    return _act(request, order_id, Perm.MANAGE_CREDIT, cancel_rest_of_order, reason=payload.reason)


@router.get("/deliveries", response={200: list[DeliveryOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_deliveries(request: HttpRequest, order_id: int | None = None) -> object:
    actor = _actor(request, Perm.VIEW_ORDERS)
    rows = selectors.visible_deliveries(actor).prefetch_related("lines")
    if order_id is not None:
        rows = rows.filter(order_id=order_id)
    return rows.order_by("-pk")


@router.get("/deliveries/{delivery_id}", response={200: DeliveryOut, 403: Error, 404: Error})
def get_delivery(request: HttpRequest, delivery_id: int) -> DeliveryNote:
    _actor(request, Perm.VIEW_ORDERS)
    return _delivery(request, delivery_id)


DELIVERY_ACT = {200: DeliveryOut, 403: Error, 404: Error, 409: Error, 422: Error}


@router.post(
    "/sales-orders/{order_id}/deliveries",
    response={201: DeliveryOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def create_delivery(
    request: HttpRequest, order_id: int, payload: DeliveryIn
) -> Status[DeliveryNote]:
    actor = _actor(request, Perm.MOVE_STOCK)
    delivery = services.create_delivery(
        org=actor.org,
        actor=actor,
        order=_order(request, order_id),
        quantities=payload.quantities,
        carrier=payload.carrier,
    )
    return Status(201, _delivery(request, delivery.pk))


@router.post("/deliveries/{delivery_id}/release", response=DELIVERY_ACT)
def release(request: HttpRequest, delivery_id: int) -> DeliveryNote:
    actor = _actor(request, Perm.MOVE_STOCK)
    services.release_delivery(org=actor.org, actor=actor, delivery=_delivery(request, delivery_id))
    return _delivery(request, delivery_id)


@router.post("/deliveries/{delivery_id}/ship", response=DELIVERY_ACT)
def ship(request: HttpRequest, delivery_id: int, payload: ShipIn) -> DeliveryNote:
    actor = _actor(request, Perm.MOVE_STOCK)
    services.ship_delivery(
        org=actor.org,
        actor=actor,
        delivery=_delivery(request, delivery_id),
        serials=payload.serials,
    )
    return _delivery(request, delivery_id)


@router.post("/deliveries/{delivery_id}/receipt", response=DELIVERY_ACT)
def receipt(request: HttpRequest, delivery_id: int, payload: ReceiptIn) -> DeliveryNote:
    actor = _actor(request, Perm.VIEW_ORDERS)
    services.confirm_receipt(
        org=actor.org,
        actor=actor,
        delivery=_delivery(request, delivery_id),
        signed_by=payload.signed_by,
        note=payload.note,
    )
    return _delivery(request, delivery_id)


@router.post("/deliveries/{delivery_id}/invoice", response=DELIVERY_ACT)
def invoice(request: HttpRequest, delivery_id: int) -> DeliveryNote:
    actor = _actor(request, Perm.POST_FINANCE)
    services.invoice_delivery(org=actor.org, actor=actor, delivery=_delivery(request, delivery_id))
    return _delivery(request, delivery_id)
