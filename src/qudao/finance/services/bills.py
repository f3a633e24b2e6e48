"""Clearing the bank acceptance bills (承兑汇票) customers paid us with: the bank pays a bill at
maturity, or discounts it earlier (贴现) for interest. Either moves the face amount out of
bills receivable (1121); the customer's credit exposure stops counting it from then on.

Endorsing a bill to a supplier (背书转让) is not handled here: it pays a supplier, which belongs
to purchasing's supplier payments (finance may not call purchasing).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.finance.models import (
    BANK,
    BILLS_RECEIVABLE,
    FINANCIAL_EXPENSES,
    BillClearing,
    ClearingKind,
    Payment,
    PaymentMethod,
)
from qudao.finance.services.ledger import Posting, post_entry
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event

# the entry's source is the bill itself (the payment received by bill): an entry never changes,
# so it cannot point at a clearing row written after it
SOURCE_TYPE = "finance.bill_clearing"


def _refuse(message: str, code: str, field: str = "") -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields={field: message} if field else None)


def _check(
    payment: Payment, kind: str, date: datetime.date, proceeds: Decimal | None
) -> tuple[Decimal, Decimal]:
    """(proceeds, discount interest) of a clearing that the rules allow."""
    if payment.method != PaymentMethod.ACCEPTANCE_BILL or payment.bill_maturity is None:
        raise _refuse(_("Only a payment by bank acceptance bill can be cleared."), "not_a_bill")
    if BillClearing.objects.filter(payment=payment).exists():
        raise _refuse(_("This bill has already been cleared."), "bill_already_cleared")
    if kind not in ClearingKind.values:
        raise _refuse(_("Choose how the bill was cleared."), "invalid_kind", "kind")
    if date > timezone.localdate():
        raise _refuse(_("A clearing cannot be dated in the future."), "future_date", "date")
    if date < payment.date:
        raise _refuse(
            _("A bill is cleared on or after the day it was received."), "before_receipt", "date"
        )
    if kind == ClearingKind.MATURED:
        if date < payment.bill_maturity:
            raise _refuse(
                _("The bank pays a bill at maturity (%(date)s); before that, record a discount.")
                % {"date": payment.bill_maturity.isoformat()},
                "not_yet_mature",
                "date",
            )
        return payment.amount, ZERO
    if date >= payment.bill_maturity:
        raise _refuse(
            _("A bill is discounted before its maturity (%(date)s).")
            % {"date": payment.bill_maturity.isoformat()},
            "already_mature",
            "date",
        )
    if proceeds is None or not proceeds.is_finite():
        raise _refuse(_("Enter what the bank paid out."), "invalid_amount", "proceeds")
    if proceeds <= 0 or proceeds != quantize(proceeds) or proceeds > payment.amount:
        raise _refuse(
            _("The bank pays out more than zero and at most the bill's face amount, in fen."),
            "invalid_amount",
            "proceeds",
        )
    return proceeds, payment.amount - proceeds


@transaction.atomic
def clear_bill(
    *,
    org: Organization,
    actor: Membership,
    payment: Payment,
    kind: str,
    date: datetime.date,
    proceeds: Decimal | None = None,
    bank_reference: str = "",
) -> BillClearing:
    """Record that the bank paid the bill (Dr bank, Cr bills receivable) or discounted it
    (Dr bank the proceeds, Dr financial expenses the interest, Cr bills receivable the face)."""
    require_perm(actor, Perm.POST_FINANCE)
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    paid_out, interest = _check(payment, kind, date, proceeds)
    postings = [Posting(BANK, debit=paid_out)]
    if interest > 0:
        postings.append(Posting(FINANCIAL_EXPENSES, debit=interest))
    postings.append(Posting(BILLS_RECEIVABLE, credit=payment.amount))
    memo = (
        _("Bill %(number)s paid by the bank at maturity")
        if kind == ClearingKind.MATURED
        else _("Bill %(number)s discounted at the bank")
    ) % {"number": payment.bill_number}
    entry = post_entry(
        org=org,
        actor=actor,
        date=date,
        memo=memo,
        postings=postings,
        source_type=SOURCE_TYPE,
        source_id=payment.pk,
    )
    clearing = BillClearing.objects.create(
        org=org,
        payment=payment,
        kind=kind,
        date=date,
        face_amount=payment.amount,
        proceeds=paid_out,
        discount_interest=interest,
        bank_reference=bank_reference.strip()[:100],
        journal_entry=entry,
        created_by=actor,
    )
    record_event(
        org=org,
        actor=actor,
        subject=payment,
        verb=f"bill_{kind}",
        data={"proceeds": str(paid_out), "interest": str(interest)},
    )
    return clearing
