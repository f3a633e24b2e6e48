"""API endpoints for purchase orders, their lines and prepayments, goods receipts and serials.

Reading needs VIEW_STOCK; ordering and prepayments need POST_FINANCE; receiving needs
MOVE_STOCK. Prices, amounts and costs are null for roles that may not see costs.
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
from qudao.parties.models import Party, PartyKind
from qudao.purchasing import access, selectors, services
from qudao.purchasing.models import (
    GoodsReceipt,
    OrderStatus,
    PaymentCondition,
    Prepayment,
    PurchaseOrder,
    PurchaseOrderLine,
    ReceivedSerial,
    SupplierTerms,
)
from qudao.purchasing.payables.models import SupplierPaymentMethod
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import require_perm

router = Router(tags=["purchasing"])

QUANTITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
PRICE: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}
MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}
COSTS_ONLY = "Only for roles that see costs."


def _actor(request: HttpRequest, perm: Any) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, perm)
    return actor


def _sees_costs(context: Any) -> bool:
    request = (context or {}).get("request")
    return access.can_see_costs(getattr(request, "auth", None))


def _cost(value: Decimal, context: Any) -> Decimal | None:
    return value if _sees_costs(context) else None


# ---------------------------------------------------------------------------------------------
# Schemas


class OrderLineOut(Schema):
    id: int
    product_id: int
    product_code: str
    product_name: str
    unit: str
    unit_factor: Decimal
    unit_quantity: Decimal
    quantity: Decimal
    received_quantity: Decimal
    damaged_quantity: Decimal
    open_quantity: Decimal
    unit_price: Decimal | None = Field(None, description=COSTS_ONLY)
    amount: Decimal | None = Field(None, description=COSTS_ONLY)
    price_rule: str | None = Field(None, description=COSTS_ONLY)

    @staticmethod
    def resolve_product_code(obj: PurchaseOrderLine) -> str:
        return obj.product_code or obj.product.code

    @staticmethod
    def resolve_product_name(obj: PurchaseOrderLine) -> str:
        return obj.product_name or obj.product.name

    @staticmethod
    def resolve_unit_price(obj: PurchaseOrderLine, context: Any) -> Decimal | None:
        return _cost(obj.unit_price, context)

    @staticmethod
    def resolve_amount(obj: PurchaseOrderLine, context: Any) -> Decimal | None:
        return _cost(obj.amount, context)

    @staticmethod
    def resolve_price_rule(obj: PurchaseOrderLine, context: Any) -> str | None:
        return obj.price_rule if _sees_costs(context) else None


class PrepaymentOut(Schema):
    id: int
    amount: Decimal
    paid_on: date
    reference: str
    payment_id: int | None = Field(description="The posted supplier payment.")
    recorded_at: datetime


class OrderOut(Schema):
    id: int
    number: str
    status: OrderStatus
    supplier_id: int
    supplier_name: str
    payment_condition: PaymentCondition
    term_days: int
    over_delivery_tolerance: Decimal
    expected_on: date | None
    warehouse_id: int | None = Field(description="Deliver to (counts as on order there).")
    note: str
    ready_to_ship_at: datetime | None
    created_at: datetime
    confirmed_at: datetime | None
    closed_at: datetime | None
    total: Decimal | None = Field(None, description=COSTS_ONLY)
    prepayment_requested: Decimal | None = Field(None, description=COSTS_ONLY)
    prepayment_paid: Decimal | None = Field(None, description=COSTS_ONLY)
    prepayment_state: str = Field(
        description="not_required, requested, not_paid, partially_paid or paid"
    )
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_supplier_name(obj: PurchaseOrder) -> str:
        return obj.supplier_name or obj.supplier.name

    @staticmethod
    def resolve_total(obj: PurchaseOrder, context: Any) -> Decimal | None:
        return _cost(obj.total, context)

    @staticmethod
    def resolve_prepayment_requested(obj: PurchaseOrder, context: Any) -> Decimal | None:
        return _cost(obj.prepayment_requested, context)

    @staticmethod
    def resolve_prepayment_paid(obj: PurchaseOrder, context: Any) -> Decimal | None:
        return _cost(obj.prepayment_paid, context)

    @staticmethod
    def resolve_lines(obj: PurchaseOrder) -> list[PurchaseOrderLine]:
        return sorted(obj.lines.all(), key=lambda line: line.pk)


class OrderIn(Schema):
    supplier_id: int
    payment_condition: PaymentCondition | None = None
    term_days: int | None = Field(None, ge=0, le=365)
    expected_on: date | None = None
    warehouse_id: int | None = Field(None, description="Deliver to: one of our warehouses.")
    note: str = Field("", max_length=2000)


class OrderLineIn(Schema):
    product_id: int
    quantity: Decimal = Field(ge=0, **QUANTITY)
    unit: str = Field("", max_length=10, description="Empty: the product's base unit.")
    unit_price: Decimal | None = Field(
        None, ge=0, description="Per base unit; empty: the supplier's purchase price.", **PRICE
    )


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


class PrepaymentRequestIn(Schema):
    amount: Decimal = Field(gt=0, **MONEY)
    due_on: date | None = None


class PrepaymentIn(Schema):
    amount: Decimal | None = Field(
        None,
        gt=0,
        description="Required, except for an endorsed bill: then its face value (if given, "
        "it must equal it).",
        **MONEY,
    )
    paid_on: date
    reference: str = Field("", max_length=100)
    method: SupplierPaymentMethod = SupplierPaymentMethod.BANK_TRANSFER
    bill_number: str = Field("", max_length=40)
    bill_maturity: date | None = None
    bill_id: int | None = Field(
        None,
        description="For method endorsed_bill: the customer's bank acceptance bill (the id of "
        "the finance payment received by bill), endorsed whole to the supplier.",
    )


class TermsIn(Schema):
    payment_condition: PaymentCondition
    term_days: int = Field(0, ge=0, le=365)
    over_delivery_tolerance: Decimal = Field(
        Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2
    )


class TermsOut(Schema):
    supplier_id: int
    payment_condition: PaymentCondition
    term_days: int
    over_delivery_tolerance: Decimal


class SerialIn(Schema):
    serial: str = Field(min_length=1, max_length=80)
    factory_date: date
    is_damaged: bool = False


class ReceiptLineIn(Schema):
    product_id: int
    quantity: Decimal = Field(ge=0, **QUANTITY)
    damaged_quantity: Decimal = Field(Decimal("0"), ge=0, **QUANTITY)
    serials: list[SerialIn] = Field([], max_length=5000)
    unit_cost: Decimal | None = Field(
        None, ge=0, description="Goods not on the order only.", **PRICE
    )


class ReceiptIn(Schema):
    order_id: int | None = Field(None, description="Empty: push stock, then supplier_id.")
    supplier_id: int | None = None
    location_id: int
    damaged_location_id: int | None = None
    received_on: date | None = None
    delivery_reference: str = Field("", max_length=60)
    note: str = Field("", max_length=2000)
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=500)


class ReceiptLineOut(Schema):
    id: int
    product_id: int
    order_line_id: int | None
    quantity: Decimal
    damaged_quantity: Decimal
    expected_quantity: Decimal
    over_quantity: Decimal
    short_quantity: Decimal
    push_quantity: Decimal
    unit_cost: Decimal | None = Field(None, description=COSTS_ONLY)

    @staticmethod
    def resolve_unit_cost(obj: Any, context: Any) -> Decimal | None:
        return _cost(obj.unit_cost, context)


class ReceiptOut(Schema):
    id: int
    number: str
    order_id: int | None
    supplier_id: int
    location_id: int
    damaged_location_id: int | None
    received_on: date
    delivery_reference: str
    note: str
    is_push_stock: bool
    reverses_id: int | None
    posted_at: datetime
    lines: list[ReceiptLineOut]

    @staticmethod
    def resolve_lines(obj: GoodsReceipt) -> list[Any]:
        return sorted(obj.lines.all(), key=lambda line: line.pk)


class SerialOut(Schema):
    id: int
    product_id: int
    serial: str
    factory_date: date
    received_on: date
    receipt_id: int
    is_damaged: bool
    returned_at: datetime | None


class ReverseIn(Schema):
    note: str = Field(min_length=1, max_length=300)


# ---------------------------------------------------------------------------------------------
# Purchase orders


def _order(order_id: int) -> PurchaseOrder:
    return get_object_or_404(selectors.orders().prefetch_related("lines__product"), pk=order_id)


@router.get("/purchase-orders", response={200: list[OrderOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_orders(
    request: HttpRequest,
    q: str = "",
    supplier_id: int | None = None,
    status: OrderStatus | None = None,
) -> object:
    _actor(request, access.READ)
    rows = selectors.orders().prefetch_related("lines__product")
    if q:
        text = q[:100]
        rows = rows.filter(Q(number__icontains=text) | Q(supplier__name__icontains=text))
    if supplier_id is not None:
        rows = rows.filter(supplier_id=supplier_id)
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-pk")


@router.get("/purchase-orders/{order_id}", response={200: OrderOut, 403: Error, 404: Error})
def get_order(request: HttpRequest, order_id: int) -> PurchaseOrder:
    _actor(request, access.READ)
    return _order(order_id)


@router.post("/purchase-orders", response={201: OrderOut, 403: Error, 409: Error, 422: Error})
def create_order(request: HttpRequest, payload: OrderIn) -> Status[PurchaseOrder]:
    actor = _actor(request, access.MANAGE_ORDERS)
    order = services.create_order(
        org=actor.org,
        actor=actor,
        data=services.OrderData(
            supplier_id=payload.supplier_id,
            payment_condition=payload.payment_condition or "",
            term_days=payload.term_days,
            expected_on=payload.expected_on,
            note=payload.note,
            warehouse_id=payload.warehouse_id,
        ),
    )
    return Status(201, _order(order.pk))


@router.put(
    "/purchase-orders/{order_id}",
    response={200: OrderOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def update_order(request: HttpRequest, order_id: int, payload: OrderIn) -> PurchaseOrder:
    actor = _actor(request, access.MANAGE_ORDERS)
    order = get_object_or_404(PurchaseOrder, pk=order_id)
    services.update_order(
        org=actor.org,
        actor=actor,
        order=order,
        data=services.OrderData(
            supplier_id=payload.supplier_id,
            payment_condition=payload.payment_condition or "",
            term_days=payload.term_days,
            expected_on=payload.expected_on,
            note=payload.note,
            warehouse_id=payload.warehouse_id,
        ),
    )
    return _order(order.pk)


@router.post(
    "/purchase-orders/{order_id}/lines",
    response={200: OrderOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Set a draft's line for a product (quantity 0 removes it)",
)
def set_order_line(request: HttpRequest, order_id: int, payload: OrderLineIn) -> PurchaseOrder:
    actor = _actor(request, access.MANAGE_ORDERS)
    order = get_object_or_404(PurchaseOrder, pk=order_id)
    services.set_order_line(org=actor.org, actor=actor, order=order, **payload.model_dump())
    return _order(order.pk)


def _act(request: HttpRequest, order_id: int, act: Any, **kwargs: Any) -> PurchaseOrder:
    actor = _actor(request, access.MANAGE_ORDERS)
    order = get_object_or_404(PurchaseOrder, pk=order_id)
    act(org=actor.org, actor=actor, order=order, **kwargs)
    return _order(order.pk)


ACTION = {200: OrderOut, 403: Error, 404: Error, 409: Error, 422: Error}


@router.post("/purchase-orders/{order_id}/confirm", response=ACTION)
def confirm_order(request: HttpRequest, order_id: int) -> PurchaseOrder:
    return _act(request, order_id, services.confirm_order)


@router.post("/purchase-orders/{order_id}/cancel", response=ACTION)
def cancel_order(
    request: HttpRequest, order_id: int, payload: ReasonIn | None = None
) -> PurchaseOrder:
    return _act(request, order_id, services.cancel_order, reason=payload.reason if payload else "")


@router.post("/purchase-orders/{order_id}/close", response=ACTION)
def close_order(
    request: HttpRequest, order_id: int, payload: ReasonIn | None = None
) -> PurchaseOrder:
    return _act(request, order_id, services.close_order, reason=payload.reason if payload else "")


@router.post("/purchase-orders/{order_id}/ready-to-ship", response=ACTION)
def mark_ready_to_ship(request: HttpRequest, order_id: int) -> PurchaseOrder:
    return _act(request, order_id, services.mark_ready_to_ship)


@router.post("/purchase-orders/{order_id}/prepayment-request", response=ACTION)
def request_prepayment(
    request: HttpRequest, order_id: int, payload: PrepaymentRequestIn
) -> PurchaseOrder:
    return _act(
        request,
        order_id,
        services.request_prepayment,
        amount=payload.amount,
        due_on=payload.due_on,
    )


@router.get(
    "/purchase-orders/{order_id}/prepayments",
    response={200: list[PrepaymentOut], 403: Error, 404: Error},
)
def list_prepayments(request: HttpRequest, order_id: int) -> list[Prepayment]:
    _actor(request, access.SEE_COSTS)
    return list(selectors.prepayments(get_object_or_404(PurchaseOrder, pk=order_id)))


@router.post(
    "/purchase-orders/{order_id}/prepayments",
    response={201: PrepaymentOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def record_prepayment(
    request: HttpRequest, order_id: int, payload: PrepaymentIn
) -> Status[Prepayment]:
    actor = _actor(request, access.MANAGE_ORDERS)
    order = get_object_or_404(PurchaseOrder, pk=order_id)
    prepayment = services.record_prepayment(
        org=actor.org, actor=actor, order=order, **payload.model_dump()
    )
    return Status(201, prepayment)


@router.put(
    "/purchase-terms/{supplier_id}",
    response={200: TermsOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Set a supplier's default payment condition and over-delivery tolerance",
)
def set_terms(request: HttpRequest, supplier_id: int, payload: TermsIn) -> SupplierTerms:
    actor = _actor(request, access.MANAGE_ORDERS)
    supplier = get_object_or_404(Party, pk=supplier_id, kind=PartyKind.SUPPLIER)
    return services.set_supplier_terms(
        org=actor.org, actor=actor, supplier=supplier, **payload.model_dump()
    )


@router.get("/purchase-terms/{supplier_id}", response={200: TermsOut, 403: Error, 404: Error})
def get_terms(request: HttpRequest, supplier_id: int) -> SupplierTerms:
    _actor(request, access.READ)
    return get_object_or_404(SupplierTerms, supplier_id=supplier_id)


# ---------------------------------------------------------------------------------------------
# Goods receipts and serials


def _receipt(receipt_id: int) -> GoodsReceipt:
    return get_object_or_404(selectors.receipts().prefetch_related("lines"), pk=receipt_id)


@router.get("/goods-receipts", response={200: list[ReceiptOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_receipts(
    request: HttpRequest,
    order_id: int | None = None,
    supplier_id: int | None = None,
    push_stock: bool | None = None,
) -> object:
    _actor(request, access.READ)
    rows = selectors.receipts().prefetch_related("lines")
    if order_id is not None:
        rows = rows.filter(order_id=order_id)
    if supplier_id is not None:
        rows = rows.filter(supplier_id=supplier_id)
    if push_stock is not None:
        rows = rows.filter(is_push_stock=push_stock)
    return rows.order_by("-pk")


@router.get("/goods-receipts/{receipt_id}", response={200: ReceiptOut, 403: Error, 404: Error})
def get_receipt(request: HttpRequest, receipt_id: int) -> GoodsReceipt:
    _actor(request, access.READ)
    return _receipt(receipt_id)


@router.post(
    "/goods-receipts",
    response={201: ReceiptOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Post a goods receipt (MOVE_STOCK): on an order, or without one (push stock)",
)
def post_receipt(request: HttpRequest, payload: ReceiptIn) -> Status[GoodsReceipt]:
    actor = _actor(request, access.RECEIVE_GOODS)
    order = (
        get_object_or_404(PurchaseOrder, pk=payload.order_id)
        if payload.order_id is not None
        else None
    )
    receipt = services.post_receipt(
        org=actor.org,
        actor=actor,
        order=order,
        supplier_id=payload.supplier_id,
        location_id=payload.location_id,
        damaged_location_id=payload.damaged_location_id,
        received_on=payload.received_on,
        delivery_reference=payload.delivery_reference,
        note=payload.note,
        lines=[
            services.ReceiptLineData(
                product_id=line.product_id,
                quantity=line.quantity,
                damaged_quantity=line.damaged_quantity,
                serials=tuple(
                    services.SerialData(
                        serial=s.serial.strip(),
                        factory_date=s.factory_date,
                        is_damaged=s.is_damaged,
                    )
                    for s in line.serials
                ),
                unit_cost=line.unit_cost,
            )
            for line in payload.lines
        ],
    )
    return Status(201, _receipt(receipt.pk))


@router.post(
    "/goods-receipts/{receipt_id}/reverse",
    response={201: ReceiptOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Send a receipt's goods back with a reversing receipt",
)
def reverse_receipt(
    request: HttpRequest, receipt_id: int, payload: ReverseIn
) -> Status[GoodsReceipt]:
    actor = _actor(request, access.RECEIVE_GOODS)
    receipt = get_object_or_404(GoodsReceipt, pk=receipt_id)
    reversal = services.reverse_receipt(
        org=actor.org, actor=actor, receipt=receipt, note=payload.note
    )
    return Status(201, _receipt(reversal.pk))


@router.get("/received-serials", response={200: list[SerialOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_serials(
    request: HttpRequest,
    product_id: int | None = None,
    serial: str = "",
    receipt_id: int | None = None,
) -> object:
    _actor(request, access.READ)
    rows = selectors.serials()
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    if serial:
        rows = rows.filter(serial=serial[:80])
    if receipt_id is not None:
        rows = rows.filter(receipt_id=receipt_id)
    return rows.order_by("-pk")


@router.get("/received-serials/{serial_id}", response={200: SerialOut, 403: Error, 404: Error})
def get_serial(request: HttpRequest, serial_id: int) -> ReceivedSerial:
    _actor(request, access.READ)
    return get_object_or_404(ReceivedSerial, pk=serial_id)
