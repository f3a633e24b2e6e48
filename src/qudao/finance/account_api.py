"""API endpoints of the customers' prepayment and rebate accounts. Staff read the accounts of
the customers they see and (POST_FINANCE) decide top-ups, record top-ups, refunds and rebate
grants; a retailer's token reads its own account and sends top-ups with their voucher.
Mounted by `finance.api`; money travels as decimal strings."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import PlainSerializer

from qudao.core.api import Error, PageNumber
from qudao.finance import balances, services
from qudao.finance.account_views import serve_voucher
from qudao.finance.models import (
    CustomerRefund,
    PrepaymentTopUp,
    RebateEntry,
    RebateEntryKind,
    RebateSource,
    TopUpSource,
    TopUpStatus,
)
from qudao.parties.models import Party, PartyKind
from qudao.parties.selectors import visible_customers
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import Perm

account_router = Router(tags=["customer accounts"])

Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]


class BalancesOut(Schema):
    customer_id: int
    prepayment: Money = Field(description="Money received and not matched to invoices yet")
    pending_top_ups: Money = Field(description="Top-ups waiting for finance (not money yet)")
    rebate: Money
    rebate_reserved: Money = Field(description="Rebate open orders will use")
    rebate_available: Money


class TopUpOut(Schema):
    id: int
    number: str
    customer_id: int
    amount: Money
    date: date
    method: str
    reference: str
    note: str
    status: TopUpStatus
    source: TopUpSource
    has_voucher: bool
    submitted_at: datetime
    decided_at: datetime | None
    rejection_reason: str
    payment_id: int | None

    @staticmethod
    def resolve_has_voucher(top_up: PrepaymentTopUp) -> bool:
        return bool(top_up.voucher)


class ApproveIn(Schema):
    allocate: bool = Field(False, description="Settle open invoices with it, oldest first")


class RejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class RefundIn(Schema):
    customer_id: int
    amount: Decimal = Field(..., gt=0, max_digits=18, decimal_places=2)
    date: date
    method: str = Field(..., description="bank_transfer, wechat, alipay or cash")
    reason: str = Field(..., min_length=1, max_length=300)
    reference: str = Field("", max_length=100)
    idempotency_key: str = Field("", max_length=100)


class RefundOut(Schema):
    id: int
    number: str
    customer_id: int
    amount: Money
    date: date
    method: str
    reference: str
    reason: str
    journal_entry_id: int | None


class RebateGrantIn(Schema):
    customer_id: int
    amount: Decimal = Field(..., gt=0, max_digits=18, decimal_places=2)
    date: date
    source: RebateSource
    reason: str = Field(..., min_length=1, max_length=300)
    reference: str = Field("", max_length=100)


class RebateEntryOut(Schema):
    id: int
    number: str
    customer_id: int
    kind: RebateEntryKind
    date: date
    amount: Money
    source: str
    reference: str
    reason: str
    invoice_id: int | None
    order_reference: str
    journal_entry_id: int | None


def _viewer(request: HttpRequest) -> Membership:
    """Staff who see finance, or a retailer user (narrowed to its own account)."""
    actor: Membership = request.auth  # type: ignore[attr-defined]
    if not can(actor, Perm.USE_RETAILER_PORTAL):
        require_perm(actor, Perm.VIEW_FINANCE)
    return actor


def _customers(actor: Membership) -> object:
    if can(actor, Perm.VIEW_FINANCE):
        return visible_customers(actor)
    return Party.objects.filter(pk=actor.party_id, kind=PartyKind.CUSTOMER)


def _customer(actor: Membership, customer_id: int) -> Party:
    return get_object_or_404(_customers(actor), pk=customer_id)  # type: ignore[arg-type]


def _top_ups(actor: Membership) -> object:
    return PrepaymentTopUp.objects.filter(customer__in=_customers(actor))


def _top_up(actor: Membership, top_up_id: int) -> PrepaymentTopUp:
    return get_object_or_404(_top_ups(actor), pk=top_up_id)  # type: ignore[arg-type]


@account_router.get(
    "/accounts/{customer_id}/balances",
    response={200: BalancesOut, 403: Error, 404: Error},
    summary="A customer's prepayment and rebate balances (a retailer: its own)",
)
def get_balances(request: HttpRequest, customer_id: int) -> dict[str, object]:
    customer = _customer(_viewer(request), customer_id)
    found = balances.balances_of(customer)
    return {
        "customer_id": customer.pk,
        "prepayment": found.prepayment,
        "pending_top_ups": found.pending_top_ups,
        "rebate": found.rebate,
        "rebate_reserved": found.rebate_reserved,
        "rebate_available": found.rebate_available,
    }


@account_router.get(
    "/accounts/{customer_id}/rebate-entries",
    response={200: list[RebateEntryOut], 403: Error, 404: Error, 422: Error},
    summary="The rebate account's movements, newest first",
)
@paginate(PageNumber)
def list_rebate_entries(request: HttpRequest, customer_id: int) -> object:
    customer = _customer(_viewer(request), customer_id)
    return RebateEntry.objects.filter(customer=customer).order_by("-date", "-pk")


@account_router.get(
    "/top-ups",
    response={200: list[TopUpOut], 403: Error, 422: Error},
    summary="Top-ups (a retailer: its own), oldest first; filter by status",
)
@paginate(PageNumber)
def list_top_ups(
    request: HttpRequest, status: TopUpStatus | None = None, customer_id: int | None = None
) -> object:
    rows = _top_ups(_viewer(request))
    if status:
        rows = rows.filter(status=status)  # type: ignore[attr-defined]
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)  # type: ignore[attr-defined]
    return rows.order_by("submitted_at", "pk")  # type: ignore[attr-defined]


@account_router.get(
    "/top-ups/{top_up_id}", response={200: TopUpOut, 403: Error, 404: Error}, summary="A top-up"
)
def get_top_up(request: HttpRequest, top_up_id: int) -> PrepaymentTopUp:
    return _top_up(_viewer(request), top_up_id)


@account_router.get(
    "/top-ups/{top_up_id}/voucher",
    response={403: Error, 404: Error},
    summary="The voucher file of a top-up",
)
def get_voucher(request: HttpRequest, top_up_id: int) -> FileResponse:
    return serve_voucher(_top_up(_viewer(request), top_up_id))


@account_router.post(
    "/top-ups",
    response={200: TopUpOut, 201: TopUpOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary=(
        "A retailer sends a top-up with its voucher (multipart; waits for finance); staff "
        "record one for a customer (posted at once, voucher optional). A repeated "
        "Idempotency-Key answers 200 with the first top-up"
    ),
)
def create_top_up(
    request: HttpRequest,
    amount: Form[Decimal],
    date: Form[date],
    method: Form[str],
    customer_id: Form[int | None] = None,
    reference: Form[str] = "",
    note: Form[str] = "",
    allocate: Form[bool] = False,
    voucher: File[UploadedFile | None] = None,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")] = "",
) -> Status[PrepaymentTopUp]:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    if can(actor, Perm.USE_RETAILER_PORTAL):
        data = services.TopUpData(
            customer_id=actor.party_id or 0,
            amount=amount,
            date=date,
            method=method,
            reference=reference[:100],
            note=note[:300],
            idempotency_key=idempotency_key[:100],
        )
        top_up, created = services.request_top_up(
            org=actor.org, actor=actor, data=data, voucher=voucher, source=TopUpSource.API
        )
        return Status(201 if created else 200, top_up)
    require_perm(actor, Perm.POST_FINANCE)
    if customer_id is None:
        message = _("Name the customer whose account is topped up.")
        return Status(
            422,
            {"code": "customer_required", "message": message, "fields": {"customer_id": message}},
        )
    customer = _customer(actor, customer_id)
    top_up, created = services.record_top_up(
        org=actor.org,
        actor=actor,
        data=services.TopUpData(
            customer_id=customer.pk,
            amount=amount,
            date=date,
            method=method,
            reference=reference[:100],
            note=note[:300],
            idempotency_key=idempotency_key[:100],
        ),
        voucher=voucher,
        allocate=allocate,
    )
    return Status(201 if created else 200, top_up)


@account_router.post(
    "/top-ups/{top_up_id}/approve",
    response={200: TopUpOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="The money arrived: record the payment, crediting the prepayment balance",
)
def approve_top_up(request: HttpRequest, top_up_id: int, payload: ApproveIn) -> PrepaymentTopUp:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.POST_FINANCE)
    return services.approve_top_up(
        org=actor.org, actor=actor, top_up=_top_up(actor, top_up_id), allocate=payload.allocate
    )


@account_router.post(
    "/top-ups/{top_up_id}/reject",
    response={200: TopUpOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Reject a top-up with the reason the retailer will read",
)
def reject_top_up(request: HttpRequest, top_up_id: int, payload: RejectIn) -> PrepaymentTopUp:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.POST_FINANCE)
    return services.reject_top_up(
        org=actor.org, actor=actor, top_up=_top_up(actor, top_up_id), reason=payload.reason
    )


@account_router.post(
    "/top-ups/{top_up_id}/withdraw",
    response={200: TopUpOut, 403: Error, 404: Error, 409: Error},
    summary="The retailer takes back a top-up finance has not decided yet",
)
def withdraw_top_up(request: HttpRequest, top_up_id: int) -> PrepaymentTopUp:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.USE_RETAILER_PORTAL)
    return services.withdraw_top_up(org=actor.org, actor=actor, top_up=_top_up(actor, top_up_id))


@account_router.post(
    "/refunds",
    response={200: RefundOut, 201: RefundOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Pay money back to a customer out of its prepayment balance (posted at once)",
)
def create_refund(
    request: HttpRequest,
    payload: RefundIn,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")] = "",
) -> Status[CustomerRefund]:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.POST_FINANCE)
    customer = _customer(actor, payload.customer_id)
    refund, created = services.refund_prepayment(
        org=actor.org,
        actor=actor,
        data=services.RefundData(
            customer_id=customer.pk,
            amount=payload.amount,
            date=payload.date,
            method=payload.method,
            reason=payload.reason,
            reference=payload.reference,
            idempotency_key=(idempotency_key or payload.idempotency_key)[:100],
        ),
    )
    return Status(201 if created else 200, refund)


@account_router.post(
    "/rebate-grants",
    response={201: RebateEntryOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Credit a customer's rebate account (e.g. a manufacturer program, a year-end rebate)",
)
def grant_rebate(request: HttpRequest, payload: RebateGrantIn) -> Status[RebateEntry]:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, Perm.POST_FINANCE)
    customer = _customer(actor, payload.customer_id)
    grant = services.grant_rebate(
        org=actor.org,
        actor=actor,
        data=services.RebateGrantData(
            customer_id=customer.pk,
            amount=payload.amount,
            date=payload.date,
            source=payload.source,
            reason=payload.reason,
            reference=payload.reference,
        ),
    )
    return Status(201, grant)
