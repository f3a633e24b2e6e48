"""Every read about receipt damage claims: the list, a claim's lines and events, what is still
unclaimed on a receipt, and the supplier invoices a claim can be deducted from."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, QuerySet, Sum, Value

from qudao.core.money import ZERO, quantize
from qudao.finance.claims import ClaimStatus
from qudao.purchasing.access import can_receive
from qudao.purchasing.claim_models import ClaimBearer, ReceiptClaim, ReceiptClaimLine
from qudao.purchasing.models import ZERO_QUANTITY, GoodsReceipt, GoodsReceiptLine
from qudao.purchasing.payables.models import (
    SupplierInvoice,
    SupplierInvoiceKind,
    SupplierInvoiceLine,
    SupplierInvoiceStatus,
)
from qudao.tenancy.models import Event, Membership

QUANTITY_STEP = Decimal("0.001")
HALF_FEN = Value(Decimal("0.005"))
MAX_INVOICES = 200

__all__ = [
    "claim_events",
    "claim_lines",
    "claimed_quantities",
    "claims",
    "deductible_invoices",
    "is_claimable",
    "open_carrier_claims",
    "receipt_claims",
    "unclaimed_damage",
]


def claims() -> QuerySet[ReceiptClaim]:
    return ReceiptClaim.objects.select_related("receipt", "supplier", "carrier_party")


def claim_lines(claim: ReceiptClaim) -> QuerySet[ReceiptClaimLine]:
    return claim.lines.select_related("product", "receipt_line").order_by("pk")


def claim_events(claim: ReceiptClaim) -> list[Event]:
    """The claim's events, newest first."""
    return list(
        Event.objects.filter(subject_type="purchasing.receiptclaim", subject_id=claim.pk)
        .select_related("actor__user")
        .order_by("-at", "-pk")
    )


def claimed_quantities(receipt: GoodsReceipt) -> dict[int, Decimal]:
    """receipt line id → units on the receipt's claims that are not cancelled."""
    rows = (
        ReceiptClaimLine.objects.filter(receipt_line__receipt=receipt)
        .exclude(claim__status=ClaimStatus.CANCELLED)
        .values("receipt_line_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    # SQLite sums decimals in binary floating point: round back to the stored 3 places
    return {
        row["receipt_line_id"]: Decimal(str(row["total"])).quantize(QUANTITY_STEP) for row in rows
    }


def open_carrier_claims() -> dict[int | None, Decimal]:
    """Carrier party id (None: named only in text) → what its open claims have on 1221."""
    rows = (
        ReceiptClaim.objects.filter(status=ClaimStatus.OPEN, journal_entry__isnull=False)
        .values("carrier_party")
        .annotate(total=Sum("claim_amount"))
        .order_by()
    )
    # SQLite sums decimals in binary floating point: round back to fen
    return {row["carrier_party"]: quantize(Decimal(str(row["total"] or ZERO))) for row in rows}


def is_claimable(receipt: GoodsReceipt) -> bool:
    """A posted receipt that is neither a reversal nor reversed."""
    return receipt.reverses_id is None and not receipt.reversals.exists()


def unclaimed_damage(receipt: GoodsReceipt) -> list[tuple[GoodsReceiptLine, Decimal]]:
    """Each receipt line with damaged units not yet on a live claim, and how many."""
    claimed = claimed_quantities(receipt)
    lines = receipt.lines.filter(damaged_quantity__gt=0).select_related("product", "order_line")
    left = [
        (line, line.damaged_quantity - claimed.get(line.pk, ZERO_QUANTITY))
        for line in lines.order_by("pk")
    ]
    return [(line, quantity) for line, quantity in left if quantity > 0]


def receipt_claims(receipt: GoodsReceipt, actor: Membership | None) -> dict[str, object]:
    """What the receipt page shows about claims: the claims, and whether to offer a new one."""
    rows = list(receipt.claims.order_by("pk"))
    return {
        "claims": rows,
        "can_claim": can_receive(actor)
        and is_claimable(receipt)
        and bool(unclaimed_damage(receipt)),
    }


def deductible_invoices(claim: ReceiptClaim) -> list[SupplierInvoice]:
    """The supplier's posted invoices with money still open, those billing the claim's receipt
    first, then oldest first: a supplier claim is deducted from one of them."""
    if claim.bearer != ClaimBearer.SUPPLIER:
        return []
    billing = set(
        SupplierInvoiceLine.objects.filter(
            receipt_line__receipt_id=claim.receipt_id,
            invoice__kind=SupplierInvoiceKind.INVOICE,
            invoice__status=SupplierInvoiceStatus.POSTED,
        ).values_list("invoice_id", flat=True)
    )
    invoices = (
        SupplierInvoice.objects.filter(
            supplier_id=claim.supplier_id,
            kind=SupplierInvoiceKind.INVOICE,
            status=SupplierInvoiceStatus.POSTED,
        )
        # half a fen of slack: SQLite adds decimal columns in binary floating point
        .filter(total__gt=F("amount_paid") + F("amount_credited") + HALF_FEN)
        .order_by("date", "pk")[:MAX_INVOICES]
    )
    return sorted(invoices, key=lambda invoice: invoice.pk not in billing)
