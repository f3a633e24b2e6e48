"""Settling invoices from the prepayment balance, and giving back what paid an invoice when a
credit note credits more than is still open on it (to the prepayment balance, the rebate's
share to the rebate account).

The balance is matching, not a ledger account (a payment credits the receivable in full when
posted), so settling from it writes allocations only; giving it back writes negative
allocations (red ink) that name the credit note.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from qudao.core.money import ZERO, quantize
from qudao.finance import balances
from qudao.finance.models import Allocation, Invoice, Payment
from qudao.finance.services.payments import AllocationPart, allocate_payment
from qudao.finance.services.rebates import give_back_rebate, rebate_paid_on
from qudao.parties.models import Party
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event


def release_for_credit_note(
    *, org: Organization, actor: Membership, invoice: Invoice, credit_note: Invoice, amount: Decimal
) -> None:
    """A credit note for more than is open on `invoice` gives `amount` of what paid it back:
    the rebate's share to the rebate account, the rest to the payments (newest first, by a
    negative allocation), where it stays as the customer's prepayment balance. Runs inside
    `credit_invoice`, which has locked the invoice.

    The counters are written as exact amounts computed from the locked rows, not as F()
    differences: SQLite subtracts decimal columns in binary floating point, and a counter
    brought back to zero could land a hair below it (refused by the check constraints)."""
    paid_before = invoice.amount_paid
    by_rebate = rebate_paid_on(invoice)
    allocated = invoice.amount_paid - by_rebate
    rebate_part = (
        min(quantize(amount * by_rebate / invoice.amount_paid), by_rebate)
        if invoice.amount_paid > 0
        else ZERO
    )
    money_part = amount - rebate_part
    if money_part > allocated:  # a fen of rounding: the rebate takes it
        rebate_part += money_part - allocated
        money_part = allocated
    if rebate_part > 0:
        give_back_rebate(
            org=org, actor=actor, invoice=invoice, credit_note=credit_note, amount=rebate_part
        )
    if money_part <= 0:
        return
    net = (
        Allocation.objects.filter(invoice=invoice)
        .values("payment_id")
        .annotate(net=Sum("amount"))
        .filter(net__gt=0)
    )
    by_payment = {row["payment_id"]: row["net"] for row in net}
    payments = list(
        Payment.objects.select_for_update(of=("self",)).filter(pk__in=by_payment).order_by("pk")
    )
    released = []
    left = money_part
    for payment in sorted(payments, key=lambda p: (p.date, p.pk), reverse=True):
        if left <= 0:
            break
        take = min(quantize(by_payment[payment.pk]), left)
        if take <= 0:  # a payment given back in full already (SQLite sums in floating point)
            continue
        released.append(
            Allocation(
                org=org,
                payment=payment,
                invoice=invoice,
                amount=-take,
                credit_note=credit_note,
                # a backdated credit note cannot undo a payment before it was made
                effective_date=max(credit_note.date, payment.date),
                customer_id=invoice.customer_id,
                invoice_date=invoice.date,
                invoice_due_date=invoice.due_date or invoice.date,
                created_by=actor,
            )
        )
        Payment.objects.filter(pk=payment.pk).update(
            amount_allocated=payment.amount_allocated - take
        )
        left -= take
    Allocation.objects.bulk_create(released)
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=paid_before - amount)
    record_event(
        org=org,
        actor=actor,
        subject=invoice,
        verb="payment_released",
        reason=credit_note.number,
        data={
            "to_prepayment": str(money_part),
            "to_rebate": str(rebate_part),
            "payments": {str(a.payment_id): str(-a.amount) for a in released},
        },
    )


@transaction.atomic
def settle_from_prepayments(*, org: Organization, actor: Membership, invoice: Invoice) -> Decimal:
    """Settle what is open on `invoice` from the customer's prepayment balance, oldest
    payment first; returns the amount settled (0 when the balance is empty)."""
    require_perm(actor, Perm.POST_FINANCE)
    invoice = Invoice.objects.get(pk=invoice.pk)
    settled = ZERO
    for payment in list(balances.open_payments(invoice.customer)):
        left = invoice.open_amount - settled
        if left <= 0:
            break
        take = min(payment.unallocated, left)
        allocate_payment(
            org=org, actor=actor, payment=payment, parts=[AllocationPart(invoice.pk, take)]
        )
        settled += take
    return settled


@transaction.atomic
def settle_open_invoices(*, org: Organization, actor: Membership, customer: Party) -> Decimal:
    """Use the whole prepayment balance on the customer's open invoices, oldest due first."""
    require_perm(actor, Perm.POST_FINANCE)
    settled = ZERO
    for payment in list(balances.open_payments(customer)):
        allocations = allocate_payment(org=org, actor=actor, payment=payment)
        settled += sum((a.amount for a in allocations), ZERO)
    return settled
