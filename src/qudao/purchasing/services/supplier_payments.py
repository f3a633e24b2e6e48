"""Supplier payments (付款): post when made (idempotent), allocate to the supplier's invoices.

Posting debits accounts payable (2202, the supplier as party) and credits the bank, cash or
bills payable (a bank acceptance bill we issue, until it is paid at maturity); a customer's
bill endorsed to the supplier (背书转让) credits bills receivable (1121) through finance's
`endorse_bill`. The supplier's row guards its payables: every service here locks it first,
then the payment (or the endorsed bill), then the invoices by pk, so two allocations can
never both spend the same money.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.finance.services import Posting, post_entry
from qudao.finance.services.bills import endorse_bill, lock_bill_for_endorsement
from qudao.parties.models import Party, PartyKind
from qudao.purchasing.access import MANAGE_ORDERS
from qudao.purchasing.payables.accounts import (
    BANK,
    CREDIT_ACCOUNT_OF_METHOD,
    PAYABLE,
)
from qudao.purchasing.payables.models import (
    HALF_FEN,
    SupplierAllocation,
    SupplierInvoice,
    SupplierInvoiceKind,
    SupplierInvoiceStatus,
    SupplierPayment,
    SupplierPaymentMethod,
)
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.services import next_number, record_event

SOURCE_TYPE = "purchasing.supplier_payment"


@dataclass(frozen=True)
class SupplierPaymentData:
    supplier_id: int
    date: datetime.date
    amount: Decimal
    method: str
    reference: str = ""
    bill_number: str = ""
    bill_maturity: datetime.date | None = None
    memo: str = ""
    idempotency_key: str = ""
    order_id: int | None = None


@dataclass(frozen=True)
class BillEndorsementData:
    """A supplier paid with a customer's bank acceptance bill, endorsed to it whole."""

    supplier_id: int
    bill_id: int  # the finance payment received by bill
    date: datetime.date
    amount: Decimal | None = None  # when given, it must be the bill's face value
    memo: str = ""
    idempotency_key: str = ""
    order_id: int | None = None  # a prepayment against this purchase order


@dataclass(frozen=True)
class SupplierAllocationPart:
    invoice_id: int
    amount: Decimal


def open_supplier_invoices(supplier_id: int) -> QuerySet[SupplierInvoice]:
    """The supplier's posted invoices with something left to pay, oldest due first."""
    return (
        SupplierInvoice.objects.filter(
            supplier_id=supplier_id,
            kind=SupplierInvoiceKind.INVOICE,
            status=SupplierInvoiceStatus.POSTED,
        )
        .filter(total__gt=F("amount_paid") + F("amount_credited") + HALF_FEN)
        .order_by("due_date", "date", "pk")
    )


def _is_fen(amount: Decimal) -> bool:
    try:
        return amount.is_finite() and amount > 0 and amount == quantize(amount)
    except (AttributeError, InvalidOperation):
        return False


def _validate(data: SupplierPaymentData) -> None:
    fields: dict[str, str] = {}
    codes: list[str] = []
    if not _is_fen(data.amount):
        fields["amount"] = _("Enter a positive amount in fen.")
        codes.append("invalid_amount")
    if data.date > timezone.localdate():
        fields["date"] = _("A payment cannot be dated in the future.")
        codes.append("future_date")
    if data.method not in SupplierPaymentMethod.values:
        fields["method"] = _("Choose a payment method.")
        codes.append("invalid_payment")
    if data.method == SupplierPaymentMethod.ENDORSED_BILL:
        fields["method"] = _("To pay with a customer's bill, choose the bill to endorse.")
        codes.append("bill_required")
    if data.method == SupplierPaymentMethod.ACCEPTANCE_BILL:
        if not data.bill_number.strip():
            fields["bill_number"] = _("A bank acceptance bill needs its number.")
            codes.append("invalid_payment")
        if data.bill_maturity is None:
            fields["bill_maturity"] = _("A bank acceptance bill needs its maturity date.")
            codes.append("invalid_payment")
        elif data.bill_maturity < data.date:
            fields["bill_maturity"] = _("A bill matures on or after the day it is issued.")
            codes.append("invalid_payment")
    if fields:
        raise BusinessRuleViolation(next(iter(fields.values())), code=codes[0], fields=fields)


def _locked_supplier(supplier_id: int) -> Party:
    supplier = (
        Party.objects.select_for_update(of=("self",))
        .filter(pk=supplier_id, kind=PartyKind.SUPPLIER)
        .first()
    )
    if supplier is None:
        message = _("Choose one of this organization's suppliers.")
        raise BusinessRuleViolation(
            message, code="supplier_not_found", fields={"supplier_id": message}
        )
    return supplier


def _first_with_key(key: str) -> SupplierPayment | None:
    return SupplierPayment.objects.filter(idempotency_key=key).first() if key else None


def _posted(
    *,
    org: Organization,
    actor: Membership,
    payment: SupplierPayment,
    allocations: Sequence[SupplierAllocationPart] | None,
    auto_allocate: bool,
) -> SupplierPayment:
    record_event(
        org=org, actor=actor, subject=payment, verb="paid", data={"amount": str(payment.amount)}
    )
    if allocations or auto_allocate:
        allocate_supplier_payment(
            org=org, actor=actor, payment=payment, parts=allocations if allocations else None
        )
        payment.refresh_from_db(fields=["amount_allocated"])
    return payment


@transaction.atomic
def pay_supplier(
    *,
    org: Organization,
    actor: Membership,
    data: SupplierPaymentData,
    allocations: Sequence[SupplierAllocationPart] | None = None,
    auto_allocate: bool = False,
) -> tuple[SupplierPayment, bool]:
    """Post money paid (Dr payables, Cr bank/cash/bills payable) and maybe allocate it.

    Returns (payment, created): a repeated idempotency key returns the first payment and
    writes nothing. A customer's bill endorsed to the supplier goes through
    `pay_supplier_with_bill`."""
    require_perm(actor, MANAGE_ORDERS)
    key = data.idempotency_key.strip()[:100]
    first = _first_with_key(key)
    if first is not None:
        return first, False
    _validate(data)
    # same-key retries queue on the supplier's row, then find the first payment
    supplier = _locked_supplier(data.supplier_id)
    first = _first_with_key(key)
    if first is not None:
        return first, False
    payment = SupplierPayment.objects.create(
        org=org,
        number=next_number(org=org, key=f"SP{data.date.year}"),
        supplier=supplier,
        order_id=data.order_id,
        date=data.date,
        amount=data.amount,
        method=data.method,
        reference=data.reference.strip()[:100],
        bill_number=data.bill_number.strip()[:40]
        if data.method == SupplierPaymentMethod.ACCEPTANCE_BILL
        else "",
        bill_maturity=data.bill_maturity
        if data.method == SupplierPaymentMethod.ACCEPTANCE_BILL
        else None,
        memo=data.memo.strip()[:300],
        idempotency_key=key,
        posted_at=timezone.now(),
        posted_by=actor,
    )
    payment.journal_entry = post_entry(
        org=org,
        actor=actor,
        date=data.date,
        memo=_("Payment to %(supplier)s") % {"supplier": supplier.name},
        postings=[
            Posting(PAYABLE, debit=data.amount, party=supplier),
            Posting(CREDIT_ACCOUNT_OF_METHOD[data.method], credit=data.amount),
        ],
        source_type=SOURCE_TYPE,
        source_id=payment.pk,
    )
    payment.save(update_fields=["journal_entry"])
    payment = _posted(
        org=org, actor=actor, payment=payment, allocations=allocations, auto_allocate=auto_allocate
    )
    return payment, True


@transaction.atomic
def pay_supplier_with_bill(
    *,
    org: Organization,
    actor: Membership,
    data: BillEndorsementData,
    allocations: Sequence[SupplierAllocationPart] | None = None,
    auto_allocate: bool = False,
) -> tuple[SupplierPayment, bool]:
    """Pay the supplier by endorsing a customer's bank acceptance bill to it (背书转让): Dr
    payables (the supplier), Cr bills receivable, the bill's whole face value (a bill is not
    split); maybe allocate it like any payment.

    The bill must be this organization's, still in bills receivable and not past maturity.
    Returns (payment, created): a repeated idempotency key returns the first payment."""
    require_perm(actor, MANAGE_ORDERS)
    key = data.idempotency_key.strip()[:100]
    first = _first_with_key(key)
    if first is not None:
        return first, False
    if data.date > timezone.localdate():
        message = _("A payment cannot be dated in the future.")
        raise BusinessRuleViolation(message, code="future_date", fields={"date": message})
    supplier = _locked_supplier(data.supplier_id)
    first = _first_with_key(key)
    if first is not None:
        return first, False
    bill = lock_bill_for_endorsement(bill_id=data.bill_id, date=data.date)
    if data.amount is not None and data.amount != bill.amount:
        message = _("A bill is endorsed whole: the amount is its face value, %(amount)s.") % {
            "amount": bill.amount
        }
        raise BusinessRuleViolation(message, code="bill_not_split", fields={"amount": message})
    payment = SupplierPayment.objects.create(
        org=org,
        number=next_number(org=org, key=f"SP{data.date.year}"),
        supplier=supplier,
        order_id=data.order_id,
        date=data.date,
        amount=bill.amount,
        method=SupplierPaymentMethod.ENDORSED_BILL,
        bill_number=bill.bill_number,
        bill_maturity=bill.bill_maturity,
        endorsed_bill=bill,
        memo=data.memo.strip()[:300],
        idempotency_key=key,
        posted_at=timezone.now(),
        posted_by=actor,
    )
    clearing = endorse_bill(
        org=org,
        actor=actor,
        bill=bill,
        endorsee=supplier,
        date=data.date,
        reference=payment.number,
        source_type=SOURCE_TYPE,
        source_id=payment.pk,
    )
    payment.journal_entry = clearing.journal_entry
    payment.save(update_fields=["journal_entry"])
    payment = _posted(
        org=org, actor=actor, payment=payment, allocations=allocations, auto_allocate=auto_allocate
    )
    return payment, True


def _plan(invoices: Sequence[SupplierInvoice], amount: Decimal) -> list[SupplierAllocationPart]:
    """Oldest first: each invoice takes what is open on it until `amount` runs out."""
    parts = []
    remaining = amount
    for invoice in invoices:
        if remaining <= 0:
            break
        take = min(invoice.open_amount, remaining)
        if take > 0:
            parts.append(SupplierAllocationPart(invoice_id=invoice.pk, amount=take))
            remaining -= take
    return parts


def _check_parts(
    payment: SupplierPayment,
    parts: Sequence[SupplierAllocationPart],
    locked: dict[int, SupplierInvoice],
) -> None:
    for part in parts:
        invoice = locked.get(part.invoice_id)
        if (
            invoice is None
            or invoice.supplier_id != payment.supplier_id
            or invoice.kind != SupplierInvoiceKind.INVOICE
            or invoice.status != SupplierInvoiceStatus.POSTED
        ):
            raise BusinessRuleViolation(
                _("Allocate only to this supplier's open invoices."), code="invoice_not_open"
            )
        if not _is_fen(part.amount):
            raise BusinessRuleViolation(
                _("Each allocated amount must be positive, in fen."), code="invalid_amount"
            )
        if part.amount > invoice.open_amount:
            raise BusinessRuleViolation(
                _("%(amount)s is more than the %(open)s still open on %(number)s.")
                % {"amount": part.amount, "open": invoice.open_amount, "number": invoice.number},
                code="invoice_overpaid",
            )
    total = sum((part.amount for part in parts), ZERO)
    if total > payment.unallocated:
        raise BusinessRuleViolation(
            _("The allocations (%(total)s) exceed what is left of the payment (%(left)s).")
            % {"total": total, "left": payment.unallocated},
            code="payment_overallocated",
        )


def _write(
    *,
    org: Organization,
    actor: Membership,
    payment: SupplierPayment,
    parts: Sequence[SupplierAllocationPart],
) -> list[SupplierAllocation]:
    allocations = SupplierAllocation.objects.bulk_create(
        SupplierAllocation(
            org=org,
            payment=payment,
            invoice_id=part.invoice_id,
            amount=part.amount,
            created_by=actor,
        )
        for part in parts
    )
    for part in parts:
        SupplierInvoice.objects.filter(pk=part.invoice_id).update(
            amount_paid=F("amount_paid") + part.amount
        )
    allocated = sum((part.amount for part in parts), ZERO)
    if allocated:
        SupplierPayment.objects.filter(pk=payment.pk).update(
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


@transaction.atomic
def allocate_supplier_payment(
    *,
    org: Organization,
    actor: Membership,
    payment: SupplierPayment,
    parts: Sequence[SupplierAllocationPart] | None = None,
) -> list[SupplierAllocation]:
    """Settle the supplier's open invoices from what is left of `payment`: the chosen `parts`,
    or oldest-first when `parts` is None. Never over-pays an invoice or over-spends a payment."""
    require_perm(actor, MANAGE_ORDERS)
    _locked_supplier(payment.supplier_id)
    payment = SupplierPayment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    if parts is None:
        candidate_ids = list(
            open_supplier_invoices(payment.supplier_id).values_list("pk", flat=True)
        )
    else:
        candidate_ids = [part.invoice_id for part in parts]
        if len(set(candidate_ids)) != len(candidate_ids):
            raise BusinessRuleViolation(
                _("Allocate to each invoice at most once."), code="duplicate_invoice"
            )
    locked = {
        invoice.pk: invoice
        for invoice in SupplierInvoice.objects.select_for_update(of=("self",))
        .filter(pk__in=candidate_ids)
        .order_by("pk")
    }
    if parts is None:
        ordered = sorted(
            (i for i in locked.values() if i.open_amount > 0),
            key=lambda i: (i.due_date or i.date, i.date, i.pk),
        )
        parts = _plan(ordered, payment.unallocated)
    else:
        _check_parts(payment, parts, locked)
    return _write(org=org, actor=actor, payment=payment, parts=parts)


def apply_prepayments(
    *, org: Organization, actor: Membership, invoice: SupplierInvoice, order_ids: Sequence[int]
) -> list[SupplierAllocation]:
    """Settle a just-posted invoice from what is left of the prepayments on its orders, oldest
    first. The caller holds the invoice's and the supplier's locks."""
    if not order_ids:
        return []
    payments = list(
        SupplierPayment.objects.select_for_update(of=("self",))
        .filter(
            order_id__in=order_ids,
            supplier_id=invoice.supplier_id,
            amount__gt=F("amount_allocated") + HALF_FEN,
        )
        .order_by("pk")
    )
    allocations: list[SupplierAllocation] = []
    open_amount = invoice.open_amount
    for payment in sorted(payments, key=lambda p: (p.date, p.pk)):
        take = min(payment.unallocated, open_amount)
        if take <= 0:
            break
        allocations += _write(
            org=org,
            actor=actor,
            payment=payment,
            parts=[SupplierAllocationPart(invoice_id=invoice.pk, amount=take)],
        )
        open_amount -= take
    return allocations


@transaction.atomic
def settle_bill(
    *,
    org: Organization,
    actor: Membership,
    payment: SupplierPayment,
    paid_on: datetime.date | None = None,
) -> SupplierPayment:
    """Record that the bank paid our acceptance bill at maturity: Dr bills payable, Cr bank.

    The supplier's account is untouched (the bill settled it when it was issued)."""
    require_perm(actor, MANAGE_ORDERS)
    payment = SupplierPayment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    if payment.method != SupplierPaymentMethod.ACCEPTANCE_BILL:
        raise BusinessRuleViolation(
            _("Only a bank acceptance bill is paid by the bank at maturity."), code="not_a_bill"
        )
    if payment.bill_paid_on is not None:
        raise BusinessRuleViolation(
            _("The bank already paid this bill on %(date)s.") % {"date": payment.bill_paid_on},
            code="bill_already_paid",
        )
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate() or paid_on < payment.date:
        message = _("The bank pays a bill between its issue date and today.")
        raise BusinessRuleViolation(message, code="invalid_date", fields={"paid_on": message})
    payment.bill_payment_entry = post_entry(
        org=org,
        actor=actor,
        date=paid_on,
        memo=_("Bank paid bill %(bill)s at maturity") % {"bill": payment.bill_number},
        postings=[
            Posting(CREDIT_ACCOUNT_OF_METHOD[payment.method], debit=payment.amount),
            Posting(BANK, credit=payment.amount),
        ],
        source_type=SOURCE_TYPE,
        source_id=payment.pk,
    )
    payment.bill_paid_on = paid_on
    payment.save(update_fields=["bill_paid_on", "bill_payment_entry"])
    record_event(org=org, actor=actor, subject=payment, verb="bill_paid", data={"on": str(paid_on)})
    return payment
