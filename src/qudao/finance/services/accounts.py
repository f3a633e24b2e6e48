"""The prepayment account (预付款账户): top-ups (the retailer's voucher, finance's decision, or
staff recording one for the customer), refunds paid back out of the balance, and the
organization's account settings. Settling invoices from the balance, and what a credit note on
a paid invoice gives back to it, live in `settlement`.

The balance is the customer's money received and not matched yet (`balances.prepayment_
balance`): a payment credits the receivable in full when posted, so nothing moves in the ledger
when money on the balance settles an invoice; a refund is a payment out (Dr receivable, Cr the
money account) that takes its amount from the payments' unallocated money.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.core.states import ensure_transition
from qudao.finance import balances
from qudao.finance.models import (
    ACCOUNT_METHODS,
    DEBIT_ACCOUNT_OF_METHOD,
    RECEIVABLE,
    TOPUP_TRANSITIONS,
    AccountSettings,
    CustomerRefund,
    Payment,
    PrepaymentTopUp,
    RefundPart,
    TopUpSource,
    TopUpStatus,
)
from qudao.finance.services.ledger import Posting, post_entry
from qudao.finance.services.payments import PaymentData
from qudao.finance.services.payments import receive_payment as record_payment
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number, record_event

MAX_AMOUNT: Final = Decimal("1000000000.00")  # one transfer; more is a typing error
MAX_VOUCHER_BYTES: Final = 5 * 1024 * 1024
OLDEST_VOUCHER_DAYS: Final = 366
CLOSED_STATUSES: Final = (TopUpStatus.REJECTED, TopUpStatus.WITHDRAWN)

# what a voucher may be: a photo or screenshot of the transfer, or the bank's PDF receipt
_SIGNATURES: Final = (
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"%PDF-", "pdf"),
)


@dataclass(frozen=True)
class TopUpData:
    """Money the customer sent us: how much, when, how, and the bank's or app's reference."""

    customer_id: int
    amount: Decimal
    date: datetime.date
    method: str
    reference: str = ""
    note: str = ""
    idempotency_key: str = ""


@dataclass(frozen=True)
class RefundData:
    """Money paid back to the customer out of its prepayment balance."""

    customer_id: int
    amount: Decimal
    date: datetime.date
    method: str
    reason: str
    reference: str = ""
    idempotency_key: str = ""


def _refuse(fields: dict[str, str], code: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(next(iter(fields.values())), code=code, fields=fields)


def _check_money(amount: Decimal, date: datetime.date, method: str, fields: dict[str, str]) -> None:
    if not amount.is_finite() or amount <= 0 or amount != quantize(amount):
        fields["amount"] = _("Enter a positive amount in fen.")
    elif amount > MAX_AMOUNT:
        fields["amount"] = _("Enter at most %(max)s.") % {"max": MAX_AMOUNT}
    if date > timezone.localdate():
        fields["date"] = _("The date cannot be in the future.")
    if method not in ACCOUNT_METHODS:
        fields["method"] = _("Choose bank transfer, WeChat Pay, Alipay or cash.")


def _customer(org: Organization, customer_id: int) -> Party:
    """The customer row, locked: it guards the balances of its accounts."""
    customer = (
        Party.objects.select_for_update(of=("self",))
        .filter(pk=customer_id, kind=PartyKind.CUSTOMER, org=org)
        .first()
    )
    if customer is None:
        message = _("Choose one of this organization's customers.")
        raise BusinessRuleViolation(message, code="not_a_customer", fields={"customer_id": message})
    return customer


def read_voucher(voucher: UploadedFile) -> tuple[str, str]:
    """(file extension, SHA-256) of an uploaded voucher; refused unless it is a JPEG, PNG or
    PDF of at most 5 MB (its content decides, not its name)."""
    if voucher.size is not None and voucher.size > MAX_VOUCHER_BYTES:
        message = _("The voucher may be at most 5 MB.")
        raise BusinessRuleViolation(message, code="voucher_too_large", fields={"voucher": message})
    digest = hashlib.sha256()
    head = b""
    size = 0
    voucher.seek(0)
    for chunk in voucher.chunks():
        if not head:
            head = chunk[:16]
        size += len(chunk)
        digest.update(chunk)
    voucher.seek(0)
    if size > MAX_VOUCHER_BYTES:
        message = _("The voucher may be at most 5 MB.")
        raise BusinessRuleViolation(message, code="voucher_too_large", fields={"voucher": message})
    for signature, extension in _SIGNATURES:
        if head.startswith(signature):
            return extension, digest.hexdigest()
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", digest.hexdigest()
    message = _("Upload a photo (JPEG, PNG or WebP) or a PDF of the transfer voucher.")
    raise BusinessRuleViolation(message, code="voucher_not_accepted", fields={"voucher": message})


def _duplicate(customer: Party, data: TopUpData, fingerprint: str) -> None:
    """Refuse what looks like a top-up already sent: the same voucher file, the same transfer
    reference, or (without references) the same amount, date and method still waiting."""
    live = PrepaymentTopUp.objects.filter(customer=customer).exclude(status__in=CLOSED_STATUSES)
    if fingerprint:
        same = live.filter(voucher_sha256=fingerprint).first()
        if same is not None:
            message = _("This voucher was already sent with top-up %(number)s of %(date)s.") % {
                "number": same.number,
                "date": same.date,
            }
            raise BusinessRuleViolation(
                message, code="duplicate_voucher", fields={"voucher": message}
            )
    reference = data.reference.strip()
    if reference:
        same = live.filter(reference__iexact=reference, method=data.method).first()
        paid = (
            Payment.objects.filter(
                customer=customer, reference__iexact=reference, method=data.method
            ).first()
            if same is None
            else None
        )
        if same is not None or paid is not None:
            number = same.number if same is not None else paid.number  # type: ignore[union-attr]
            message = _(
                "A transfer with reference %(reference)s is already recorded (%(number)s)."
            ) % {"reference": reference, "number": number}
            raise BusinessRuleViolation(
                message, code="duplicate_reference", fields={"reference": message}
            )
        return
    same = live.filter(
        status=TopUpStatus.PENDING,
        reference="",
        amount=data.amount,
        date=data.date,
        method=data.method,
    ).first()
    if same is not None:
        message = _(
            "A top-up of %(amount)s dated %(date)s is already waiting for finance (%(number)s). "
            "If this is another transfer, enter its reference."
        ) % {"amount": data.amount, "date": data.date, "number": same.number}
        raise BusinessRuleViolation(message, code="duplicate_top_up", fields={"reference": message})


def _existing(key: str) -> PrepaymentTopUp | None:
    return PrepaymentTopUp.objects.filter(idempotency_key=key).first() if key else None


def _create_top_up(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    data: TopUpData,
    voucher: UploadedFile | None,
    source: str,
    key: str,
) -> PrepaymentTopUp:
    extension, fingerprint = read_voucher(voucher) if voucher is not None else ("", "")
    _duplicate(customer, data, fingerprint)
    top_up = PrepaymentTopUp(
        org=org,
        customer=customer,
        amount=data.amount,
        date=data.date,
        method=data.method,
        reference=data.reference.strip()[:100],
        note=data.note.strip()[:300],
        source=source,
        idempotency_key=key,
        voucher_sha256=fingerprint,
        submitted_at=timezone.now(),
        submitted_by=actor,
    )
    if voucher is not None:
        # our own file name: what the phone called it says nothing and may say too much
        top_up.voucher.save(f"{uuid.uuid4().hex}.{extension}", voucher, save=False)
    top_up.number = next_number(org=org, key=f"TU{timezone.localdate().year}")
    top_up.save()
    return top_up


@transaction.atomic
def request_top_up(
    *,
    org: Organization,
    actor: Membership,
    data: TopUpData,
    voucher: UploadedFile | None,
    source: str = TopUpSource.PORTAL,
) -> tuple[PrepaymentTopUp, bool]:
    """The retailer tells us it sent money, with the voucher: a pending top-up for finance to
    check (not money yet). Returns (top-up, created); a repeated idempotency key returns the
    first request and writes nothing."""
    require_perm(actor, Perm.USE_RETAILER_PORTAL)
    if actor.party_id is None or actor.party_id != data.customer_id:
        raise BusinessRuleViolation(
            _("You can top up your own account only."), code="not_your_account"
        )
    key = data.idempotency_key.strip()[:100]
    first = _existing(key)
    if first is not None:
        return first, False
    fields: dict[str, str] = {}
    _check_money(data.amount, data.date, data.method, fields)
    if data.date < timezone.localdate() - datetime.timedelta(days=OLDEST_VOUCHER_DAYS):
        fields["date"] = _("A transfer older than a year: please ask our finance team.")
    if voucher is None:
        fields["voucher"] = _("Attach a photo or PDF of the transfer voucher.")
    if fields:
        raise _refuse(fields, "invalid_top_up")
    customer = _customer(org, data.customer_id)
    first = _existing(key)  # a retry that waited on the lock
    if first is not None:
        return first, False
    top_up = _create_top_up(
        org=org, actor=actor, customer=customer, data=data, voucher=voucher, source=source, key=key
    )
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="top_up_requested",
        data={"number": top_up.number, "amount": str(top_up.amount)},
    )
    return top_up, True


def _payment_data(top_up: PrepaymentTopUp) -> PaymentData:
    return PaymentData(
        customer_id=top_up.customer_id,
        date=top_up.date,
        amount=top_up.amount,
        method=top_up.method,
        reference=top_up.reference,
        memo=(_("Prepayment top-up %(number)s") % {"number": top_up.number})[:300],
        idempotency_key=f"topup:{top_up.pk}",
    )


def _credit(
    org: Organization, actor: Membership, top_up: PrepaymentTopUp, allocate: bool
) -> PrepaymentTopUp:
    payment, _created = record_payment(
        org=org, actor=actor, data=_payment_data(top_up), auto_allocate=allocate
    )
    top_up.status = TopUpStatus.APPROVED
    top_up.payment = payment
    top_up.decided_at = timezone.now()
    top_up.decided_by = actor
    top_up.save(update_fields=["status", "payment", "decided_at", "decided_by"])
    return top_up


@transaction.atomic
def record_top_up(
    *,
    org: Organization,
    actor: Membership,
    data: TopUpData,
    voucher: UploadedFile | None = None,
    allocate: bool = False,
) -> tuple[PrepaymentTopUp, bool]:
    """Staff top up the customer's account on its behalf: the payment is recorded at once
    (the voucher is optional). Returns (top-up, created), idempotent like payments."""
    require_perm(actor, Perm.POST_FINANCE)
    key = data.idempotency_key.strip()[:100]
    first = _existing(key)
    if first is not None:
        return first, False
    fields: dict[str, str] = {}
    _check_money(data.amount, data.date, data.method, fields)
    if fields:
        raise _refuse(fields, "invalid_top_up")
    customer = _customer(org, data.customer_id)
    first = _existing(key)
    if first is not None:
        return first, False
    top_up = _create_top_up(
        org=org,
        actor=actor,
        customer=customer,
        data=data,
        voucher=voucher,
        source=TopUpSource.STAFF,
        key=key,
    )
    _credit(org, actor, top_up, allocate)
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="top_up_recorded",
        data={"number": top_up.number, "amount": str(top_up.amount)},
    )
    return top_up, True


def _locked(top_up: PrepaymentTopUp, target: str) -> PrepaymentTopUp:
    """The top-up, locked, if it still waits for a decision (else a refusal saying why)."""
    top_up = PrepaymentTopUp.objects.select_for_update(of=("self",)).get(pk=top_up.pk)
    if top_up.status != TopUpStatus.PENDING:
        raise BusinessRuleViolation(
            _("Top-up %(number)s is no longer waiting: it is %(status)s.")
            % {"number": top_up.number, "status": top_up.get_status_display()},
            code="invalid_transition",
        )
    ensure_transition(top_up.status, target, TOPUP_TRANSITIONS)
    return top_up


@transaction.atomic
def approve_top_up(
    *, org: Organization, actor: Membership, top_up: PrepaymentTopUp, allocate: bool = False
) -> PrepaymentTopUp:
    """Finance found the money: record the payment (Dr bank/cash/funds, Cr receivable), which
    credits the prepayment balance; `allocate` settles open invoices with it, oldest first."""
    require_perm(actor, Perm.POST_FINANCE)
    top_up = _locked(top_up, TopUpStatus.APPROVED)
    _credit(org, actor, top_up, allocate)
    record_event(
        org=org,
        actor=actor,
        subject=Party.objects.get(pk=top_up.customer_id),
        verb="top_up_approved",
        data={
            "number": top_up.number,
            "amount": str(top_up.amount),
            "payment": top_up.payment.number if top_up.payment else "",
        },
    )
    return top_up


@transaction.atomic
def reject_top_up(
    *, org: Organization, actor: Membership, top_up: PrepaymentTopUp, reason: str
) -> PrepaymentTopUp:
    """Finance did not find the money (or the voucher is wrong): the retailer sees why."""
    require_perm(actor, Perm.POST_FINANCE)
    reason = reason.strip()
    if not reason:
        message = _("Say why the top-up is rejected: the customer will read it.")
        raise BusinessRuleViolation(message, code="reason_required", fields={"reason": message})
    top_up = _locked(top_up, TopUpStatus.REJECTED)
    top_up.status = TopUpStatus.REJECTED
    top_up.rejection_reason = reason[:300]
    top_up.decided_at = timezone.now()
    top_up.decided_by = actor
    top_up.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
    record_event(
        org=org,
        actor=actor,
        subject=Party.objects.get(pk=top_up.customer_id),
        verb="top_up_rejected",
        reason=reason,
        data={"number": top_up.number, "amount": str(top_up.amount)},
    )
    return top_up


@transaction.atomic
def withdraw_top_up(
    *, org: Organization, actor: Membership, top_up: PrepaymentTopUp
) -> PrepaymentTopUp:
    """The retailer takes back a request finance has not decided yet."""
    require_perm(actor, Perm.USE_RETAILER_PORTAL)
    if actor.party_id != top_up.customer_id:
        raise BusinessRuleViolation(
            _("You can withdraw your own requests only."), code="not_your_account"
        )
    top_up = _locked(top_up, TopUpStatus.WITHDRAWN)
    top_up.status = TopUpStatus.WITHDRAWN
    top_up.decided_at = timezone.now()
    top_up.save(update_fields=["status", "decided_at"])
    record_event(
        org=org,
        actor=actor,
        subject=Party.objects.get(pk=top_up.customer_id),
        verb="top_up_withdrawn",
        data={"number": top_up.number},
    )
    return top_up


# ---------------------------------------------------------------------------------------------
# Refunds (退款)


@transaction.atomic
def refund_prepayment(
    *, org: Organization, actor: Membership, data: RefundData
) -> tuple[CustomerRefund, bool]:
    """Pay money back to the customer out of its prepayment balance (Dr receivable, Cr the
    money account), taken from its payments' unallocated money oldest first. Returns
    (refund, created); a repeated idempotency key returns the first refund."""
    require_perm(actor, Perm.POST_FINANCE)
    key = data.idempotency_key.strip()[:100]
    if key and (first := CustomerRefund.objects.filter(idempotency_key=key).first()):
        return first, False
    fields: dict[str, str] = {}
    _check_money(data.amount, data.date, data.method, fields)
    if not data.reason.strip():
        fields["reason"] = _("Say why the money is paid back.")
    if fields:
        raise _refuse(fields, "invalid_refund")
    customer = _customer(org, data.customer_id)
    if key and (first := CustomerRefund.objects.filter(idempotency_key=key).first()):
        return first, False
    payments = list(balances.open_payments(customer).select_for_update(of=("self",)).order_by("pk"))
    available = sum((p.unallocated for p in payments), ZERO)
    if data.amount > available:
        message = _(
            "%(name)s has %(available)s on its prepayment balance; %(amount)s cannot be paid back."
        ) % {"name": customer.name, "available": available, "amount": data.amount}
        raise BusinessRuleViolation(
            message, code="refund_exceeds_balance", fields={"amount": message}
        )
    refund = CustomerRefund.objects.create(
        org=org,
        number="",
        customer=customer,
        date=data.date,
        amount=data.amount,
        method=data.method,
        reference=data.reference.strip()[:100],
        reason=data.reason.strip()[:300],
        idempotency_key=key,
        posted_at=timezone.now(),
        posted_by=actor,
    )
    parts = []
    left = data.amount
    for payment in sorted(payments, key=lambda p: (p.date, p.pk)):
        if left <= 0:
            break
        take = min(payment.unallocated, left)
        parts.append(RefundPart(org=org, refund=refund, payment=payment, amount=take))
        Payment.objects.filter(pk=payment.pk).update(amount_allocated=F("amount_allocated") + take)
        left -= take
    RefundPart.objects.bulk_create(parts)
    refund.journal_entry = post_entry(
        org=org,
        actor=actor,
        date=data.date,
        memo=_("Refund to %(customer)s: %(reason)s")
        % {"customer": customer.name, "reason": refund.reason},
        postings=[
            Posting(RECEIVABLE, debit=data.amount, party=customer),
            Posting(DEBIT_ACCOUNT_OF_METHOD[data.method], credit=data.amount),
        ],
        source_type="finance.refund",
        source_id=refund.pk,
    )
    refund.number = next_number(org=org, key=f"RF{data.date.year}")  # last: shortest lock
    refund.save(update_fields=["journal_entry", "number"])
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="refund_paid",
        reason=refund.reason,
        data={"number": refund.number, "amount": str(refund.amount), "method": refund.method},
    )
    return refund, True


@transaction.atomic
def set_account_settings(
    *,
    org: Organization,
    actor: Membership,
    rebate_max_share: Decimal,
    settle_from_prepayments: bool,
) -> AccountSettings:
    """How much of an order the rebate may pay, and whether new invoices are settled from
    the prepayment balance at once."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    if (
        not rebate_max_share.is_finite()
        or not ZERO <= rebate_max_share <= 1
        or rebate_max_share != rebate_max_share.quantize(Decimal("0.0001"))
    ):
        message = _("Enter a share between 0 and 100 %.")
        raise BusinessRuleViolation(
            message, code="invalid_share", fields={"rebate_max_share": message}
        )
    row, _created = AccountSettings.objects.select_for_update(of=("self",)).get_or_create(org=org)
    before = {"share": str(row.rebate_max_share), "settle": row.settle_from_prepayments}
    row.rebate_max_share = rebate_max_share
    row.settle_from_prepayments = settle_from_prepayments
    row.save()
    record_event(
        org=org,
        actor=actor,
        subject=row,
        verb="account_settings_changed",
        data={
            "before": before,
            "after": {"share": str(rebate_max_share), "settle": settle_from_prepayments},
        },
    )
    return row
