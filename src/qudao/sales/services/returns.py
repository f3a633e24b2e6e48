"""Returns (退货): a customer sends back goods from one of its deliveries.

Created by a sales rep or the warehouse, then the same chain as an order, each step switched
on or off in the sales settings: return review (退货审核, whoever reviews orders or manages
credit) → finance review of the credit to give (财务审核) → the warehouse accepts to take the
goods back (入库审核) → the goods are on their way (发货确认, collected by our driver or sent by
the customer) → received (收货确认). Receiving cannot be switched off: the warehouse posts the
stock moves there — a restocked line comes back into an internal location at the cost it left
with, a scrapped one into a damaged location as a scrap move — marks the returned serial
numbers and credits the customer (see `takebacks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.money import ZERO
from qudao.core.states import ensure_transition
from qudao.finance.models import CreditMode
from qudao.inventory.models import Location, LocationKind
from qudao.inventory.services import MoveLine, Reference, move_stock
from qudao.sales.models import DeliveryLine, DeliveryNote, DeliveryStatus, SalesSettings, SoldSerial
from qudao.sales.models_returns import (
    RETURN_TRANSITIONS,
    Disposition,
    ReturnLine,
    ReturnStatus,
    SalesReturn,
)
from qudao.sales.services.common import refuse, settings_of
from qudao.sales.services.deliveries import update_commitments
from qudao.sales.services.takebacks import (
    claimed_quantities,
    credit_for,
    line_money,
    shipment_costs,
)
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number, record_event

QUANTITY_STEP = Decimal("0.001")
RETURNABLE = (DeliveryStatus.SHIPPED, DeliveryStatus.DELIVERED)


@dataclass(frozen=True)
class ReturnLineInput:
    delivery_line_id: int
    quantity: Decimal
    location_id: int
    disposition: str = Disposition.RESTOCK
    serials: Sequence[str] = field(default_factory=tuple)


def require_any(actor: Membership, *perms: Perm) -> None:
    if not any(can(actor, perm) for perm in perms):
        require_perm(actor, perms[0])


def returnable_delivery(delivery: DeliveryNote) -> DeliveryNote:
    """The delivery, locked, if goods can come back from it (shipped, not consignment)."""
    delivery = DeliveryNote.objects.select_for_update(of=("self",)).get(pk=delivery.pk)
    if delivery.status not in RETURNABLE:
        raise refuse(_("Only shipped goods can come back."), "not_shipped")
    if delivery.order.payment_mode == CreditMode.CONSIGNMENT:
        raise refuse(
            _("Consignment goods are still ours: recall them from the consignment page."),
            "consignment_delivery",
        )
    return delivery


def checked_line_quantity(quantity: Decimal, product: str) -> Decimal:
    if (
        not isinstance(quantity, Decimal)
        or not quantity.is_finite()
        or quantity <= 0
        or quantity != quantity.quantize(QUANTITY_STEP)
    ):
        raise refuse(
            _("%(product)s: enter a quantity above zero with at most 3 decimals.")
            % {"product": product},
            "invalid_quantity",
        )
    return quantity


def left_to_claim(delivery: DeliveryNote) -> dict[int, Decimal]:
    """delivery line id → what may still come back or be claimed as damaged."""
    claimed = claimed_quantities(delivery)
    return {
        line.pk: line.quantity - claimed.get(line.pk, ZERO)
        for line in delivery.lines.all().only("pk", "quantity")
    }


def _location(location_id: int, disposition: str, product: str) -> Location:
    kind = LocationKind.INTERNAL if disposition == Disposition.RESTOCK else LocationKind.DAMAGED
    location = Location.objects.filter(
        pk=location_id, kind=kind, archived_at__isnull=True, warehouse__archived_at__isnull=True
    ).first()
    if location is None:
        message = (
            _("%(product)s: restock into one of our internal locations.")
            if disposition == Disposition.RESTOCK
            else _("%(product)s: scrapped goods go to a damaged / quarantine location.")
        ) % {"product": product}
        raise refuse(message, "invalid_location", location_id=message)
    return location


def _serials(line: DeliveryLine, given: Sequence[str], quantity: Decimal, name: str) -> list[str]:
    serials = [s.strip() for s in given if s.strip()]
    if not line.order_line.product.is_serialized:
        return []
    if len(set(serials)) != len(serials) or Decimal(len(serials)) != quantity:
        raise refuse(
            _("%(product)s: list one serial number per returned unit.") % {"product": name},
            "serials_required",
        )
    shipped = set(line.serial_list)
    still_out = set(
        SoldSerial.objects.filter(
            delivery_id=line.delivery_id,
            product_id=line.product_id,
            serial__in=serials,
            returned_at__isnull=True,
        ).values_list("serial", flat=True)
    )
    for serial in serials:
        if serial not in shipped or serial not in still_out:
            raise refuse(
                _("%(product)s: serial number %(serial)s did not go out on this delivery.")
                % {"product": name, "serial": serial},
                "serial_not_shipped",
            )
    return serials


@transaction.atomic
def create_return(
    *,
    org: Organization,
    actor: Membership,
    delivery: DeliveryNote,
    reason: str,
    lines: Sequence[ReturnLineInput],
) -> SalesReturn:
    """Record goods coming back from `delivery`: at most what shipped less what already came
    back or was claimed. Waits for review when return review is on."""
    require_any(actor, Perm.SELL, Perm.MOVE_STOCK)
    reason = reason.strip()
    if not reason:
        message = _("Say why the goods come back.")
        raise refuse(message, "reason_required", reason=message)
    delivery = returnable_delivery(delivery)
    delivery_lines = {
        line.pk: line for line in delivery.lines.select_related("order_line__product")
    }
    left = left_to_claim(delivery)
    wanted: dict[int, Decimal] = {}
    built = []
    for entry in lines:
        line = delivery_lines.get(entry.delivery_line_id)
        if line is None:
            raise refuse(_("A line is not on this delivery."), "unknown_line")
        name = line.order_line.product_name
        quantity = checked_line_quantity(entry.quantity, name)
        wanted[line.pk] = wanted.get(line.pk, ZERO) + quantity
        if wanted[line.pk] > left[line.pk]:
            raise refuse(
                _("%(product)s: at most %(left)s %(unit)s can still come back.")
                % {
                    "product": name,
                    "left": f"{max(left[line.pk], ZERO).normalize():f}",
                    "unit": line.order_line.base_unit,
                },
                "more_than_shipped",
            )
        if entry.disposition not in Disposition.values:
            raise refuse(_("Restock or scrap?"), "invalid_disposition")
        location = _location(entry.location_id, entry.disposition, name)
        amount, tax = line_money(line, quantity)
        built.append(
            ReturnLine(
                org=org,
                delivery_line=line,
                product_id=line.product_id,
                quantity=quantity,
                disposition=entry.disposition,
                location=location,
                amount=amount,
                tax=tax,
                serials="\n".join(_serials(line, entry.serials, quantity, name)),
            )
        )
    if not built:
        raise refuse(_("Enter what comes back."), "empty_return")
    sales_return = SalesReturn(
        org=org,
        delivery=delivery,
        customer_id=delivery.customer_id,
        status=step_after(None, settings_of(org)),
        reason=reason[:300],
        created_by=actor,
        subtotal=sum((line.amount for line in built), ZERO),
        tax_total=sum((line.tax for line in built), ZERO),
    )
    sales_return.total = sales_return.subtotal + sales_return.tax_total
    sales_return.number = next_number(org=org, key=f"RT{timezone.localdate().year}")
    sales_return.save()
    for line in built:
        line.sales_return = sales_return
    ReturnLine.objects.bulk_create(built)
    record_event(org=org, actor=actor, subject=sales_return, verb="created", reason=reason)
    record_event(
        org=org, actor=actor, subject=delivery, verb="return_created", reason=sales_return.number
    )
    return sales_return


def _locked(sales_return: SalesReturn) -> SalesReturn:
    return SalesReturn.objects.select_for_update(of=("self",)).get(pk=sales_return.pk)


def who_may_review() -> tuple[Perm, Perm]:
    return (Perm.REVIEW_ORDERS, Perm.MANAGE_CREDIT)


# the permissions that may act on each step of the chain (any one of them)
STEP_PERMS: dict[str, tuple[Perm, ...]] = {
    ReturnStatus.REVIEW: who_may_review(),
    ReturnStatus.FINANCE_REVIEW: (Perm.MANAGE_CREDIT,),
    ReturnStatus.WAREHOUSE_ACCEPTANCE: (Perm.MOVE_STOCK,),
    ReturnStatus.APPROVED: (Perm.SELL, Perm.MOVE_STOCK),  # 发货确认: goods on their way
    ReturnStatus.IN_TRANSIT: (Perm.MOVE_STOCK,),  # 收货确认
}


def step_after(status: str | None, settings: SalesSettings) -> str:
    """The next step that is switched on after `status` (None: a new return)."""
    steps = [
        (ReturnStatus.REVIEW, settings.return_review),
        (ReturnStatus.FINANCE_REVIEW, settings.return_finance_review),
        (ReturnStatus.WAREHOUSE_ACCEPTANCE, settings.return_warehouse_acceptance),
    ]
    keys = [key for key, _on in steps]
    start = 0 if status is None else keys.index(status) + 1  # type: ignore[arg-type]
    for key, on in steps[start:]:
        if on:
            return key
    return ReturnStatus.APPROVED


def may_act(actor: Membership, sales_return: SalesReturn) -> bool:
    """Whether `actor` may pass the return's current step."""
    perms = STEP_PERMS.get(sales_return.status, ())
    return any(can(actor, perm) for perm in perms)


@transaction.atomic
def approve_return(
    *, org: Organization, actor: Membership, sales_return: SalesReturn
) -> SalesReturn:
    """Pass the current review step (退货审核, 财务审核 or 入库审核); after the last one that
    is on, the goods may come back."""
    sales_return = _locked(sales_return)
    if not sales_return.in_review:
        raise refuse(_("This return is not waiting for a review."), "not_in_review")
    require_any(actor, *STEP_PERMS[sales_return.status])
    step = sales_return.status
    target = step_after(step, settings_of(org))
    ensure_transition(step, target, RETURN_TRANSITIONS)
    sales_return.status = target
    fields = ["status"]
    if step == ReturnStatus.REVIEW:
        sales_return.reviewed_at = timezone.now()
        sales_return.reviewed_by = actor
        fields += ["reviewed_at", "reviewed_by"]
    sales_return.save(update_fields=fields)
    record_event(org=org, actor=actor, subject=sales_return, verb="approved", data={"step": step})
    return sales_return


@transaction.atomic
def ship_return(
    *, org: Organization, actor: Membership, sales_return: SalesReturn, carrier: str = ""
) -> SalesReturn:
    """发货确认: the goods are on their way to us (collected by our driver or sent by the
    customer); the warehouse receives them next."""
    require_any(actor, *STEP_PERMS[ReturnStatus.APPROVED])
    sales_return = _locked(sales_return)
    if sales_return.in_review:
        raise refuse(_("This return waits for review (退货审核)."), "not_reviewed")
    if not settings_of(org).return_shipment:
        raise refuse(
            _("This step (发货确认) is switched off: the warehouse receives the goods directly."),
            "step_switched_off",
        )
    ensure_transition(sales_return.status, ReturnStatus.IN_TRANSIT, RETURN_TRANSITIONS)
    sales_return.status = ReturnStatus.IN_TRANSIT
    sales_return.carrier = carrier.strip()[:100]
    sales_return.shipped_at = timezone.now()
    sales_return.save(update_fields=["status", "carrier", "shipped_at"])
    record_event(
        org=org, actor=actor, subject=sales_return, verb="sent_back", reason=sales_return.carrier
    )
    return sales_return


@transaction.atomic
def reject_return(
    *, org: Organization, actor: Membership, sales_return: SalesReturn, reason: str
) -> SalesReturn:
    """Refuse a return before its goods are on their way: whoever may pass its current review
    step, or a reviewer once it is approved. Its quantities are free again."""
    reason = reason.strip()
    if not reason:
        message = _("Say why the return is rejected.")
        raise refuse(message, "reason_required", reason=message)
    sales_return = _locked(sales_return)
    require_any(
        actor,
        *(STEP_PERMS[sales_return.status] if sales_return.in_review else ()),
        *who_may_review(),
    )
    ensure_transition(sales_return.status, ReturnStatus.REJECTED, RETURN_TRANSITIONS)
    sales_return.status = ReturnStatus.REJECTED
    sales_return.reviewed_at = timezone.now()
    sales_return.reviewed_by = actor
    sales_return.save(update_fields=["status", "reviewed_at", "reviewed_by"])
    record_event(org=org, actor=actor, subject=sales_return, verb="rejected", reason=reason)
    return sales_return


@transaction.atomic
def receive_return(
    *, org: Organization, actor: Membership, sales_return: SalesReturn
) -> SalesReturn:
    """The goods are back: post the stock moves, free the serials, credit the customer."""
    require_perm(actor, Perm.MOVE_STOCK)
    sales_return = _locked(sales_return)
    if sales_return.in_review:
        raise refuse(_("This return waits for review (退货审核)."), "not_reviewed")
    if sales_return.status == ReturnStatus.APPROVED and settings_of(org).return_shipment:
        raise refuse(
            _("Record first that the goods are on their way (发货确认)."), "not_on_the_way"
        )
    ensure_transition(sales_return.status, ReturnStatus.RECEIVED, RETURN_TRANSITIONS)
    delivery = DeliveryNote.objects.select_for_update(of=("self",)).get(pk=sales_return.delivery_id)
    lines = list(sales_return.lines.select_related("delivery_line__order_line"))
    costs = shipment_costs(delivery)
    by_kind: dict[str, list[MoveLine]] = {"return": [], "scrap": []}
    for line in lines:
        kind = "return" if line.disposition == Disposition.RESTOCK else "scrap"
        serials, key = line.serial_list, (line.product_id, "")
        for serial, quantity in [(s, Decimal(1)) for s in serials] or [("", line.quantity)]:
            by_kind[kind].append(
                MoveLine(
                    product_id=line.product_id,
                    quantity=quantity,
                    to_location_id=line.location_id,
                    unit_cost=costs.get((line.product_id, serial)) or costs.get(key),
                    serial=serial,
                )
            )
    for kind, moves in by_kind.items():
        if moves:
            move_stock(
                org=org,
                actor=actor,
                moves=moves,
                reason=kind,
                reference=Reference("sales_return", sales_return.pk),
                note=sales_return.number,
            )
    now = timezone.now()
    for line in lines:
        if line.serial_list:
            SoldSerial.objects.filter(
                delivery_id=delivery.pk,
                product_id=line.product_id,
                serial__in=line.serial_list,
                returned_at__isnull=True,
            ).update(returned_at=now)
    sales_return.status = ReturnStatus.RECEIVED
    sales_return.received_at = now
    sales_return.received_by = actor
    sales_return.save(update_fields=["status", "received_at", "received_by"])
    if delivery.invoice_id is None:
        update_commitments(org, delivery.order)
    else:
        credit_for(
            org=org,
            actor=actor,
            document=sales_return,
            lines=[(line.delivery_line, line.quantity) for line in lines],
            reason=_("Return %(number)s: %(reason)s")
            % {"number": sales_return.number, "reason": sales_return.reason},
        )
    record_event(
        org=org,
        actor=actor,
        subject=sales_return,
        verb="received",
        data={"total": str(sales_return.total)},
    )
    return sales_return
