"""Delivery notes (送货单): pick, release, ship, receipt; and invoicing what shipped.

Shipping is the stock move: the order's reservation for each product is given back, the goods
leave the warehouse (to the customer, or to its consignment location on a consignment order,
where they stay ours), and whatever is still open on the order is reserved again in the same
transaction. The order's credit commitment moves from "confirmed" to "shipped, not invoiced",
and an invoice takes it over when finance invoices the delivery.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.core.states import ensure_transition
from qudao.finance.models import CommitmentStage, CreditMode
from qudao.finance.services import credit as credit_services
from qudao.finance.services.invoicing import LineData, create_invoice, post_invoice
from qudao.inventory.models import Location, LocationKind, Reservation, StockMove
from qudao.inventory.services import (
    LocationData,
    MoveLine,
    Reference,
    create_location,
    move_stock,
    release_reservation,
    reserve_stock_many,
)
from qudao.sales.models import (
    DELIVERY_TRANSITIONS,
    DeliveryLine,
    DeliveryNote,
    DeliveryStatus,
    OrderStatus,
    SalesOrder,
    SalesOrderLine,
    SoldSerial,
)
from qudao.sales.services.common import checked_quantity, locked, refuse, settings_of
from qudao.sales.services.orders import stock_reference
from qudao.sales.services.rebates import settle_delivery_invoice
from qudao.sales.services.takebacks import credited_quantities, taken_off
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number, record_event

UNSHIPPED = (DeliveryStatus.PICKING, DeliveryStatus.RELEASED)


def _locked_delivery(delivery: DeliveryNote) -> DeliveryNote:
    return DeliveryNote.objects.select_for_update(of=("self",)).get(pk=delivery.pk)


def pending_quantities(order: SalesOrder) -> dict[int, Decimal]:
    """order line id → quantity already on delivery notes not shipped yet."""
    rows = (
        DeliveryLine.objects.filter(delivery__order=order, delivery__status__in=UNSHIPPED)
        .values("order_line_id")
        .annotate(quantity=Sum("quantity"))
    )
    return {row["order_line_id"]: row["quantity"] for row in rows}


def _line_money(line: SalesOrderLine, quantity: Decimal) -> tuple[Decimal, Decimal]:
    amount = quantize(quantity * line.unit_price)
    return amount, quantize(amount * line.tax_rate)


@transaction.atomic
def create_delivery(
    *,
    org: Organization,
    actor: Membership,
    order: SalesOrder,
    quantities: Mapping[int, Decimal] | None = None,
    carrier: str = "",
) -> DeliveryNote:
    """A pick list for (part of) a confirmed order: `quantities` by order line id, in base
    units; none given: everything still open. What is left stays on the order (backorder)."""
    require_perm(actor, Perm.MOVE_STOCK)
    order = locked(order)
    if order.status not in (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED):
        raise refuse(_("Only a confirmed order can be delivered."), "not_confirmed")
    lines = {line.pk: line for line in order.lines.all()}
    pending = pending_quantities(order)
    free = {pk: line.open_quantity - pending.get(pk, ZERO) for pk, line in lines.items()}
    if quantities is None:
        quantities = {pk: q for pk, q in free.items() if q > 0}
    wanted = {}
    for pk, quantity in quantities.items():
        quantity = checked_quantity(quantity)
        if pk not in lines:
            raise refuse(_("A line is not on this order."), "unknown_line")
        if quantity == 0:
            continue
        if quantity > free[pk]:
            raise refuse(
                _("%(product)s: only %(open)s %(unit)s are still to deliver.")
                % {
                    "product": lines[pk].product_name,
                    "open": f"{max(free[pk], ZERO).normalize():f}",
                    "unit": lines[pk].base_unit,
                },
                "more_than_ordered",
            )
        wanted[pk] = quantity
    if not wanted:
        raise refuse(_("Nothing is left to deliver on this order."), "nothing_to_deliver")
    delivery = DeliveryNote(
        org=org,
        order=order,
        customer_id=order.customer_id,
        ship_to=order.ship_to,
        carrier=carrier.strip()[:100],
        created_by=actor,
    )
    built = []
    for pk, quantity in wanted.items():
        amount, tax = _line_money(lines[pk], quantity)
        built.append(
            DeliveryLine(
                org=org,
                order_line=lines[pk],
                product_id=lines[pk].product_id,
                quantity=quantity,
                amount=amount,
                tax=tax,
            )
        )
    delivery.subtotal = sum((line.amount for line in built), ZERO)
    delivery.tax_total = sum((line.tax for line in built), ZERO)
    delivery.total = delivery.subtotal + delivery.tax_total
    delivery.number = next_number(org=org, key=f"DN{timezone.localdate().year}")
    delivery.save()
    for line in built:
        line.delivery = delivery
    DeliveryLine.objects.bulk_create(built)
    record_event(org=org, actor=actor, subject=delivery, verb="created")
    return delivery


@transaction.atomic
def release_delivery(
    *, org: Organization, actor: Membership, delivery: DeliveryNote
) -> DeliveryNote:
    """The warehouse's release (出库审核): the goods may leave."""
    require_perm(actor, Perm.MOVE_STOCK)
    delivery = _locked_delivery(delivery)
    ensure_transition(delivery.status, DeliveryStatus.RELEASED, DELIVERY_TRANSITIONS)
    delivery.status = DeliveryStatus.RELEASED
    delivery.released_at = timezone.now()
    delivery.released_by = actor
    delivery.save(update_fields=["status", "released_at", "released_by"])
    record_event(org=org, actor=actor, subject=delivery, verb="released")
    return delivery


def _serials_for(
    line: DeliveryLine, serials: Mapping[int, Sequence[str]], product_name: str
) -> list[str]:
    given = [s.strip() for s in serials.get(line.order_line_id, ()) if s.strip()]
    if len(set(given)) != len(given):
        raise refuse(
            _("%(product)s: a serial number is listed twice.") % {"product": product_name},
            "duplicate_serial",
        )
    if Decimal(len(given)) != line.quantity:
        raise refuse(
            _("%(product)s: scan %(needed)s serial numbers (%(given)s given).")
            % {
                "product": product_name,
                "needed": f"{line.quantity.normalize():f}",
                "given": len(given),
            },
            "serials_required",
            serials=_("One serial number per unit."),
        )
    return given


def _serial_targets(serials: Mapping[int, Sequence[str]]) -> dict[tuple[int, str], int | None]:
    """Where each (product, serial) is now: its latest move's target, in one query."""
    wanted = [serial for given in serials.values() for serial in given]
    latest: dict[tuple[int, str], tuple[int, int | None]] = {}
    if not wanted:
        return {}
    for move_id, product_id, serial, target in StockMove.objects.filter(
        product_id__in=serials, serial__in=wanted
    ).values_list("pk", "product_id", "serial", "to_location_id"):
        key = (product_id, serial)
        if key not in latest or move_id > latest[key][0]:
            latest[key] = (move_id, target)
    return {key: target for key, (_move_id, target) in latest.items()}


def _serial_locations(
    targets: Mapping[tuple[int, str], int | None],
    product_id: int,
    serials: Sequence[str],
    locations: set[int],
    product_name: str,
) -> dict[str, int]:
    """Where each serial is now, refused unless in `locations`."""
    where = {}
    for serial in serials:
        target = targets.get((product_id, serial))
        if target not in locations:
            raise refuse(
                _("%(product)s: serial number %(serial)s is not in this warehouse.")
                % {"product": product_name, "serial": serial},
                "serial_not_in_stock",
            )
        where[serial] = target  # type: ignore[assignment]
    return where


def _consignment_location(org: Organization, actor: Membership, order: SalesOrder) -> Location:
    location = Location.objects.filter(
        warehouse_id=order.warehouse_id,
        kind=LocationKind.CONSIGNMENT,
        customer_id=order.customer_id,
        archived_at__isnull=True,
    ).first()
    if location is None:
        location = create_location(
            org=org,
            actor=actor,
            warehouse=order.warehouse,
            data=LocationData(
                code=f"C-{order.customer.code}"[:40],
                name=(_("Consignment at %(customer)s") % {"customer": order.customer.name})[:100],
                kind=LocationKind.CONSIGNMENT,
                customer_id=order.customer_id,
            ),
        )
    return location


def _ship_moves(
    org: Organization,
    actor: Membership,
    order: SalesOrder,
    delivery: DeliveryNote,
    lines: list[DeliveryLine],
    serials: Mapping[int, Sequence[str]],
    destination: int | None,
) -> list[tuple[DeliveryLine, list[str]]]:
    """Give back the reservations, post the moves out, reserve the rest again."""
    reference = stock_reference(order)
    reserved: dict[int, list[tuple[int, Decimal]]] = {}
    for row in Reservation.objects.filter(
        reference=str(reference), released_at__isnull=True
    ).order_by("product_id", "location_id"):
        reserved.setdefault(row.product_id, []).append((row.location_id, row.quantity))
    for line in lines:
        release_reservation(org=org, reference=reference, product_id=line.product_id, actor=actor)
    moves: list[MoveLine] = []
    picked: list[tuple[DeliveryLine, list[str]]] = []
    given_serials = {
        line.product_id: _serials_for(line, serials, line.order_line.product_name)
        for line in lines
        if line.order_line.product.is_serialized
    }
    targets = _serial_targets(given_serials)
    internal = (
        set(
            Location.objects.filter(
                warehouse_id=order.warehouse_id, kind=LocationKind.INTERNAL
            ).values_list("pk", flat=True)
        )
        if given_serials
        else set()
    )
    for line in lines:
        order_line = line.order_line
        if order_line.product.is_serialized:
            given = given_serials[line.product_id]
            where = _serial_locations(
                targets,
                line.product_id,
                given,
                {loc for loc, _q in reserved.get(line.product_id, [])} | internal,
                order_line.product_name,
            )
            moves += [
                MoveLine(
                    product_id=line.product_id,
                    quantity=Decimal(1),
                    from_location_id=where[serial],
                    to_location_id=destination,
                    serial=serial,
                )
                for serial in given
            ]
            picked.append((line, given))
            continue
        left = line.quantity
        for location_id, quantity in reserved.get(line.product_id, []):
            take = min(left, quantity)
            if take > 0:
                moves.append(
                    MoveLine(
                        product_id=line.product_id,
                        quantity=take,
                        from_location_id=location_id,
                        to_location_id=destination,
                    )
                )
                left -= take
        if left > 0:
            raise refuse(
                _("%(product)s is no longer reserved for this order.")
                % {"product": order_line.product_name},
                "not_reserved",
            )
        picked.append((line, []))
    kind = "transfer" if destination else "shipment"
    move_stock(
        org=org,
        actor=actor,
        moves=moves,
        reason=kind,
        reference=Reference("sales_delivery", delivery.pk),
        note=delivery.number,
    )
    rest = {
        line.product_id: line.order_line.open_quantity - line.quantity
        for line, _given in picked
        if line.order_line.open_quantity > line.quantity
    }
    reserve_stock_many(
        org=org,
        quantities=rest,
        warehouse_id=order.warehouse_id,
        reference=reference,
        actor=actor,
    )
    return picked


def _open_value(order: SalesOrder) -> Decimal:
    """What is still to ship on the order, incl. VAT (its "confirmed" credit commitment)."""
    total = ZERO
    for line in order.lines.all():
        if line.open_quantity > 0:
            amount, tax = _line_money(line, line.open_quantity)
            total += amount + tax
    return total


def _shipped_not_invoiced(order: SalesOrder) -> Decimal:
    value = DeliveryNote.objects.filter(
        order=order,
        status__in=[DeliveryStatus.SHIPPED, DeliveryStatus.DELIVERED],
        invoice_id__isnull=True,
    ).aggregate(total=Sum("total"))["total"]
    return max(quantize(value or ZERO) - taken_off(order), ZERO)  # less returns, claims


def _update_commitments(org: Organization, order: SalesOrder) -> None:
    for stage, amount in (
        (CommitmentStage.CONFIRMED, _open_value(order)),
        (CommitmentStage.SHIPPED, _shipped_not_invoiced(order)),
    ):
        credit_services.record_open_order(
            org=org, customer=order.customer, reference=order.reference, stage=stage, amount=amount
        )


update_commitments = _update_commitments  # returns, claims and consignment recount them too


@transaction.atomic
def ship_delivery(
    *,
    org: Organization,
    actor: Membership,
    delivery: DeliveryNote,
    serials: Mapping[int, Sequence[str]] | None = None,
) -> DeliveryNote:
    """发货确认: the goods leave. Serialized products need one scanned serial per unit
    (`serials` by order line id); each is recorded as sold to the customer today."""
    require_perm(actor, Perm.MOVE_STOCK)
    delivery = _locked_delivery(delivery)
    settings = settings_of(org)
    if settings.warehouse_release and delivery.status == DeliveryStatus.PICKING:
        raise refuse(_("The warehouse must release this delivery before it ships."), "not_released")
    ensure_transition(delivery.status, DeliveryStatus.SHIPPED, DELIVERY_TRANSITIONS)
    order = locked(delivery.order)
    if settings.checks_at_shipment and order.credit_overridden_by_id is None:
        try:
            credit_services.reserve_credit(
                org=org,
                customer=order.customer,
                amount=_open_value(order),
                reference=order.reference,
            )
        except BusinessRuleViolation as refusal:
            raise refuse(
                _("Not shipped: %(why)s Finance or the boss may override it on the order.")
                % {"why": refusal.message},
                refusal.code,
            ) from refusal
    lines = list(delivery.lines.select_related("order_line__product").order_by("product_id"))
    destination = None
    if order.payment_mode == CreditMode.CONSIGNMENT:
        destination = _consignment_location(org, actor, order).pk
    picked = _ship_moves(org, actor, order, delivery, lines, serials or {}, destination)
    today = timezone.localdate()
    sold = []
    for line, given in picked:
        order_line = line.order_line
        order_line.shipped_quantity += line.quantity
        order_line.save(update_fields=["shipped_quantity"])
        line.serials = "\n".join(given)
        line.save(update_fields=["serials"])
        sold += [
            SoldSerial(
                org=org,
                product_id=line.product_id,
                serial=serial,
                customer_id=order.customer_id,
                delivery=delivery,
                sold_on=today,
            )
            for serial in given
        ]
    taken = set(
        SoldSerial.objects.filter(
            Q(returned_at__isnull=True), serial__in=[s.serial for s in sold]
        ).values_list("product_id", "serial")
    )
    if taken & {(s.product_id, s.serial) for s in sold}:
        raise refuse(_("A serial number was already sold."), "serial_already_sold")
    SoldSerial.objects.bulk_create(sold)
    delivery.status = DeliveryStatus.SHIPPED
    delivery.shipped_at = timezone.now()
    delivery.shipped_by = actor
    delivery.save(update_fields=["status", "shipped_at", "shipped_by"])
    open_left = any(line.open_quantity > 0 for line in order.lines.all())
    order.status = OrderStatus.PARTIALLY_SHIPPED if open_left else OrderStatus.SHIPPED
    order.save(update_fields=["status"])
    _update_commitments(org, order)
    record_event(
        org=org, actor=actor, subject=delivery, verb="shipped", data={"total": str(delivery.total)}
    )
    record_event(org=org, actor=actor, subject=order, verb="shipped", reason=delivery.number)
    return delivery


@transaction.atomic
def confirm_receipt(
    *,
    org: Organization,
    actor: Membership,
    delivery: DeliveryNote,
    signed_by: str,
    note: str = "",
    signed_copy: UploadedFile | None = None,
) -> DeliveryNote:
    """收货确认: the customer signed for the goods (签收); a photo of the signed copy is kept."""
    if not (can(actor, Perm.MOVE_STOCK) or can(actor, Perm.SELL)):
        require_perm(actor, Perm.MOVE_STOCK)
    delivery = _locked_delivery(delivery)
    ensure_transition(delivery.status, DeliveryStatus.DELIVERED, DELIVERY_TRANSITIONS)
    signed_by = signed_by.strip()
    if not signed_by:
        raise refuse(
            _("Who signed for the goods?"),
            "signer_required",
            signed_by=_("This field is required."),
        )
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = timezone.now()
    delivery.signed_by = signed_by[:100]
    delivery.signature_note = note.strip()[:300]
    delivery.confirmed_by = actor
    if signed_copy is not None:
        delivery.signed_copy.save(signed_copy.name or "signed", signed_copy, save=False)
    delivery.save()
    record_event(org=org, actor=actor, subject=delivery, verb="delivered", reason=signed_by)
    return delivery


@transaction.atomic
def cancel_delivery(
    *, org: Organization, actor: Membership, delivery: DeliveryNote, reason: str = ""
) -> DeliveryNote:
    """Drop a delivery note that has not shipped; its quantities go back to the order."""
    require_perm(actor, Perm.MOVE_STOCK)
    delivery = _locked_delivery(delivery)
    ensure_transition(delivery.status, DeliveryStatus.CANCELLED, DELIVERY_TRANSITIONS)
    delivery.status = DeliveryStatus.CANCELLED
    delivery.save(update_fields=["status"])
    record_event(org=org, actor=actor, subject=delivery, verb="cancelled", reason=reason)
    return delivery


def _description(line: DeliveryLine) -> str:
    order_line = line.order_line
    return f"{order_line.product_name} {order_line.specification}".strip()[:200]


@transaction.atomic
def invoice_delivery(
    *, org: Organization, actor: Membership, delivery: DeliveryNote, on: date | None = None
) -> int:
    """Invoice what a delivery shipped, at the order's prices; returns the posted invoice id.
    The invoice now counts against the customer's credit instead of the delivery."""
    require_perm(actor, Perm.POST_FINANCE)
    delivery = _locked_delivery(delivery)
    if delivery.status not in (DeliveryStatus.SHIPPED, DeliveryStatus.DELIVERED):
        raise refuse(_("Only shipped goods are invoiced."), "not_shipped")
    if delivery.invoice_id is not None:
        raise refuse(_("This delivery is already invoiced."), "already_invoiced")
    order = locked(delivery.order)
    if order.payment_mode == CreditMode.CONSIGNMENT:
        raise refuse(
            _("Consignment goods are invoiced when the customer reports them sold."),
            "consignment_delivery",
        )
    credited = credited_quantities(delivery)  # returned or damaged before invoicing
    lines = [
        (line, line.quantity - credited.get(line.pk, ZERO))
        for line in delivery.lines.select_related("order_line").order_by("order_line__position")
    ]
    lines = [(line, quantity) for line, quantity in lines if quantity > 0]
    if not lines:
        raise refuse(
            _("Everything on this delivery came back: nothing to invoice."), "all_returned"
        )
    invoice = create_invoice(
        org=org,
        actor=actor,
        customer=order.customer,
        date=on or timezone.localdate(),
        lines=[
            LineData(
                description=_description(line),
                quantity=quantity,
                unit_price=line.order_line.unit_price,
                tax_rate=line.order_line.tax_rate,
                product_id=line.product_id,
            )
            for line, quantity in lines
        ],
        memo=_("Delivery %(delivery)s, order %(order)s")
        % {"delivery": delivery.number, "order": order.number},
    )
    invoice = post_invoice(org=org, actor=actor, invoice=invoice)
    delivery.invoice_id = invoice.pk
    delivery.save(update_fields=["invoice_id"])
    settle_delivery_invoice(org=org, actor=actor, order=order, invoice_id=invoice.pk)
    _update_commitments(org, order)
    if order.status in (OrderStatus.SHIPPED, OrderStatus.CLOSED) and not _shipped_not_invoiced(
        order
    ):
        credit_services.release_open_order(org=org, reference=order.reference)
    record_event(org=org, actor=actor, subject=delivery, verb="invoiced", reason=invoice.number)
    return invoice.pk
