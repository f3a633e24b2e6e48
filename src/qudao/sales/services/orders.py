"""Sales orders: drafts and their lines, the approval chain, confirmation, cancellation.

Confirmation is the one place credit and stock are checked and reserved together, in one
transaction: the customer row is locked first (finance's `reserve_credit`), then the stock
rows in product order (inventory's `reserve_stock`), so two orders that only fit one at a time
never both pass, and two confirmations never wait on each other in a cycle.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.catalog.models import Product
from qudao.catalog.selectors import quote_many
from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.core.rows import Statement, execute_hot, fetch, run_together, update_statement
from qudao.core.states import ensure_transition
from qudao.finance.credit import policy_of
from qudao.finance.models import CommitmentStage
from qudao.finance.services import credit as credit_services
from qudao.inventory.models import Warehouse
from qudao.inventory.services import Reference, release_reservation, reserve_stock_many
from qudao.sales.models import (
    DEFAULT_TAX_RATE,
    ORDER_TRANSITIONS,
    OrderSource,
    OrderStatus,
    SalesOrder,
    SalesOrderLine,
    SalesSettings,
)
from qudao.sales.services.common import (
    QUANTITY_STEP,
    checked_quantity,
    customer_for,
    locked,
    refuse,
    settings_of,
)
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import event_statement, next_number, number_statement, record_event


@dataclass(frozen=True)
class OrderData:
    """The editable header of a sales order."""

    customer_id: int
    warehouse_id: int
    requested_on: date | None = None
    ship_to: str = ""
    note: str = ""
    source: str = OrderSource.STAFF


@dataclass(frozen=True)
class LineInput:
    """One line as entered: `quantity` in `unit` (empty: the base unit); no price: the list's."""

    product_id: int
    quantity: Decimal
    unit: str = ""
    unit_price: Decimal | None = None


def stock_reference(order: SalesOrder) -> Reference:
    return Reference("sales_order", order.pk)


def _warehouse(warehouse_id: int) -> Warehouse:
    warehouse = Warehouse.objects.filter(pk=warehouse_id, archived_at__isnull=True).first()
    if warehouse is None:
        message = _("Choose one of this organization's warehouses.")
        raise refuse(message, "warehouse_not_found", warehouse_id=message)
    return warehouse


def _require_draft(order: SalesOrder) -> None:
    if order.status != OrderStatus.DRAFT:
        raise refuse(_("Only a draft order can be changed."), "not_draft")


def _recompute_totals(order: SalesOrder) -> None:
    lines = list(order.lines.only("amount", "tax"))
    order.subtotal = sum((line.amount for line in lines), ZERO)
    order.tax_total = sum((line.tax for line in lines), ZERO)
    order.total = order.subtotal + order.tax_total
    order.save(update_fields=["subtotal", "tax_total", "total"])


def _owner_check(actor: Membership, order: SalesOrder) -> None:
    """A sales rep works on the orders of his own customers only."""
    if not can(actor, Perm.VIEW_ALL_CUSTOMERS) and order.customer.owner_id != actor.pk:
        raise refuse(_("This order is for another sales rep's customer."), "not_your_customer")


@transaction.atomic
def create_order(*, org: Organization, actor: Membership, data: OrderData) -> SalesOrder:
    """Open a draft order for a customer (a rep: one of his own)."""
    require_perm(actor, Perm.SELL)
    customer = customer_for(actor, data.customer_id)
    warehouse = _warehouse(data.warehouse_id)
    if data.source not in OrderSource.values:
        raise refuse(_("Unknown order source."), "invalid_source")
    order = SalesOrder.objects.create(
        org=org,
        customer=customer,
        customer_name=customer.name,
        sales_rep=customer.owner,
        warehouse=warehouse,
        source=data.source,
        payment_mode=policy_of(customer).effective_mode,
        requested_on=data.requested_on,
        ship_to=(data.ship_to.strip() or customer.address)[:300],
        note=data.note.strip(),
        created_by=actor,
    )
    record_event(org=org, actor=actor, subject=order, verb="created")
    return order


@transaction.atomic
def update_order(
    *, org: Organization, actor: Membership, order: SalesOrder, data: OrderData
) -> SalesOrder:
    """Change a draft's header; another customer means the lines are priced again."""
    require_perm(actor, Perm.SELL)
    order = locked(order)
    _require_draft(order)
    customer = customer_for(actor, data.customer_id)
    warehouse = _warehouse(data.warehouse_id)
    repriced = customer.pk != order.customer_id
    order.customer = customer
    order.customer_name = customer.name
    order.sales_rep = customer.owner
    order.payment_mode = policy_of(customer).effective_mode
    order.warehouse = warehouse
    order.requested_on = data.requested_on
    order.ship_to = (data.ship_to.strip() or customer.address)[:300]
    order.note = data.note.strip()
    order.save()
    if repriced:
        lines = list(order.lines.all())
        _price_lines(org, actor, order, lines, keep_hand_prices=True)
        SalesOrderLine.objects.bulk_update(lines, PRICE_FIELDS)
        _recompute_totals(order)
    record_event(org=org, actor=actor, subject=order, verb="updated")
    return order


PRICE_FIELDS = ["unit_price", "price_rule", "amount", "tax"]
LINE_FIELDS = [
    "position",
    "product_code",
    "product_name",
    "specification",
    "base_unit",
    "unit",
    "unit_factor",
    "unit_quantity",
    "quantity",
]


def _units_of(product: Product) -> dict[str, Decimal]:
    return {product.base_unit: Decimal(1)} | {
        unit.name: unit.factor for unit in product.packaging_units.all()
    }


def _line_values(
    product: Product, entry: LineInput, factors: dict[str, Decimal], position: int
) -> dict[str, object]:
    unit = entry.unit or product.base_unit
    if unit not in factors:
        raise refuse(
            _("“%(unit)s” is not a unit of %(product)s.") % {"unit": unit, "product": product},
            "unknown_unit",
        )
    base_quantity = entry.quantity * factors[unit]
    if base_quantity != base_quantity.quantize(QUANTITY_STEP):
        raise refuse(_("A quantity has at most 3 decimal places."), "invalid_quantity")
    if product.is_serialized and base_quantity != base_quantity.to_integral_value():
        raise refuse(_("A serialized product is sold in whole units."), "whole_units_only")
    return {
        "position": position,
        "product_code": product.code,
        "product_name": product.name,
        "specification": product.specification[:200],
        "base_unit": product.base_unit,
        "unit": unit,
        "unit_factor": factors[unit],
        "unit_quantity": entry.quantity,
        "quantity": base_quantity,
    }


def _price_lines(
    org: Organization,
    actor: Membership,
    order: SalesOrder,
    lines: Sequence[SalesOrderLine],
    *,
    keep_hand_prices: bool,
    hand_prices: dict[int, Decimal] | None = None,
) -> None:
    """Price `lines` (in memory) from the customer's price lists in one query, or by hand."""
    hand_prices = hand_prices or {}
    entered_by_hand = str(_("Entered by hand."))
    to_quote = {
        line.product_id: line.quantity
        for line in lines
        if line.product_id not in hand_prices
        and not (keep_hand_prices and line.price_rule == entered_by_hand)
    }
    quotes = quote_many(
        org=org, customer_id=order.customer_id, quantities=to_quote, on=timezone.localdate()
    )
    for line in lines:
        if line.product_id in hand_prices:
            line.unit_price, line.price_rule = hand_prices[line.product_id], entered_by_hand
        elif line.product_id in to_quote:
            quote = quotes.get(line.product_id)
            if quote is None:
                raise refuse(
                    _("%(product)s has no wholesale price for this customer.")
                    % {"product": line.product_name or line.product_id},
                    "no_price",
                )
            line.unit_price, line.price_rule = quote.unit_price, str(quote.rule)[:300]
        line.amount = quantize(line.quantity * line.unit_price)
        line.tax = quantize(line.amount * line.tax_rate)


def _check_hand_price(actor: Membership, price: Decimal) -> Decimal:
    if not can(actor, Perm.EDIT_PRICES):
        raise refuse(
            _("Only finance or the boss can set a price by hand; the price list applies."),
            "price_by_hand_not_allowed",
            unit_price=_("Leave empty to use the price list."),
        )
    if not isinstance(price, Decimal) or not price.is_finite() or price < 0:
        raise refuse(_("A unit price cannot be negative."), "invalid_price")
    return price


@transaction.atomic
def set_order_lines(
    *,
    org: Organization,
    actor: Membership,
    order: SalesOrder,
    lines: Sequence[LineInput],
    replace: bool = False,
) -> list[SalesOrderLine]:
    """Set a draft's lines for the products given (quantity 0 removes one); `replace` drops
    the others. Prices come from the customer's price lists unless set by hand (finance)."""
    require_perm(actor, Perm.SELL)
    order = locked(order)
    _require_draft(order)
    _owner_check(actor, order)
    entries: dict[int, LineInput] = {}
    for entry in lines:
        checked_quantity(entry.quantity)
        if entry.product_id in entries:
            raise refuse(_("A product appears twice on the order."), "duplicate_product")
        entries[entry.product_id] = entry
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=entries, archived_at__isnull=True).prefetch_related(
            "packaging_units"
        )
    }
    if set(entries) - set(products):
        raise refuse(_("A product does not exist."), "unknown_product")
    existing = {line.product_id: line for line in order.lines.all()}
    removed = [
        line.pk
        for pid, line in existing.items()
        if (pid in entries and entries[pid].quantity == 0) or (replace and pid not in entries)
    ]
    SalesOrderLine.objects.filter(pk__in=removed).delete()
    kept = {pid: line for pid, line in existing.items() if line.pk not in removed}
    next_position = max((line.position for line in kept.values()), default=0) + 1
    hand_prices: dict[int, Decimal] = {}
    changed: list[SalesOrderLine] = []
    new: list[SalesOrderLine] = []
    for pid, entry in entries.items():
        if entry.quantity == 0:
            continue
        product = products[pid]
        line = kept.get(pid)
        position = line.position if line else next_position
        values = _line_values(product, entry, _units_of(product), position)
        if entry.unit_price is not None:
            hand_prices[pid] = _check_hand_price(actor, entry.unit_price)
        if line is None:
            line = SalesOrderLine(
                org=org, order=order, product=product, tax_rate=DEFAULT_TAX_RATE, **values
            )
            new.append(line)
            next_position += 1
        else:
            for field, value in values.items():
                setattr(line, field, value)
        changed.append(line)
    _price_lines(org, actor, order, changed, keep_hand_prices=False, hand_prices=hand_prices)
    updated = [line for line in changed if line.pk is not None]  # before new lines get ids
    SalesOrderLine.objects.bulk_create(new)
    if updated:
        SalesOrderLine.objects.bulk_update(updated, [*LINE_FIELDS, *PRICE_FIELDS])
    _recompute_totals(order)
    return changed


# ---------------------------------------------------------------------------------------------
# The approval chain


def _first_step(settings: SalesSettings) -> str:
    if settings.order_review:
        return OrderStatus.ORDER_REVIEW
    if settings.finance_review:
        return OrderStatus.FINANCE_REVIEW
    return OrderStatus.CONFIRMED


def _step_after(status: str, settings: SalesSettings) -> str:
    if status == OrderStatus.ORDER_REVIEW and settings.finance_review:
        return OrderStatus.FINANCE_REVIEW
    return OrderStatus.CONFIRMED


STEP_PERMS = {
    OrderStatus.ORDER_REVIEW: Perm.REVIEW_ORDERS,
    OrderStatus.FINANCE_REVIEW: Perm.MANAGE_CREDIT,
}


def _move(order: SalesOrder, target: str) -> None:
    ensure_transition(order.status, target, ORDER_TRANSITIONS)
    order.status = target


def _confirm(
    org: Organization,
    actor: Membership | None,
    order: SalesOrder,
    settings: SalesSettings,
    quantities: Mapping[int, Decimal],
    override_reason: str = "",
) -> None:
    """Check and reserve credit (unless checked at shipment only), then stock, line by line
    in product order; any refusal undoes everything."""
    customer = order.customer
    if order.total > 0:
        if override_reason and actor is not None:
            credit_services.override_credit(
                org=org,
                actor=actor,
                customer=customer,
                amount=order.total,
                reference=order.reference,
                reason=override_reason,
            )
            order.credit_overridden_by = actor
            order.credit_override_reason = override_reason[:300]
        elif settings.checks_at_order:
            try:
                credit_services.reserve_credit(
                    org=org, customer=customer, amount=order.total, reference=order.reference
                )
            except BusinessRuleViolation as refusal:
                raise refuse(
                    _("%(why)s Finance or the boss may override it, with a reason.")
                    % {"why": refusal.message},
                    refusal.code,
                ) from refusal
        else:
            credit_services.record_open_order(
                org=org,
                customer=customer,
                reference=order.reference,
                stage=CommitmentStage.CONFIRMED,
                amount=order.total,
            )
    reserve_stock_many(
        org=org,
        quantities=quantities,
        warehouse_id=order.warehouse_id,
        reference=stock_reference(order),
        actor=actor,
    )
    _move(order, OrderStatus.CONFIRMED)
    order.confirmed_at = timezone.now()
    order.confirmed_by = actor


def _enter_chain(
    org: Organization,
    actor: Membership | None,
    order: SalesOrder,
    quantities: Mapping[int, Decimal],
) -> None:
    settings = settings_of(org)
    target = _first_step(settings)
    if target == OrderStatus.CONFIRMED:
        _confirm(org, actor, order, settings, quantities)
    else:
        _move(order, target)


def _numbered(org: Organization, order: SalesOrder) -> None:
    if not order.number:  # last: the sequence row is the shortest lock
        order.number = next_number(org=org, key=f"SO{timezone.localdate().year}")


_QUANTITIES_SQL: Final = (
    f"SELECT product_id, quantity FROM {SalesOrderLine._meta.db_table}"  # noqa: S608 - name
    " WHERE org_id = %s AND order_id = %s"
)


def _write_numbered(org: Organization, order: SalesOrder, event: Statement) -> str:
    """Number the order and write it and its event in one statement (PostgreSQL), the last
    before the commit: the organization's gapless sequence row stays locked for that statement
    and the commit only, so concurrent confirmations queue on it for no longer."""
    number = number_statement(org=org, key=f"SO{timezone.localdate().year}")
    update = update_statement(order, [f for f in SUBMIT_FIELDS if f != "number"])
    sets, where = update.sql.split(" WHERE ", 1)
    sql = (
        f"WITH n AS ({number.sql}), e AS ({event.sql}),"
        f' o AS ({sets}, "number" = (SELECT number FROM n) WHERE {where})'
        " SELECT number FROM n"
    )
    with connection.cursor() as cursor:
        execute_hot(cursor, sql, [*number.params, *event.params, *update.params])
        return str(cursor.fetchone()[0])


def _quantities(order: SalesOrder) -> dict[int, Decimal]:
    """What the order asks of each product (one line per product), read by hand: every
    confirmation reads it."""
    with connection.cursor() as cursor:
        execute_hot(cursor, _QUANTITIES_SQL, [order.org_id, order.pk])
        rows = cursor.fetchall()
    return {pid: q if isinstance(q, Decimal) else Decimal(str(q)) for pid, q in rows}


def _require_lines(order: SalesOrder) -> dict[int, Decimal]:
    """The order's quantities; refused when it has none."""
    quantities = _quantities(order)
    if not quantities:
        raise refuse(_("An order needs at least one line."), "empty_order")
    return quantities


# what submitting (and confirming) an order sets on it
SUBMIT_FIELDS: Final = [
    "number",
    "status",
    "source",
    "submitted_at",
    "customer_token",
    "confirmed_at",
    "confirmed_by",
]


_CONFIRM_AT_ONCE: Final = "qudao_confirm_sales_order(%s, %s, %s, %s, %s, %s, %s)"


def _confirm_at_once(org: Organization, actor: Membership, order: SalesOrder) -> SalesOrder | None:
    """PostgreSQL: confirm the draft in one call to the database (the function of migration
    sales 0006) when confirming needs no judgement — no review step, credit checked at order,
    the customer's own policy passing with nothing to warn about, all stock there. None when
    the function did nothing: then the services below confirm, refuse or route the order.

    One statement: outside a caller's transaction it is its own, committed as it returns (no
    BEGIN and COMMIT round trips); inside one, it is part of it."""
    now = timezone.now()
    owner = None if can(actor, Perm.VIEW_ALL_CUSTOMERS) else actor.pk
    key = f"SO{timezone.localdate(now).year}"
    params = [org.pk, order.pk, actor.pk, owner, timezone.localdate(now), now, key]
    found = fetch(SalesOrder, "true", params, source=_CONFIRM_AT_ONCE)
    return found[0] if found else None


def submit_order(
    *, org: Organization, actor: Membership, order: SalesOrder, for_customer: bool = False
) -> SalesOrder:
    """Send a draft into the approval chain, or — entered on the customer's behalf — to the
    customer first, who confirms it through a link (代客下单)."""
    require_perm(actor, Perm.SELL)
    if not for_customer and connection.vendor == "postgresql":
        confirmed = _confirm_at_once(org, actor, order)
        if confirmed is not None:
            return confirmed
    return _submit(org, actor, order, for_customer=for_customer)


@transaction.atomic
def _submit(
    org: Organization, actor: Membership, order: SalesOrder, *, for_customer: bool
) -> SalesOrder:
    order = locked(order)
    _require_draft(order)
    _owner_check(actor, order)
    quantities = _require_lines(order)
    order.submitted_at = timezone.now()
    if for_customer:
        _move(order, OrderStatus.AWAITING_CUSTOMER)
        order.source = OrderSource.ON_BEHALF
        order.customer_token = f"{org.pk}-{secrets.token_urlsafe(24)}"
        verb = "sent_to_customer"
    else:
        _enter_chain(org, actor, order, quantities)
        verb = "submitted" if order.status != OrderStatus.CONFIRMED else "confirmed"
    event = event_statement(
        org=org, actor=actor, subject=order, verb=verb, data={"total": str(order.total)}
    )
    if not order.number and connection.vendor == "postgresql":
        order.number = _write_numbered(org, order, event)
    else:
        _numbered(org, order)
        run_together([update_statement(order, SUBMIT_FIELDS), event])
    return order


@transaction.atomic
def confirm_by_customer(*, org: Organization, order: SalesOrder) -> SalesOrder:
    """The customer agrees to an order a rep entered for it (from the link it was sent)."""
    order = locked(order)
    if order.status != OrderStatus.AWAITING_CUSTOMER:
        raise refuse(_("This order no longer waits for your confirmation."), "not_awaiting")
    order.customer_confirmed_at = timezone.now()
    _enter_chain(org, None, order, _quantities(order))
    order.save()
    record_event(org=org, actor=None, subject=order, verb="customer_confirmed")
    return order


@transaction.atomic
def place_order(
    *,
    org: Organization,
    actor: Membership,
    data: OrderData,
    lines: Sequence[LineInput],
    submit: bool = True,
) -> SalesOrder:
    """Create, fill and (by default) submit an order in one step: the API's and fast entry's."""
    order = create_order(org=org, actor=actor, data=data)
    set_order_lines(org=org, actor=actor, order=order, lines=lines)
    if submit:
        order = submit_order(org=org, actor=actor, order=order)
    return order


def who_may_act(order: SalesOrder) -> Perm | None:
    """The permission the order's current step needs, if it waits on someone inside."""
    return STEP_PERMS.get(order.status)


@transaction.atomic
def approve_order(
    *,
    org: Organization,
    actor: Membership,
    order: SalesOrder,
    override: bool = False,
    reason: str = "",
) -> SalesOrder:
    """Pass the order's current review step; the last one confirms it. With `override`,
    finance or the boss confirms it although the credit rule refuses: that needs a reason,
    and is audited."""
    order = locked(order)
    perm = who_may_act(order)
    if perm is None:
        raise refuse(_("This order is not waiting for a review."), "not_in_review")
    require_perm(actor, perm)
    override_reason = reason.strip() if override else ""
    if override:
        require_perm(actor, Perm.MANAGE_CREDIT)
        if not override_reason:
            raise refuse(_("Give the reason for the override."), "reason_required")
    step = order.status
    settings = settings_of(org)
    target = _step_after(step, settings)
    if target == OrderStatus.CONFIRMED:
        _confirm(org, actor, order, settings, _quantities(order), override_reason)
    else:
        _move(order, target)
    order.save()
    record_event(
        org=org,
        actor=actor,
        subject=order,
        verb="credit_override" if override_reason else "approved",
        reason=override_reason,
        data={"step": step},
    )
    if order.status == OrderStatus.CONFIRMED:
        record_event(org=org, actor=actor, subject=order, verb="confirmed")
    return order


@transaction.atomic
def reject_order(
    *, org: Organization, actor: Membership, order: SalesOrder, reason: str
) -> SalesOrder:
    """Send an order in review back to its author as a draft, saying why."""
    order = locked(order)
    perm = who_may_act(order)
    if perm is None:
        raise refuse(_("This order is not waiting for a review."), "not_in_review")
    require_perm(actor, perm)
    reason = reason.strip()
    if not reason:
        raise refuse(
            _("Say why the order is sent back."),
            "reason_required",
            reason=_("This field is required."),
        )
    step = order.status
    _move(order, OrderStatus.DRAFT)
    order.save(update_fields=["status"])
    record_event(
        org=org, actor=actor, subject=order, verb="rejected", reason=reason, data={"step": step}
    )
    return order


def _release(org: Organization, actor: Membership | None, order: SalesOrder) -> None:
    credit_services.release_open_order(org=org, reference=order.reference)
    release_reservation(org=org, reference=stock_reference(order), actor=actor)


@transaction.atomic
def cancel_order(
    *, org: Organization, actor: Membership, order: SalesOrder, reason: str = ""
) -> SalesOrder:
    """Cancel an order nothing has shipped on; its credit and stock reservations are freed."""
    order = locked(order)
    if order.status in (OrderStatus.DRAFT, OrderStatus.AWAITING_CUSTOMER):
        require_perm(actor, Perm.SELL)
        _owner_check(actor, order)
    else:
        require_perm(actor, Perm.REVIEW_ORDERS if order.in_review else Perm.MANAGE_CREDIT)
    if order.lines.filter(shipped_quantity__gt=0).exists():
        raise refuse(
            _("Goods have shipped on this order: cancel the rest instead."), "already_shipped"
        )
    if order.deliveries.exclude(status="cancelled").exists():
        raise refuse(_("Cancel the order's delivery notes first."), "has_deliveries")
    _move(order, OrderStatus.CANCELLED)
    _release(org, actor, order)
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at"])
    record_event(org=org, actor=actor, subject=order, verb="cancelled", reason=reason)
    return order


@transaction.atomic
def cancel_rest(
    *, org: Organization, actor: Membership, order: SalesOrder, reason: str
) -> SalesOrder:
    """Close a partly shipped order: what is still open (the backorder) will not ship."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    order = locked(order)
    if order.status != OrderStatus.PARTIALLY_SHIPPED:
        raise refuse(_("Only a partly shipped order has a rest to cancel."), "not_partial")
    if order.deliveries.filter(status__in=["picking", "released"]).exists():
        raise refuse(_("Ship or cancel the open delivery notes first."), "has_deliveries")
    reason = reason.strip()
    if not reason:
        raise refuse(
            _("Say why the rest is cancelled."),
            "reason_required",
            reason=_("This field is required."),
        )
    lines = list(order.lines.all())
    for line in lines:
        line.cancelled_quantity += line.open_quantity
    SalesOrderLine.objects.bulk_update(lines, ["cancelled_quantity"])
    release_reservation(org=org, reference=stock_reference(order), actor=actor)
    credit_services.record_open_order(
        org=org,
        customer=order.customer,
        reference=order.reference,
        stage=CommitmentStage.CONFIRMED,
        amount=ZERO,
    )
    _move(order, OrderStatus.CLOSED)
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at"])
    record_event(org=org, actor=actor, subject=order, verb="rest_cancelled", reason=reason)
    return order
