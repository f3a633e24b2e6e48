"""Consignment (代销): goods at a retailer's consignment location stay ours until it reports
them sold. A sell-through report (staff, the retailer's portal, a spreadsheet or the API)
says how much of each product sold; a settlement invoices every unsettled report at the
consignment orders' prices, oldest order first, and ships those goods out of the consignment
location; a recall brings unsold goods back to one of our internal locations. Both lower the
orders' "shipped, not invoiced" commitments (the settlement's invoice counts instead).

The settlement's invoice is paid like a delivery's: each order's rebate pays its share (in
proportion to what has been settled of the order), then the customer's prepayment balance
pays what it can when the organization settles new invoices from it. An order with nothing
left to ship or at the customer frees the rebate it reserved and did not use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.catalog.models import Product
from qudao.core.money import ZERO, quantize
from qudao.finance.models import CreditMode
from qudao.finance.services.invoicing import LineData, create_invoice, post_invoice
from qudao.inventory.models import Location, LocationKind
from qudao.inventory.services import MoveLine, Reference, move_stock
from qudao.parties.models import Party
from qudao.sales.models import SalesOrder, SalesOrderLine
from qudao.sales.models_returns import (
    ConsignmentLine,
    ConsignmentRecall,
    ConsignmentSettlement,
    ReportSource,
    SellThroughLine,
    SellThroughReport,
)
from qudao.sales.selectors_consignment import unreported, unsettled_sold
from qudao.sales.services.common import refuse
from qudao.sales.services.deliveries import update_commitments
from qudao.sales.services.rebates import (
    free_finished_consignment_rebate,
    settle_consignment_invoice,
)
from qudao.sales.services.returns import checked_line_quantity
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import next_number, record_event


def _lock(customer: Party) -> Party:
    return Party.objects.select_for_update(of=("self",)).get(pk=customer.pk)


def _checked_quantities(quantities: Mapping[int, Decimal]) -> dict[int, Decimal]:
    checked = {}
    for product_id, quantity in quantities.items():
        if quantity == 0:
            continue
        checked[product_id] = checked_line_quantity(quantity, str(product_id))
    if not checked:
        raise refuse(_("Enter at least one quantity."), "empty_report")
    return checked


def _within(wanted: Mapping[int, Decimal], free: Mapping[int, Decimal], code: str) -> None:
    names = dict(Product.objects.filter(pk__in=list(wanted)).values_list("pk", "name"))
    for product_id, quantity in wanted.items():
        left = free.get(product_id, ZERO)
        if quantity > left:
            raise refuse(
                _("%(product)s: only %(left)s unreported at the customer.")
                % {
                    "product": names.get(product_id, product_id),
                    "left": f"{max(left, ZERO).normalize():f}",
                },
                code,
            )


def may_report(actor: Membership, customer: Party) -> bool:
    """Staff who sell or keep stock, or the retailer itself in the portal."""
    if can(actor, Perm.USE_PORTAL):
        return actor.party_id == customer.pk
    return can(actor, Perm.SELL) or can(actor, Perm.MOVE_STOCK)


@dataclass(frozen=True)
class ReportData:
    period_start: date
    period_end: date
    quantities: Mapping[int, Decimal]  # product id → units sold
    source: str = ReportSource.STAFF
    note: str = ""


@transaction.atomic
def report_sell_through(
    *, org: Organization, actor: Membership, customer: Party, data: ReportData
) -> SellThroughReport:
    """Record what the customer sold of our consignment goods in a period."""
    if not may_report(actor, customer):
        require_perm(actor, Perm.SELL)
    if data.source not in ReportSource.values:
        raise refuse(_("Unknown report source."), "invalid_source")
    if data.period_end < data.period_start:
        message = _("The period ends before it starts.")
        raise refuse(message, "invalid_period", period_end=message)
    if data.period_end > timezone.localdate():
        message = _("Sales cannot be reported for days still to come.")
        raise refuse(message, "future_period", period_end=message)
    customer = _lock(customer)
    quantities = _checked_quantities(data.quantities)
    _within(quantities, unreported(customer), "more_than_on_hand")
    report = SellThroughReport.objects.create(
        org=org,
        customer=customer,
        period_start=data.period_start,
        period_end=data.period_end,
        source=data.source,
        note=data.note.strip()[:300],
        created_by=actor,
    )
    SellThroughLine.objects.bulk_create(
        SellThroughLine(org=org, report=report, product_id=pid, quantity=quantity)
        for pid, quantity in quantities.items()
    )
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="sell_through_reported",
        reason=f"{data.period_start:%Y-%m-%d} – {data.period_end:%Y-%m-%d}",
    )
    return report


def _open_lines(customer: Party, product_ids: set[int], newest_first: bool = False):
    """Consignment order lines of `customer` with units still at its location, with how many."""
    lines = list(
        SalesOrderLine.objects.filter(
            order__customer=customer,
            order__payment_mode=CreditMode.CONSIGNMENT,
            product_id__in=product_ids,
            shipped_quantity__gt=0,
        )
        .select_related("order")
        .order_by("-order_id" if newest_first else "order_id", "position")
    )
    taken = dict(
        ConsignmentLine.objects.filter(order_line__in=lines)
        .values("order_line_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("order_line_id", "quantity")
    )
    return [(line, line.shipped_quantity - taken.get(line.pk, ZERO)) for line in lines]


def _allocate(
    customer: Party, quantities: Mapping[int, Decimal], newest_first: bool = False
) -> list[tuple[SalesOrderLine, Decimal]]:
    """Split quantities per product over the consignment order lines they were shipped on."""
    left = dict(quantities)
    parts = []
    for line, free in _open_lines(customer, set(quantities), newest_first):
        take = min(free, left.get(line.product_id, ZERO))
        if take > 0:
            parts.append((line, take))
            left[line.product_id] -= take
    if any(quantity > 0 for quantity in left.values()):
        raise refuse(
            _("More is reported than was shipped on consignment orders."), "not_on_consignment"
        )
    return parts


def _location_of(order: SalesOrder, customer: Party) -> int:
    location = Location.objects.filter(
        kind=LocationKind.CONSIGNMENT, customer=customer, warehouse_id=order.warehouse_id
    ).first()
    if location is None:
        raise refuse(_("The consignment location is missing."), "no_consignment_location")
    return location.pk


def _consignment_line(org, line: SalesOrderLine, quantity: Decimal, **document) -> ConsignmentLine:
    amount = quantize(quantity * line.unit_price)
    return ConsignmentLine(
        org=org,
        order_line=line,
        product_id=line.product_id,
        quantity=quantity,
        amount=amount,
        tax=quantize(amount * line.tax_rate),
        **document,
    )


@transaction.atomic
def settle_consignment(
    *, org: Organization, actor: Membership, customer: Party, on: date | None = None
) -> ConsignmentSettlement:
    """Invoice every unsettled sell-through report of `customer` and ship those goods out;
    the orders' rebate and the prepayment balance pay what they can of the invoice."""
    require_perm(actor, Perm.POST_FINANCE)
    customer = _lock(customer)
    reports = list(
        SellThroughReport.objects.select_for_update(of=("self",)).filter(
            customer=customer, settlement__isnull=True
        )
    )
    if not reports:
        raise refuse(_("Nothing reported sold is waiting to be settled."), "nothing_to_settle")
    sold = unsettled_sold(customer)
    parts = _allocate(customer, sold)
    invoice = create_invoice(
        org=org,
        actor=actor,
        customer=customer,
        date=on or timezone.localdate(),
        lines=[
            LineData(
                description=f"{line.product_name} {line.specification}".strip()[:200],
                quantity=quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                product_id=line.product_id,
            )
            for line, quantity in parts
        ],
        memo=_("Consignment sales of %(customer)s") % {"customer": customer.name},
    )
    invoice = post_invoice(org=org, actor=actor, invoice=invoice)
    settlement = ConsignmentSettlement.objects.create(
        org=org,
        customer=customer,
        invoice_id=invoice.pk,
        total=invoice.total,
        number=next_number(org=org, key=f"CS{timezone.localdate().year}"),
        created_by=actor,
    )
    ConsignmentLine.objects.bulk_create(
        _consignment_line(org, line, quantity, settlement=settlement) for line, quantity in parts
    )
    move_stock(
        org=org,
        actor=actor,
        moves=[
            MoveLine(
                product_id=line.product_id,
                quantity=quantity,
                from_location_id=_location_of(line.order, customer),
            )
            for line, quantity in parts
        ],
        reason="shipment",
        reference=Reference("consignment_settlement", settlement.pk),
        note=settlement.number,
    )
    SellThroughReport.objects.filter(pk__in=[r.pk for r in reports]).update(settlement=settlement)
    orders = sorted({line.order for line, _quantity in parts}, key=lambda order: order.pk)
    settle_consignment_invoice(org=org, actor=actor, orders=orders, invoice_id=invoice.pk)
    for order in orders:
        update_commitments(org, order)
        free_finished_consignment_rebate(org=org, order=order)
    record_event(org=org, actor=actor, subject=settlement, verb="settled", reason=invoice.number)
    return settlement


@transaction.atomic
def recall_consignment(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    location: Location,
    quantities: Mapping[int, Decimal],
    reason: str = "",
) -> ConsignmentRecall:
    """Bring unsold, unreported goods back from the customer to an internal location."""
    require_perm(actor, Perm.MOVE_STOCK)
    target = Location.objects.filter(
        pk=location.pk, kind=LocationKind.INTERNAL, archived_at__isnull=True
    ).first()
    if target is None:
        message = _("Recalled goods go to one of our internal locations.")
        raise refuse(message, "invalid_location", location_id=message)
    customer = _lock(customer)
    wanted = _checked_quantities(quantities)
    _within(wanted, unreported(customer), "more_than_on_hand")
    parts = _allocate(customer, wanted, newest_first=True)
    recall = ConsignmentRecall.objects.create(
        org=org,
        customer=customer,
        location=target,
        reason=reason.strip()[:300],
        number=next_number(org=org, key=f"CR{timezone.localdate().year}"),
        created_by=actor,
    )
    ConsignmentLine.objects.bulk_create(
        _consignment_line(org, line, quantity, recall=recall) for line, quantity in parts
    )
    move_stock(
        org=org,
        actor=actor,
        moves=[
            MoveLine(
                product_id=line.product_id,
                quantity=quantity,
                from_location_id=_location_of(line.order, customer),
                to_location_id=target.pk,
            )
            for line, quantity in parts
        ],
        reason="transfer",
        reference=Reference("consignment_recall", recall.pk),
        note=recall.number,
    )
    for order in sorted({line.order for line, _quantity in parts}, key=lambda order: order.pk):
        update_commitments(org, order)
        free_finished_consignment_rebate(org=org, order=order)
    record_event(org=org, actor=actor, subject=recall, verb="recalled", reason=recall.reason)
    return recall
