"""Paying part of a sales order from the customer's rebate account (返利抵扣).

The order carries `rebate_amount`, at most the organization's share of its total. Setting it
reserves that much of the customer's rebate (finance's `reserve_rebate`, which locks the
customer), so the credit check counts the order net of it and no other order can spend it.
Each invoice of the order's deliveries then takes its share of the rebate, in proportion to
what has been invoiced of the order, and the rest of the invoice is settled from the
customer's prepayment balance when the organization wants that. Cancelling the order,
invoicing its last delivery or cancelling the rest of it frees what is left of the
reservation (finance's `release_open_order`, or `cancel_rest_of_order` here).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from qudao.core.money import ZERO, quantize
from qudao.finance import balances
from qudao.finance.models import CreditMode, Invoice
from qudao.finance.services import rebates as rebate_services
from qudao.finance.services import settlement
from qudao.sales.models import DeliveryNote, DeliveryStatus, OrderStatus, SalesOrder
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


def _is_own_order(actor: Membership, order: SalesOrder) -> bool:
    return can(actor, Perm.VIEW_ALL_CUSTOMERS) or order.customer.owner_id == actor.pk


def may_set_rebate(actor: Membership | None, order: SalesOrder) -> bool:
    """Whether `actor` may change the rebate an order uses now."""
    if order.payment_mode == CreditMode.CONSIGNMENT or actor is None:
        return False
    if order.status in DRAFT_STATES:
        return can(actor, Perm.MANAGE_CREDIT) or (
            can(actor, Perm.SELL) and _is_own_order(actor, order)
        )
    return order.status in REVIEW_STATES and can(actor, Perm.MANAGE_CREDIT)


def rebate_cap(org: Organization, order: SalesOrder) -> Decimal:
    """The most rebate the order may use: the organization's share of its total."""
    return balances.rebate_cap(org, order.total)


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
    the organization's share of the order and the rebate the customer has available."""
    order = locked(order)
    if order.payment_mode == CreditMode.CONSIGNMENT:
        raise refuse(
            _("A consignment order is invoiced as the goods sell: it cannot use rebate."),
            "consignment_order",
        )
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
    cap = rebate_cap(org, order)
    if amount > cap:
        message = _(
            "The rebate may pay at most %(cap)s of this order (%(share)s %% of %(total)s)."
        ) % {
            "cap": cap,
            "share": _percent(balances.account_settings(org).rebate_max_share),
            "total": order.total,
        }
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


@transaction.atomic
def settle_delivery_invoice(
    *, org: Organization, actor: Membership, order: SalesOrder, invoice_id: int
) -> None:
    """A delivery of `order` was just invoiced: its share of the order's rebate pays part of
    the invoice, then the customer's prepayment balance pays what it can (when the
    organization settles new invoices from it)."""
    invoice = Invoice.objects.get(pk=invoice_id)
    if order.rebate_amount > 0 and order.total > 0:
        effective = min(order.rebate_amount, rebate_cap(org, order))
        target = quantize(effective * min(_invoiced(order), order.total) / order.total)
        take = min(
            target - balances.rebate_used_by(order.reference),
            invoice.open_amount,
            balances.reservation_of(order.reference),
        )
        if take > 0:
            rebate_services.apply_rebate(
                org=org, actor=actor, invoice=invoice, amount=take, reference=order.reference
            )
    if balances.account_settings(org).settle_from_prepayments:
        settlement.settle_from_prepayments(org=org, actor=actor, invoice=invoice)


@transaction.atomic
def cancel_rest_of_order(
    *, org: Organization, actor: Membership, order: SalesOrder, reason: str
) -> SalesOrder:
    """`cancel_rest`, and once nothing shipped is left to invoice, free the rebate the order
    still kept for goods that will not ship now."""
    order = cancel_rest(org=org, actor=actor, order=order, reason=reason)
    to_invoice = DeliveryNote.objects.filter(
        order=order,
        status__in=[DeliveryStatus.SHIPPED, DeliveryStatus.DELIVERED],
        invoice_id__isnull=True,
    )
    if order.rebate_amount and not to_invoice.exists():
        rebate_services.release_rebate_reservation(org=org, reference=order.reference)
    return order
