"""API endpoints for invoices, credit notes, payments, allocations, customer accounts and the
journal. The same services and scoping as the pages; money travels as decimal strings."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Header, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import PlainSerializer

from qudao.core.api import Error, PageNumber
from qudao.finance import aging, selectors, services
from qudao.finance.models import (
    Allocation,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    JournalEntry,
    Payment,
    PaymentMethod,
)
from qudao.parties.models import Party
from qudao.parties.selectors import visible_customers
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm

router = Router(tags=["finance"])

Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]
Plain = Annotated[Decimal, PlainSerializer(lambda v: str(v), return_type=str)]


class LineOut(Schema):
    description: str
    product_id: int | None
    quantity: Plain
    unit_price: Plain
    tax_rate: Plain
    amount: Money
    tax: Money


class InvoiceOut(Schema):
    id: int
    kind: InvoiceKind
    number: str
    status: InvoiceStatus
    customer_id: int
    credited_invoice_id: int | None
    date: date
    due_date: date | None
    memo: str
    subtotal: Money
    tax_total: Money
    total: Money
    amount_paid: Money
    amount_credited: Money
    open_amount: Money
    fapiao_number: str
    fapiao_date: date | None
    journal_entry_id: int | None
    posted_at: datetime | None


class InvoiceDetailOut(InvoiceOut):
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(invoice: Invoice) -> list[object]:
        return list(invoice.lines.all())


class LineIn(Schema):
    description: str = Field("", max_length=200)
    product_id: int | None = None
    quantity: Decimal = Field(gt=0, max_digits=14, decimal_places=3)
    unit_price: Decimal = Field(ge=0, max_digits=18, decimal_places=4)
    tax_rate: Decimal = Field(Decimal("0.13"), ge=0, le=Decimal("0.5"), decimal_places=4)

    def data(self) -> services.LineData:
        return services.LineData(
            self.description, self.quantity, self.unit_price, self.tax_rate, self.product_id
        )


class InvoiceIn(Schema):
    customer_id: int
    date: date
    memo: str = Field("", max_length=300)
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    post: bool = False


class FapiaoIn(Schema):
    number: str = Field(min_length=1, max_length=40)
    date: date


class CreditNoteIn(Schema):
    reason: str = Field(min_length=1, max_length=300)
    lines: list[LineIn] | None = Field(None, description="Empty: credit the whole invoice.")


class AllocationOut(Schema):
    id: int
    payment_id: int
    invoice_id: int
    amount: Money
    created_at: datetime


class PaymentOut(Schema):
    id: int
    number: str
    customer_id: int
    date: date
    amount: Money
    amount_allocated: Money
    unallocated: Money
    method: PaymentMethod
    reference: str
    bill_number: str
    bill_maturity: date | None
    memo: str
    journal_entry_id: int | None
    posted_at: datetime


class AllocationIn(Schema):
    invoice_id: int
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=2)


class PaymentIn(Schema):
    customer_id: int
    date: date
    amount: Decimal = Field(max_digits=18, decimal_places=2)
    method: PaymentMethod
    reference: str = Field("", max_length=100)
    bill_number: str = Field("", max_length=40)
    bill_maturity: date | None = None
    memo: str = Field("", max_length=300)
    idempotency_key: str = Field("", max_length=100)
    allocations: list[AllocationIn] | None = None
    auto_allocate: bool = False


class AllocateIn(Schema):
    allocations: list[AllocationIn] | None = Field(None, description="Empty: oldest first.")


class AccountOut(Schema):
    customer_id: int
    code: str
    name: str
    balance: Money
    open_total: Money
    unallocated: Money = Field(description="The prepayment balance: money not yet matched")
    rebate: Money = Field(description="The rebate account's balance")

    @staticmethod
    def resolve_customer_id(party: Party) -> int:
        return party.pk


class JournalLineOut(Schema):
    account: str
    party_id: int | None
    debit: Money
    credit: Money

    @staticmethod
    def resolve_account(line: object) -> str:
        return line.account.code  # type: ignore[attr-defined,no-any-return]


class JournalEntryOut(Schema):
    id: int
    number: str
    date: date
    memo: str
    source_type: str
    source_id: int | None
    reverses_id: int | None
    lines: list[JournalLineOut]

    @staticmethod
    def resolve_lines(entry: JournalEntry) -> list[object]:
        return list(entry.lines.select_related("account"))


class ReverseIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


def _actor(request: HttpRequest, perm: Perm = Perm.VIEW_FINANCE) -> Membership:
    actor: Membership = request.auth  # type: ignore[attr-defined]
    require_perm(actor, perm)
    return actor


def _customer(actor: Membership, customer_id: int) -> Party:
    return get_object_or_404(visible_customers(actor), pk=customer_id)


# ---------------------------------------------------------------------------------------------
# Invoices and credit notes


@router.get(
    "/invoices", response={200: list[InvoiceOut], 403: Error, 422: Error}, tags=["invoices"]
)
@paginate(PageNumber)
def list_invoices(
    request: HttpRequest,
    q: str = "",
    status: InvoiceStatus | None = None,
    kind: InvoiceKind | None = None,
    customer_id: int | None = None,
) -> object:
    invoices = selectors.visible_invoices(_actor(request))
    if q:
        invoices = invoices.filter(number__icontains=q[:100]) | invoices.filter(
            fapiao_number__icontains=q[:100]
        )
    if status:
        invoices = invoices.filter(status=status)
    if kind:
        invoices = invoices.filter(kind=kind)
    if customer_id is not None:
        invoices = invoices.filter(customer_id=customer_id)
    return invoices.order_by("-date", "-pk")


@router.get(
    "/invoices/{invoice_id}",
    response={200: InvoiceDetailOut, 403: Error, 404: Error},
    tags=["invoices"],
)
def get_invoice(request: HttpRequest, invoice_id: int) -> Invoice:
    return get_object_or_404(selectors.visible_invoices(_actor(request)), pk=invoice_id)


@router.post(
    "/invoices",
    response={201: InvoiceDetailOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Enter a draft invoice (post it at once with post=true)",
    tags=["invoices"],
)
def create_invoice(request: HttpRequest, payload: InvoiceIn) -> Status[Invoice]:
    actor = _actor(request, Perm.POST_FINANCE)
    invoice = services.create_invoice(
        org=actor.org,
        actor=actor,
        customer=_customer(actor, payload.customer_id),
        date=payload.date,
        lines=[line.data() for line in payload.lines],
        memo=payload.memo,
    )
    if payload.post:
        invoice = services.post_invoice(org=actor.org, actor=actor, invoice=invoice)
    return Status(201, invoice)


def _invoice(actor: Membership, invoice_id: int) -> Invoice:
    return get_object_or_404(selectors.visible_invoices(actor), pk=invoice_id)


@router.post(
    "/invoices/{invoice_id}/post",
    response={200: InvoiceDetailOut, 403: Error, 404: Error, 409: Error},
    tags=["invoices"],
)
def post_invoice(request: HttpRequest, invoice_id: int) -> Invoice:
    actor = _actor(request, Perm.POST_FINANCE)
    return services.post_invoice(org=actor.org, actor=actor, invoice=_invoice(actor, invoice_id))


@router.post(
    "/invoices/{invoice_id}/fapiao",
    response={200: InvoiceDetailOut, 403: Error, 404: Error, 409: Error, 422: Error},
    tags=["invoices"],
)
def record_fapiao(request: HttpRequest, invoice_id: int, payload: FapiaoIn) -> Invoice:
    actor = _actor(request, Perm.POST_FINANCE)
    return services.record_fapiao(
        org=actor.org,
        actor=actor,
        invoice=_invoice(actor, invoice_id),
        number=payload.number,
        date=payload.date,
    )


@router.post(
    "/invoices/{invoice_id}/credit-notes",
    response={201: InvoiceDetailOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Issue and post a credit note for all or part of the invoice",
    tags=["invoices"],
)
def create_credit_note(
    request: HttpRequest, invoice_id: int, payload: CreditNoteIn
) -> Status[Invoice]:
    actor = _actor(request, Perm.POST_FINANCE)
    note = services.credit_invoice(
        org=actor.org,
        actor=actor,
        invoice=_invoice(actor, invoice_id),
        reason=payload.reason,
        lines=[line.data() for line in payload.lines] if payload.lines else None,
    )
    return Status(201, note)


# ---------------------------------------------------------------------------------------------
# Payments and allocations


@router.get(
    "/payments", response={200: list[PaymentOut], 403: Error, 422: Error}, tags=["payments"]
)
@paginate(PageNumber)
def list_payments(request: HttpRequest, customer_id: int | None = None, q: str = "") -> object:
    payments = selectors.visible_payments(_actor(request))
    if customer_id is not None:
        payments = payments.filter(customer_id=customer_id)
    if q:
        payments = payments.filter(number__icontains=q[:100])
    return payments.order_by("-date", "-pk")


@router.get(
    "/payments/{payment_id}", response={200: PaymentOut, 403: Error, 404: Error}, tags=["payments"]
)
def get_payment(request: HttpRequest, payment_id: int) -> Payment:
    return get_object_or_404(selectors.visible_payments(_actor(request)), pk=payment_id)


@router.post(
    "/payments",
    response={200: PaymentOut, 201: PaymentOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Record a payment; a repeated Idempotency-Key answers 200 with the first payment",
    tags=["payments"],
)
def create_payment(
    request: HttpRequest,
    payload: PaymentIn,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")] = "",
) -> Status[Payment]:
    actor = _actor(request, Perm.POST_FINANCE)
    customer = _customer(actor, payload.customer_id)
    payment, created = services.receive_payment(
        org=actor.org,
        actor=actor,
        data=services.PaymentData(
            customer_id=customer.pk,
            date=payload.date,
            amount=payload.amount,
            method=payload.method,
            reference=payload.reference,
            bill_number=payload.bill_number,
            bill_maturity=payload.bill_maturity,
            memo=payload.memo,
            idempotency_key=(idempotency_key or payload.idempotency_key)[:100],
        ),
        allocations=[services.AllocationPart(a.invoice_id, a.amount) for a in payload.allocations]
        if payload.allocations
        else None,
        auto_allocate=payload.auto_allocate,
    )
    return Status(201 if created else 200, payment)


@router.post(
    "/payments/{payment_id}/allocations",
    response={201: list[AllocationOut], 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Allocate what is left of a payment: the listed parts, or oldest first",
    tags=["payments"],
)
def allocate_payment(
    request: HttpRequest, payment_id: int, payload: AllocateIn
) -> Status[list[Allocation]]:
    actor = _actor(request, Perm.POST_FINANCE)
    payment = get_object_or_404(selectors.visible_payments(actor), pk=payment_id)
    parts = (
        [services.AllocationPart(a.invoice_id, a.amount) for a in payload.allocations]
        if payload.allocations
        else None
    )
    allocations = services.allocate_payment(
        org=actor.org, actor=actor, payment=payment, parts=parts
    )
    return Status(201, allocations)


@router.get(
    "/payments/{payment_id}/allocations",
    response={200: list[AllocationOut], 403: Error, 404: Error},
    tags=["payments"],
)
def list_allocations(request: HttpRequest, payment_id: int) -> list[Allocation]:
    payment = get_object_or_404(selectors.visible_payments(_actor(request)), pk=payment_id)
    return list(payment.allocations.order_by("pk"))


# ---------------------------------------------------------------------------------------------
# Customer accounts and the journal


@router.get(
    "/accounts", response={200: list[AccountOut], 403: Error, 422: Error}, tags=["accounts"]
)
@paginate(PageNumber)
def list_accounts(request: HttpRequest, q: str = "") -> object:
    accounts = selectors.customer_accounts(_actor(request))
    if q:
        accounts = accounts.filter(name__icontains=q[:100])
    return accounts.order_by("code", "pk")


@router.get(
    "/accounts/{customer_id}", response={200: AccountOut, 403: Error, 404: Error}, tags=["accounts"]
)
def get_account(request: HttpRequest, customer_id: int) -> Party:
    return get_object_or_404(selectors.customer_accounts(_actor(request)), pk=customer_id)


@router.get(
    "/journal-entries",
    response={200: list[JournalEntryOut], 403: Error, 422: Error},
    tags=["journal"],
)
@paginate(PageNumber)
def list_journal_entries(request: HttpRequest) -> object:
    _actor(request, Perm.POST_FINANCE)
    return JournalEntry.objects.order_by("-date", "-pk")


@router.post(
    "/journal-entries/{entry_id}/reverse",
    response={201: JournalEntryOut, 403: Error, 404: Error, 409: Error, 422: Error},
    tags=["journal"],
)
def reverse_journal_entry(
    request: HttpRequest, entry_id: int, payload: ReverseIn
) -> Status[JournalEntry]:
    actor = _actor(request, Perm.POST_FINANCE)
    entry = get_object_or_404(JournalEntry, pk=entry_id)
    return Status(
        201, services.reverse_entry(org=actor.org, actor=actor, entry=entry, reason=payload.reason)
    )


# ---------------------------------------------------------------------------------------------
# Aging (账龄)


class AgingRowOut(Schema):
    key: int | None = Field(description="Customer, membership, territory or brand id; null: none")
    code: str
    name: str
    buckets: list[Money]
    total: Money


class AgingOut(Schema):
    as_of: date
    group_by: str
    edges: list[int]
    labels: list[str]
    rows: list[AgingRowOut]
    totals: list[Money]
    total: Money


@router.get(
    "/aging",
    response={200: AgingOut, 403: Error, 422: Error},
    summary="Receivables aging as of a date, by customer, sales rep, territory or brand",
    tags=["accounts"],
)
def get_aging(
    request: HttpRequest,
    as_of: date | None = None,
    group_by: aging.AgingGroup = aging.AgingGroup.CUSTOMER,
    buckets: str = "",
) -> object:
    actor = _actor(request)
    try:
        edges = aging.parse_edges(buckets)
    except ValueError as invalid:
        return Status(
            422,
            {
                "code": "invalid_buckets",
                "message": str(invalid),
                "fields": {"buckets": str(invalid)},
            },
        )
    return aging.aging_report(
        actor, as_of=as_of or timezone.localdate(), group_by=group_by, edges=edges
    )


# ---------------------------------------------------------------------------------------------
# Credit (授信): the endpoints live in credit_api.py

from qudao.finance.credit_api import credit_router  # noqa: E402

router.add_router("", credit_router)

# Statements of account (对账单): the endpoints live in statement_api.py

from qudao.finance.statement_api import statement_router  # noqa: E402

router.add_router("", statement_router)

# Prepayment and rebate accounts: the endpoints live in account_api.py

from qudao.finance.account_api import account_router  # noqa: E402

router.add_router("", account_router)
