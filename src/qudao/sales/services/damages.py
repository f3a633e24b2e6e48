"""Damage and breakage claims (破损) on a delivery, and who bears the loss.

We, the carrier or the manufacturer: the broken goods are written off — they come back from the
customer into a damaged / quarantine location and leave it as a scrap move, both at the cost
they shipped with — and the customer does not pay for them (a credit note if invoiced, else a
lower commitment and invoice). The customer: recorded only, nothing moves, no credit.

The carrier or the manufacturer then owes us the claimed amount: the claim receivable that
purchasing's receipt claims share (`finance.services.claims`), Dr 1221 other receivables with
the manufacturer, or the carrier when it is set up as a party / Cr 1405 inventory, where the
goods' cost still is (stock moves do not post to the ledger). Finance settles it with what was
recovered (Dr bank, cash or other monetary funds); the rest is written off back to inventory,
where every loss we bear stays. Claims recorded before the receivable existed have no entry and
settle without one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.money import ZERO, quantize
from qudao.core.states import ensure_transition
from qudao.finance.claims import CLAIM_TRANSITIONS, ClaimStatus
from qudao.finance.models import INVENTORY
from qudao.finance.services.claims import (
    ClaimReceivable,
    Recovery,
    book_claim_receivable,
    checked_settlement,
    settle_claim_receivable,
)
from qudao.inventory.models import Location, LocationKind, Warehouse
from qudao.inventory.services import LocationData, MoveLine, Reference, create_location, move_stock
from qudao.parties.models import Party, PartyKind
from qudao.sales.models import DeliveryNote
from qudao.sales.models_returns import Bearer, DamageClaim, DamageLine
from qudao.sales.services.common import refuse
from qudao.sales.services.deliveries import update_commitments
from qudao.sales.services.returns import (
    checked_line_quantity,
    left_to_claim,
    require_any,
    returnable_delivery,
)
from qudao.sales.services.takebacks import credit_for, line_money, shipment_costs
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number, record_event


@dataclass(frozen=True)
class ClaimData:
    bearer: str
    description: str
    quantities: Mapping[int, Decimal]  # delivery line id → broken quantity
    claim_amount: Decimal = ZERO
    carrier: str = ""
    supplier_id: int | None = None
    carrier_party_id: int | None = None  # the carrier, when it is set up as a supplier


SOURCE_TYPE = "sales.damage_claim"
OWED_BY_OTHERS = (Bearer.CARRIER, Bearer.MANUFACTURER)


def damaged_location(org: Organization, actor: Membership, warehouse_id: int) -> Location:
    """The warehouse's damaged / quarantine location, made on first use."""
    location = (
        Location.objects.filter(
            warehouse_id=warehouse_id, kind=LocationKind.DAMAGED, archived_at__isnull=True
        )
        .order_by("pk")
        .first()
    )
    if location is None:
        location = create_location(
            org=org,
            actor=actor,
            warehouse=Warehouse.objects.get(pk=warehouse_id),
            data=LocationData(code="DAMAGED", name=_("Damaged goods"), kind=LocationKind.DAMAGED),
        )
    return location


def _checked_party(data: ClaimData) -> tuple[Party | None, Party | None]:
    """The manufacturer (a supplier) or the carrier as a party, as the bearer needs."""
    supplier = carrier_party = None
    if data.bearer == Bearer.MANUFACTURER:
        supplier = Party.objects.filter(
            pk=data.supplier_id or 0, kind=PartyKind.SUPPLIER, archived_at__isnull=True
        ).first()
        if supplier is None:
            message = _("Choose the manufacturer (a supplier) the claim goes to.")
            raise refuse(message, "supplier_required", supplier_id=message)
    if data.bearer == Bearer.CARRIER and data.carrier_party_id is not None:
        carrier_party = Party.objects.filter(
            pk=data.carrier_party_id, kind=PartyKind.SUPPLIER, archived_at__isnull=True
        ).first()
        if carrier_party is None:
            message = _("Choose the carrier among this organization's suppliers.")
            raise refuse(message, "carrier_not_found", carrier_party_id=message)
    return supplier, carrier_party


def _checked(data: ClaimData) -> tuple[str, Decimal, str]:
    if data.bearer not in Bearer.values:
        message = _("Who bears the loss?")
        raise refuse(message, "invalid_bearer", bearer=message)
    description = data.description.strip()
    if not description:
        message = _("Describe what is broken and how.")
        raise refuse(message, "description_required", description=message)
    amount = data.claim_amount
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        message = _("The claimed amount cannot be negative.")
        raise refuse(message, "invalid_amount", claim_amount=message)
    if data.bearer in OWED_BY_OTHERS:
        if amount <= 0 or amount != quantize(amount):
            message = _("Enter the amount claimed, in yuan and fen.")
            raise refuse(message, "claim_amount_required", claim_amount=message)
    elif amount:
        message = _("Only a carrier or a manufacturer is claimed against.")
        raise refuse(message, "no_claim_here", claim_amount=message)
    return description, amount, data.carrier.strip()


@transaction.atomic
def record_damage(
    *,
    org: Organization,
    actor: Membership,
    delivery: DeliveryNote,
    data: ClaimData,
    photo: UploadedFile | None = None,
) -> DamageClaim:
    """Record broken goods on a shipped delivery and act on who bears the loss."""
    require_any(actor, Perm.MOVE_STOCK, Perm.SELL)
    description, amount, carrier = _checked(data)
    supplier, carrier_party = _checked_party(data)
    delivery = returnable_delivery(delivery)
    delivery_lines = {
        line.pk: line for line in delivery.lines.select_related("order_line__product")
    }
    left = left_to_claim(delivery)
    built = []
    for line_id, quantity in data.quantities.items():
        line = delivery_lines.get(line_id)
        if line is None:
            raise refuse(_("A line is not on this delivery."), "unknown_line")
        if quantity == 0:
            continue
        name = line.order_line.product_name
        quantity = checked_line_quantity(quantity, name)
        if data.bearer != Bearer.CUSTOMER and quantity > left[line.pk]:
            raise refuse(
                _("%(product)s: at most %(left)s %(unit)s are still with the customer.")
                % {
                    "product": name,
                    "left": f"{max(left[line.pk], ZERO).normalize():f}",
                    "unit": line.order_line.base_unit,
                },
                "more_than_shipped",
            )
        if data.bearer == Bearer.CUSTOMER and quantity > line.quantity:
            raise refuse(
                _("%(product)s: only %(shipped)s %(unit)s were shipped.")
                % {
                    "product": name,
                    "shipped": f"{line.quantity.normalize():f}",
                    "unit": line.order_line.base_unit,
                },
                "more_than_shipped",
            )
        amount_, tax = line_money(line, quantity)
        built.append(
            DamageLine(
                org=org,
                delivery_line=line,
                product_id=line.product_id,
                quantity=quantity,
                amount=amount_,
                tax=tax,
            )
        )
    if not built:
        raise refuse(_("Enter how much is broken."), "empty_claim")
    claim = DamageClaim(
        org=org,
        delivery=delivery,
        customer_id=delivery.customer_id,
        bearer=data.bearer,
        status=ClaimStatus.OPEN if data.bearer in OWED_BY_OTHERS else ClaimStatus.CLOSED,
        description=description[:300],
        carrier=(carrier or delivery.carrier or (carrier_party.name if carrier_party else ""))[:100]
        if data.bearer == Bearer.CARRIER
        else "",
        carrier_party=carrier_party,
        supplier=supplier,
        claim_amount=amount,
        created_by=actor,
    )
    if claim.credits_customer:
        claim.subtotal = sum((line.amount for line in built), ZERO)
        claim.tax_total = sum((line.tax for line in built), ZERO)
        claim.total = claim.subtotal + claim.tax_total
    claim.number = next_number(org=org, key=f"DC{timezone.localdate().year}")
    if photo is not None:
        claim.photo.save(photo.name or "photo", photo, save=False)
    claim.save()
    for line in built:
        line.claim = claim
    DamageLine.objects.bulk_create(built)
    record_event(org=org, actor=actor, subject=claim, verb="created", reason=description)
    if claim.status == ClaimStatus.OPEN:
        claim.journal_entry = book_claim_receivable(
            org=org,
            actor=actor,
            claim=_receivable(claim),
            counter_account=INVENTORY,
            memo=_("Damage claim %(number)s on %(party)s (delivery %(delivery)s)")
            % {"number": claim.number, "party": _owed_by(claim), "delivery": delivery.number},
            # follows from recording the claim, whoever of the warehouse or sales recorded it
            perm=Perm.MOVE_STOCK if can(actor, Perm.MOVE_STOCK) else Perm.SELL,
        )
        claim.save(update_fields=["journal_entry"])
    if claim.credits_customer:
        _write_off(org, actor, claim, delivery, built)
        if delivery.invoice_id is None:
            update_commitments(org, delivery.order)
        else:
            credit_for(
                org=org,
                actor=actor,
                document=claim,
                lines=[(line.delivery_line, line.quantity) for line in built],
                reason=_("Damage claim %(number)s: %(reason)s")
                % {"number": claim.number, "reason": description},
            )
    record_event(
        org=org, actor=actor, subject=delivery, verb="damage_recorded", reason=claim.number
    )
    return claim


def _write_off(
    org: Organization,
    actor: Membership,
    claim: DamageClaim,
    delivery: DeliveryNote,
    lines: list[DamageLine],
) -> None:
    """Bring the broken goods back into the damaged location and scrap them, at shipment cost."""
    location = damaged_location(org, actor, delivery.order.warehouse_id)
    costs = shipment_costs(delivery)
    reference = Reference("sales_damage", claim.pk)
    moves = [
        MoveLine(
            product_id=line.product_id,
            quantity=line.quantity,
            to_location_id=location.pk,
            unit_cost=costs.get((line.product_id, "")),
        )
        for line in lines
    ]
    move_stock(
        org=org, actor=actor, moves=moves, reason="return", reference=reference, note=claim.number
    )
    scrapped = move_stock(
        org=org,
        actor=actor,
        moves=[
            MoveLine(product_id=m.product_id, quantity=m.quantity, from_location_id=location.pk)
            for m in moves
        ],
        reason="scrap",
        reference=reference,
        note=claim.number,
    )
    claim.cost_value = quantize(sum((m.quantity * m.unit_cost for m in scrapped), ZERO))
    claim.save(update_fields=["cost_value"])
    record_event(
        org=org,
        actor=actor,
        subject=claim,
        verb="written_off",
        data={"cost": str(claim.cost_value)},
    )


def _receivable(claim: DamageClaim) -> ClaimReceivable:
    return ClaimReceivable(
        source_type=SOURCE_TYPE,
        source_id=claim.pk,
        amount=claim.claim_amount,
        party=claim.debtor,
    )


def _owed_by(claim: DamageClaim) -> str:
    if claim.supplier is not None:
        return claim.supplier.name
    return claim.carrier or _("the carrier")


@transaction.atomic
def settle_claim(
    *,
    org: Organization,
    actor: Membership,
    claim: DamageClaim,
    recovery: Recovery,
    note: str = "",
) -> DamageClaim:
    """Finance records what the carrier or the manufacturer paid (all that was claimed when
    `recovery.amount` is None) and where it came in; the rest of the receivable is written off."""
    require_perm(actor, Perm.POST_FINANCE)
    claim = (
        DamageClaim.objects.select_for_update(of=("self",))
        .select_related("supplier", "carrier_party")
        .get(pk=claim.pk)
    )
    ensure_transition(claim.status, ClaimStatus.SETTLED, CLAIM_TRANSITIONS)
    amount = checked_settlement(claim.claim_amount, recovery.amount, recovery.date)
    # a claim recorded before the receivable existed has nothing on 1221 to clear
    if claim.journal_entry_id is not None:
        amount, claim.settlement_entry = settle_claim_receivable(
            org=org,
            actor=actor,
            claim=_receivable(claim),
            recovery=recovery,
            write_off_account=INVENTORY,
            memo=_("Damage claim %(number)s settled by %(party)s")
            % {"number": claim.number, "party": _owed_by(claim)},
        )
    claim.status = ClaimStatus.SETTLED
    claim.settled_amount = amount
    claim.settled_at = timezone.now()
    claim.settled_by = actor
    claim.settlement_note = note.strip()[:300]
    claim.save(
        update_fields=[
            "status",
            "settled_amount",
            "settled_at",
            "settled_by",
            "settlement_note",
            "settlement_entry",
        ]
    )
    record_event(
        org=org,
        actor=actor,
        subject=claim,
        verb="settled",
        reason=claim.settlement_note,
        data={"claimed": str(claim.claim_amount), "settled": str(amount)},
    )
    return claim
