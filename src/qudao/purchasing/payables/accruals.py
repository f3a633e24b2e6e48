"""GR/IR (暂估入库): goods received are owed before they are invoiced.

A goods receipt posts Dr 1405 inventory / Cr 220202 goods received not invoiced (the supplier as
party) at the cost it took into stock, damaged units included; its reversal posts the mirror.
A supplier invoice line billed from a receipt line clears that line's accrual: Dr 220202 for
the received value of what it bills, and the price difference (invoice amount − received value)
goes to 1405 inventory, so the ledger carries the goods at what the supplier finally charged.
Lines not from a receipt (freight, services) and receipts posted before GR/IR existed debit
inventory as before. A supplier credit note restores what its invoice cleared.

Open per receipt = accrued value (with its reversal's) − cleared by posted invoices + restored
by posted credit notes; their sum equals the 220202 balance (the nightly check).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from qudao.core.money import ZERO, quantize
from qudao.finance.models import INVENTORY, JournalLine
from qudao.finance.models.ledger import GOODS_RECEIVED_NOT_INVOICED
from qudao.finance.services import Posting, post_entry
from qudao.parties.models import Party
from qudao.purchasing.access import RECEIVE_GOODS
from qudao.purchasing.models import GoodsReceipt, GoodsReceiptLine
from qudao.purchasing.payables.models import SupplierInvoiceKind, SupplierInvoiceLine
from qudao.tenancy.integrity import Problem
from qudao.tenancy.models import Membership, Organization

GRNI = GOODS_RECEIVED_NOT_INVOICED
SOURCE_TYPE = "purchasing.goods_receipt"
MONEY = DecimalField(max_digits=18, decimal_places=2)
NONE = Value(Decimal("0.00"), output_field=MONEY)
HALF_FEN = Decimal("0.005")


def line_value(line: GoodsReceiptLine) -> Decimal:
    """What one receipt line took into stock: (good + damaged) × unit cost, rounded."""
    return quantize((line.quantity + line.damaged_quantity) * line.unit_cost)


def accrue_receipt(
    *,
    org: Organization,
    actor: Membership,
    receipt: GoodsReceipt,
    lines: Sequence[GoodsReceiptLine],
    reverses: GoodsReceipt | None = None,
) -> None:
    """Post the receipt's GR/IR entry (a reversal: the mirror, only if its original accrued)."""
    if reverses is not None and reverses.journal_entry_id is None:
        return  # the original was received before GR/IR: nothing to take back
    value = sum((line_value(line) for line in lines), ZERO)
    if value == 0:
        return
    supplier = Party.objects.get(pk=receipt.supplier_id)
    amount = abs(value)
    stock, owed = Posting(INVENTORY, debit=amount), Posting(GRNI, credit=amount, party=supplier)
    if value < 0:
        stock = Posting(INVENTORY, credit=amount)
        owed = Posting(GRNI, debit=amount, party=supplier)
    entry = post_entry(
        org=org,
        actor=actor,
        date=receipt.received_on,
        memo=_("Goods received not invoiced: %(number)s from %(supplier)s")
        % {"number": receipt.number, "supplier": supplier.name},
        postings=[stock, owed],
        source_type=SOURCE_TYPE,
        source_id=receipt.pk,
        perm=RECEIVE_GOODS,
    )
    receipt.accrued_value = value
    receipt.journal_entry = entry
    receipt.save(update_fields=["accrued_value", "journal_entry"])


def _billed_so_far(receipt_line_ids: Sequence[int], *, excluding: int) -> dict[int, tuple]:
    """receipt line id → (quantity billed, accrual cleared), net of credit notes, counting
    posted documents other than `excluding`."""
    rows = (
        SupplierInvoiceLine.objects.filter(
            receipt_line_id__in=receipt_line_ids, invoice__posted_at__isnull=False
        )
        .exclude(invoice_id=excluding)
        .values_list("receipt_line_id", "invoice__kind", "quantity", "accrual_cleared")
    )
    totals: dict[int, tuple] = {}
    for line_id, kind, quantity, cleared in rows:
        sign = 1 if kind == SupplierInvoiceKind.INVOICE else -1
        billed, done = totals.get(line_id, (Decimal(0), ZERO))
        totals[line_id] = (billed + sign * quantity, done + sign * cleared)
    return totals


def set_accrual_clearing(lines: Sequence[SupplierInvoiceLine], *, kind: str) -> Decimal:
    """Work out and save each line's `accrual_cleared`; return their sum.

    An invoice clears at most what is still open on the receipt line, all of it once it bills
    the rest of the quantity (so partial invoices never leave a fen behind); a credit note
    gives back at most what was cleared, all of it once it credits everything billed."""
    billed_lines = [line for line in lines if line.receipt_line_id is not None]
    if not billed_lines:
        return ZERO
    received = {
        line.pk: line
        for line in GoodsReceiptLine.objects.filter(
            pk__in=[line.receipt_line_id for line in billed_lines]
        ).select_related("receipt")
    }
    reversed_receipts = set(
        GoodsReceipt.objects.filter(
            reverses_id__in={line.receipt_id for line in received.values()}
        ).values_list("reverses_id", flat=True)
    )
    so_far = _billed_so_far(list(received), excluding=billed_lines[0].invoice_id)
    total = ZERO
    for line in billed_lines:
        origin = received[line.receipt_line_id]  # type: ignore[index]
        if origin.receipt.journal_entry_id is None or origin.receipt_id in reversed_receipts:
            continue  # nothing accrued (or the reversal already took it back)
        billed, cleared = so_far.get(origin.pk, (Decimal(0), ZERO))
        at_cost = quantize(line.quantity * origin.unit_cost)
        if kind == SupplierInvoiceKind.INVOICE:
            open_value = line_value(origin) - cleared
            rest = origin.quantity + origin.damaged_quantity - billed
            share = open_value if line.quantity >= rest else min(at_cost, open_value)
        else:
            share = cleared if line.quantity >= billed else min(at_cost, cleared)
        line.accrual_cleared = max(share, ZERO)
        so_far[origin.pk] = (
            billed + (line.quantity if kind == SupplierInvoiceKind.INVOICE else -line.quantity),
            cleared
            + (
                line.accrual_cleared
                if kind == SupplierInvoiceKind.INVOICE
                else -line.accrual_cleared
            ),
        )
        total += line.accrual_cleared
    SupplierInvoiceLine.objects.bulk_update(billed_lines, ["accrual_cleared"])
    return total


def goods_postings(
    *, subtotal: Decimal, cleared: Decimal, supplier: Party, credit_note: bool
) -> list[Posting]:
    """The goods side of a supplier invoice (debits) or credit note (credits): GR/IR cleared,
    and the rest (price difference, freight, services) to inventory."""
    postings = []
    difference = subtotal - cleared
    if cleared:
        postings.append(
            Posting(GRNI, credit=cleared, party=supplier)
            if credit_note
            else Posting(GRNI, debit=cleared, party=supplier)
        )
    if difference:
        debit = (difference > 0) != credit_note
        postings.append(
            Posting(INVENTORY, debit=abs(difference))
            if debit
            else Posting(INVENTORY, credit=abs(difference))
        )
    return postings


# ---------------------------------------------------------------------------------------------
# Reading: receipts received and not (fully) invoiced, and the nightly check


def _sum(rows: QuerySet, expression: object) -> Coalesce:
    total = rows.order_by().values("org").annotate(t=Sum(expression)).values("t")
    return Coalesce(Subquery(total[:1], output_field=MONEY), NONE)


def received_not_invoiced() -> QuerySet[GoodsReceipt]:
    """Receipts whose GR/IR accrual is not cleared, oldest first, with `reversed_value`,
    `invoiced_value` (cleared by invoices, net of credit notes) and `open_value`."""
    billed = SupplierInvoiceLine.objects.filter(
        receipt_line__receipt=OuterRef("pk"), invoice__posted_at__isnull=False
    )
    invoiced = _sum(billed.filter(invoice__kind=SupplierInvoiceKind.INVOICE), "accrual_cleared")
    credited = _sum(billed.filter(invoice__kind=SupplierInvoiceKind.CREDIT_NOTE), "accrual_cleared")
    reversed_value = _sum(GoodsReceipt.objects.filter(reverses=OuterRef("pk")), "accrued_value")
    return (
        GoodsReceipt.objects.filter(journal_entry__isnull=False, reverses__isnull=True)
        .select_related("supplier", "order")
        .annotate(
            reversed_value=reversed_value,
            invoiced_value=ExpressionWrapper(invoiced - credited, output_field=MONEY),
        )
        .annotate(
            open_value=ExpressionWrapper(
                F("accrued_value") + F("reversed_value") - F("invoiced_value"),
                output_field=MONEY,
            )
        )
        .filter(Q(open_value__gt=HALF_FEN) | Q(open_value__lt=-HALF_FEN))
        .order_by("received_on", "pk")
    )


def open_value(receipt: GoodsReceipt) -> Decimal:
    return quantize(Decimal(str(receipt.open_value)))  # type: ignore[attr-defined]


def find_problems(org: Organization) -> list[Problem]:
    """The GR/IR account equals what the receipts still have open, in total and per supplier."""
    del org
    ledger = {
        row["party"]: quantize(Decimal(str(row["balance"] or 0)))
        for row in JournalLine.objects.filter(account__code=GRNI)
        .values("party")
        .annotate(balance=Sum(F("credit") - F("debit")))
    }
    documents: dict[int | None, Decimal] = {}
    for receipt in received_not_invoiced():
        documents[receipt.supplier_id] = documents.get(receipt.supplier_id, ZERO) + open_value(
            receipt
        )
    wrong = sum(
        1
        for party in set(ledger) | set(documents)
        if ledger.get(party, ZERO) != documents.get(party, ZERO)
    )
    return [Problem("purchasing.grir_equals_open_receipts", wrong)] if wrong else []


__all__ = [
    "GRNI",
    "accrue_receipt",
    "find_problems",
    "goods_postings",
    "received_not_invoiced",
    "set_accrual_clearing",
]
