"""Supplier invoices (进项发票): drafts from goods receipts or by hand, posting, credit notes.

Posting credits accounts payable (2202) with the supplier as party, debits input VAT with the
tax, and debits the goods: a line billed from a goods receipt clears that receipt's GR/IR
accrual (220202, posted by the receipt at cost) and books the price difference to inventory
(1405); other lines (freight, services, receipts from before GR/IR) debit inventory. A credit
note mirrors it (see `payables.accruals`). Locks in the house order: the invoice, the supplier
(guards its payables), payments, then the number sequence.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.catalog.models import Product
from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.core.states import ensure_transition
from qudao.finance.services import Posting, post_entry
from qudao.parties.models import Party, PartyKind
from qudao.purchasing.access import MANAGE_ORDERS
from qudao.purchasing.models import GoodsReceipt, GoodsReceiptLine, SupplierTerms
from qudao.purchasing.payables.accounts import (
    INPUT_VAT,
    PAYABLE,
)
from qudao.purchasing.payables.accruals import goods_postings, set_accrual_clearing
from qudao.purchasing.payables.models import (
    SUPPLIER_INVOICE_TRANSITIONS,
    SupplierInvoice,
    SupplierInvoiceKind,
    SupplierInvoiceLine,
    SupplierInvoiceStatus,
)
from qudao.purchasing.services.supplier_payments import apply_prepayments
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.services import next_number, record_event

DEFAULT_TAX_RATE = Decimal("0.13")
MAX_TAX_RATE = Decimal("0.5")
QUANTITY_STEP = Decimal("0.001")
PRICE_STEP = Decimal("0.0001")
SOURCE_TYPE = "purchasing.supplier_invoice"


@dataclass(frozen=True)
class InvoiceLineData:
    """One billed line: a goods receipt line (goods), or a description (freight, services)."""

    quantity: Decimal
    unit_price: Decimal
    description: str = ""
    tax_rate: Decimal = DEFAULT_TAX_RATE
    receipt_line_id: int | None = None
    product_id: int | None = None


@dataclass(frozen=True)
class InvoiceData:
    """The header as entered from the supplier's paper: its number, fapiao, date."""

    supplier_id: int
    date: datetime.date
    supplier_reference: str = ""
    fapiao_number: str = ""
    fapiao_date: datetime.date | None = None
    memo: str = ""


def _refuse(message: str, code: str, **fields: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields=fields or None)


def _supplier(supplier_id: int) -> Party:
    supplier = Party.objects.filter(pk=supplier_id, kind=PartyKind.SUPPLIER).first()
    if supplier is None:
        message = _("Choose one of this organization's suppliers.")
        raise _refuse(message, "supplier_not_found", supplier_id=message)
    return supplier


def lines_from_receipts(
    receipts: Sequence[GoodsReceipt], *, tax_rate: Decimal = DEFAULT_TAX_RATE
) -> list[InvoiceLineData]:
    """What was received on `receipts`, damaged units included, at the order's price (the cost
    the receipt took for goods not on an order)."""
    rows = (
        GoodsReceiptLine.objects.filter(receipt__in=[r.pk for r in receipts])
        .select_related("order_line", "product", "receipt")
        .order_by("receipt_id", "pk")
    )
    return [
        InvoiceLineData(
            receipt_line_id=line.pk,
            product_id=line.product_id,
            description=f"{line.product.code} {line.product.name}",
            quantity=line.quantity + line.damaged_quantity,
            unit_price=line.order_line.unit_price if line.order_line else line.unit_cost,
            tax_rate=tax_rate,
        )
        for line in rows
    ]


def _is_valid_number(value: Decimal, step: Decimal) -> bool:
    try:
        return value.is_finite() and value == value.quantize(step)
    except (AttributeError, InvalidOperation):
        return False


def _build_lines(
    org: Organization, supplier: Party, lines: Sequence[InvoiceLineData]
) -> list[SupplierInvoiceLine]:
    if not lines:
        raise _refuse(_("An invoice needs at least one line."), "empty_invoice")
    receipt_ids = [line.receipt_line_id for line in lines if line.receipt_line_id is not None]
    if len(set(receipt_ids)) != len(receipt_ids):
        raise _refuse(_("A received line appears twice on the invoice."), "duplicate_line")
    receipt_lines = {
        line.pk: line
        for line in GoodsReceiptLine.objects.filter(pk__in=receipt_ids).select_related(
            "receipt", "product"
        )
    }
    reversed_receipts = set(
        GoodsReceipt.objects.filter(
            reverses_id__in={line.receipt_id for line in receipt_lines.values()}
        ).values_list("reverses_id", flat=True)
    )
    product_ids = {line.product_id for line in lines if line.product_id is not None}
    products = {p.pk: p for p in Product.objects.filter(pk__in=product_ids)}
    built = []
    for position, line in enumerate(lines, start=1):
        received = receipt_lines.get(line.receipt_line_id) if line.receipt_line_id else None
        if line.receipt_line_id is not None and (
            received is None
            or received.receipt.supplier_id != supplier.pk
            or received.receipt.reverses_id is not None
            or received.receipt_id in reversed_receipts
        ):
            raise _refuse(
                _("Line %(n)s: choose a goods receipt of this supplier.") % {"n": position},
                "receipt_not_found",
            )
        if line.product_id is not None and line.product_id not in products:
            raise _refuse(_("Line %(n)s: unknown product.") % {"n": position}, "unknown_product")
        product_id = received.product_id if received else line.product_id
        description = line.description.strip() or (
            f"{received.product.code} {received.product.name}"
            if received
            else products[line.product_id].name
            if line.product_id is not None
            else ""
        )
        if not description:
            raise _refuse(
                _("Line %(n)s needs a description or a product.") % {"n": position},
                "description_required",
            )
        if (
            not _is_valid_number(line.quantity, QUANTITY_STEP)
            or not _is_valid_number(line.unit_price, PRICE_STEP)
            or line.quantity <= 0
            or line.unit_price < 0
        ):
            raise _refuse(
                _(
                    "Line %(n)s: the quantity must be positive (3 decimals at most) and the "
                    "price not negative (4 decimals at most)."
                )
                % {"n": position},
                "invalid_line",
            )
        if not _is_valid_number(line.tax_rate, PRICE_STEP) or not (
            ZERO <= line.tax_rate <= MAX_TAX_RATE
        ):
            raise _refuse(
                _("Line %(n)s: the tax rate must be between 0 and 0.5.") % {"n": position},
                "invalid_tax_rate",
            )
        amount = quantize(line.quantity * line.unit_price)
        built.append(
            SupplierInvoiceLine(
                org=org,
                position=position,
                receipt_line=received,
                product_id=product_id,
                description=description[:200],
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                amount=amount,
                tax=quantize(amount * line.tax_rate),
            )
        )
    return built


def _set_totals(invoice: SupplierInvoice, lines: Sequence[SupplierInvoiceLine]) -> None:
    """A document total is the sum of its rounded lines, never a re-rounded product."""
    invoice.subtotal = sum((line.amount for line in lines), ZERO)
    invoice.tax_total = sum((line.tax for line in lines), ZERO)
    invoice.total = invoice.subtotal + invoice.tax_total


def _check_header(data: InvoiceData) -> None:
    if data.date > timezone.localdate():
        message = _("A supplier invoice cannot be dated in the future.")
        raise _refuse(message, "future_date", date=message)
    if data.fapiao_date is not None and data.fapiao_date > timezone.localdate():
        message = _("A fapiao cannot be dated in the future.")
        raise _refuse(message, "future_date", fapiao_date=message)


@transaction.atomic
def create_supplier_invoice(
    *,
    org: Organization,
    actor: Membership,
    data: InvoiceData,
    lines: Sequence[InvoiceLineData],
) -> SupplierInvoice:
    """Enter a draft supplier invoice (no number, nothing in the ledger yet)."""
    require_perm(actor, MANAGE_ORDERS)
    supplier = _supplier(data.supplier_id)
    _check_header(data)
    built = _build_lines(org, supplier, lines)
    invoice = SupplierInvoice(
        org=org,
        supplier=supplier,
        date=data.date,
        supplier_reference=data.supplier_reference.strip()[:60],
        fapiao_number=data.fapiao_number.strip()[:40],
        fapiao_date=data.fapiao_date,
        memo=data.memo.strip()[:300],
        created_by=actor,
    )
    _set_totals(invoice, built)
    if invoice.total <= 0:
        raise _refuse(_("An invoice total must be positive."), "empty_invoice")
    invoice.save()
    for line in built:
        line.invoice = invoice
    SupplierInvoiceLine.objects.bulk_create(built)
    record_event(org=org, actor=actor, subject=invoice, verb="created")
    return invoice


def _locked_draft(invoice: SupplierInvoice) -> SupplierInvoice:
    invoice = SupplierInvoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.status != SupplierInvoiceStatus.DRAFT:
        raise _refuse(
            _("A posted invoice is never changed: correct it with a credit note."), "not_draft"
        )
    return invoice


@transaction.atomic
def set_supplier_invoice_line(
    *,
    org: Organization,
    actor: Membership,
    invoice: SupplierInvoice,
    line_id: int,
    quantity: Decimal,
    unit_price: Decimal,
) -> SupplierInvoice:
    """Make a draft's line say what the supplier billed (quantity 0 removes the line)."""
    require_perm(actor, MANAGE_ORDERS)
    invoice = _locked_draft(invoice)
    line = invoice.lines.filter(pk=line_id).first()
    if line is None:
        raise _refuse(_("This line is not on the invoice."), "line_not_found")
    if quantity == 0:
        if invoice.lines.count() == 1:
            raise _refuse(_("An invoice needs at least one line."), "empty_invoice")
        line.delete()
    else:
        checked = _build_lines(
            org,
            invoice.supplier,
            [
                InvoiceLineData(
                    quantity=quantity,
                    unit_price=unit_price,
                    description=line.description,
                    tax_rate=line.tax_rate,
                    receipt_line_id=line.receipt_line_id,
                    product_id=line.product_id,
                )
            ],
        )[0]
        line.quantity, line.unit_price = checked.quantity, checked.unit_price
        line.amount, line.tax = checked.amount, checked.tax
        line.save(update_fields=["quantity", "unit_price", "amount", "tax"])
    _set_totals(invoice, list(invoice.lines.all()))
    if invoice.total <= 0:
        raise _refuse(_("An invoice total must be positive."), "empty_invoice")
    invoice.save(update_fields=["subtotal", "tax_total", "total"])
    return invoice


def _term_days(invoice: SupplierInvoice) -> int:
    """The order's term when every received line comes from one order, else the supplier's."""
    orders = set(
        invoice.lines.filter(receipt_line__receipt__order__isnull=False).values_list(
            "receipt_line__receipt__order__term_days", "receipt_line__receipt__order_id"
        )
    )
    if len(orders) == 1:
        return int(next(iter(orders))[0])
    terms = SupplierTerms.objects.filter(supplier_id=invoice.supplier_id).first()
    return terms.term_days if terms else 0


def _order_ids(invoice: SupplierInvoice) -> list[int]:
    return sorted(
        set(
            invoice.lines.filter(receipt_line__receipt__order__isnull=False).values_list(
                "receipt_line__receipt__order_id", flat=True
            )
        )
    )


@transaction.atomic
def post_supplier_invoice(
    *, org: Organization, actor: Membership, invoice: SupplierInvoice
) -> SupplierInvoice:
    """Post a draft: due date from the terms, the ledger entry, a gapless number; then the
    prepayments made on its orders settle it."""
    require_perm(actor, MANAGE_ORDERS)
    invoice = SupplierInvoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.kind != SupplierInvoiceKind.INVOICE:
        raise _refuse(_("Credit notes are posted when made."), "not_postable")
    ensure_transition(invoice.status, SupplierInvoiceStatus.POSTED, SUPPLIER_INVOICE_TRANSITIONS)
    supplier = Party.objects.select_for_update(of=("self",)).get(pk=invoice.supplier_id)
    term_days = _term_days(invoice)
    postings = [Posting(PAYABLE, credit=invoice.total, party=supplier)]
    cleared = set_accrual_clearing(list(invoice.lines.all()), kind=invoice.kind)
    postings += goods_postings(
        subtotal=invoice.subtotal, cleared=cleared, supplier=supplier, credit_note=False
    )
    if invoice.tax_total:
        postings.append(Posting(INPUT_VAT, debit=invoice.tax_total))
    invoice.journal_entry = post_entry(
        org=org,
        actor=actor,
        date=invoice.date,
        memo=_("Invoice from %(supplier)s") % {"supplier": supplier.name},
        postings=postings,
        source_type=SOURCE_TYPE,
        source_id=invoice.pk,
    )
    invoice.status = SupplierInvoiceStatus.POSTED
    invoice.supplier_name = supplier.name
    invoice.term_days = term_days
    invoice.due_date = invoice.date + datetime.timedelta(days=term_days)
    invoice.posted_at = timezone.now()
    invoice.posted_by = actor
    invoice.number = next_number(org=org, key=f"SI{invoice.date.year}")
    invoice.save(
        update_fields=[
            "status",
            "supplier_name",
            "term_days",
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
    apply_prepayments(org=org, actor=actor, invoice=invoice, order_ids=_order_ids(invoice))
    invoice.refresh_from_db(fields=["amount_paid"])
    return invoice


@transaction.atomic
def discard_supplier_invoice(
    *, org: Organization, actor: Membership, invoice: SupplierInvoice
) -> SupplierInvoice:
    """Cancel a draft (it was never posted, so nothing is reversed)."""
    require_perm(actor, MANAGE_ORDERS)
    invoice = _locked_draft(invoice)
    invoice.status = SupplierInvoiceStatus.CANCELLED
    invoice.save(update_fields=["status"])
    record_event(org=org, actor=actor, subject=invoice, verb="discarded")
    return invoice


@transaction.atomic
def credit_supplier_invoice(
    *,
    org: Organization,
    actor: Membership,
    invoice: SupplierInvoice,
    reason: str,
    lines: Sequence[InvoiceLineData] | None = None,
    date: datetime.date | None = None,
) -> SupplierInvoice:
    """Post the supplier's credit note for all (`lines` None) or part of what is open on an
    invoice; its entry mirrors the invoice's. A credit for the whole total cancels it."""
    require_perm(actor, MANAGE_ORDERS)
    reason = reason.strip()
    if not reason:
        raise _refuse(
            _("Say why the invoice is credited."),
            "reason_required",
            reason=_("This field is required."),
        )
    invoice = SupplierInvoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if (
        invoice.kind != SupplierInvoiceKind.INVOICE
        or invoice.status != SupplierInvoiceStatus.POSTED
    ):
        raise _refuse(_("Only a posted invoice can be credited."), "not_creditable")
    supplier = Party.objects.select_for_update(of=("self",)).get(pk=invoice.supplier_id)
    date = date or timezone.localdate()
    if date > timezone.localdate() or date < invoice.date:
        raise _refuse(
            _("A credit note is dated between its invoice's date and today."), "invalid_date"
        )
    if lines is None:
        built = [
            SupplierInvoiceLine(
                org=org,
                position=line.position,
                receipt_line_id=line.receipt_line_id,
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
        built = _build_lines(org, supplier, lines)
    note = SupplierInvoice(
        org=org,
        kind=SupplierInvoiceKind.CREDIT_NOTE,
        supplier=supplier,
        supplier_name=supplier.name,
        credited_invoice=invoice,
        date=date,
        due_date=date,
        memo=reason[:300],
        created_by=actor,
    )
    _set_totals(note, built)
    if note.total <= 0:
        raise _refuse(_("A credit note total must be positive."), "empty_invoice")
    if note.total > invoice.open_amount:
        raise _refuse(
            _("The credit (%(credit)s) exceeds what is still open on the invoice (%(open)s).")
            % {"credit": note.total, "open": invoice.open_amount},
            "credit_exceeds_open_amount",
        )
    note.save()
    for line in built:
        line.invoice = note
    SupplierInvoiceLine.objects.bulk_create(built)
    postings = [Posting(PAYABLE, debit=note.total, party=supplier)]
    restored = set_accrual_clearing(built, kind=note.kind)
    postings += goods_postings(
        subtotal=note.subtotal, cleared=restored, supplier=supplier, credit_note=True
    )
    if note.tax_total:
        postings.append(Posting(INPUT_VAT, credit=note.tax_total))
    note.journal_entry = post_entry(
        org=org,
        actor=actor,
        date=note.date,
        memo=_("Supplier credit note for %(number)s") % {"number": invoice.number},
        postings=postings,
        source_type=SOURCE_TYPE,
        source_id=note.pk,
    )
    SupplierInvoice.objects.filter(pk=invoice.pk).update(
        amount_credited=F("amount_credited") + note.total
    )
    invoice.refresh_from_db(fields=["amount_credited"])
    if invoice.amount_credited == invoice.total:
        ensure_transition(
            invoice.status, SupplierInvoiceStatus.CANCELLED, SUPPLIER_INVOICE_TRANSITIONS
        )
        invoice.status = SupplierInvoiceStatus.CANCELLED
        invoice.save(update_fields=["status"])
        record_event(org=org, actor=actor, subject=invoice, verb="cancelled", reason=reason)
    note.status = SupplierInvoiceStatus.POSTED
    note.posted_at = timezone.now()
    note.posted_by = actor
    note.number = next_number(org=org, key=f"SCN{note.date.year}")  # last: shortest lock
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
