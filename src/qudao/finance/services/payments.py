"""Payments received: post on receipt (idempotent), allocate to the customer's open invoices."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.finance.models import (
    DEBIT_ACCOUNT_OF_METHOD,
    HALF_FEN,
    RECEIVABLE,
    Allocation,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from qudao.finance.services.ledger import Posting, post_entry
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number, record_event


@dataclass(frozen=True)
class PaymentData:
    customer_id: int
    date: datetime.date
    amount: Decimal
    method: str
    reference: str = ""
    bill_number: str = ""
    bill_maturity: datetime.date | None = None
    memo: str = ""
    idempotency_key: str = ""


@dataclass(frozen=True)
class AllocationPart:
    invoice_id: int
    amount: Decimal


def open_invoices(customer_id: int) -> QuerySet[Invoice]:
    """The customer's posted invoices with something left to pay, oldest due first."""
    return (
        Invoice.objects.filter(
            customer_id=customer_id, kind=InvoiceKind.INVOICE, status=InvoiceStatus.POSTED
        )
        .filter(total__gt=F("amount_paid") + F("amount_credited") + HALF_FEN)
        .order_by("due_date", "date", "pk")
    )


def plan_allocation(invoices: Sequence[Invoice], amount: Decimal) -> list[AllocationPart]:
    """Oldest first: each invoice takes what is open on it until `amount` runs out."""
    parts = []
    remaining = amount
    for invoice in invoices:
        if remaining <= 0:
            break
        take = min(invoice.open_amount, remaining)
        if take > 0:
            parts.append(AllocationPart(invoice_id=invoice.pk, amount=take))
            remaining -= take
    return parts


def _validate(org: Organization, data: PaymentData) -> None:
    fields: dict[str, str] = {}
    if data.amount <= 0 or data.amount != quantize(data.amount):
        fields["amount"] = _("Enter a positive amount in fen.")
    if data.date > timezone.localdate():
        fields["date"] = _("A payment cannot be dated in the future.")
    if data.method not in PaymentMethod.values:
        fields["method"] = _("Choose a payment method.")
    if data.method == PaymentMethod.ACCEPTANCE_BILL:
        if not data.bill_number.strip():
            fields["bill_number"] = _("A bank acceptance bill needs its number.")
        if data.bill_maturity is None:
            fields["bill_maturity"] = _("A bank acceptance bill needs its maturity date.")
    if fields:
        code = (
            "future_date"
            if "date" in fields
            else "invalid_amount"
            if "amount" in fields
            else "invalid_payment"
        )
        raise BusinessRuleViolation(next(iter(fields.values())), code=code, fields=fields)


@transaction.atomic
def receive_payment(
    *,
    org: Organization,
    actor: Membership,
    data: PaymentData,
    allocations: Sequence[AllocationPart] | None = None,
    auto_allocate: bool = False,
) -> tuple[Payment, bool]:
    """Post money received (Dr bank/cash/bills, Cr receivable) and allocate it.

    Returns (payment, created): a repeated idempotency key returns the first payment and
    writes nothing."""
    require_perm(actor, Perm.POST_FINANCE)
    key = data.idempotency_key.strip()[:100]
    if key:
        first = Payment.objects.filter(idempotency_key=key).first()
        if first is not None:
            return first, False
    _validate(org, data)
    # the customer row guards its payments: same-key retries queue here, then see the first
    customer = (
        Party.objects.select_for_update(of=("self",))
        .filter(pk=data.customer_id, kind=PartyKind.CUSTOMER)
        .first()
    )
    if customer is None:
        raise BusinessRuleViolation(
            _("Choose one of this organization's customers."),
            code="not_a_customer",
            fields={"customer_id": _("Choose one of this organization's customers.")},
        )
    if key:
        first = Payment.objects.filter(idempotency_key=key).first()
        if first is not None:
            return first, False
    payment = Payment.objects.create(
        org=org,
        number=next_number(org=org, key=f"PAY{data.date.year}"),
        customer=customer,
        date=data.date,
        amount=data.amount,
        method=data.method,
        reference=data.reference[:100],
        bill_number=data.bill_number.strip()[:40],
        bill_maturity=data.bill_maturity if data.method == PaymentMethod.ACCEPTANCE_BILL else None,
        memo=data.memo[:300],
        idempotency_key=key,
        posted_at=timezone.now(),
        posted_by=actor,
    )
    payment.journal_entry = post_entry(
        org=org,
        actor=actor,
        date=data.date,
        memo=_("Payment from %(customer)s") % {"customer": customer.name},
        postings=[
            Posting(DEBIT_ACCOUNT_OF_METHOD[data.method], debit=data.amount),
            Posting(RECEIVABLE, credit=data.amount, party=customer),
        ],
        source_type="finance.payment",
        source_id=payment.pk,
    )
    payment.save(update_fields=["journal_entry"])
    record_event(
        org=org, actor=actor, subject=payment, verb="received", data={"amount": str(data.amount)}
    )
    if allocations or auto_allocate:
        allocate_payment(
            org=org, actor=actor, payment=payment, parts=allocations if allocations else None
        )
        payment.refresh_from_db(fields=["amount_allocated"])
    return payment, True


def _check_oldest_first_amount(
    amount: Decimal, available: Decimal, invoices: Sequence[Invoice]
) -> None:
    """An amount asked for oldest-first is allocated whole, or refused (never cut short)."""
    if amount <= 0 or amount != quantize(amount):
        raise BusinessRuleViolation(
            _("Each allocated amount must be positive, in fen."), code="invalid_amount"
        )
    if amount > available:
        raise BusinessRuleViolation(
            _("The allocations (%(total)s) exceed what is left of the payment (%(left)s).")
            % {"total": amount, "left": available},
            code="payment_overallocated",
        )
    still_open = sum((invoice.open_amount for invoice in invoices), ZERO)
    if amount > still_open:
        raise BusinessRuleViolation(
            _("%(amount)s is more than the %(open)s still open on the customer's invoices.")
            % {"amount": amount, "open": still_open},
            code="invoice_overpaid",
        )


@transaction.atomic
def allocate_payment(
    *,
    org: Organization,
    actor: Membership,
    payment: Payment,
    parts: Sequence[AllocationPart] | None = None,
    amount: Decimal | None = None,
) -> list[Allocation]:
    """Settle the customer's open invoices from what is left of `payment`: the chosen `parts`,
    or oldest-first when `parts` is None (`amount` of it, or all that is left). Never over-pays
    an invoice or over-spends a payment: an amount more than is left is refused, not cut."""
    require_perm(actor, Perm.POST_FINANCE)
    # locks: the payment (document), then the invoices by pk
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    if parts is None:
        candidate_ids = list(open_invoices(payment.customer_id).values_list("pk", flat=True))
    else:
        candidate_ids = [part.invoice_id for part in parts]
        if len(set(candidate_ids)) != len(candidate_ids):
            raise BusinessRuleViolation(
                _("Allocate to each invoice at most once."), code="duplicate_invoice"
            )
    locked = {
        invoice.pk: invoice
        for invoice in Invoice.objects.select_for_update(of=("self",))
        .filter(pk__in=candidate_ids)
        .order_by("pk")
    }
    available = payment.unallocated
    if parts is None:
        ordered = sorted(
            (i for i in locked.values() if i.open_amount > 0),
            key=lambda i: (i.due_date or i.date, i.date, i.pk),
        )
        if amount is not None:
            _check_oldest_first_amount(amount, available, ordered)
        parts = plan_allocation(ordered, available if amount is None else amount)
    else:
        for part in parts:
            invoice = locked.get(part.invoice_id)
            if (
                invoice is None
                or invoice.customer_id != payment.customer_id
                or invoice.kind != InvoiceKind.INVOICE
                or invoice.status != InvoiceStatus.POSTED
            ):
                raise BusinessRuleViolation(
                    _("Allocate only to this customer's open invoices."),
                    code="invoice_not_open",
                )
            if part.amount <= 0 or part.amount != quantize(part.amount):
                raise BusinessRuleViolation(
                    _("Each allocated amount must be positive, in fen."), code="invalid_amount"
                )
            if part.amount > invoice.open_amount:
                raise BusinessRuleViolation(
                    _("%(amount)s is more than the %(open)s still open on %(number)s.")
                    % {
                        "amount": part.amount,
                        "open": invoice.open_amount,
                        "number": invoice.number,
                    },
                    code="invoice_overpaid",
                )
        total = sum((part.amount for part in parts), ZERO)
        if total > available:
            raise BusinessRuleViolation(
                _("The allocations (%(total)s) exceed what is left of the payment (%(left)s).")
                % {"total": total, "left": available},
                code="payment_overallocated",
            )
    allocations = Allocation.objects.bulk_create(
        Allocation(
            org=org,
            payment=payment,
            invoice_id=part.invoice_id,
            amount=part.amount,
            effective_date=payment.date,
            customer_id=payment.customer_id,
            invoice_date=locked[part.invoice_id].date,
            invoice_due_date=locked[part.invoice_id].due_date or locked[part.invoice_id].date,
            created_by=actor,
        )
        for part in parts
    )
    for part in parts:
        Invoice.objects.filter(pk=part.invoice_id).update(
            amount_paid=F("amount_paid") + part.amount
        )
    allocated = sum((part.amount for part in parts), ZERO)
    if allocated:
        Payment.objects.filter(pk=payment.pk).update(
            amount_allocated=F("amount_allocated") + allocated
        )
        record_event(
            org=org,
            actor=actor,
            subject=payment,
            verb="allocated",
            data={"parts": {str(p.invoice_id): str(p.amount) for p in parts}},
        )
    return allocations
