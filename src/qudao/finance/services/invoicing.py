"""Customer invoices and credit notes: draft, post (numbered, due date, ledger), fapiao."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.catalog.models import Product
from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.core.states import ensure_transition
from qudao.finance.credit import due_date_for, policy_of
from qudao.finance.models import (
    INVOICE_TRANSITIONS,
    OUTPUT_VAT,
    RECEIVABLE,
    REVENUE,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from qudao.finance.services.ledger import Posting, post_entry
from qudao.finance.services.settlement import release_for_credit_note
from qudao.parties.models import Party, PartyKind
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number, record_event

MAX_TAX_RATE = Decimal("0.5")


@dataclass(frozen=True)
class LineData:
    """One line as entered: a description (or a product), quantity, unit price before tax."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal = Decimal("0.13")
    product_id: int | None = None


def _check_customer(org: Organization, customer: Party) -> None:
    if customer.org_id != org.pk or customer.kind != PartyKind.CUSTOMER:
        raise BusinessRuleViolation(
            _("Choose one of this organization's customers."),
            code="not_a_customer",
            fields={"customer_id": _("Choose one of this organization's customers.")},
        )


def _build_lines(org: Organization, lines: Sequence[LineData]) -> list[InvoiceLine]:
    if not lines:
        raise BusinessRuleViolation(_("An invoice needs at least one line."), code="empty_invoice")
    product_ids = {line.product_id for line in lines if line.product_id is not None}
    products = {p.pk: p for p in Product.objects.filter(pk__in=product_ids)}
    built = []
    for position, line in enumerate(lines, start=1):
        if line.product_id is not None and line.product_id not in products:
            raise BusinessRuleViolation(
                _("Line %(n)s: unknown product.") % {"n": position}, code="unknown_product"
            )
        description = line.description.strip() or (
            products[line.product_id].name if line.product_id is not None else ""
        )
        if not description:
            raise BusinessRuleViolation(
                _("Line %(n)s needs a description or a product.") % {"n": position},
                code="description_required",
            )
        if line.quantity <= 0 or line.unit_price < 0:
            raise BusinessRuleViolation(
                _("Line %(n)s: the quantity must be positive and the price not negative.")
                % {"n": position},
                code="invalid_line",
            )
        if not ZERO <= line.tax_rate <= MAX_TAX_RATE:
            raise BusinessRuleViolation(
                _("Line %(n)s: the tax rate must be between 0 and 0.5.") % {"n": position},
                code="invalid_tax_rate",
            )
        amount = quantize(line.quantity * line.unit_price)
        built.append(
            InvoiceLine(
                org=org,
                position=position,
                product_id=line.product_id,
                description=description[:200],
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                amount=amount,
                tax=quantize(amount * line.tax_rate),
            )
        )
    return built


def _set_totals(invoice: Invoice, lines: Sequence[InvoiceLine]) -> None:
    """A document total is the sum of its rounded lines, never a re-rounded product."""
    invoice.subtotal = sum((line.amount for line in lines), ZERO)
    invoice.tax_total = sum((line.tax for line in lines), ZERO)
    invoice.total = invoice.subtotal + invoice.tax_total


@transaction.atomic
def create_invoice(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    date: datetime.date,
    lines: Sequence[LineData],
    memo: str = "",
) -> Invoice:
    """Enter a draft invoice (no number, no ledger lines yet)."""
    require_perm(actor, Perm.POST_FINANCE)
    _check_customer(org, customer)
    built = _build_lines(org, lines)
    invoice = Invoice(org=org, customer=customer, date=date, memo=memo[:300], created_by=actor)
    _set_totals(invoice, built)
    if invoice.total <= 0:
        raise BusinessRuleViolation(_("An invoice total must be positive."), code="empty_invoice")
    invoice.save()
    for line in built:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(built)
    record_event(org=org, actor=actor, subject=invoice, verb="created")
    return invoice


@transaction.atomic
def post_invoice(*, org: Organization, actor: Membership, invoice: Invoice) -> Invoice:
    """Post a draft: due date from the credit policy, ledger lines, then a gapless number."""
    require_perm(actor, Perm.POST_FINANCE)
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.kind != InvoiceKind.INVOICE:
        raise BusinessRuleViolation(_("Credit notes are posted when made."), code="not_postable")
    ensure_transition(invoice.status, InvoiceStatus.POSTED, INVOICE_TRANSITIONS)
    customer = Party.objects.get(pk=invoice.customer_id)
    due_date = due_date_for(policy_of(customer), invoice.date)
    postings = [Posting(RECEIVABLE, debit=invoice.total, party=customer)]
    if invoice.subtotal:
        postings.append(Posting(REVENUE, credit=invoice.subtotal))
    if invoice.tax_total:
        postings.append(Posting(OUTPUT_VAT, credit=invoice.tax_total))
    invoice.journal_entry = post_entry(
        org=org,
        actor=actor,
        date=invoice.date,
        memo=_("Invoice to %(customer)s") % {"customer": customer.name},
        postings=postings,
        source_type="finance.invoice",
        source_id=invoice.pk,
    )
    invoice.status = InvoiceStatus.POSTED
    invoice.payment_term_days = (due_date - invoice.date).days
    invoice.due_date = due_date
    invoice.posted_at = timezone.now()
    invoice.posted_by = actor
    invoice.number = next_number(org=org, key=f"INV{invoice.date.year}")  # last: shortest lock
    invoice.save(
        update_fields=[
            "status",
            "payment_term_days",
            "due_date",
            "posted_at",
            "posted_by",
            "journal_entry",
            "number",
        ]
    )
    record_event(
        org=org, actor=actor, subject=invoice, verb="posted", data={"total": str(invoice.total)}
    )
    return invoice


@transaction.atomic
def discard_invoice(*, org: Organization, actor: Membership, invoice: Invoice) -> Invoice:
    """Cancel a draft (it was never posted, so nothing is reversed)."""
    require_perm(actor, Perm.POST_FINANCE)
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.DRAFT:
        raise BusinessRuleViolation(
            _("A posted invoice is cancelled by a credit note."), code="posted_invoice"
        )
    ensure_transition(invoice.status, InvoiceStatus.CANCELLED, INVOICE_TRANSITIONS)
    invoice.status = InvoiceStatus.CANCELLED
    invoice.save(update_fields=["status"])
    record_event(org=org, actor=actor, subject=invoice, verb="discarded")
    return invoice


@transaction.atomic
def record_fapiao(
    *, org: Organization, actor: Membership, invoice: Invoice, number: str, date: datetime.date
) -> Invoice:
    """Record the official fapiao number and date on a posted document (amounts untouched)."""
    require_perm(actor, Perm.POST_FINANCE)
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    number = number.strip()
    if invoice.status == InvoiceStatus.DRAFT:
        raise BusinessRuleViolation(
            _("Post the invoice before recording its fapiao."), code="not_posted"
        )
    if not number:
        raise BusinessRuleViolation(
            _("Enter the fapiao number."),
            code="fapiao_number_required",
            fields={"number": _("This field is required.")},
        )
    before = {"number": invoice.fapiao_number, "date": str(invoice.fapiao_date or "")}
    invoice.fapiao_number = number[:40]
    invoice.fapiao_date = date
    invoice.save(update_fields=["fapiao_number", "fapiao_date"])
    record_event(
        org=org,
        actor=actor,
        subject=invoice,
        verb="fapiao_recorded",
        data={"before": before, "after": {"number": invoice.fapiao_number, "date": str(date)}},
    )
    return invoice


@transaction.atomic
def credit_invoice(
    *,
    org: Organization,
    actor: Membership,
    invoice: Invoice,
    reason: str,
    lines: Sequence[LineData] | None = None,
    date: datetime.date | None = None,
) -> Invoice:
    """Issue and post a credit note for all (`lines` None) or part of an invoice.

    Its postings mirror the invoice's; a credit for the whole total cancels the invoice. What
    it credits beyond the amount still open was paid: that money goes back to the customer's
    prepayment balance (the rebate's share to the rebate account)."""
    require_perm(actor, Perm.POST_FINANCE)
    reason = reason.strip()
    if not reason:
        raise BusinessRuleViolation(
            _("Say why the invoice is credited."),
            code="reason_required",
            fields={"reason": _("This field is required.")},
        )
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.kind != InvoiceKind.INVOICE or invoice.status != InvoiceStatus.POSTED:
        raise BusinessRuleViolation(
            _("Only a posted invoice can be credited."), code="not_creditable"
        )
    if lines is None:
        built = [
            InvoiceLine(
                org=org,
                position=line.position,
                product_id=line.product_id,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                amount=line.amount,
                tax=line.tax,
            )
            for line in invoice.lines.all()
        ]
    else:
        built = _build_lines(org, lines)
    note = Invoice(
        org=org,
        kind=InvoiceKind.CREDIT_NOTE,
        customer_id=invoice.customer_id,
        credited_invoice=invoice,
        date=date or timezone.localdate(),
        memo=reason[:300],
        created_by=actor,
    )
    _set_totals(note, built)
    if note.total <= 0:
        raise BusinessRuleViolation(
            _("A credit note total must be positive."), code="empty_invoice"
        )
    creditable = invoice.total - invoice.amount_credited
    if note.total > creditable:
        raise BusinessRuleViolation(
            _("The credit (%(credit)s) exceeds what is left to credit on the invoice (%(left)s).")
            % {"credit": note.total, "left": creditable},
            code="credit_exceeds_open_amount",
        )
    customer = Party.objects.get(pk=invoice.customer_id)
    note.save()
    for line in built:
        line.invoice = note
    InvoiceLine.objects.bulk_create(built)
    postings = [Posting(RECEIVABLE, credit=note.total, party=customer)]
    if note.subtotal:
        postings.append(Posting(REVENUE, debit=note.subtotal))
    if note.tax_total:
        postings.append(Posting(OUTPUT_VAT, debit=note.tax_total))
    note.journal_entry = post_entry(
        org=org,
        actor=actor,
        date=note.date,
        memo=_("Credit note for %(number)s") % {"number": invoice.number},
        postings=postings,
        source_type="finance.invoice",
        source_id=note.pk,
    )
    paid_back = note.total - invoice.open_amount
    if paid_back > 0:
        # the invoice is (partly) paid: what paid the credited part goes back to the
        # customer's prepayment balance (and rebate account), usable for later invoices
        release_for_credit_note(
            org=org, actor=actor, invoice=invoice, credit_note=note, amount=paid_back
        )
    Invoice.objects.filter(pk=invoice.pk).update(amount_credited=F("amount_credited") + note.total)
    invoice.refresh_from_db(fields=["amount_credited"])
    if invoice.amount_credited == invoice.total:
        ensure_transition(invoice.status, InvoiceStatus.CANCELLED, INVOICE_TRANSITIONS)
        invoice.status = InvoiceStatus.CANCELLED
        invoice.save(update_fields=["status"])
        record_event(org=org, actor=actor, subject=invoice, verb="cancelled", reason=reason)
    note.status = InvoiceStatus.POSTED
    note.posted_at = timezone.now()
    note.posted_by = actor
    note.number = next_number(org=org, key=f"CN{note.date.year}")  # last: shortest lock
    note.save(update_fields=["status", "posted_at", "posted_by", "journal_entry", "number"])
    record_event(
        org=org,
        actor=actor,
        subject=note,
        verb="posted",
        reason=reason,
        data={"invoice": invoice.number, "total": str(note.total)},
    )
    return note
