"""API endpoints for returns (退货), damage claims (破损) and consignment (代销).

Reading needs VIEW_ORDERS (a sales rep: his own customers); recording a return or a claim
needs SELL or MOVE_STOCK; approving passes the return's current review step and needs that
step's permission (退货审核 REVIEW_ORDERS or MANAGE_CREDIT, 财务审核 MANAGE_CREDIT, 入库审核
MOVE_STOCK); marking it on its way SELL or MOVE_STOCK; receiving MOVE_STOCK; credit notes and
settlements POST_FINANCE. A retailer's token reads its own consignment stock and reports its
own sell-through; nothing here shows costs.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from qudao.core.api import Error, PageNumber
from qudao.core.money import ZERO
from qudao.finance.models import BANK, CASH, OTHER_MONETARY_FUNDS
from qudao.finance.services.claims import Recovery
from qudao.inventory.models import Location
from qudao.parties.models import Party
from qudao.parties.selectors import visible_customers
from qudao.sales import selectors
from qudao.sales.models import DeliveryNote
from qudao.sales.models_returns import DamageClaim, ReportSource, SalesReturn
from qudao.sales.selectors_consignment import consignment_stock
from qudao.sales.selectors_returns import visible_claims, visible_returns
from qudao.sales.services import consignment, damages, returns
from qudao.sales.services.takebacks import issue_pending_credit
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import Perm

router = Router(tags=["sales: returns, damage, consignment"])

QUANTITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}
READ: dict[int, Any] = {403: Error, 404: Error}
ACT: dict[int, Any] = {403: Error, 404: Error, 409: Error, 422: Error}


def _actor(request: HttpRequest, perm: Perm | None = None) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    if perm is not None:
        require_perm(actor, perm)
    return actor


class ReturnLineOut(Schema):
    delivery_line_id: int
    product_id: int
    quantity: Decimal
    disposition: str
    location_id: int
    amount: Decimal
    tax: Decimal
    serials: list[str]

    @staticmethod
    def resolve_serials(obj: Any) -> list[str]:
        return obj.serial_list


class ReturnOut(Schema):
    id: int
    number: str
    status: str
    delivery_id: int
    customer_id: int
    reason: str
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    credit_note_id: int | None
    credit_pending: bool
    created_at: datetime
    carrier: str
    shipped_at: datetime | None
    received_at: datetime | None
    lines: list[ReturnLineOut]

    @staticmethod
    def resolve_lines(obj: SalesReturn) -> list[Any]:
        return list(obj.lines.all())


class ReturnLineIn(Schema):
    delivery_line_id: int
    quantity: Decimal = Field(..., gt=0, **QUANTITY)
    disposition: str = Field("restock", description="restock or scrap")
    location_id: int
    serials: list[str] = Field(default_factory=list, max_length=1000)


class ReturnIn(Schema):
    reason: str = Field(..., max_length=300)
    lines: list[ReturnLineIn] = Field(..., max_length=500)


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


class ShipIn(Schema):
    carrier: str = Field("", max_length=100, description="who brings the goods back")


RETURN_READ = {200: ReturnOut, 403: Error, 404: Error}
RETURN_ACT = {200: ReturnOut, 403: Error, 404: Error, 409: Error, 422: Error}


def _delivery(request: HttpRequest, delivery_id: int) -> DeliveryNote:
    return get_object_or_404(selectors.visible_deliveries(request.auth), pk=delivery_id)  # type: ignore[attr-defined]


def _return(request: HttpRequest, return_id: int) -> SalesReturn:
    return get_object_or_404(visible_returns(request.auth), pk=return_id)  # type: ignore[attr-defined]


@router.get("/sales-returns", response={200: list[ReturnOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_returns(request: HttpRequest, status: str | None = None) -> object:
    rows = visible_returns(_actor(request, Perm.VIEW_ORDERS)).prefetch_related("lines")
    return (rows.filter(status=status) if status else rows).order_by("-pk")


@router.get("/sales-returns/{return_id}", response=RETURN_READ)
def get_return(request: HttpRequest, return_id: int) -> SalesReturn:
    _actor(request, Perm.VIEW_ORDERS)
    return _return(request, return_id)


@router.post(
    "/deliveries/{delivery_id}/returns",
    response={201: ReturnOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def create_return(request: HttpRequest, delivery_id: int, payload: ReturnIn) -> Status[SalesReturn]:
    actor = _actor(request, Perm.VIEW_ORDERS)
    sales_return = returns.create_return(
        org=actor.org,
        actor=actor,
        delivery=_delivery(request, delivery_id),
        reason=payload.reason,
        lines=[returns.ReturnLineInput(**line.dict()) for line in payload.lines],
    )
    return Status(201, _return(request, sales_return.pk))


def _act_on_return(request: HttpRequest, return_id: int, act: Any, **kwargs: Any) -> SalesReturn:
    actor = _actor(request, Perm.VIEW_ORDERS)
    act(org=actor.org, actor=actor, sales_return=_return(request, return_id), **kwargs)
    return _return(request, return_id)


@router.post("/sales-returns/{return_id}/approve", response=RETURN_ACT)
def approve_return(request: HttpRequest, return_id: int) -> SalesReturn:
    return _act_on_return(request, return_id, returns.approve_return)


@router.post("/sales-returns/{return_id}/reject", response=RETURN_ACT)
def reject_return(request: HttpRequest, return_id: int, payload: ReasonIn) -> SalesReturn:
    return _act_on_return(request, return_id, returns.reject_return, reason=payload.reason)


@router.post("/sales-returns/{return_id}/ship", response=RETURN_ACT)
def ship_return(request: HttpRequest, return_id: int, payload: ShipIn) -> SalesReturn:
    """发货确认: the goods are on their way back (when that step is on)."""
    return _act_on_return(request, return_id, returns.ship_return, carrier=payload.carrier)


@router.post("/sales-returns/{return_id}/receive", response=RETURN_ACT)
def receive_return(request: HttpRequest, return_id: int) -> SalesReturn:
    return _act_on_return(request, return_id, returns.receive_return)


@router.post("/sales-returns/{return_id}/credit", response=RETURN_ACT)
def credit_return(request: HttpRequest, return_id: int) -> SalesReturn:
    actor = _actor(request, Perm.POST_FINANCE)
    issue_pending_credit(org=actor.org, actor=actor, document=_return(request, return_id))
    return _return(request, return_id)


class DamageLineOut(Schema):
    delivery_line_id: int
    product_id: int
    quantity: Decimal
    amount: Decimal
    tax: Decimal


class ClaimOut(Schema):
    id: int
    number: str
    status: str
    bearer: str
    delivery_id: int
    customer_id: int
    description: str
    carrier: str
    carrier_party_id: int | None
    supplier_id: int | None
    claim_amount: Decimal
    settled_amount: Decimal
    total: Decimal
    credit_note_id: int | None
    credit_pending: bool
    journal_entry_id: int | None = Field(
        description="What the carrier or the manufacturer owes us (1221 other receivables)."
    )
    settlement_entry_id: int | None
    settlement_note: str
    created_at: datetime
    settled_at: datetime | None
    lines: list[DamageLineOut]

    @staticmethod
    def resolve_lines(obj: DamageClaim) -> list[Any]:
        return list(obj.lines.all())


class ClaimLineIn(Schema):
    delivery_line_id: int
    quantity: Decimal = Field(..., gt=0, **QUANTITY)


class ClaimIn(Schema):
    bearer: str = Field(..., description="us, carrier, manufacturer or customer")
    description: str = Field(..., max_length=300)
    lines: list[ClaimLineIn] = Field(..., max_length=500)
    claim_amount: Decimal = Field(ZERO, ge=0, **MONEY)
    carrier: str = Field("", max_length=100)
    carrier_party_id: int | None = Field(None, description="The carrier, set up as a supplier.")
    supplier_id: int | None = None


class SettleIn(Schema):
    amount: Decimal | None = Field(
        None, ge=0, description="Empty: all that was claimed; the rest is written off.", **MONEY
    )
    received_into: str = Field(
        BANK,
        description=f"{BANK} bank, {CASH} cash, {OTHER_MONETARY_FUNDS} other monetary funds.",
    )
    settled_on: date | None = Field(None, description="Empty: today.")
    note: str = Field("", max_length=300)


def _claim(request: HttpRequest, claim_id: int) -> DamageClaim:
    return get_object_or_404(visible_claims(request.auth), pk=claim_id)  # type: ignore[attr-defined]


@router.get("/damage-claims", response={200: list[ClaimOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_claims(request: HttpRequest, status: str | None = None) -> object:
    rows = visible_claims(_actor(request, Perm.VIEW_ORDERS)).prefetch_related("lines")
    return (rows.filter(status=status) if status else rows).order_by("-pk")


@router.get("/damage-claims/{claim_id}", response={200: ClaimOut, 403: Error, 404: Error})
def get_claim(request: HttpRequest, claim_id: int) -> DamageClaim:
    _actor(request, Perm.VIEW_ORDERS)
    return _claim(request, claim_id)


@router.post(
    "/deliveries/{delivery_id}/damage-claims",
    response={201: ClaimOut, 403: Error, 404: Error, 409: Error, 422: Error},
)
def create_claim(request: HttpRequest, delivery_id: int, payload: ClaimIn) -> Status[DamageClaim]:
    actor = _actor(request, Perm.VIEW_ORDERS)
    quantities: dict[int, Decimal] = {}
    for line in payload.lines:
        quantities[line.delivery_line_id] = (
            quantities.get(line.delivery_line_id, ZERO) + line.quantity
        )
    claim = damages.record_damage(
        org=actor.org,
        actor=actor,
        delivery=_delivery(request, delivery_id),
        data=damages.ClaimData(
            bearer=payload.bearer,
            description=payload.description,
            quantities=quantities,
            claim_amount=payload.claim_amount,
            carrier=payload.carrier,
            supplier_id=payload.supplier_id,
            carrier_party_id=payload.carrier_party_id,
        ),
    )
    return Status(201, _claim(request, claim.pk))


CLAIM_ACT = {200: ClaimOut, 403: Error, 404: Error, 409: Error, 422: Error}


@router.post("/damage-claims/{claim_id}/settle", response=CLAIM_ACT)
def settle_claim(request: HttpRequest, claim_id: int, payload: SettleIn) -> DamageClaim:
    actor = _actor(request, Perm.POST_FINANCE)
    damages.settle_claim(
        org=actor.org,
        actor=actor,
        claim=_claim(request, claim_id),
        recovery=Recovery(
            amount=payload.amount, received_into=payload.received_into, date=payload.settled_on
        ),
        note=payload.note,
    )
    return _claim(request, claim_id)


@router.post("/damage-claims/{claim_id}/credit", response=CLAIM_ACT)
def credit_claim(request: HttpRequest, claim_id: int) -> DamageClaim:
    actor = _actor(request, Perm.POST_FINANCE)
    issue_pending_credit(org=actor.org, actor=actor, document=_claim(request, claim_id))
    return _claim(request, claim_id)


class StockRowOut(Schema):
    product_id: int
    product_code: str
    product_name: str
    shipped_in: Decimal
    reported: Decimal
    settled: Decimal
    recalled: Decimal
    on_hand: Decimal
    awaiting_settlement: Decimal
    unreported: Decimal

    @staticmethod
    def resolve_product_id(obj: Any) -> int:
        return int(obj.product.pk)

    @staticmethod
    def resolve_product_code(obj: Any) -> str:
        return str(obj.product.code)

    @staticmethod
    def resolve_product_name(obj: Any) -> str:
        return str(obj.product.name)


class SoldLineIn(Schema):
    product_id: int
    quantity: Decimal = Field(..., gt=0, **QUANTITY)


class SellThroughIn(Schema):
    period_start: date
    period_end: date
    lines: list[SoldLineIn] = Field(..., max_length=2000)
    note: str = Field("", max_length=300)


class ReportOut(Schema):
    id: int
    customer_id: int
    period_start: date
    period_end: date
    source: str
    settlement_id: int | None
    created_at: datetime


class SettlementOut(Schema):
    id: int
    number: str
    customer_id: int
    invoice_id: int
    total: Decimal


class RecallLineIn(Schema):
    product_id: int
    quantity: Decimal = Field(..., gt=0, **QUANTITY)


class RecallIn(Schema):
    location_id: int
    lines: list[RecallLineIn] = Field(..., max_length=2000)
    reason: str = Field("", max_length=300)


class RecallOut(Schema):
    id: int
    number: str
    customer_id: int
    location_id: int


def _consignment_customer(actor: Membership, customer_id: int) -> Party:
    """Staff: a customer they may see; a retailer: itself only."""
    if can(actor, Perm.USE_PORTAL):
        if actor.party_id != customer_id:
            raise Http404
        return get_object_or_404(Party, pk=customer_id)
    require_perm(actor, Perm.VIEW_ORDERS)
    return get_object_or_404(visible_customers(actor), pk=customer_id)


def _sum(lines: list[Any]) -> dict[int, Decimal]:
    quantities: dict[int, Decimal] = {}
    for line in lines:
        quantities[line.product_id] = quantities.get(line.product_id, ZERO) + line.quantity
    return quantities


@router.get("/consignment/{customer_id}/stock", response={200: list[StockRowOut], **READ})
def get_consignment_stock(request: HttpRequest, customer_id: int) -> list[Any]:
    return consignment_stock(_consignment_customer(_actor(request), customer_id))


@router.post("/consignment/{customer_id}/sell-through", response={201: ReportOut, **ACT})
def post_sell_through(
    request: HttpRequest, customer_id: int, payload: SellThroughIn
) -> Status[Any]:
    actor = _actor(request)
    report = consignment.report_sell_through(
        org=actor.org,
        actor=actor,
        customer=_consignment_customer(actor, customer_id),
        data=consignment.ReportData(
            period_start=payload.period_start,
            period_end=payload.period_end,
            quantities=_sum(payload.lines),
            source=ReportSource.PORTAL if can(actor, Perm.USE_PORTAL) else ReportSource.API,
            note=payload.note,
        ),
    )
    return Status(201, report)


@router.post("/consignment/{customer_id}/settle", response={201: SettlementOut, **ACT})
def post_settlement(request: HttpRequest, customer_id: int) -> Status[Any]:
    actor = _actor(request, Perm.POST_FINANCE)
    settlement = consignment.settle_consignment(
        org=actor.org, actor=actor, customer=_consignment_customer(actor, customer_id)
    )
    return Status(201, settlement)


@router.post("/consignment/{customer_id}/recall", response={201: RecallOut, **ACT})
def post_recall(request: HttpRequest, customer_id: int, payload: RecallIn) -> Status[Any]:
    actor = _actor(request, Perm.MOVE_STOCK)
    recall = consignment.recall_consignment(
        org=actor.org,
        actor=actor,
        customer=_consignment_customer(actor, customer_id),
        location=get_object_or_404(Location, pk=payload.location_id),
        quantities=_sum(payload.lines),
        reason=payload.reason,
    )
    return Status(201, recall)
