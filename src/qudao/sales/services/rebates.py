"""Paying part of a sales order from the customer's rebate account (返利抵扣).

The order carries `rebate_amount`, at most a share of its total: the customer's credit policy
says which (its own, else its group default's), else the organization's setting. Setting it
reserves that much of the customer's rebate (finance's `reserve_rebate`, which locks the
customer), so the credit check counts the order net of it and no other order can spend it.
Each invoice of the order's deliveries then takes its share of the rebate, in proportion to
what has been invoiced of the order, and the rest of the invoice is settled from the
customer's prepayment balance when the organization wants that. Cancelling the order,
invoicing its last delivery or cancelling the rest of it frees what is left of the
reservation (finance's `release_open_order`, or `cancel_rest_of_order` here).

A consignment order (代销) is invoiced as the customer reports the goods sold: each
settlement invoice takes, for every order it settles goods of, the order's rebate in
proportion to what has been settled of it, then the prepayment balance pays what it can, as
for a delivery. Once nothing of the order is left at the customer (all settled or recalled)
and nothing is left to ship, what it had not used of the reservation is freed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from qudao.core.money import ZERO, quantize
from qudao.finance import balances
from qudao.finance.models import CreditMode, Invoice
from qudao.finance.services import rebates as rebate_services
from qudao.finance.services import settlement
from qudao.sales.models import (
    DeliveryNote,
    DeliveryStatus,
    OrderStatus,
    SalesOrder,
    SalesOrderLine,
)
from qudao.sales.models_returns import ConsignmentLine
from qudao.sales.services.common import locked, refuse
from qudao.sales.services.orders import cancel_rest
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event

# before confirmation the order's amounts can still change; a rep sets the rebate on his
# draft, finance or the boss also while the order waits for review
DRAFT_STATES = frozenset({OrderStatus.DRAFT})
REVIEW_STATES = frozenset({OrderStatus.ORDER_REVIEW, OrderStatus.FINANCE_REVIEW})
QUANTITY_STEP = Decimal("0.001")  # a summed quantity back to 3 places (SQLite sums floats)


def _is_own_order(actor: Membership, order: SalesOrder) -> bool:
    return can(actor, Perm.VIEW_ALL_CUSTOMERS) or order.customer.owner_id == actor.pk


def may_set_rebate(actor: Membership | None, order: SalesOrder) -> bool:
    """Whether `actor` may change the rebate an order uses now."""
    if actor is None:
        return False
    if order.status in DRAFT_STATES:
        return can(actor, Perm.MANAGE_CREDIT) or (
            can(actor, Perm.SELL) and _is_own_order(actor, order)
        )
    return order.status in REVIEW_STATES and can(actor, Perm.MANAGE_CREDIT)


def rebate_cap(org: Organization, order: SalesOrder) -> Decimal:
    """The most rebate the order may use: the customer's share (its credit policy's, else the
    organization's) of the order's total."""
    return rebate_services.rebate_cap_of(org, order.customer, order.total)


def rebate_available(order: SalesOrder) -> Decimal:
    """The customer's rebate this order could use (its own reservation included)."""
    return max(
        balances.rebate_balance(order.customer)
        - balances.rebate_reserved(order.customer, exclude_reference=order.reference),
        ZERO,
    )


@transaction.atomic
def set_order_rebate(
    *, org: Organization, actor: Membership, order: SalesOrder, amount: Decimal
) -> SalesOrder:
    """Let the customer pay `amount` of the order from its rebate account (0: none), within
    the customer's share of the order and the rebate the customer has available."""
    order = locked(order)
    if order.status not in DRAFT_STATES | REVIEW_STATES:
        raise refuse(_("The rebate is set before the order is confirmed."), "order_not_editable")
    if not may_set_rebate(actor, order):
        if order.status in DRAFT_STATES and can(actor, Perm.SELL):
            raise refuse(_("This order is for another sales rep's customer."), "not_your_customer")
        require_perm(actor, Perm.MANAGE_CREDIT)
    if (
        not isinstance(amount, Decimal)
        or not amount.is_finite()
        or amount < 0
        or amount != quantize(amount)
    ):
        message = _("Enter an amount in fen, zero or more.")
        raise refuse(message, "invalid_amount", amount=message)
    share = rebate_services.rebate_share_of(org, order.customer)
    cap = max((order.total * share).quantize(Decimal("0.01"), rounding=ROUND_DOWN), ZERO)
    if amount > cap:
        message = _(
            "The rebate may pay at most %(cap)s of this order (%(share)s %% of %(total)s)."
        ) % {"cap": cap, "share": _percent(share), "total": order.total}
        raise refuse(message, "rebate_over_cap", amount=message)
    before = order.rebate_amount
    rebate_services.reserve_rebate(
        org=org, customer=order.customer, reference=order.reference, amount=amount
    )
    order.rebate_amount = amount
    order.save(update_fields=["rebate_amount"])
    record_event(
        org=org,
        actor=actor,
        subject=order,
        verb="rebate_set",
        data={"before": str(before), "after": str(amount)},
    )
    return order


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}"


@transaction.atomic
def fit_order_rebate(*, org: Organization, order: SalesOrder) -> SalesOrder:
    """After the order's lines or customer changed: keep its rebate within the cap and what
    the (maybe new) customer has available, and its reservation on that customer."""
    order = locked(order)
    if order.rebate_amount == 0 or order.status not in DRAFT_STATES | REVIEW_STATES:
        return order
    fitted = min(order.rebate_amount, rebate_cap(org, order), rebate_available(order))
    fitted = max(fitted.quantize(Decimal("0.01"), rounding=ROUND_DOWN), ZERO)
    rebate_services.reserve_rebate(
        org=org, customer=order.customer, reference=order.reference, amount=fitted
    )
    if fitted != order.rebate_amount:
        record_event(
            org=org,
            actor=None,
            subject=order,
            verb="rebate_set",
            data={"before": str(order.rebate_amount), "after": str(fitted)},
        )
        order.rebate_amount = fitted
        order.save(update_fields=["rebate_amount"])
    return order


def _invoiced(order: SalesOrder) -> Decimal:
    """What the order's deliveries have been invoiced for so far (before credit notes)."""
    ids = DeliveryNote.objects.filter(order=order, invoice_id__isnull=False).values("invoice_id")
    total = Invoice.objects.filter(pk__in=ids).aggregate(total=Sum("total"))["total"]
    return quantize(Decimal(str(total or 0)))


def _apply_order_share(
    org: Organization, actor: Membership, order: SalesOrder, invoice_id: int, done: Decimal
) -> None:
    """The order's rebate pays part of the invoice: the share of the rebate that `done` (what
    has been invoiced of the order so far, this invoice included) is of the order's total,
    less what earlier invoices took, within what is open and still reserved."""
    if order.rebate_amount <= 0 or order.total <= 0:
        return
    effective = min(order.rebate_amount, rebate_cap(org, order))
    target = quantize(effective * min(done, order.total) / order.total)
    invoice = Invoice.objects.get(pk=invoice_id)
    take = min(
        target - balances.rebate_used_by(order.reference),
        invoice.open_amount,
        balances.reservation_of(order.reference),
    )
    if take > 0:
        rebate_services.apply_rebate(
            org=org, actor=actor, invoice=invoice, amount=take, reference=order.reference
        )


def _settle_from_prepayments(org: Organization, actor: Membership, invoice_id: int) -> None:
    if balances.account_settings(org).settle_from_prepayments:
        invoice = Invoice.objects.get(pk=invoice_id)
        settlement.settle_from_prepayments(org=org, actor=actor, invoice=invoice)


@transaction.atomic
def settle_delivery_invoice(
    *, org: Organization, actor: Membership, order: SalesOrder, invoice_id: int
) -> None:
    """A delivery of `order` was just invoiced: its share of the order's rebate pays part of
    the invoice, then the customer's prepayment balance pays what it can (when the
    organization settles new invoices from it)."""
    _apply_order_share(org, actor, order, invoice_id, _invoiced(order))
    _settle_from_prepayments(org, actor, invoice_id)


def _consignment_settled(order: SalesOrder) -> Decimal:
    """What settlements have invoiced of the consignment order so far (amount and VAT)."""
    total = ConsignmentLine.objects.filter(
        order_line__order=order, settlement__isnull=False
    ).aggregate(total=Sum(F("amount") + F("tax")))["total"]
    return quantize(Decimal(str(total or 0)))


@transaction.atomic
def settle_consignment_invoice(
    *,
    org: Organization,
    actor: Membership,
    orders: Sequence[SalesOrder],
    invoice_id: int,
) -> None:
    """A consignment settlement just invoiced goods of `orders`: each order's rebate pays its
    share of the invoice, in proportion to what has been settled of the order, then the
    customer's prepayment balance pays what it can (when the organization settles new
    invoices from it), as for a delivery's invoice."""
    for order in sorted(orders, key=lambda o: o.pk):
        _apply_order_share(org, actor, order, invoice_id, _consignment_settled(order))
    _settle_from_prepayments(org, actor, invoice_id)


def consignment_finished(order: SalesOrder) -> bool:
    """Whether nothing of the consignment order is left to ship or at the customer: every
    unit shipped was settled or recalled."""
    if order.status not in (OrderStatus.SHIPPED, OrderStatus.CLOSED):
        return False
    taken = dict(
        ConsignmentLine.objects.filter(order_line__order=order)
        .values("order_line_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("order_line_id", "quantity")
    )
    return all(
        Decimal(str(taken.get(pk, 0))).quantize(QUANTITY_STEP) >= shipped
        for pk, shipped in SalesOrderLine.objects.filter(order=order).values_list(
            "pk", "shipped_quantity"
        )
    )


@transaction.atomic
def free_finished_consignment_rebate(*, org: Organization, order: SalesOrder) -> Decimal:
    """Once a consignment order is finished (`consignment_finished`), free the rebate it
    reserved and did not use; returns the amount freed."""
    if order.rebate_amount <= 0 or not consignment_finished(order):
        return ZERO
    return rebate_services.release_rebate_reservation(org=org, reference=order.reference)


@transaction.atomic
def cancel_rest_of_order(
    *, org: Organization, actor: Membership, order: SalesOrder, reason: str
) -> SalesOrder:
    """`cancel_rest`, and once nothing shipped is left to invoice (a consignment order:
    nothing left at the customer), free the rebate the order still kept for goods that will
    not ship now."""
    order = cancel_rest(org=org, actor=actor, order=order, reason=reason)
    if order.payment_mode == CreditMode.CONSIGNMENT:
        free_finished_consignment_rebate(org=org, order=order)
        return order
    to_invoice = DeliveryNote.objects.filter(
        order=order,
        status__in=[DeliveryStatus.SHIPPED, DeliveryStatus.DELIVERED],
        invoice_id__isnull=True,
    )
    if order.rebate_amount and not to_invoice.exists():
        rebate_services.release_rebate_reservation(org=org, reference=order.reference)
    return order
