"""Claims for goods damaged on arrival at a goods receipt (进货破损索赔), and who bears the loss.

The damaged goods (the disposition) are returned to the supplier (a return move out of the
receipt's damaged location), scrapped (a scrap move), or kept as damaged stock (nothing moves);
moves out go at the warehouse's average cost, kept as the claim's `cost_value`.

Who bears the loss decides the document:

- The supplier: the claim is deducted from what we owe it (扣款) by a supplier credit note, the
  payables' own mechanism, for the claimed amount plus VAT at the rate the receipt was billed
  at. A credit note credits a posted invoice, so the claim stays open until finance deducts it
  from the invoice that billed the receipt, or from any other posted invoice of the supplier
  with enough still open; until the supplier has one, the claim waits. We do not lower what
  the supplier invoices instead: the supplier bills what it delivered (a draft from a receipt
  includes the damaged units, like its fapiao) and issues a red-ink fapiao for the damage, and
  billing less than was received would leave the receipt's GR/IR accrual (220202) open for
  good. The credit note's lines are therefore not tied to the receipt line (GR/IR stays cleared
  by the invoice); its amount comes off inventory (1405), so the goods cost what the supplier
  finally charged. The supplier may accept only part: the credit note is for that part.
- The carrier owes us the claimed amount: the receivable sales damage claims share
  (`finance.services.claims`), Dr 1221 other receivables (with the carrier as party when it is
  set up as one) / Cr 1405 inventory when recorded. Finance settles it with what the carrier
  paid (Dr bank, cash or other monetary funds); the part not recovered is written off back to
  inventory (Dr 1405 / Cr 1221), where every loss we bear stays: stock moves, scrap included,
  do not post to the ledger.
- Us: the loss is written off (the goods normally scrapped at cost); nothing is owed, the claim
  is closed at once and nothing is posted.

Serialized units returned to the supplier are marked returned on their received serial numbers,
like the units of a reversed receipt, so the same unit may arrive again.

Settling is `services.claim_settlement`. A claim recorded in error is cancelled while nothing
is settled: its stock moves are reversed (the goods come back into the damaged location, and
returned serial numbers are live again) and its ledger entry is reversed in red ink.

Locks in the house order: the receipt, the claim, stock rows (move_stock), then the number
sequences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.core.states import ensure_transition
from qudao.finance.claims import CLAIM_TRANSITIONS, ClaimStatus
from qudao.finance.models import INVENTORY
from qudao.finance.services.claims import (
    ClaimReceivable,
    book_claim_receivable,
    reverse_claim_receivable,
)
from qudao.inventory.models import MoveKind, StockMove
from qudao.inventory.services import MoveLine, Reference, move_stock
from qudao.parties.models import Party, PartyKind
from qudao.purchasing.access import RECEIVE_GOODS
from qudao.purchasing.claim_models import (
    ClaimBearer,
    ClaimDisposition,
    ReceiptClaim,
    ReceiptClaimLine,
)
from qudao.purchasing.claim_selectors import (
    is_claimable,
    unclaimed_damage,
)
from qudao.purchasing.models import GoodsReceipt, ReceivedSerial
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.services import next_number, record_event

SOURCE_TYPE = "purchasing.receipt_claim"
REFERENCE_TYPE = "receipt_claim"
QUANTITY_STEP = Decimal("0.001")
CLAIMED_BY_OTHERS = (ClaimBearer.SUPPLIER, ClaimBearer.CARRIER)


@dataclass(frozen=True)
class ClaimLineData:
    """Damaged units of one receipt line; `amount` None: quantity × the line's purchase price."""

    receipt_line_id: int
    quantity: Decimal
    amount: Decimal | None = None


@dataclass(frozen=True)
class ReceiptClaimData:
    bearer: str
    disposition: str
    description: str
    lines: Sequence[ClaimLineData] = field(default_factory=tuple)
    carrier: str = ""
    carrier_party_id: int | None = None


def refuse(message: str, code: str, **fields: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields=fields or None)


def is_fen(amount: object) -> bool:
    return (
        isinstance(amount, Decimal)
        and amount.is_finite()
        and amount >= 0
        and amount == quantize(amount)
    )


def _checked_header(data: ReceiptClaimData) -> tuple[str, Party | None]:
    """The description, and the carrier party; refuses what does not fit the bearer."""
    if data.bearer not in ClaimBearer.values:
        message = _("Who bears the loss?")
        raise refuse(message, "invalid_bearer", bearer=message)
    if data.disposition not in ClaimDisposition.values:
        message = _("Say what happens to the damaged goods.")
        raise refuse(message, "invalid_disposition", disposition=message)
    if data.disposition == ClaimDisposition.RETURN and data.bearer != ClaimBearer.SUPPLIER:
        message = _("Goods go back to the supplier only when the supplier bears the loss.")
        raise refuse(message, "return_needs_supplier", disposition=message)
    description = data.description.strip()
    if not description:
        message = _("Describe what is damaged and how.")
        raise refuse(message, "description_required", description=message)
    carrier_party = None
    if data.bearer == ClaimBearer.CARRIER:
        if data.carrier_party_id is not None:
            carrier_party = Party.objects.filter(
                pk=data.carrier_party_id, kind=PartyKind.SUPPLIER, archived_at__isnull=True
            ).first()
            if carrier_party is None:
                message = _("Choose the carrier among this organization's suppliers.")
                raise refuse(message, "carrier_not_found", carrier_party=message)
        if not data.carrier.strip() and carrier_party is None:
            message = _("Name the carrier that owes us the claim.")
            raise refuse(message, "carrier_required", carrier=message)
    return description, carrier_party


def _checked_quantity(quantity: Decimal) -> Decimal:
    if (
        not isinstance(quantity, Decimal)
        or not quantity.is_finite()
        or quantity <= 0
        or quantity != quantity.quantize(QUANTITY_STEP)
    ):
        raise refuse(
            _("A claimed quantity is more than zero, with at most 3 decimal places."),
            "invalid_quantity",
        )
    return quantity.quantize(QUANTITY_STEP)


def _line_amount(bearer: str, amount: Decimal | None, default: Decimal) -> Decimal:
    if amount is None:
        return default if bearer in CLAIMED_BY_OTHERS else ZERO
    if not is_fen(amount):
        message = _("An amount claimed must be zero or more, in yuan and fen.")
        raise refuse(message, "invalid_amount", amount=message)
    if bearer == ClaimBearer.US and amount:
        message = _("Nothing is claimed when we bear the loss: leave the amount empty.")
        raise refuse(message, "no_claim_here", amount=message)
    return quantize(amount)


def _damaged_serials(receipt: GoodsReceipt, line_id: int, product_id: int) -> list[str]:
    """The receipt's damaged serial numbers of a product that no live claim holds yet."""
    taken = {
        serial
        for text in ReceiptClaimLine.objects.filter(receipt_line_id=line_id)
        .exclude(claim__status=ClaimStatus.CANCELLED)
        .values_list("serials", flat=True)
        for serial in text.splitlines()
    }
    return [
        serial
        for serial in ReceivedSerial.objects.filter(
            receipt=receipt, product_id=product_id, is_damaged=True
        )
        .order_by("pk")
        .values_list("serial", flat=True)
        if serial not in taken
    ]


def _build_lines(
    org: Organization, receipt: GoodsReceipt, bearer: str, entries: Sequence[ClaimLineData]
) -> list[ReceiptClaimLine]:
    left = {line.pk: (line, quantity) for line, quantity in unclaimed_damage(receipt)}
    built: list[ReceiptClaimLine] = []
    seen: set[int] = set()
    for entry in entries:
        if entry.receipt_line_id in seen:
            raise refuse(_("A receipt line appears twice on the claim."), "duplicate_line")
        seen.add(entry.receipt_line_id)
        if entry.quantity == 0 and not entry.amount:
            continue
        found = left.get(entry.receipt_line_id)
        if found is None:
            raise refuse(
                _("A line has no damaged units left to claim on this receipt."),
                "nothing_damaged_left",
            )
        line, available = found
        quantity = _checked_quantity(entry.quantity)
        if quantity > available:
            raise refuse(
                _("%(product)s: at most %(left)s %(unit)s arrived damaged and are not claimed yet.")
                % {
                    "product": line.product,
                    "left": f"{available.normalize():f}",
                    "unit": line.product.base_unit,
                },
                "more_than_damaged",
            )
        serials = ""
        if line.product.is_serialized:
            free = _damaged_serials(receipt, line.pk, line.product_id)
            if quantity != quantity.to_integral_value() or len(free) < quantity:
                raise refuse(
                    _("%(product)s is serialized: claim whole units.") % {"product": line.product},
                    "whole_units",
                )
            serials = "\n".join(free[: int(quantity)])
        price = line.order_line.unit_price if line.order_line_id else line.unit_cost
        built.append(
            ReceiptClaimLine(
                org=org,
                receipt_line=line,
                product_id=line.product_id,
                quantity=quantity,
                unit_price=price,
                amount=_line_amount(bearer, entry.amount, quantize(quantity * price)),
                serials=serials,
            )
        )
    if not built:
        raise refuse(_("Enter how many damaged units the claim is for."), "empty_claim")
    return built


def _locked_receipt(org: Organization, receipt: GoodsReceipt) -> GoodsReceipt:
    # the scoped manager answers None for another organization's receipt
    locked = GoodsReceipt.objects.select_for_update(of=("self",)).filter(pk=receipt.pk).first()
    if locked is None or locked.org_id != org.pk:
        raise refuse(_("Choose one of this organization's goods receipts."), "receipt_not_found")
    if not is_claimable(locked):
        raise refuse(
            _("Claims are made on a posted receipt that is not reversed."), "not_claimable"
        )
    return locked


def _move_goods(
    org: Organization,
    actor: Membership,
    claim: ReceiptClaim,
    receipt: GoodsReceipt,
    lines: Sequence[ReceiptClaimLine],
) -> Decimal:
    """Return or scrap the claimed goods out of the damaged location; their value at cost."""
    if claim.disposition == ClaimDisposition.KEEP:
        return ZERO
    source = receipt.damaged_location_id
    moves = []
    for line in lines:
        if line.serials:
            moves += [
                MoveLine(
                    product_id=line.product_id,
                    quantity=Decimal(1),
                    from_location_id=source,
                    serial=serial,
                )
                for serial in line.serial_list
            ]
        else:
            moves.append(
                MoveLine(
                    product_id=line.product_id, quantity=line.quantity, from_location_id=source
                )
            )
    posted = move_stock(
        org=org,
        actor=actor,
        moves=moves,
        reason=MoveKind.RETURN if claim.disposition == ClaimDisposition.RETURN else MoveKind.SCRAP,
        reference=Reference(REFERENCE_TYPE, claim.pk),
        note=claim.description,
    )
    return quantize(sum((move.quantity * move.unit_cost for move in posted), ZERO))


@transaction.atomic
def record_receipt_claim(
    *, org: Organization, actor: Membership, receipt: GoodsReceipt, data: ReceiptClaimData
) -> ReceiptClaim:
    """Record damaged units of a posted receipt as a claim, move the goods and, when the
    carrier bears the loss, book what it owes us. All or nothing: a refusal writes nothing."""
    require_perm(actor, RECEIVE_GOODS)
    description, carrier_party = _checked_header(data)
    receipt = _locked_receipt(org, receipt)
    built = _build_lines(org, receipt, data.bearer, data.lines)
    total = sum((line.amount for line in built), ZERO)
    if data.bearer in CLAIMED_BY_OTHERS and total <= 0:
        message = _("Enter the amount claimed, in yuan and fen.")
        raise refuse(message, "claim_amount_required", amount=message)
    if data.disposition != ClaimDisposition.KEEP and receipt.damaged_location_id is None:
        raise refuse(_("The receipt has no damaged-goods location."), "no_damaged_location")
    is_carrier = data.bearer == ClaimBearer.CARRIER
    claim = ReceiptClaim.objects.create(
        org=org,
        receipt=receipt,
        supplier_id=receipt.supplier_id,
        bearer=data.bearer,
        disposition=data.disposition,
        status=ClaimStatus.OPEN if data.bearer in CLAIMED_BY_OTHERS else ClaimStatus.CLOSED,
        description=description[:300],
        carrier=(data.carrier.strip() or (carrier_party.name if carrier_party else ""))[:100]
        if is_carrier
        else "",
        carrier_party=carrier_party,
        claim_amount=total,
        created_by=actor,
    )
    for line in built:
        line.claim = claim
    ReceiptClaimLine.objects.bulk_create(built)
    claim.cost_value = _move_goods(org, actor, claim, receipt, built)
    claim.number = next_number(org=org, key=f"RC{timezone.localdate().year}")
    fields = ["cost_value", "number"]
    if is_carrier:
        claim.journal_entry = book_claim_receivable(
            org=org,
            actor=actor,
            claim=receivable(claim),
            counter_account=INVENTORY,
            memo=_("Damage claim %(number)s on the carrier %(carrier)s (receipt %(receipt)s)")
            % {"number": claim.number, "carrier": claim.carrier, "receipt": receipt.number},
            perm=RECEIVE_GOODS,  # follows from recording the claim, as a receipt's GR/IR does
        )
        fields.append("journal_entry")
    if claim.disposition == ClaimDisposition.RETURN:
        _mark_returned(receipt, built, returned=True)
    claim.save(update_fields=fields)
    record_event(
        org=org,
        actor=actor,
        subject=claim,
        verb="created",
        reason=description,
        data={"bearer": claim.bearer, "claimed": str(total), "cost": str(claim.cost_value)},
    )
    if claim.disposition != ClaimDisposition.KEEP:
        record_event(
            org=org,
            actor=actor,
            subject=claim,
            verb="written_off" if claim.disposition == ClaimDisposition.SCRAP else "sent_back",
            data={"cost": str(claim.cost_value)},
        )
    record_event(org=org, actor=actor, subject=receipt, verb="damage_recorded", reason=claim.number)
    return claim


def receivable(claim: ReceiptClaim) -> ClaimReceivable:
    """The carrier's claim as the shared receivable sees it."""
    return ClaimReceivable(
        source_type=SOURCE_TYPE,
        source_id=claim.pk,
        amount=claim.claim_amount,
        party=claim.carrier_party,
    )


def _mark_returned(
    receipt: GoodsReceipt, lines: Sequence[ReceiptClaimLine], *, returned: bool
) -> None:
    """Mark the claim's serialized units gone back to the supplier (or, cancelling, live again
    on the receipt, refused when the same unit has arrived again since)."""
    units = Q()
    for line in lines:
        if line.serial_list:
            units |= Q(product_id=line.product_id, serial__in=line.serial_list)
    if not units:
        return
    if not returned:
        again = ReceivedSerial.objects.filter(units, returned_at__isnull=True).values_list(
            "serial", flat=True
        )
        if again:
            raise refuse(
                _("Serial numbers %(serials)s have arrived again since: the claim stays.")
                % {"serials": ", ".join(sorted(again))},
                "serial_received_again",
            )
    ReceivedSerial.objects.filter(units, receipt=receipt, returned_at__isnull=returned).update(
        returned_at=timezone.now() if returned else None
    )


def locked_claim(claim: ReceiptClaim) -> ReceiptClaim:
    locked = ReceiptClaim.objects.select_for_update(of=("self",)).filter(pk=claim.pk).first()
    if locked is None:
        raise refuse(_("Choose one of this organization's claims."), "claim_not_found")
    return locked


@transaction.atomic
def cancel_receipt_claim(
    *, org: Organization, actor: Membership, claim: ReceiptClaim, reason: str
) -> ReceiptClaim:
    """Cancel a claim recorded in error while nothing is settled: its stock moves are reversed
    and its ledger entry reversed in red ink; the claim itself stays, marked cancelled."""
    require_perm(actor, RECEIVE_GOODS)
    reason = reason.strip()
    if not reason:
        message = _("Say why the claim is cancelled.")
        raise refuse(message, "reason_required", reason=message)
    claim = locked_claim(claim)
    ensure_transition(claim.status, ClaimStatus.CANCELLED, CLAIM_TRANSITIONS)
    if claim.disposition == ClaimDisposition.RETURN:
        _mark_returned(claim.receipt, list(claim.lines.order_by("pk")), returned=False)
    originals = list(
        StockMove.objects.filter(reference_type=REFERENCE_TYPE, reference_id=claim.pk).order_by(
            "pk"
        )
    )
    if originals:
        move_stock(
            org=org,
            actor=actor,
            moves=[
                MoveLine(
                    product_id=move.product_id,
                    quantity=move.quantity,
                    to_location_id=move.from_location_id,
                    unit_cost=move.unit_cost,
                    lot=move.lot,
                    serial=move.serial,
                    reverses_id=move.pk,
                )
                for move in originals
            ],
            reason=originals[0].kind,
            reference=Reference(REFERENCE_TYPE, claim.pk),
            note=reason[:300],
        )
    fields = ["status", "cancelled_at", "cancelled_by", "cancel_reason"]
    if claim.journal_entry is not None:
        claim.reversal_entry = reverse_claim_receivable(
            org=org,
            actor=actor,
            claim=receivable(claim),
            entry=claim.journal_entry,
            memo=_("Damage claim %(number)s cancelled: %(reason)s")
            % {"number": claim.number, "reason": reason},
            perm=RECEIVE_GOODS,
        )
        fields.append("reversal_entry")
    claim.status = ClaimStatus.CANCELLED
    claim.cancelled_at = timezone.now()
    claim.cancelled_by = actor
    claim.cancel_reason = reason[:300]
    claim.save(update_fields=fields)
    record_event(org=org, actor=actor, subject=claim, verb="cancelled", reason=reason)
    return claim
