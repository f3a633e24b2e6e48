"""API endpoints for supplier invoices, supplier credit notes, supplier payments and their
allocation, and the payables aging. Amounts are costs: reading needs VIEW_COSTS, posting
POST_FINANCE; money travels as decimal strings."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import PlainSerializer

from qudao.core.api import Error, PageNumber
from qudao.core.errors import BusinessRuleViolation
from qudao.purchasing import access, services
from qudao.purchasing.models import GoodsReceipt
from qudao.purchasing.payables import selectors
from qudao.purchasing.payables.models import (
    SupplierAllocation,
    SupplierInvoice,
    SupplierInvoiceKind,
    SupplierInvoiceStatus,
    SupplierPayment,
    SupplierPaymentMethod,
)
from qudao.purchasing.services import supplier_payments
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm

router = Router(tags=["payables"])

Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]
Plain = Annotated[Decimal, PlainSerializer(lambda v: str(v), return_type=str)]


def _actor(request: HttpRequest, perm: Perm) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, perm)
    return actor


class InvoiceLineOut(Schema):
    id: int
    position: int
    description: str
    product_id: int | None
    receipt_line_id: int | None
    quantity: Plain
    unit_price: Plain
    tax_rate: Plain
    amount: Money
    tax: Money


class SupplierInvoiceOut(Schema):
    id: int
    kind: SupplierInvoiceKind
    number: str
    status: SupplierInvoiceStatus
    supplier_id: int
    credited_invoice_id: int | None
    supplier_reference: str
    fapiao_number: str
    fapiao_date: date | None
    date: date
    due_date: date | None
    term_days: int
    memo: str
    subtotal: Money
    tax_total: Money
    total: Money
    amount_paid: Money
    amount_credited: Money
    open_amount: Money
    journal_entry_id: int | None
    posted_at: datetime | None


class SupplierInvoiceDetailOut(SupplierInvoiceOut):
    lines: list[InvoiceLineOut]
    match_warnings: list[str] = Field(
        description="The three-way match (invoice vs receipt vs order) in plain words."
    )

    @staticmethod
    def resolve_lines(invoice: SupplierInvoice) -> list[object]:
        return list(invoice.lines.order_by("position", "pk"))

    @staticmethod
    def resolve_match_warnings(invoice: SupplierInvoice) -> list[str]:
        return selectors.match_warnings(invoice)


class InvoiceLineIn(Schema):
    description: str = Field("", max_length=200)
    receipt_line_id: int | None = None
    product_id: int | None = None
    quantity: Decimal = Field(gt=0, max_digits=14, decimal_places=3)
    unit_price: Decimal = Field(ge=0, max_digits=18, decimal_places=4)
    tax_rate: Decimal = Field(Decimal("0.13"), ge=0, le=Decimal("0.5"), decimal_places=4)

    def data(self) -> services.InvoiceLineData:
        return services.InvoiceLineData(
            quantity=self.quantity,
            unit_price=self.unit_price,
            description=self.description,
            tax_rate=self.tax_rate,
            receipt_line_id=self.receipt_line_id,
            product_id=self.product_id,
        )


class SupplierInvoiceIn(Schema):
    supplier_id: int
    date: date
    supplier_reference: str = Field("", max_length=60)
    fapiao_number: str = Field("", max_length=40)
    fapiao_date: date | None = None
    memo: str = Field("", max_length=300)
    receipt_ids: list[int] = Field(
        [],
        max_length=200,
        description="Bill these receipts: received quantities at the order's price.",
    )
    tax_rate: Decimal = Field(
        Decimal("0.13"),
        ge=0,
        le=Decimal("0.5"),
        decimal_places=4,
        description="The VAT rate of the lines taken from receipts.",
    )
    lines: list[InvoiceLineIn] = Field([], max_length=500, description="Lines as billed.")
    post: bool = False


class CreditNoteIn(Schema):
    reason: str = Field(min_length=1, max_length=300)
    lines: list[InvoiceLineIn] | None = Field(None, description="Empty: credit the whole invoice.")


class AllocationOut(Schema):
    id: int
    payment_id: int
    invoice_id: int
    amount: Money
    created_at: datetime


class SupplierPaymentOut(Schema):
    id: int
    number: str
    supplier_id: int
    order_id: int | None
    date: date
    amount: Money
    amount_allocated: Money
    unallocated: Money
    method: SupplierPaymentMethod
    reference: str
    bill_number: str
    bill_maturity: date | None
    bill_paid_on: date | None
    endorsed_bill_id: int | None = Field(
        description="The customer's bill (a finance payment) endorsed to the supplier."
    )
    memo: str
    journal_entry_id: int | None
    posted_at: datetime


class AllocationIn(Schema):
    invoice_id: int
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=2)


class SupplierPaymentIn(Schema):
    supplier_id: int
    date: date
    amount: Decimal | None = Field(
        None,
        max_digits=18,
        decimal_places=2,
        description="Required, except for an endorsed bill: then its face value (if given, "
        "it must be that).",
    )
    method: SupplierPaymentMethod
    bill_id: int | None = Field(
        None,
        description="For method endorsed_bill: the customer's bank acceptance bill (the id of "
        "the finance payment received by bill), endorsed whole to the supplier.",
    )
    reference: str = Field("", max_length=100)
    bill_number: str = Field("", max_length=40)
    bill_maturity: date | None = None
    memo: str = Field("", max_length=300)
    idempotency_key: str = Field("", max_length=100)
    allocations: list[AllocationIn] | None = None
    auto_allocate: bool = False


class AllocateIn(Schema):
    allocations: list[AllocationIn] | None = Field(None, description="Empty: oldest first.")


class AgingRowOut(Schema):
    supplier_id: int
    code: str
    name: str
    buckets: list[Money]
    total: Money
    unallocated: Money
    net: Money


class AgingOut(Schema):
    as_of: date
    labels: list[str]
    rows: list[AgingRowOut]
    totals: list[Money]
    total: Money
    unallocated: Money
    net: Money


# ---------------------------------------------------------------------------------------------
# Supplier invoices


def _invoice(invoice_id: int) -> SupplierInvoice:
    return get_object_or_404(selectors.supplier_invoices(), pk=invoice_id)


@router.get("/supplier-invoices", response={200: list[SupplierInvoiceOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_supplier_invoices(
    request: HttpRequest,
    q: str = "",
    supplier_id: int | None = None,
    status: SupplierInvoiceStatus | None = None,
    kind: SupplierInvoiceKind | None = None,
    due_by: date | None = None,
) -> object:
    _actor(request, access.SEE_COSTS)
    rows = selectors.supplier_invoices()
    if q:
        text = q[:100]
        rows = rows.filter(
            Q(number__icontains=text)
            | Q(supplier_reference__icontains=text)
            | Q(fapiao_number__icontains=text)
        )
    if supplier_id is not None:
        rows = rows.filter(supplier_id=supplier_id)
    if status is not None:
        rows = rows.filter(status=status)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if due_by is not None:
        rows = rows.filter(
            pk__in=selectors.open_invoices().filter(due_date__lte=due_by).values("pk")
        )
    return rows.order_by("-date", "-pk")


@router.get(
    "/supplier-invoices/{invoice_id}",
    response={200: SupplierInvoiceDetailOut, 403: Error, 404: Error},
)
def get_supplier_invoice(request: HttpRequest, invoice_id: int) -> SupplierInvoice:
    _actor(request, access.SEE_COSTS)
    return _invoice(invoice_id)


@router.post(
    "/supplier-invoices",
    response={201: SupplierInvoiceDetailOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Enter a supplier invoice from goods receipts and/or lines as billed (and post it)",
)
def create_supplier_invoice(
    request: HttpRequest, payload: SupplierInvoiceIn
) -> Status[SupplierInvoice]:
    actor = _actor(request, access.MANAGE_ORDERS)
    receipts = list(
        GoodsReceipt.objects.filter(pk__in=payload.receipt_ids, supplier_id=payload.supplier_id)
    )
    if len(receipts) != len(set(payload.receipt_ids)):
        raise BusinessRuleViolation(
            _("Choose goods receipts of this supplier."), code="receipt_not_found"
        )
    invoice = services.create_supplier_invoice(
        org=actor.org,
        actor=actor,
        data=services.InvoiceData(
            supplier_id=payload.supplier_id,
            date=payload.date,
            supplier_reference=payload.supplier_reference,
            fapiao_number=payload.fapiao_number,
            fapiao_date=payload.fapiao_date,
            memo=payload.memo,
        ),
        lines=[
            *services.lines_from_receipts(receipts, tax_rate=payload.tax_rate),
            *(line.data() for line in payload.lines),
        ],
    )
    if payload.post:
        invoice = services.post_supplier_invoice(org=actor.org, actor=actor, invoice=invoice)
    return Status(201, _invoice(invoice.pk))


@router.post(
    "/supplier-invoices/{invoice_id}/post",
    response={200: SupplierInvoiceDetailOut, 403: Error, 404: Error, 409: Error},
)
def post_supplier_invoice(request: HttpRequest, invoice_id: int) -> SupplierInvoice:
    actor = _actor(request, access.MANAGE_ORDERS)
    invoice = services.post_supplier_invoice(
        org=actor.org, actor=actor, invoice=_invoice(invoice_id)
    )
    return _invoice(invoice.pk)


@router.post(
    "/supplier-invoices/{invoice_id}/credit-notes",
    response={201: SupplierInvoiceDetailOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Post the supplier's credit note for all or part of what is open on an invoice",
)
def credit_supplier_invoice(
    request: HttpRequest, invoice_id: int, payload: CreditNoteIn
) -> Status[SupplierInvoice]:
    actor = _actor(request, access.MANAGE_ORDERS)
    note = services.credit_supplier_invoice(
        org=actor.org,
        actor=actor,
        invoice=_invoice(invoice_id),
        reason=payload.reason,
        lines=[line.data() for line in payload.lines] if payload.lines else None,
    )
    return Status(201, _invoice(note.pk))


# ---------------------------------------------------------------------------------------------
# Supplier payments


@router.get("/supplier-payments", response={200: list[SupplierPaymentOut], 403: Error, 422: Error})
@paginate(PageNumber)
def list_supplier_payments(
    request: HttpRequest, q: str = "", supplier_id: int | None = None
) -> object:
    _actor(request, access.SEE_COSTS)
    rows = selectors.supplier_payments()
    if q:
        rows = rows.filter(Q(number__icontains=q[:100]) | Q(reference__icontains=q[:100]))
    if supplier_id is not None:
        rows = rows.filter(supplier_id=supplier_id)
    return rows.order_by("-date", "-pk")


@router.get(
    "/supplier-payments/{payment_id}",
    response={200: SupplierPaymentOut, 403: Error, 404: Error},
)
def get_supplier_payment(request: HttpRequest, payment_id: int) -> SupplierPayment:
    _actor(request, access.SEE_COSTS)
    return get_object_or_404(selectors.supplier_payments(), pk=payment_id)


@router.post(
    "/supplier-payments",
    response={
        200: SupplierPaymentOut,
        201: SupplierPaymentOut,
        403: Error,
        404: Error,
        409: Error,
        422: Error,
    },
    summary="Pay a supplier; a repeated Idempotency-Key answers 200 with the first payment",
)
def create_supplier_payment(
    request: HttpRequest,
    payload: SupplierPaymentIn,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")] = "",
) -> Status[SupplierPayment]:
    actor = _actor(request, access.MANAGE_ORDERS)
    key = (idempotency_key or payload.idempotency_key)[:100]
    allocations = (
        [services.SupplierAllocationPart(a.invoice_id, a.amount) for a in payload.allocations]
        if payload.allocations
        else None
    )
    if payload.method == SupplierPaymentMethod.ENDORSED_BILL:
        if payload.bill_id is None:
            message = _("To pay with a customer's bill, choose the bill to endorse.")
            raise BusinessRuleViolation(message, code="bill_required", fields={"bill_id": message})
        payment, created = supplier_payments.pay_supplier_with_bill(
            org=actor.org,
            actor=actor,
            data=supplier_payments.BillEndorsementData(
                supplier_id=payload.supplier_id,
                bill_id=payload.bill_id,
                date=payload.date,
                amount=payload.amount,
                memo=payload.memo,
                idempotency_key=key,
            ),
            allocations=allocations,
            auto_allocate=payload.auto_allocate,
        )
        return Status(201 if created else 200, payment)
    if payload.amount is None:
        message = _("Enter a positive amount in fen.")
        raise BusinessRuleViolation(message, code="invalid_amount", fields={"amount": message})
    payment, created = services.pay_supplier(
        org=actor.org,
        actor=actor,
        data=services.SupplierPaymentData(
            supplier_id=payload.supplier_id,
            date=payload.date,
            amount=payload.amount,
            method=payload.method,
            reference=payload.reference,
            bill_number=payload.bill_number,
            bill_maturity=payload.bill_maturity,
            memo=payload.memo,
            idempotency_key=key,
        ),
        allocations=allocations,
        auto_allocate=payload.auto_allocate,
    )
    return Status(201 if created else 200, payment)


@router.post(
    "/supplier-payments/{payment_id}/allocations",
    response={201: list[AllocationOut], 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Allocate what is left of a supplier payment: the listed parts, or oldest first",
)
def allocate_supplier_payment(
    request: HttpRequest, payment_id: int, payload: AllocateIn
) -> Status[list[SupplierAllocation]]:
    actor = _actor(request, access.MANAGE_ORDERS)
    payment = get_object_or_404(SupplierPayment, pk=payment_id)
    parts = (
        [services.SupplierAllocationPart(a.invoice_id, a.amount) for a in payload.allocations]
        if payload.allocations
        else None
    )
    allocations = services.allocate_supplier_payment(
        org=actor.org, actor=actor, payment=payment, parts=parts
    )
    return Status(201, allocations)


class BillPaidIn(Schema):
    paid_on: date | None = Field(None, description="Empty: today.")


@router.post(
    "/supplier-payments/{payment_id}/bill-paid",
    response={200: SupplierPaymentOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Record that the bank paid our acceptance bill (Dr bills payable, Cr bank)",
)
def settle_bill(request: HttpRequest, payment_id: int, payload: BillPaidIn) -> SupplierPayment:
    actor = _actor(request, access.MANAGE_ORDERS)
    payment = get_object_or_404(SupplierPayment, pk=payment_id)
    return services.settle_bill(
        org=actor.org, actor=actor, payment=payment, paid_on=payload.paid_on
    )


@router.get("/payables/aging", response={200: AgingOut, 403: Error})
def payables_aging(request: HttpRequest) -> object:
    _actor(request, access.SEE_COSTS)
    return selectors.payables_aging(timezone.localdate())
