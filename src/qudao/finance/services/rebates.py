"""The rebate account (返利账户): grants, their reversal, reservations by open orders, use on
an invoice and what a credit note gives back. Every movement is a `RebateEntry` and a journal
entry on 2241 "Other payables - rebates" with the customer as party:

- grant: Dr 6601 selling expenses - customer rebates, Cr 2241 (the rebate is owed to the
  customer from the day it is earned);
- reversal of a grant: the same, the other way;
- use on an invoice: Dr 2241, Cr 1122 receivable; the invoice counts it as paid;
- given back by a credit note: Dr 1122, Cr 2241.

Sales never writes these rows: it calls `reserve_rebate`, `apply_rebate` and (through
`release_open_order`) `release_rebate_reservation` with the order's reference. The share of an
order the rebate may pay (`rebate_share_of`) is the credit policy's cap (the customer's own,
else its group default's), else the organization's setting.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.finance import balances
from qudao.finance.credit import policy_of
from qudao.finance.models import (
    REBATE_LIABILITY,
    RECEIVABLE,
    SALES_REBATES,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    RebateEntry,
    RebateEntryKind,
    RebateReservation,
    RebateSource,
)
from qudao.finance.services.ledger import Posting, post_entry
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number, record_event

SOURCE = "finance.rebate"


@dataclass(frozen=True)
class RebateGrantData:
    """A rebate earned by the customer: how much, when, from what, and why."""

    customer_id: int
    amount: Decimal
    date: datetime.date
    source: str
    reason: str
    reference: str = ""


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


def _positive(amount: Decimal, field: str = "amount") -> None:
    if not amount.is_finite() or amount <= 0 or amount != quantize(amount):
        message = _("Enter a positive amount in fen.")
        raise BusinessRuleViolation(message, code="invalid_amount", fields={field: message})


def _entry(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    kind: str,
    date: datetime.date,
    amount: Decimal,
    memo: str,
    postings: list[Posting],
    number_key: str = "",
    **fields: object,
) -> RebateEntry:
    """Write the account's row, then the journal entry that mirrors it (pointing back at it)."""
    entry = RebateEntry.objects.create(
        org=org,
        customer=customer,
        kind=kind,
        date=date,
        amount=amount,
        created_by=actor,
        **fields,
    )
    entry.journal_entry = post_entry(
        org=org,
        actor=actor,
        date=date,
        memo=memo,
        postings=postings,
        source_type=SOURCE,
        source_id=entry.pk,
    )
    update = ["journal_entry"]
    if number_key:
        entry.number = next_number(org=org, key=number_key)  # last: shortest lock
        update.append("number")
    entry.save(update_fields=update)
    return entry


@transaction.atomic
def grant_rebate(*, org: Organization, actor: Membership, data: RebateGrantData) -> RebateEntry:
    """Credit the customer's rebate account (Dr selling expenses - rebates, Cr 2241)."""
    require_perm(actor, Perm.POST_FINANCE)
    fields: dict[str, str] = {}
    if not data.amount.is_finite() or data.amount <= 0 or data.amount != quantize(data.amount):
        fields["amount"] = _("Enter a positive amount in fen.")
    if data.date > timezone.localdate():
        fields["date"] = _("A rebate cannot be granted with a future date.")
    if data.source not in RebateSource.values:
        fields["source"] = _("Choose where the rebate comes from.")
    if not data.reason.strip():
        fields["reason"] = _("Say why the customer earned this rebate.")
    if fields:
        raise BusinessRuleViolation(
            next(iter(fields.values())), code="invalid_rebate", fields=fields
        )
    customer = _customer(org, data.customer_id)
    reason = data.reason.strip()[:300]
    entry = _entry(
        org=org,
        actor=actor,
        customer=customer,
        kind=RebateEntryKind.GRANT,
        date=data.date,
        amount=data.amount,
        memo=_("Rebate for %(customer)s: %(reason)s")
        % {"customer": customer.name, "reason": reason},
        postings=[
            Posting(SALES_REBATES, debit=data.amount),
            Posting(REBATE_LIABILITY, credit=data.amount, party=customer),
        ],
        source=data.source,
        reference=data.reference.strip()[:100],
        reason=reason,
        number_key=f"RB{data.date.year}",
    )
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="rebate_granted",
        reason=reason,
        data={"number": entry.number, "amount": str(entry.amount), "source": data.source},
    )
    return entry


@transaction.atomic
def reverse_rebate_grant(
    *, org: Organization, actor: Membership, grant: RebateEntry, reason: str
) -> RebateEntry:
    """Take back a grant made in error, while the customer has not used or reserved it."""
    require_perm(actor, Perm.POST_FINANCE)
    reason = reason.strip()
    if not reason:
        message = _("Say why the rebate is taken back.")
        raise BusinessRuleViolation(message, code="reason_required", fields={"reason": message})
    customer = _customer(org, grant.customer_id)
    grant = RebateEntry.objects.select_for_update(of=("self",)).get(pk=grant.pk)
    if grant.kind != RebateEntryKind.GRANT:
        raise BusinessRuleViolation(_("Only a grant can be reversed."), code="not_reversible")
    if RebateEntry.objects.filter(reverses=grant).exists():
        raise BusinessRuleViolation(_("This grant is already reversed."), code="already_reversed")
    available = balances.rebate_balance(customer) - balances.rebate_reserved(customer)
    if grant.amount > available:
        raise BusinessRuleViolation(
            _(
                "%(amount)s cannot be taken back: only %(available)s of the rebate is neither "
                "used nor reserved by open orders."
            )
            % {"amount": grant.amount, "available": available},
            code="rebate_in_use",
        )
    today = timezone.localdate()
    entry = _entry(
        org=org,
        actor=actor,
        customer=customer,
        kind=RebateEntryKind.REVERSAL,
        date=today,
        amount=-grant.amount,
        memo=_("Rebate %(number)s reversed: %(reason)s")
        % {"number": grant.number, "reason": reason},
        postings=[
            Posting(REBATE_LIABILITY, debit=grant.amount, party=customer),
            Posting(SALES_REBATES, credit=grant.amount),
        ],
        reverses=grant,
        reason=reason[:300],
    )
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="rebate_reversed",
        reason=reason,
        data={"number": grant.number, "amount": str(grant.amount)},
    )
    return entry


# ---------------------------------------------------------------------------------------------
# Reservations and use: the boundary sales calls (orders are references)


def rebate_share_of(org: Organization, customer: Party) -> Decimal:
    """The share of an order the customer's rebate may pay: what the credit policy in force
    says (the customer's own, else its group default's), else the organization's setting."""
    share = policy_of(customer).rebate_max_share
    return share if share is not None else balances.account_settings(org).rebate_max_share


def rebate_cap_of(org: Organization, customer: Party, total: Decimal) -> Decimal:
    """The most rebate an order of `total` for `customer` may use: its share, rounded down to
    the fen so the cap never exceeds the share."""
    share = rebate_share_of(org, customer)
    return max((total * share).quantize(Decimal("0.01"), rounding=ROUND_DOWN), ZERO)


def _reference(reference: str) -> str:
    reference = reference.strip()
    if not reference or len(reference) > 100:
        raise BusinessRuleViolation(
            _("A reservation needs a reference of at most 100 characters."),
            code="invalid_reference",
        )
    return reference


@transaction.atomic
def reserve_rebate(
    *, org: Organization, customer: Party, reference: str, amount: Decimal
) -> Decimal:
    """Set what the order `reference` will take from the customer's rebate account (0 frees
    it); refused beyond what is neither used nor reserved by other orders. The customer row is
    locked first, so two orders cannot both take the last of the rebate."""
    reference = _reference(reference)
    if not amount.is_finite() or amount < 0 or amount != quantize(amount):
        message = _("Enter an amount in fen, zero or more.")
        raise BusinessRuleViolation(message, code="invalid_amount", fields={"amount": message})
    customer = _customer(org, customer.pk)
    if amount == 0:
        RebateReservation.objects.filter(reference=reference).delete()
        return ZERO
    available = balances.rebate_balance(customer) - balances.rebate_reserved(
        customer, exclude_reference=reference
    )
    if amount > available:
        raise BusinessRuleViolation(
            _("%(name)s has %(available)s of rebate available; %(amount)s is more than that.")
            % {"name": customer.name, "available": max(available, ZERO), "amount": amount},
            code="rebate_insufficient",
            fields={"amount": _("At most %(available)s.") % {"available": max(available, ZERO)}},
        )
    RebateReservation.objects.update_or_create(
        org=org, reference=reference, defaults={"customer": customer, "amount": amount}
    )
    return amount


@transaction.atomic
def release_rebate_reservation(*, org: Organization, reference: str) -> Decimal:
    """Free what an order had reserved (cancelled, or invoiced as far as it will be)."""
    rows = RebateReservation.objects.filter(reference=reference)
    released = sum((row.amount for row in rows), ZERO)
    rows.delete()
    return released


@transaction.atomic
def apply_rebate(
    *,
    org: Organization,
    actor: Membership,
    invoice: Invoice,
    amount: Decimal,
    reference: str = "",
) -> RebateEntry:
    """Pay part of a posted invoice from the customer's rebate account (Dr 2241, Cr 1122):
    the invoice counts it as paid. With an order `reference`, the amount comes out of that
    order's reservation."""
    require_perm(actor, Perm.POST_FINANCE)
    _positive(amount)
    customer = _customer(org, invoice.customer_id)
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.kind != InvoiceKind.INVOICE or invoice.status != InvoiceStatus.POSTED:
        raise BusinessRuleViolation(
            _("Rebate pays only a posted invoice."), code="invoice_not_open"
        )
    if amount > invoice.open_amount:
        raise BusinessRuleViolation(
            _("%(amount)s is more than the %(open)s still open on %(number)s.")
            % {"amount": amount, "open": invoice.open_amount, "number": invoice.number},
            code="invoice_overpaid",
        )
    reserved = balances.reservation_of(reference) if reference else ZERO
    others = balances.rebate_reserved(customer, exclude_reference=reference)
    available = balances.rebate_balance(customer) - others
    if amount > available:
        raise BusinessRuleViolation(
            _("%(name)s has %(available)s of rebate available; %(amount)s is more than that.")
            % {"name": customer.name, "available": max(available, ZERO), "amount": amount},
            code="rebate_insufficient",
        )
    entry = _entry(
        org=org,
        actor=actor,
        customer=customer,
        kind=RebateEntryKind.USE,
        date=invoice.date,
        amount=-amount,
        memo=_("Rebate used on %(number)s") % {"number": invoice.number},
        postings=[
            Posting(REBATE_LIABILITY, debit=amount, party=customer),
            Posting(RECEIVABLE, credit=amount, party=customer),
        ],
        invoice=invoice,
        order_reference=reference[:100],
    )
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=F("amount_paid") + amount)
    if reference and reserved:
        left = reserved - min(amount, reserved)
        if left > 0:
            RebateReservation.objects.filter(reference=reference).update(amount=left)
        else:
            RebateReservation.objects.filter(reference=reference).delete()
    record_event(
        org=org,
        actor=actor,
        subject=invoice,
        verb="rebate_used",
        data={"amount": str(amount), "order": reference},
    )
    return entry


def give_back_rebate(
    *, org: Organization, actor: Membership, invoice: Invoice, credit_note: Invoice, amount: Decimal
) -> RebateEntry:
    """A credit note on an invoice paid partly by rebate returns that part to the rebate
    account (Dr 1122, Cr 2241); the invoice's paid amount drops by as much. Called inside
    `credit_invoice`, which holds the locks (`invoice` is the locked row, so its paid amount
    is written exactly: an F() difference is binary floating point on SQLite)."""
    customer = Party.objects.get(pk=invoice.customer_id)
    entry = _entry(
        org=org,
        actor=actor,
        customer=customer,
        kind=RebateEntryKind.RELEASE,
        date=credit_note.date,
        amount=amount,
        memo=_("Rebate given back by credit note on %(number)s") % {"number": invoice.number},
        postings=[
            Posting(RECEIVABLE, debit=amount, party=customer),
            Posting(REBATE_LIABILITY, credit=amount, party=customer),
        ],
        invoice=invoice,
        credit_note=credit_note,
        order_reference=(
            RebateEntry.objects.filter(invoice=invoice, kind=RebateEntryKind.USE)
            .exclude(order_reference="")
            .values_list("order_reference", flat=True)
            .first()
            or ""
        ),
    )
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=invoice.amount_paid - amount)
    return entry


def rebate_paid_on(invoice: Invoice) -> Decimal:
    """What the rebate account still pays of `invoice` (uses less what was given back)."""
    total = RebateEntry.objects.filter(invoice=invoice).values_list("amount", flat=True)
    return -sum(total, ZERO)
