"""Purchase orders: drafts and their lines, confirmation, cancel/close, prepayments.

A prepayment is a posted supplier payment against the order (Dr payables, Cr bank): it sits on
the debit side of the supplier's account until the order's invoices are posted and take it. It
may be paid by endorsing a customer's bank acceptance bill to the supplier (背书转让): that is
`pay_supplier_with_bill`, for the bill's whole face value (Dr payables, Cr bills receivable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.catalog.models import PriceKind, Product
from qudao.catalog.selectors import price_for
from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.core.states import ensure_transition
from qudao.finance.models import Payment, PaymentMethod
from qudao.inventory.models import Warehouse
from qudao.parties.models import Party, PartyKind
from qudao.purchasing.access import MANAGE_ORDERS
from qudao.purchasing.models import (
    ORDER_TRANSITIONS,
    OrderStatus,
    PaymentCondition,
    Prepayment,
    PurchaseOrder,
    PurchaseOrderLine,
    SupplierTerms,
)
from qudao.purchasing.payables.models import SupplierPaymentMethod
from qudao.purchasing.services.supplier_payments import (
    BillEndorsementData,
    SupplierPaymentData,
    pay_supplier,
    pay_supplier_with_bill,
)
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.services import next_number, record_event

QUANTITY_STEP = Decimal("0.001")


@dataclass(frozen=True)
class OrderData:
    """The editable header of a purchase order; an empty condition takes the supplier's."""

    supplier_id: int
    payment_condition: str = ""
    term_days: int | None = None
    expected_on: date | None = None
    note: str = ""
    warehouse_id: int | None = None  # deliver to; counts as on order for its reorder rules


def _refuse(message: str, code: str, **fields: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields=fields or None)


def _supplier(supplier_id: int) -> Party:
    supplier = Party.objects.filter(
        pk=supplier_id, kind=PartyKind.SUPPLIER, archived_at__isnull=True
    ).first()
    if supplier is None:
        message = _("Choose one of this organization's suppliers.")
        raise _refuse(message, "supplier_not_found", supplier_id=message)
    return supplier


def _locked(order: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)


def _require_draft(order: PurchaseOrder) -> None:
    if order.status != OrderStatus.DRAFT:
        raise _refuse(_("Only a draft order can be changed."), "not_draft")


def _recompute_total(order: PurchaseOrder) -> None:
    total = order.lines.aggregate(total=Sum("amount"))["total"] or ZERO
    order.total = quantize(total)  # SQLite sums decimals as floats
    order.save(update_fields=["total"])


@transaction.atomic
def set_supplier_terms(
    *,
    org: Organization,
    actor: Membership,
    supplier: Party,
    payment_condition: str,
    term_days: int = 0,
    over_delivery_tolerance: Decimal = Decimal("0"),
) -> SupplierTerms:
    """Set the payment condition (and tolerance) new orders to `supplier` start from."""
    require_perm(actor, MANAGE_ORDERS)
    supplier = _supplier(supplier.pk)
    if payment_condition not in PaymentCondition.values:
        raise _refuse(_("Unknown payment condition."), "invalid_payment_condition")
    if term_days < 0 or over_delivery_tolerance < 0 or over_delivery_tolerance > 100:
        raise _refuse(_("Terms and tolerances cannot be negative."), "invalid_terms")
    terms, _created = SupplierTerms.objects.update_or_create(
        org=org,
        supplier=supplier,
        defaults={
            "payment_condition": payment_condition,
            "term_days": term_days,
            "over_delivery_tolerance": over_delivery_tolerance,
        },
    )
    record_event(org=org, actor=actor, subject=supplier, verb="terms_changed")
    return terms


def _warehouse(warehouse_id: int | None) -> Warehouse | None:
    if warehouse_id is None:
        return None
    warehouse = Warehouse.objects.filter(pk=warehouse_id, archived_at__isnull=True).first()
    if warehouse is None:
        message = _("Choose one of this organization's live warehouses.")
        raise _refuse(message, "warehouse_not_found", warehouse_id=message)
    return warehouse


@transaction.atomic
def create_order(*, org: Organization, actor: Membership, data: OrderData) -> PurchaseOrder:
    """Open a draft order to a supplier; payment condition defaults to the supplier's terms."""
    require_perm(actor, MANAGE_ORDERS)
    supplier = _supplier(data.supplier_id)
    terms = SupplierTerms.objects.filter(supplier=supplier).first()
    condition = data.payment_condition or (
        terms.payment_condition if terms else PaymentCondition.ON_TERMS
    )
    if condition not in PaymentCondition.values:
        raise _refuse(_("Unknown payment condition."), "invalid_payment_condition")
    order = PurchaseOrder.objects.create(
        org=org,
        supplier=supplier,
        payment_condition=condition,
        term_days=data.term_days
        if data.term_days is not None
        else (terms.term_days if terms else 0),
        over_delivery_tolerance=terms.over_delivery_tolerance if terms else Decimal("0"),
        expected_on=data.expected_on,
        warehouse=_warehouse(data.warehouse_id),
        note=data.note.strip(),
        created_by=actor,
    )
    record_event(org=org, actor=actor, subject=order, verb="created")
    return order


@transaction.atomic
def update_order(
    *, org: Organization, actor: Membership, order: PurchaseOrder, data: OrderData
) -> PurchaseOrder:
    """Change a draft's header; changing the supplier re-prices nothing (lines keep prices)."""
    require_perm(actor, MANAGE_ORDERS)
    order = _locked(order)
    _require_draft(order)
    supplier = _supplier(data.supplier_id)
    if supplier.pk != order.supplier_id and order.lines.exists():
        raise _refuse(_("Remove the lines before changing the supplier."), "supplier_has_lines")
    if data.payment_condition and data.payment_condition not in PaymentCondition.values:
        raise _refuse(_("Unknown payment condition."), "invalid_payment_condition")
    order.supplier = supplier
    order.payment_condition = data.payment_condition or order.payment_condition
    if data.term_days is not None:
        order.term_days = data.term_days
    order.expected_on = data.expected_on
    order.warehouse = _warehouse(data.warehouse_id)
    order.note = data.note.strip()
    order.save(
        update_fields=[
            "supplier",
            "payment_condition",
            "term_days",
            "expected_on",
            "warehouse",
            "note",
        ]
    )
    record_event(org=org, actor=actor, subject=order, verb="updated")
    return order


def _checked_quantity(quantity: Decimal) -> Decimal:
    if not isinstance(quantity, Decimal) or not quantity.is_finite() or quantity < 0:
        raise _refuse(_("A quantity cannot be negative."), "invalid_quantity", quantity="")
    return quantity


@transaction.atomic
def set_order_line(
    *,
    org: Organization,
    actor: Membership,
    order: PurchaseOrder,
    product_id: int,
    quantity: Decimal,
    unit: str = "",
    unit_price: Decimal | None = None,
) -> PurchaseOrderLine | None:
    """Set a draft's line for a product (0 removes it); no price given: the purchase price list.

    `quantity` is in `unit` (the base unit or a packaging unit); `unit_price` is per base unit.
    """
    require_perm(actor, MANAGE_ORDERS)
    order = _locked(order)
    _require_draft(order)
    quantity = _checked_quantity(quantity)
    product = Product.objects.filter(pk=product_id, archived_at__isnull=True).first()
    if product is None:
        raise _refuse(_("A product does not exist."), "unknown_product")
    existing = order.lines.filter(product=product).first()
    if quantity == 0:
        if existing is not None:
            existing.delete()
            _recompute_total(order)
        return None
    unit = unit or product.base_unit
    factors = {product.base_unit: Decimal(1)} | {
        u.name: u.factor for u in product.packaging_units.all()
    }
    if unit not in factors:
        raise _refuse(
            _("“%(unit)s” is not a unit of %(product)s.") % {"unit": unit, "product": product},
            "unknown_unit",
        )
    base_quantity = quantity * factors[unit]
    if base_quantity != base_quantity.quantize(QUANTITY_STEP):
        raise _refuse(_("A quantity has at most 3 decimal places."), "invalid_quantity")
    if product.is_serialized and base_quantity != base_quantity.to_integral_value():
        raise _refuse(_("A serialized product is ordered in whole units."), "whole_units_only")
    rule = _("Entered by hand.")
    if unit_price is None:
        quote = price_for(
            org=org,
            customer_id=None,
            product_id=product.pk,
            on=timezone.localdate(),
            quantity=base_quantity,
            kind=PriceKind.PURCHASE,
            supplier_id=order.supplier_id,
        )
        unit_price, rule = quote.unit_price, quote.rule
    if not unit_price.is_finite() or unit_price < 0:
        raise _refuse(_("A unit price cannot be negative."), "invalid_price")
    values = {
        "product_code": product.code,
        "product_name": product.name,
        "base_unit": product.base_unit,
        "unit": unit,
        "unit_factor": factors[unit],
        "unit_quantity": quantity,
        "quantity": base_quantity,
        "unit_price": unit_price,
        "price_rule": rule[:300],
        "amount": quantize(base_quantity * unit_price),
    }
    if existing is None:
        line = PurchaseOrderLine.objects.create(org=org, order=order, product=product, **values)
    else:
        for field, value in values.items():
            setattr(existing, field, value)
        existing.save(update_fields=list(values))
        line = existing
    _recompute_total(order)
    return line


@transaction.atomic
def confirm_order(*, org: Organization, actor: Membership, order: PurchaseOrder) -> PurchaseOrder:
    """Confirm a draft: names and prices are copied onto the lines, then it gets its number."""
    require_perm(actor, MANAGE_ORDERS)
    order = _locked(order)
    ensure_transition(order.status, OrderStatus.CONFIRMED, ORDER_TRANSITIONS)
    lines = list(order.lines.select_related("product").order_by("pk"))
    if not lines:
        raise _refuse(_("An order needs at least one line."), "empty_order")
    for line in lines:
        line.product_code = line.product.code
        line.product_name = line.product.name
        line.base_unit = line.product.base_unit
    PurchaseOrderLine.objects.bulk_update(lines, ["product_code", "product_name", "base_unit"])
    _recompute_total(order)
    order.supplier_name = order.supplier.name
    order.status = OrderStatus.CONFIRMED
    order.confirmed_at = timezone.now()
    order.confirmed_by = actor
    order.number = next_number(org=org, key=f"PO{timezone.localdate().year}")  # last: shortest lock
    order.save(update_fields=["supplier_name", "status", "confirmed_at", "confirmed_by", "number"])
    record_event(org=org, actor=actor, subject=order, verb="confirmed")
    return order


@transaction.atomic
def cancel_order(
    *, org: Organization, actor: Membership, order: PurchaseOrder, reason: str = ""
) -> PurchaseOrder:
    """Cancel a draft or a confirmed order that nothing has been received on."""
    require_perm(actor, MANAGE_ORDERS)
    order = _locked(order)
    ensure_transition(order.status, OrderStatus.CANCELLED, ORDER_TRANSITIONS)
    if order.prepayment_paid > 0:
        raise _refuse(
            _("A prepayment was made on this order: settle it with the supplier first."),
            "prepayment_made",
        )
    order.status = OrderStatus.CANCELLED
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at"])
    record_event(org=org, actor=actor, subject=order, verb="cancelled", reason=reason)
    return order


@transaction.atomic
def close_order(
    *, org: Organization, actor: Membership, order: PurchaseOrder, reason: str = ""
) -> PurchaseOrder:
    """Close a confirmed order: nothing more is expected, what is still open is short."""
    require_perm(actor, MANAGE_ORDERS)
    order = _locked(order)
    ensure_transition(order.status, OrderStatus.CLOSED, ORDER_TRANSITIONS)
    order.status = OrderStatus.CLOSED
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at"])
    record_event(org=org, actor=actor, subject=order, verb="closed", reason=reason)
    return order


def _require_open_for_payment(order: PurchaseOrder) -> None:
    if order.status in (OrderStatus.DRAFT, OrderStatus.CANCELLED, OrderStatus.CLOSED):
        raise _refuse(_("Prepayments are handled on confirmed orders only."), "order_not_confirmed")


@transaction.atomic
def request_prepayment(
    *,
    org: Organization,
    actor: Membership,
    order: PurchaseOrder,
    amount: Decimal,
    due_on: date | None = None,
) -> PurchaseOrder:
    """Record the supplier's prepayment request (at most the order's total)."""
    require_perm(actor, MANAGE_ORDERS)
    order = _locked(order)
    _require_open_for_payment(order)
    if not amount.is_finite() or amount <= 0 or amount != quantize(amount):
        raise _refuse(_("An amount must be more than zero, in fen."), "invalid_amount")
    if amount > order.total:
        raise _refuse(
            _("A prepayment cannot be more than the order's total."), "prepayment_too_large"
        )
    order.prepayment_requested = amount
    order.prepayment_due_on = due_on
    order.save(update_fields=["prepayment_requested", "prepayment_due_on"])
    record_event(
        org=org,
        actor=actor,
        subject=order,
        verb="prepayment_requested",
        data={"amount": str(amount)},
    )
    return order


def _bill_face_value(bill_id: int | None) -> Decimal:
    """The face value of the organization's received bill `bill_id`, read without a lock (a
    bill's amount never changes): `pay_supplier_with_bill` locks it and checks it may be
    endorsed, after the supplier (the locking order)."""
    if bill_id is None:
        message = _("To pay with a customer's bill, choose the bill to endorse.")
        raise _refuse(message, "bill_required", bill_id=message)
    face = (
        Payment.objects.filter(pk=bill_id, method=PaymentMethod.ACCEPTANCE_BILL)
        .values_list("amount", flat=True)
        .first()
    )
    if face is None:
        message = _("Choose one of this organization's bank acceptance bills.")
        raise _refuse(message, "bill_not_found", bill_id=message)
    return face


@transaction.atomic
def record_prepayment(
    *,
    org: Organization,
    actor: Membership,
    order: PurchaseOrder,
    amount: Decimal | None,
    paid_on: date,
    reference: str = "",
    method: str = SupplierPaymentMethod.BANK_TRANSFER,
    bill_number: str = "",
    bill_maturity: date | None = None,
    bill_id: int | None = None,
) -> Prepayment:
    """Pay the supplier ahead against the order (a posted supplier payment that the order's
    invoices take when posted); never more than the order's total in all.

    With method `endorsed_bill`, the customer's bill `bill_id` is endorsed whole to the
    supplier through `pay_supplier_with_bill`: the amount is its face value (None: taken
    from the bill)."""
    require_perm(actor, MANAGE_ORDERS)
    order = _locked(order)
    _require_open_for_payment(order)
    endorsed_bill_id: int | None = None
    if method == SupplierPaymentMethod.ENDORSED_BILL:
        face = _bill_face_value(bill_id)  # refused plainly: no bill chosen, or not ours
        endorsed_bill_id = bill_id
        amount = face if amount is None else amount
    if amount is None or not amount.is_finite() or amount <= 0 or amount != quantize(amount):
        raise _refuse(_("An amount must be more than zero, in fen."), "invalid_amount")
    if order.prepayment_paid + amount > order.total:
        raise _refuse(
            _("Prepayments cannot add up to more than the order's total."),
            "prepayment_too_large",
        )
    memo = _("Prepayment for %(order)s") % {"order": order.number}
    if endorsed_bill_id is not None:
        payment, _created = pay_supplier_with_bill(
            org=org,
            actor=actor,
            data=BillEndorsementData(
                supplier_id=order.supplier_id,
                bill_id=endorsed_bill_id,
                date=paid_on,
                amount=amount,
                memo=memo,
                order_id=order.pk,
            ),
        )
        reference = reference.strip() or payment.bill_number
    else:
        payment, _created = pay_supplier(
            org=org,
            actor=actor,
            data=SupplierPaymentData(
                supplier_id=order.supplier_id,
                order_id=order.pk,
                date=paid_on,
                amount=amount,
                method=method,
                reference=reference,
                bill_number=bill_number,
                bill_maturity=bill_maturity,
                memo=memo,
            ),
        )
    prepayment = Prepayment.objects.create(
        org=org,
        order=order,
        amount=amount,
        paid_on=paid_on,
        reference=reference.strip()[:100],
        payment=payment,
        recorded_by=actor,
    )
    order.prepayment_paid += amount
    order.save(update_fields=["prepayment_paid"])
    record_event(
        org=org,
        actor=actor,
        subject=order,
        verb="prepayment_recorded",
        data={"amount": str(amount)},
    )
    return prepayment


@transaction.atomic
def mark_ready_to_ship(
    *, org: Organization, actor: Membership, order: PurchaseOrder
) -> PurchaseOrder:
    """Tell the supplier it may ship; with prepayment required, only once it is paid in full."""
    require_perm(actor, MANAGE_ORDERS)
    order = _locked(order)
    if order.status != OrderStatus.CONFIRMED:
        raise _refuse(_("Only a confirmed order can be released for shipment."), "not_confirmed")
    if order.ready_to_ship_at is not None:
        raise _refuse(_("This order is already released for shipment."), "already_ready")
    if order.needs_prepayment and order.prepayment_paid < order.prepayment_due:
        raise _refuse(
            _("The prepayment of %(due)s is not paid in full (%(paid)s paid).")
            % {"due": order.prepayment_due, "paid": order.prepayment_paid},
            "prepayment_not_paid",
        )
    order.ready_to_ship_at = timezone.now()
    order.save(update_fields=["ready_to_ship_at"])
    record_event(org=org, actor=actor, subject=order, verb="ready_to_ship")
    return order
