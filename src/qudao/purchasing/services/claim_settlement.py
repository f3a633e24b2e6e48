"""Settling a receipt damage claim (进货破损索赔): finance deducts the supplier's claim with a
supplier credit note, or records what the carrier paid. See `services.claims` for the story.

The supplier: the credit note is for the accepted amount (all that was claimed unless finance
says less) plus VAT at the rate the receipt was billed at, against the invoice that billed the
receipt or the supplier's oldest posted invoice with enough still open; with none, the claim
waits. Its lines are not tied to the receipt line, so its amount comes off inventory (1405).
The carrier: the shared claim receivable (`finance.services.claims`) is settled: Dr bank, cash
or other monetary funds for what it paid, Dr 1405 inventory for the part not recovered, Cr 1221
other receivables for the whole claim.

Locks in the house order: the claim, then the invoice and the supplier (the credit note), then
the number sequences.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.money import ZERO, allocate, quantize
from qudao.core.states import ensure_transition
from qudao.finance.claims import CLAIM_TRANSITIONS, ClaimStatus
from qudao.finance.models import BANK, INVENTORY
from qudao.finance.services.claims import (
    Recovery,
    checked_settlement,
    settle_claim_receivable,
)
from qudao.purchasing.access import MANAGE_ORDERS
from qudao.purchasing.claim_models import ClaimBearer, ReceiptClaim, ReceiptClaimLine
from qudao.purchasing.claim_selectors import claim_lines, deductible_invoices
from qudao.purchasing.payables.models import (
    SupplierInvoice,
    SupplierInvoiceKind,
    SupplierInvoiceLine,
    SupplierInvoiceStatus,
)
from qudao.purchasing.services.claims import locked_claim, receivable, refuse
from qudao.purchasing.services.invoices import (
    DEFAULT_TAX_RATE,
    MAX_TAX_RATE,
    InvoiceLineData,
    credit_supplier_invoice,
)
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.services import record_event

PRICE_STEP = Decimal("0.0001")


@dataclass(frozen=True)
class SettlementData:
    """What finance records. `amount` None: all that was claimed. The carrier: the account the
    money came into. The supplier: the invoice to deduct from (None: the best fit) and the
    VAT rate of the credit note (None: the rate the receipt was billed at)."""

    amount: Decimal | None = None
    received_into: str = BANK
    invoice_id: int | None = None
    tax_rate: Decimal | None = None
    date: datetime.date | None = None
    note: str = ""


def _billed_rate(claim: ReceiptClaim) -> Decimal:
    """The VAT rate the claim's receipt lines were last billed at, else the usual 13%."""
    rate = (
        SupplierInvoiceLine.objects.filter(
            receipt_line__claim_lines__claim=claim,
            invoice__kind=SupplierInvoiceKind.INVOICE,
            invoice__status=SupplierInvoiceStatus.POSTED,
        )
        .order_by("-invoice__date", "-pk")
        .values_list("tax_rate", flat=True)
        .first()
    )
    return rate if rate is not None else DEFAULT_TAX_RATE


def _credit_lines(
    lines: Sequence[ReceiptClaimLine], amount: Decimal, claimed: Decimal, rate: Decimal
) -> list[InvoiceLineData]:
    """The credit note's lines: each claim line's share of `amount`, as quantity × price when
    a 4-place price gives the share exactly, else one unit at the share."""
    parts = (
        [line.amount for line in lines]
        if amount == claimed
        else allocate(amount, [line.amount for line in lines])
    )
    credit = []
    for line, part in zip(lines, parts, strict=True):
        if part <= 0:
            continue
        name = f"{line.product.code} {line.product.name}"
        price = (part / line.quantity).quantize(PRICE_STEP, rounding=ROUND_HALF_UP)
        if quantize(line.quantity * price) == part:
            credit.append(
                InvoiceLineData(
                    quantity=line.quantity,
                    unit_price=price,
                    description=name,
                    tax_rate=rate,
                    product_id=line.product_id,
                )
            )
        else:
            credit.append(
                InvoiceLineData(
                    quantity=Decimal(1),
                    unit_price=part,
                    description=f"{name} × {line.quantity.normalize():f}",
                    tax_rate=rate,
                )
            )
    return credit


def _credit_total(lines: Sequence[InvoiceLineData]) -> Decimal:
    amounts = [quantize(line.quantity * line.unit_price) for line in lines]
    return sum(
        (a + quantize(a * line.tax_rate) for a, line in zip(amounts, lines, strict=True)), ZERO
    )


def _deduct(
    org: Organization, actor: Membership, claim: ReceiptClaim, data: SettlementData, amount: Decimal
) -> None:
    rate = data.tax_rate if data.tax_rate is not None else _billed_rate(claim)
    if not (
        isinstance(rate, Decimal)
        and rate.is_finite()
        and rate == rate.quantize(PRICE_STEP)
        and ZERO <= rate <= MAX_TAX_RATE
    ):
        message = _("The tax rate must be between 0 and 0.5.")
        raise refuse(message, "invalid_tax_rate", tax_rate=message)
    if amount == 0:  # the supplier accepted nothing: the loss stays with us
        return
    lines = _credit_lines(list(claim_lines(claim)), amount, claim.claim_amount, rate)
    total = _credit_total(lines)
    if data.invoice_id is not None:
        invoice = SupplierInvoice.objects.filter(
            pk=data.invoice_id,
            supplier_id=claim.supplier_id,
            kind=SupplierInvoiceKind.INVOICE,
            status=SupplierInvoiceStatus.POSTED,
        ).first()
        if invoice is None:
            message = _("Choose a posted invoice of this supplier.")
            raise refuse(message, "invoice_not_found", invoice_id=message)
    else:
        invoice = next(
            (found for found in deductible_invoices(claim) if found.open_amount >= total), None
        )
        if invoice is None:
            raise refuse(
                _(
                    "No posted invoice of %(supplier)s has %(total)s open to deduct from: "
                    "the claim waits until the supplier's invoice is posted."
                )
                % {"supplier": claim.supplier.name, "total": total},
                "no_open_invoice",
            )
    claim.credit_note = credit_supplier_invoice(
        org=org,
        actor=actor,
        invoice=invoice,
        reason=_("Damage claim %(number)s: %(description)s")
        % {"number": claim.number, "description": claim.description},
        lines=lines,
        date=data.date,
    )


def _settle_carrier(
    org: Organization, actor: Membership, claim: ReceiptClaim, data: SettlementData, amount: Decimal
) -> None:
    _recovered, claim.settlement_entry = settle_claim_receivable(
        org=org,
        actor=actor,
        claim=receivable(claim),
        recovery=Recovery(amount=amount, received_into=data.received_into, date=data.date),
        write_off_account=INVENTORY,  # where every loss we bear stays (see services.claims)
        memo=_("Damage claim %(number)s settled by the carrier %(carrier)s")
        % {"number": claim.number, "carrier": claim.carrier},
    )


@transaction.atomic
def settle_receipt_claim(
    *, org: Organization, actor: Membership, claim: ReceiptClaim, data: SettlementData
) -> ReceiptClaim:
    """Finance settles an open claim, in full or in part: the supplier's by a credit note
    deducting it from what we owe, the carrier's with what it paid (the rest back to stock)."""
    require_perm(actor, MANAGE_ORDERS)
    claim = locked_claim(claim)
    ensure_transition(claim.status, ClaimStatus.SETTLED, CLAIM_TRANSITIONS)
    amount = checked_settlement(claim.claim_amount, data.amount, data.date)
    if claim.bearer == ClaimBearer.SUPPLIER:
        _deduct(org, actor, claim, data, amount)
    else:
        _settle_carrier(org, actor, claim, data, amount)
    claim.status = ClaimStatus.SETTLED
    claim.settled_amount = amount
    claim.settled_at = timezone.now()
    claim.settled_by = actor
    claim.settlement_note = data.note.strip()[:300]
    claim.save(
        update_fields=[
            "status",
            "settled_amount",
            "settled_at",
            "settled_by",
            "settlement_note",
            "credit_note",
            "settlement_entry",
        ]
    )
    record_event(
        org=org,
        actor=actor,
        subject=claim,
        verb="settled",
        reason=claim.settlement_note,
        data={"claimed": str(claim.claim_amount), "settled": str(claim.settled_amount)},
    )
    return claim
