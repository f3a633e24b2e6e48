"""Clearing the bank acceptance bills (承兑汇票) customers paid us with: the bank pays a bill at
maturity, or discounts it earlier (贴现) for interest. Either moves the face amount out of
bills receivable (1121). A bill paid by the bank stops counting in the customer's credit
exposure; a discounted one keeps counting until its maturity, since the discounting bank has
recourse to us (有追索权) if the accepting bank refuses to pay.

Endorsing a bill to a supplier (背书转让) pays that supplier: purchasing's supplier payment
calls `lock_bill_for_endorsement` and `endorse_bill` (finance never calls purchasing). The
face amount moves from bills receivable to the supplier's payable; the customer's exposure
keeps counting the bill until its maturity, since we stay liable by recourse until then.
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
    PAYABLE,
    BillClearing,
    ClearingKind,
    Payment,
    PaymentMethod,
)
from qudao.finance.services.ledger import Posting, post_entry
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event

# the entry's source is the bill itself (the payment received by bill): an entry never changes,
# so it cannot point at a clearing row written after it
SOURCE_TYPE = "finance.bill_clearing"


def _refuse(message: str, code: str, field: str = "") -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields={field: message} if field else None)


def _refuse_if_cleared(payment: Payment) -> None:
    """Refuse a bill that is not one, or that has already left bills receivable."""
    if payment.method != PaymentMethod.ACCEPTANCE_BILL or payment.bill_maturity is None:
        raise _refuse(_("Only a payment by bank acceptance bill can be cleared."), "not_a_bill")
    done = BillClearing.objects.filter(payment=payment).values_list("kind", flat=True).first()
    if done == ClearingKind.ENDORSED:
        raise _refuse(_("This bill has already been endorsed to a supplier."), "bill_endorsed")
    if done is not None:
        raise _refuse(_("This bill has already been cleared."), "bill_already_cleared")


def _check(
    payment: Payment, kind: str, date: datetime.date, proceeds: Decimal | None
) -> tuple[Decimal, Decimal]:
    """(proceeds, discount interest) of a clearing that the rules allow."""
    _refuse_if_cleared(payment)
    if kind == ClearingKind.ENDORSED:
        raise _refuse(
            _("A bill is endorsed to a supplier by paying the supplier with it."),
            "invalid_kind",
            "kind",
        )
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


def _check_endorsement(bill: Payment, date: datetime.date) -> None:
    _refuse_if_cleared(bill)
    if date > timezone.localdate():
        raise _refuse(_("An endorsement cannot be dated in the future."), "future_date", "date")
    if date < bill.date:
        raise _refuse(
            _("A bill is endorsed on or after the day it was received."), "before_receipt", "date"
        )
    maturity = bill.bill_maturity
    if maturity is not None and maturity < date:
        raise _refuse(
            _("A bill past its maturity (%(date)s) can no longer be endorsed.")
            % {"date": maturity.isoformat()},
            "bill_past_maturity",
            "bill_id",
        )


def lock_bill_for_endorsement(*, bill_id: int, date: datetime.date) -> Payment:
    """Lock the organization's received bill `bill_id` and check that it may be endorsed on
    `date`: a bill still in bills receivable, received by then and not past maturity.

    Called by the supplier payment before it takes its number, so that the bill is locked
    before the number sequence (the locking order); `endorse_bill` checks again."""
    bill = Payment.objects.select_for_update(of=("self",)).filter(pk=bill_id).first()
    if bill is None:
        raise _refuse(
            _("Choose one of this organization's bank acceptance bills."),
            "bill_not_found",
            "bill_id",
        )
    _check_endorsement(bill, date)
    return bill


@transaction.atomic
def endorse_bill(
    *,
    org: Organization,
    actor: Membership,
    bill: Payment,
    endorsee: Party,
    date: datetime.date,
    reference: str,
    source_type: str = SOURCE_TYPE,
    source_id: int | None = None,
) -> BillClearing:
    """Pay the supplier `endorsee` with the whole bill (背书转让): Dr accounts payable (the
    supplier), Cr bills receivable, the face amount. `reference` is the supplier payment's
    number; `source_type`/`source_id` name that payment on the journal entry.

    The customer's credit exposure keeps counting the bill until its maturity (recourse)."""
    require_perm(actor, Perm.POST_FINANCE)
    bill = lock_bill_for_endorsement(bill_id=bill.pk, date=date)
    if endorsee.org_id != org.pk or endorsee.kind != PartyKind.SUPPLIER:
        raise _refuse(
            _("Choose one of this organization's suppliers."), "supplier_not_found", "supplier_id"
        )
    entry = post_entry(
        org=org,
        actor=actor,
        date=date,
        memo=_("Bill %(number)s endorsed to %(supplier)s")
        % {"number": bill.bill_number, "supplier": endorsee.name},
        postings=[
            Posting(PAYABLE, debit=bill.amount, party=endorsee),
            Posting(BILLS_RECEIVABLE, credit=bill.amount),
        ],
        source_type=source_type,
        source_id=bill.pk if source_id is None else source_id,
    )
    clearing = BillClearing.objects.create(
        org=org,
        payment=bill,
        kind=ClearingKind.ENDORSED,
        date=date,
        face_amount=bill.amount,
        proceeds=ZERO,
        discount_interest=ZERO,
        endorsee=endorsee,
        endorsement_reference=reference.strip()[:100],
        journal_entry=entry,
        created_by=actor,
    )
    record_event(
        org=org,
        actor=actor,
        subject=bill,
        verb="bill_endorsed",
        data={"supplier": endorsee.pk, "reference": clearing.endorsement_reference},
    )
    return clearing
