"""Goods receipts: posting what arrived (stock moves at the order's price) and reversing it.

Each receipt accrues GR/IR (暂估入库) in the ledger at the cost it took into stock: Dr 1405
inventory / Cr 220202 goods received not invoiced; a reversal posts the mirror (see
`payables.accruals`).

Locks in the house order: the order, its lines (by pk), then the stock rows (move_stock),
then the number sequence last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.catalog.models import PriceKind, Product
from qudao.catalog.selectors import quote_many
from qudao.core.errors import BusinessRuleViolation
from qudao.core.states import ensure_transition
from qudao.inventory.models import Location, LocationKind, MoveKind, StockMove
from qudao.inventory.services import MoveLine, Reference, move_stock
from qudao.parties.models import Party, PartyKind
from qudao.purchasing.access import RECEIVE_GOODS
from qudao.purchasing.models import (
    ORDER_TRANSITIONS,
    RECEIVABLE_STATUSES,
    ZERO_QUANTITY,
    GoodsReceipt,
    GoodsReceiptLine,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    ReceivedSerial,
)
from qudao.purchasing.payables.accruals import accrue_receipt
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.services import next_number, record_event

QUANTITY_STEP = Decimal("0.001")
PERCENT = Decimal(100)
REFERENCE_TYPE = "goods_receipt"


@dataclass(frozen=True)
class SerialData:
    serial: str
    factory_date: date
    is_damaged: bool = False


@dataclass(frozen=True)
class ReceiptLineData:
    """What arrived of one product, in base units: in good order, and damaged on arrival.

    `unit_cost` only counts for goods not on the order (the order line's price wins).
    """

    product_id: int
    quantity: Decimal
    damaged_quantity: Decimal = ZERO_QUANTITY
    serials: tuple[SerialData, ...] = field(default_factory=tuple)
    unit_cost: Decimal | None = None


def _refuse(message: str, code: str, **fields: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields=fields or None)


def parse_serials(text: str) -> tuple[SerialData, ...]:
    """'SN, 2026-10-01' per line (', damaged' after the date marks a damaged unit)."""
    serials = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [part.strip() for part in line.replace("，", ",").split(",")]
        damaged = len(parts) == 3 and parts[2].lower() in {"damaged", "破损", "d"}
        if len(parts) not in (2, 3) or (len(parts) == 3 and not damaged) or not parts[0]:
            raise _refuse(
                _("Line %(line)s: write “serial, factory date” (for example SN1, 2026-10-01).")
                % {"line": number},
                "invalid_serial_line",
                serials=_("Line %(line)s is not “serial, factory date”.") % {"line": number},
            )
        try:
            factory_date = date.fromisoformat(parts[1])
        except ValueError:
            raise _refuse(
                _("Line %(line)s: the factory date must be written like 2026-10-01.")
                % {"line": number},
                "invalid_factory_date",
                serials=_("Line %(line)s has no valid factory date.") % {"line": number},
            ) from None
        serials.append(
            SerialData(serial=parts[0][:80], factory_date=factory_date, is_damaged=damaged)
        )
    return tuple(serials)


def _checked(quantity: Decimal) -> Decimal:
    try:
        valid = (
            quantity.is_finite() and quantity >= 0 and quantity == quantity.quantize(QUANTITY_STEP)
        )
    except (AttributeError, InvalidOperation):
        valid = False
    if not valid:
        raise _refuse(
            _("Quantities cannot be negative and have at most 3 decimal places."),
            "invalid_quantity",
        )
    return quantity.quantize(QUANTITY_STEP)


def _location(location_id: int | None, *, kind: str, label: str) -> Location:
    location = (
        Location.objects.select_related("warehouse")
        .filter(pk=location_id, kind=kind, archived_at__isnull=True)
        .first()
        if location_id
        else None
    )
    if location is None:
        raise _refuse(label, "invalid_location")
    return location


def _push_quantity(
    *, ordered: Decimal, before: Decimal, after: Decimal, tolerance: Decimal
) -> Decimal:
    """How much of this delivery lies above the order beyond the tolerance (压货)."""
    allowance = (ordered * tolerance / PERCENT).quantize(QUANTITY_STEP)
    above_after = max(after - ordered - allowance, ZERO_QUANTITY)
    above_before = max(before - ordered - allowance, ZERO_QUANTITY)
    return above_after - above_before


def _check_serials(
    *, product: Product, line: ReceiptLineData, received_on: date, seen: set[tuple[int, str]]
) -> None:
    if not product.is_serialized:
        if line.serials:
            raise _refuse(
                _("%(product)s is not serialized: leave its serial numbers empty.")
                % {"product": product},
                "not_serialized",
            )
        return
    whole = line.quantity == line.quantity.to_integral_value() and (
        line.damaged_quantity == line.damaged_quantity.to_integral_value()
    )
    damaged = sum(1 for s in line.serials if s.is_damaged)
    if (
        not whole
        or len(line.serials) != line.quantity + line.damaged_quantity
        or (damaged != line.damaged_quantity)
    ):
        raise _refuse(
            _(
                "%(product)s is serialized: give one serial number per unit received "
                "(%(count)s given for %(quantity)s units, %(damaged)s marked damaged)."
            )
            % {
                "product": product,
                "count": len(line.serials),
                "quantity": f"{(line.quantity + line.damaged_quantity).normalize():f}",
                "damaged": damaged,
            },
            "serials_do_not_match",
            serials=_("One serial number per unit received."),
        )
    for serial in line.serials:
        key = (product.pk, serial.serial)
        if key in seen:
            raise _refuse(
                _("Serial number %(serial)s appears twice.") % {"serial": serial.serial},
                "duplicate_serial",
                serials=_("Serial number %(serial)s appears twice.") % {"serial": serial.serial},
            )
        seen.add(key)
        if serial.factory_date > received_on:
            raise _refuse(
                _("Serial number %(serial)s has a factory date after the day it arrived.")
                % {"serial": serial.serial},
                "factory_date_in_future",
                serials=_("A factory date cannot be after the receipt date."),
            )
    known = set(
        ReceivedSerial.objects.filter(
            product=product,
            serial__in=[s.serial for s in line.serials],
            returned_at__isnull=True,
        ).values_list("serial", flat=True)
    )
    if known:
        listed = ", ".join(sorted(known)[:5])
        raise _refuse(
            _("Already received for %(product)s: %(serials)s.")
            % {"product": product, "serials": listed},
            "serial_already_received",
            serials=_("Already received: %(serials)s.") % {"serials": listed},
        )


def _moves_for(
    *,
    product: Product,
    line: ReceiptLineData,
    unit_cost: Decimal | None,
    location: Location,
    damaged_location: Location | None,
) -> list[MoveLine]:
    if product.is_serialized:
        return [
            MoveLine(
                product_id=product.pk,
                quantity=Decimal(1),
                to_location_id=(
                    damaged_location.pk if s.is_damaged and damaged_location else location.pk
                ),
                unit_cost=unit_cost,
                serial=s.serial,
            )
            for s in line.serials
        ]
    moves = []
    if line.quantity > 0:
        moves.append(
            MoveLine(
                product_id=product.pk,
                quantity=line.quantity,
                to_location_id=location.pk,
                unit_cost=unit_cost,
            )
        )
    if line.damaged_quantity > 0 and damaged_location is not None:
        moves.append(
            MoveLine(
                product_id=product.pk,
                quantity=line.damaged_quantity,
                to_location_id=damaged_location.pk,
                unit_cost=unit_cost,
            )
        )
    return moves


def _status_after(lines: list[PurchaseOrderLine]) -> str:
    if all(line.received_quantity >= line.quantity for line in lines):
        return OrderStatus.RECEIVED
    if any(line.received_quantity > 0 for line in lines):
        return OrderStatus.PARTIALLY_RECEIVED
    return OrderStatus.CONFIRMED


def _move_order_to(order: PurchaseOrder, target: str) -> None:
    if order.status == target or order.status == OrderStatus.CLOSED:
        return
    ensure_transition(order.status, target, ORDER_TRANSITIONS)
    order.status = target
    order.save(update_fields=["status"])


@transaction.atomic
def post_receipt(
    *,
    org: Organization,
    actor: Membership,
    lines: Sequence[ReceiptLineData],
    location_id: int,
    order: PurchaseOrder | None = None,
    supplier_id: int | None = None,
    damaged_location_id: int | None = None,
    received_on: date | None = None,
    delivery_reference: str = "",
    note: str = "",
) -> GoodsReceipt:
    """Post goods that arrived: stock moves in at the order line's price, the order advances.

    Without an order (or above it beyond the supplier's tolerance) the goods are push stock.
    All or nothing: a refusal leaves stock, the order and serial numbers untouched.
    """
    require_perm(actor, RECEIVE_GOODS)
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise _refuse(
            _("Goods cannot be received in the future."),
            "received_in_future",
            received_on=_("Goods cannot be received in the future."),
        )
    order_lines: dict[int, PurchaseOrderLine] = {}
    if order is not None:
        order = PurchaseOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
        if order.status not in RECEIVABLE_STATUSES:
            raise _refuse(_("Goods are received only on confirmed orders."), "order_not_receivable")
        supplier = Party.objects.get(pk=order.supplier_id)
        order_lines = {
            line.product_id: line
            for line in PurchaseOrderLine.objects.select_for_update(of=("self",))
            .filter(order=order)
            .order_by("pk")
        }
    else:
        found = Party.objects.filter(pk=supplier_id or 0, kind=PartyKind.SUPPLIER).first()
        if found is None:
            message = _("Choose one of this organization's suppliers.")
            raise _refuse(message, "supplier_not_found", supplier_id=message)
        supplier = found
    location = _location(
        location_id,
        kind=LocationKind.INTERNAL,
        label=_("Receive into one of our live warehouse locations."),
    )

    if not lines:
        raise _refuse(_("Nothing was received."), "no_lines")
    checked = [
        ReceiptLineData(
            product_id=line.product_id,
            quantity=_checked(line.quantity),
            damaged_quantity=_checked(line.damaged_quantity),
            serials=tuple(line.serials),
            unit_cost=line.unit_cost,
        )
        for line in lines
        if line.quantity > 0 or line.damaged_quantity > 0 or line.serials
    ]
    if not checked:
        raise _refuse(_("Nothing was received."), "no_lines")
    if len({line.product_id for line in checked}) != len(checked):
        raise _refuse(_("A product appears twice on the receipt."), "duplicate_product")
    damaged_location = None
    if any(line.damaged_quantity > 0 for line in checked):
        damaged_location = _location(
            damaged_location_id,
            kind=LocationKind.DAMAGED,
            label=_("Damaged goods go to a damaged-goods location: choose one."),
        )
    products = {
        p.pk: p for p in Product.objects.filter(pk__in=[line.product_id for line in checked])
    }
    if len(products) != len(checked):
        raise _refuse(_("A product does not exist."), "unknown_product")
    seen: set[tuple[int, str]] = set()
    for line in checked:
        _check_serials(
            product=products[line.product_id], line=line, received_on=received_on, seen=seen
        )

    unpriced = {
        line.product_id: line.quantity + line.damaged_quantity
        for line in checked
        if line.product_id not in order_lines and line.unit_cost is None
    }
    quotes = quote_many(
        org=org,
        customer_id=None,
        quantities=unpriced,
        on=received_on,
        kind=PriceKind.PURCHASE,
        supplier_id=supplier.pk,
    )

    receipt = GoodsReceipt.objects.create(
        org=org,
        order=order,
        supplier=supplier,
        location=location,
        damaged_location=damaged_location,
        received_on=received_on,
        delivery_reference=delivery_reference.strip()[:60],
        note=note.strip(),
        is_push_stock=order is None,
        posted_at=timezone.now(),
        posted_by=actor,
    )
    tolerance = order.over_delivery_tolerance if order is not None else Decimal(0)
    receipt_lines = []
    moves: list[MoveLine] = []
    for line in checked:
        product = products[line.product_id]
        delivered = line.quantity + line.damaged_quantity
        order_line = order_lines.get(line.product_id)
        if order_line is not None:
            before = order_line.received_quantity
            after = before + delivered
            expected = max(order_line.quantity - before, ZERO_QUANTITY)
            push = _push_quantity(
                ordered=order_line.quantity, before=before, after=after, tolerance=tolerance
            )
            unit_cost: Decimal | None = order_line.unit_price
        else:
            expected, push = ZERO_QUANTITY, delivered
            quote = quotes.get(line.product_id)
            unit_cost = (
                line.unit_cost
                if line.unit_cost is not None
                else (
                    quote.unit_price if quote else None  # none: comes in at the current average
                )
            )
        moves.extend(
            _moves_for(
                product=product,
                line=line,
                unit_cost=unit_cost,
                location=location,
                damaged_location=damaged_location,
            )
        )
        receipt_lines.append(
            GoodsReceiptLine(
                org=org,
                receipt=receipt,
                order_line=order_line,
                product=product,
                quantity=line.quantity,
                damaged_quantity=line.damaged_quantity,
                expected_quantity=expected,
                over_quantity=max(delivered - expected, ZERO_QUANTITY),
                short_quantity=max(expected - delivered, ZERO_QUANTITY),
                push_quantity=push,
                unit_cost=unit_cost if unit_cost is not None else Decimal(0),
            )
        )
    posted = move_stock(
        org=org,
        actor=actor,
        moves=moves,
        reason=MoveKind.RECEIPT,
        reference=Reference(REFERENCE_TYPE, receipt.pk),
        note=note.strip()[:300],
    )
    costs = {move.product_id: move.unit_cost for move in posted}
    for receipt_line in receipt_lines:  # the cost the ledger took (the average when unpriced)
        receipt_line.unit_cost = costs[receipt_line.product_id]
    GoodsReceiptLine.objects.bulk_create(receipt_lines)
    ReceivedSerial.objects.bulk_create(
        ReceivedSerial(
            org=org,
            product_id=line.product_id,
            serial=s.serial,
            factory_date=s.factory_date,
            received_on=received_on,
            receipt=receipt,
            is_damaged=s.is_damaged,
        )
        for line in checked
        for s in line.serials
    )
    if order is not None:
        for line in checked:
            order_line = order_lines.get(line.product_id)
            if order_line is None:
                continue
            PurchaseOrderLine.objects.filter(pk=order_line.pk).update(
                received_quantity=F("received_quantity") + line.quantity + line.damaged_quantity,
                damaged_quantity=F("damaged_quantity") + line.damaged_quantity,
            )
        _move_order_to(order, _status_after(list(order.lines.order_by("pk"))))
    fields = ["number"]
    if any(rl.push_quantity > 0 for rl in receipt_lines) and not receipt.is_push_stock:
        receipt.is_push_stock = True
        fields.append("is_push_stock")
    receipt.number = next_number(org=org, key=f"GR{timezone.localdate().year}")  # last
    receipt.save(update_fields=fields)
    accrue_receipt(org=org, actor=actor, receipt=receipt, lines=receipt_lines)
    record_event(org=org, actor=actor, subject=receipt, verb="received")
    if order is not None:
        record_event(
            org=org, actor=actor, subject=order, verb="received", data={"receipt": receipt.number}
        )
    return receipt


@transaction.atomic
def reverse_receipt(
    *, org: Organization, actor: Membership, receipt: GoodsReceipt, note: str = ""
) -> GoodsReceipt:
    """Send a whole receipt back with a reversing receipt; the original stays untouched.

    Refused when the goods have left the locations they came into (they are sold or moved).
    """
    require_perm(actor, RECEIVE_GOODS)
    receipt = GoodsReceipt.objects.select_for_update(of=("self",)).get(pk=receipt.pk)
    if receipt.reverses_id is not None or receipt.reversals.exists():
        raise _refuse(_("This receipt is already part of a reversal."), "not_reversible")
    order = None
    if receipt.order_id is not None:
        order = PurchaseOrder.objects.select_for_update(of=("self",)).get(pk=receipt.order_id)
        list(
            PurchaseOrderLine.objects.select_for_update(of=("self",))
            .filter(order=order)
            .order_by("pk")
        )
    reversal = GoodsReceipt.objects.create(
        org=org,
        order=order,
        supplier_id=receipt.supplier_id,
        location_id=receipt.location_id,
        damaged_location_id=receipt.damaged_location_id,
        received_on=timezone.localdate(),
        delivery_reference=receipt.delivery_reference,
        note=note.strip() or _("Reversal of %(number)s") % {"number": receipt.number},
        is_push_stock=False,
        reverses=receipt,
        posted_at=timezone.now(),
        posted_by=actor,
    )
    originals = list(
        StockMove.objects.filter(reference_type=REFERENCE_TYPE, reference_id=receipt.pk).order_by(
            "pk"
        )
    )
    move_stock(
        org=org,
        actor=actor,
        moves=[
            MoveLine(
                product_id=move.product_id,
                quantity=move.quantity,
                from_location_id=move.to_location_id,
                unit_cost=move.unit_cost,
                lot=move.lot,
                serial=move.serial,
                reverses_id=move.pk,
            )
            for move in originals
        ],
        reason=MoveKind.RECEIPT,
        reference=Reference(REFERENCE_TYPE, reversal.pk),
        note=reversal.note[:300],
    )
    lines = list(receipt.lines.order_by("pk"))
    reversal_lines = GoodsReceiptLine.objects.bulk_create(
        GoodsReceiptLine(
            org=org,
            receipt=reversal,
            order_line_id=line.order_line_id,
            product_id=line.product_id,
            quantity=-line.quantity,
            damaged_quantity=-line.damaged_quantity,
            expected_quantity=ZERO_QUANTITY,
            over_quantity=ZERO_QUANTITY,
            short_quantity=ZERO_QUANTITY,
            push_quantity=ZERO_QUANTITY,
            unit_cost=line.unit_cost,
        )
        for line in lines
    )
    ReceivedSerial.objects.filter(receipt=receipt, returned_at__isnull=True).update(
        returned_at=timezone.now()
    )
    if order is not None:
        for line in lines:
            if line.order_line_id is None:
                continue
            PurchaseOrderLine.objects.filter(pk=line.order_line_id).update(
                received_quantity=F("received_quantity") - line.quantity - line.damaged_quantity,
                damaged_quantity=F("damaged_quantity") - line.damaged_quantity,
            )
        _move_order_to(order, _status_after(list(order.lines.order_by("pk"))))
    reversal.number = next_number(org=org, key=f"GR{timezone.localdate().year}")  # last
    reversal.save(update_fields=["number"])
    accrue_receipt(org=org, actor=actor, receipt=reversal, lines=reversal_lines, reverses=receipt)
    record_event(org=org, actor=actor, subject=receipt, verb="reversed", reason=note)
    return reversal
