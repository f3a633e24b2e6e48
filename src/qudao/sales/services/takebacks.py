"""What customers no longer pay for on a delivery: received returns, damage someone else
bears, and consignment goods settled or recalled. Shared by deliveries, returns, claims and
consignment so the credit commitments and invoices all count the same quantities.

A return or claim on an invoiced delivery gets a credit note (issued at once when the person
recording it may post to finance, else left for finance to issue); one on a delivery not yet
invoiced lowers the order's "shipped, not invoiced" commitment and the later invoice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import F, Sum
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO, quantize
from qudao.finance.models import Invoice
from qudao.finance.services.invoicing import LineData, credit_invoice
from qudao.inventory.models import StockMove
from qudao.sales.models import DeliveryLine, DeliveryNote, DeliveryStatus, SalesOrder
from qudao.sales.models_returns import (
    Bearer,
    ConsignmentLine,
    DamageClaim,
    DamageLine,
    ReturnLine,
    ReturnStatus,
    SalesReturn,
)
from qudao.sales.services.common import refuse
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import can, require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event

CREDITING_BEARERS = (Bearer.US, Bearer.CARRIER, Bearer.MANUFACTURER)


def line_money(delivery_line: DeliveryLine, quantity: Decimal) -> tuple[Decimal, Decimal]:
    """Amount and VAT of `quantity` of a delivery line at its order's price, rounded per line."""
    order_line = delivery_line.order_line
    amount = quantize(quantity * order_line.unit_price)
    return amount, quantize(amount * order_line.tax_rate)


def _sum_by_line(rows: Iterable[dict]) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        totals[row["delivery_line_id"]] += row["quantity"]
    return dict(totals)


def claimed_quantities(delivery: DeliveryNote) -> dict[int, Decimal]:
    """delivery line id → quantity already on a return (not rejected) or a crediting claim."""
    returns = (
        ReturnLine.objects.filter(sales_return__delivery=delivery)
        .exclude(sales_return__status=ReturnStatus.REJECTED)
        .values("delivery_line_id")
        .annotate(quantity=Sum("quantity"))
    )
    damages = (
        DamageLine.objects.filter(claim__delivery=delivery, claim__bearer__in=CREDITING_BEARERS)
        .values("delivery_line_id")
        .annotate(quantity=Sum("quantity"))
    )
    totals = _sum_by_line(returns)
    for line_id, quantity in _sum_by_line(damages).items():
        totals[line_id] = totals.get(line_id, ZERO) + quantity
    return totals


def credited_quantities(delivery: DeliveryNote) -> dict[int, Decimal]:
    """delivery line id → quantity the customer is no longer charged for (received returns,
    damage that we, the carrier or the manufacturer bear)."""
    returns = (
        ReturnLine.objects.filter(
            sales_return__delivery=delivery, sales_return__status=ReturnStatus.RECEIVED
        )
        .values("delivery_line_id")
        .annotate(quantity=Sum("quantity"))
    )
    damages = (
        DamageLine.objects.filter(claim__delivery=delivery, claim__bearer__in=CREDITING_BEARERS)
        .values("delivery_line_id")
        .annotate(quantity=Sum("quantity"))
    )
    totals = _sum_by_line(returns)
    for line_id, quantity in _sum_by_line(damages).items():
        totals[line_id] = totals.get(line_id, ZERO) + quantity
    return totals


def taken_off(order: SalesOrder) -> Decimal:
    """What left the order's "shipped, not invoiced" value without an invoice of the delivery:
    received returns and crediting claims on its uninvoiced deliveries, and consignment goods
    settled (their own invoice counts now) or recalled."""
    uninvoiced = DeliveryNote.objects.filter(
        order=order,
        status__in=[DeliveryStatus.SHIPPED, DeliveryStatus.DELIVERED],
        invoice_id__isnull=True,
    )
    returned = SalesReturn.objects.filter(
        delivery__in=uninvoiced, status=ReturnStatus.RECEIVED
    ).aggregate(total=Sum("total"))["total"]
    damaged = DamageClaim.objects.filter(
        delivery__in=uninvoiced, bearer__in=CREDITING_BEARERS
    ).aggregate(total=Sum("total"))["total"]
    consigned = ConsignmentLine.objects.filter(order_line__order=order).aggregate(
        total=Sum(F("amount") + F("tax"))
    )["total"]
    return quantize((returned or ZERO) + (damaged or ZERO) + (consigned or ZERO))


def shipment_costs(delivery: DeliveryNote) -> dict[tuple[int, str], Decimal]:
    """(product id, serial or "") → the unit cost the goods left with on this delivery."""
    costs: dict[tuple[int, str], Decimal] = {}
    for product_id, serial, unit_cost in StockMove.objects.filter(
        reference_type="sales_delivery", reference_id=delivery.pk, reverses__isnull=True
    ).values_list("product_id", "serial", "unit_cost"):
        costs[(product_id, serial)] = unit_cost
        costs.setdefault((product_id, ""), unit_cost)
    return costs


def credit_for(
    *,
    org: Organization,
    actor: Membership,
    document: SalesReturn | DamageClaim,
    lines: Sequence[tuple[DeliveryLine, Decimal]],
    reason: str,
) -> None:
    """Give the customer of an invoiced delivery a credit note for `lines` (or leave it
    pending for finance when the actor may not post)."""
    if not can(actor, Perm.POST_FINANCE):
        document.credit_pending = True
        document.save(update_fields=["credit_pending"])
        return
    try:
        _issue(org=org, actor=actor, document=document, lines=lines, reason=reason)
    except BusinessRuleViolation as refusal:
        if refusal.code != "credit_exceeds_open_amount":
            raise
        # the invoice is (partly) paid: the goods still come in; finance settles the money
        document.credit_pending = True
        document.save(update_fields=["credit_pending"])
        record_event(
            org=org, actor=actor, subject=document, verb="credit_held", reason=refusal.message
        )


def _issue(
    *,
    org: Organization,
    actor: Membership,
    document: SalesReturn | DamageClaim,
    lines: Sequence[tuple[DeliveryLine, Decimal]],
    reason: str,
) -> None:
    invoice = Invoice.objects.get(pk=document.delivery.invoice_id)
    note = credit_invoice(
        org=org,
        actor=actor,
        invoice=invoice,
        reason=reason,
        lines=[
            LineData(
                description=f"{line.order_line.product_name} {line.order_line.specification}"[
                    :200
                ].strip(),
                quantity=quantity,
                unit_price=line.order_line.unit_price,
                tax_rate=line.order_line.tax_rate,
                product_id=line.product_id,
            )
            for line, quantity in lines
        ],
    )
    document.credit_note_id = note.pk
    document.credit_pending = False
    document.save(update_fields=["credit_note_id", "credit_pending"])
    record_event(org=org, actor=actor, subject=document, verb="credited", reason=note.number)


def issue_pending_credit(
    *, org: Organization, actor: Membership, document: SalesReturn | DamageClaim
) -> SalesReturn | DamageClaim:
    """Finance issues the credit note a return or claim is waiting for."""
    require_perm(actor, Perm.POST_FINANCE)
    document = type(document).objects.select_for_update(of=("self",)).get(pk=document.pk)
    if not document.credit_pending:
        raise refuse(_("No credit note is waiting to be issued here."), "no_credit_pending")
    if isinstance(document, SalesReturn):
        rows = document.lines.select_related("delivery_line__order_line")
        reason = _("Return %(number)s: %(reason)s") % {
            "number": document.number,
            "reason": document.reason,
        }
    else:
        rows = document.lines.select_related("delivery_line__order_line")
        reason = _("Damage claim %(number)s: %(reason)s") % {
            "number": document.number,
            "reason": document.description,
        }
    _issue(
        org=org,
        actor=actor,
        document=document,
        lines=[(row.delivery_line, row.quantity) for row in rows],
        reason=reason,
    )
    return document
