"""API endpoints for receipt damage claims (进货破损索赔): list and read them, record one from a
goods receipt, settle it, cancel it.

Reading needs VIEW_STOCK (amounts and prices are null for roles that may not see costs);
recording and cancelling need MOVE_STOCK; settling needs POST_FINANCE.
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
from qudao.finance.claims import ClaimStatus
from qudao.finance.models import BANK, CASH, OTHER_MONETARY_FUNDS
from qudao.purchasing import access, claim_selectors, selectors
from qudao.purchasing.claim_models import (
    ClaimBearer,
    ClaimDisposition,
    ReceiptClaim,
    ReceiptClaimLine,
)
from qudao.purchasing.services import claim_settlement
from qudao.purchasing.services import claims as services
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm

router = Router(tags=["purchasing"])

QUANTITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}
COSTS_ONLY = "Only for roles that see costs."


def _actor(request: HttpRequest, perm: Perm) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, perm)
    return actor


def _cost(value: Decimal, context: Any) -> Decimal | None:
    request = (context or {}).get("request")
    return value if access.can_see_costs(getattr(request, "auth", None)) else None


class ClaimLineOut(Schema):
    id: int
    receipt_line_id: int
    product_id: int
    quantity: Decimal
    serials: list[str]
    unit_price: Decimal | None = Field(None, description=COSTS_ONLY)
    amount: Decimal | None = Field(None, description=COSTS_ONLY)

    @staticmethod
    def resolve_serials(obj: ReceiptClaimLine) -> list[str]:
        return obj.serial_list

    @staticmethod
    def resolve_unit_price(obj: ReceiptClaimLine, context: Any) -> Decimal | None:
        return _cost(obj.unit_price, context)

    @staticmethod
    def resolve_amount(obj: ReceiptClaimLine, context: Any) -> Decimal | None:
        return _cost(obj.amount, context)


class ReceiptClaimOut(Schema):
    id: int
    number: str
    status: ClaimStatus
    receipt_id: int
    supplier_id: int
    bearer: ClaimBearer
    disposition: ClaimDisposition
    description: str
    carrier: str
    carrier_party_id: int | None
    claim_amount: Decimal | None = Field(None, description="Before tax. " + COSTS_ONLY)
    settled_amount: Decimal | None = Field(None, description=COSTS_ONLY)
    cost_value: Decimal | None = Field(
        None, description="The damaged goods moved out, at cost. " + COSTS_ONLY
    )
    credit_note_id: int | None = Field(description="The supplier credit note (the supplier).")
    journal_entry_id: int | None = Field(description="What the carrier owes (the carrier).")
    settlement_entry_id: int | None
    settlement_note: str
    created_at: datetime
    settled_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    lines: list[ClaimLineOut]

    @staticmethod
    def resolve_claim_amount(obj: ReceiptClaim, context: Any) -> Decimal | None:
        return _cost(obj.claim_amount, context)

    @staticmethod
    def resolve_settled_amount(obj: ReceiptClaim, context: Any) -> Decimal | None:
        return _cost(obj.settled_amount, context)

    @staticmethod
    def resolve_cost_value(obj: ReceiptClaim, context: Any) -> Decimal | None:
        return _cost(obj.cost_value, context)

    @staticmethod
    def resolve_lines(obj: ReceiptClaim) -> list[Any]:
        return sorted(obj.lines.all(), key=lambda line: line.pk)


class ClaimLineIn(Schema):
    receipt_line_id: int
    quantity: Decimal = Field(gt=0, **QUANTITY)
    amount: Decimal | None = Field(
        None, ge=0, description="Before tax; empty: quantity × the purchase price.", **MONEY
    )


class ReceiptClaimIn(Schema):
    bearer: ClaimBearer
    disposition: ClaimDisposition
    description: str = Field(min_length=1, max_length=300)
    carrier: str = Field("", max_length=100)
    carrier_party_id: int | None = Field(None, description="The carrier, set up as a supplier.")
    lines: list[ClaimLineIn] = Field(min_length=1, max_length=500)


class SettlementIn(Schema):
    amount: Decimal | None = Field(
        None, ge=0, description="Empty: all that was claimed (before tax).", **MONEY
    )
    received_into: str = Field(
        BANK,
        description=f"The carrier: {BANK} bank, {CASH} cash, {OTHER_MONETARY_FUNDS} other funds.",
    )
    invoice_id: int | None = Field(
        None, description="The supplier: the invoice to deduct from (empty: the best fit)."
    )
    tax_rate: Decimal | None = Field(
        None, ge=0, le=Decimal("0.5"), decimal_places=4, description="The supplier's credit VAT."
    )
    settled_on: date | None = Field(None, description="Empty: today.")
    note: str = Field("", max_length=300)


class CancelIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


def _claim(claim_id: int) -> ReceiptClaim:
    return get_object_or_404(claim_selectors.claims().prefetch_related("lines"), pk=claim_id)


@router.get("/receipt-claims", response={200: list[ReceiptClaimOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_claims(
    request: HttpRequest,
    q: str = "",
    status: ClaimStatus | None = None,
    bearer: ClaimBearer | None = None,
    receipt_id: int | None = None,
    supplier_id: int | None = None,
) -> object:
    _actor(request, access.READ)
    rows = claim_selectors.claims().prefetch_related("lines")
    if q:
        text = q[:100]
        rows = rows.filter(Q(number__icontains=text) | Q(carrier__icontains=text))
    if status is not None:
        rows = rows.filter(status=status)
    if bearer is not None:
        rows = rows.filter(bearer=bearer)
    if receipt_id is not None:
        rows = rows.filter(receipt_id=receipt_id)
    if supplier_id is not None:
        rows = rows.filter(supplier_id=supplier_id)
    return rows.order_by("-pk")


@router.get("/receipt-claims/{claim_id}", response={200: ReceiptClaimOut, 403: Error, 404: Error})
def get_claim(request: HttpRequest, claim_id: int) -> ReceiptClaim:
    _actor(request, access.READ)
    return _claim(claim_id)


@router.post(
    "/goods-receipts/{receipt_id}/claims",
    response={201: ReceiptClaimOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Record a damage claim on a receipt's damaged goods (MOVE_STOCK)",
)
def create_claim(
    request: HttpRequest, receipt_id: int, payload: ReceiptClaimIn
) -> Status[ReceiptClaim]:
    actor = _actor(request, access.RECEIVE_GOODS)
    receipt = get_object_or_404(selectors.receipts(), pk=receipt_id)
    claim = services.record_receipt_claim(
        org=actor.org,
        actor=actor,
        receipt=receipt,
        data=services.ReceiptClaimData(
            bearer=payload.bearer,
            disposition=payload.disposition,
            description=payload.description,
            carrier=payload.carrier,
            carrier_party_id=payload.carrier_party_id,
            lines=[
                services.ClaimLineData(
                    receipt_line_id=line.receipt_line_id, quantity=line.quantity, amount=line.amount
                )
                for line in payload.lines
            ],
        ),
    )
    return Status(201, _claim(claim.pk))


@router.post(
    "/receipt-claims/{claim_id}/settle",
    response={200: ReceiptClaimOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Settle a claim (POST_FINANCE): the supplier's by a credit note, the carrier's paid",
)
def settle_claim(request: HttpRequest, claim_id: int, payload: SettlementIn) -> ReceiptClaim:
    actor = _actor(request, access.MANAGE_ORDERS)
    claim = claim_settlement.settle_receipt_claim(
        org=actor.org,
        actor=actor,
        claim=_claim(claim_id),
        data=claim_settlement.SettlementData(
            amount=payload.amount,
            received_into=payload.received_into,
            invoice_id=payload.invoice_id,
            tax_rate=payload.tax_rate,
            date=payload.settled_on,
            note=payload.note,
        ),
    )
    return _claim(claim.pk)


@router.post(
    "/receipt-claims/{claim_id}/cancel",
    response={200: ReceiptClaimOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Cancel a claim recorded in error (MOVE_STOCK): its moves and entry are reversed",
)
def cancel_claim(request: HttpRequest, claim_id: int, payload: CancelIn) -> ReceiptClaim:
    actor = _actor(request, access.RECEIVE_GOODS)
    claim = services.cancel_receipt_claim(
        org=actor.org, actor=actor, claim=_claim(claim_id), reason=payload.reason
    )
    return _claim(claim.pk)
