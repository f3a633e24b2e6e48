"""The demo's money with manufacturers and bills: supplier invoices on 60-day terms (one paid,
two open and falling due over the coming weeks), purchase orders with prepayments requested or
paid, one of our acceptance bills, and customers paying by bank acceptance bill — some
maturing soon, one past maturity and not cleared, one paid at maturity, one discounted, one
endorsed to a manufacturer (背书转让) — a delivery from a manufacturer that arrived with
cartons crushed in transport (the carrier's claim waits for finance), and the demo rep's
collection target for this month.

So the cash squeeze, the payables and the bills receivable pages have something to show.
Everything goes through the real services.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from qudao.catalog.models import PriceKind, PriceListItem
from qudao.finance.models import ClearingKind, Invoice, InvoiceKind, InvoiceStatus, PeriodKind
from qudao.finance.services import (
    PaymentData,
    clear_bill,
    receive_payment,
    set_collection_target,
)
from qudao.inventory.models import Location, LocationKind, Warehouse
from qudao.parties.models import Party, PartyKind
from qudao.purchasing import services as purchasing
from qudao.purchasing.claim_models import ClaimBearer, ClaimDisposition
from qudao.purchasing.models import PaymentCondition, PurchaseOrder
from qudao.sales.services.damages import damaged_location
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.scoping import org_scope

TERM_DAYS = 60
SUPPLIERS = 3


def _days(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def _fen(value: Decimal | int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _supplier_invoice(
    org: Organization, boss: Membership, supplier: Party, amount: Decimal, on: datetime.date
) -> None:
    invoice = purchasing.create_supplier_invoice(
        org=org,
        actor=boss,
        data=purchasing.InvoiceData(supplier_id=supplier.pk, date=on),
        lines=[
            purchasing.InvoiceLineData(
                description="货款", quantity=Decimal(1), unit_price=amount, tax_rate=Decimal("0.13")
            )
        ],
    )
    purchasing.post_supplier_invoice(org=org, actor=boss, invoice=invoice)


def _prepaid_order(
    org: Organization, boss: Membership, supplier: Party, rng: random.Random
) -> PurchaseOrder | None:
    """A confirmed order on prepayment for a few of the supplier's products."""
    product_ids = list(
        PriceListItem.objects.filter(
            price_list__kind=PriceKind.PURCHASE, price_list__supplier=supplier
        ).values_list("product_id", flat=True)[:3]
    )
    if not product_ids:
        return None
    order = purchasing.create_order(
        org=org,
        actor=boss,
        data=purchasing.OrderData(
            supplier_id=supplier.pk,
            payment_condition=PaymentCondition.PREPAYMENT,
            expected_on=_days(rng.randint(20, 40)),
        ),
    )
    for product_id in product_ids:
        purchasing.set_order_line(
            org=org, actor=boss, order=order, product_id=product_id, quantity=Decimal(12)
        )
    return purchasing.confirm_order(org=org, actor=boss, order=order)


def _suppliers(org: Organization, boss: Membership, rng: random.Random) -> None:
    suppliers = list(Party.objects.filter(kind=PartyKind.SUPPLIER).order_by("code")[:SUPPLIERS])
    for index, supplier in enumerate(suppliers):
        purchasing.set_supplier_terms(
            org=org,
            actor=boss,
            supplier=supplier,
            payment_condition=PaymentCondition.ON_TERMS,
            term_days=TERM_DAYS,
        )
        paid = _fen(rng.randint(8, 15) * 1000)
        _supplier_invoice(org, boss, supplier, paid, _days(-85 + index))
        _supplier_invoice(org, boss, supplier, _fen(rng.randint(6, 12) * 1000), _days(-52 + index))
        _supplier_invoice(
            org, boss, supplier, _fen(rng.randint(8, 16) * 1000), _days(-30 + 12 * index)
        )
        purchasing.pay_supplier(
            org=org,
            actor=boss,
            data=purchasing.SupplierPaymentData(
                supplier_id=supplier.pk,
                date=_days(-26 + index),
                amount=paid * Decimal("1.13"),
                method="bank_transfer",
                reference=f"DEMO-AP-{index}",
            ),
            auto_allocate=True,
        )
        if index == 0:  # part of what falls due next is paid by our own bill
            purchasing.pay_supplier(
                org=org,
                actor=boss,
                data=purchasing.SupplierPaymentData(
                    supplier_id=supplier.pk,
                    date=_days(-10),
                    amount=_fen(5000),
                    method="acceptance_bill",
                    bill_number="DEMO-OUR-001",
                    bill_maturity=_days(40),
                ),
                auto_allocate=True,
            )
        order = _prepaid_order(org, boss, supplier, rng)
        if order is None:
            continue
        requested = (order.total * Decimal("0.3")).quantize(Decimal("0.01"))
        purchasing.request_prepayment(
            org=org, actor=boss, order=order, amount=requested, due_on=_days(7 + 14 * index)
        )
        if index == 1:  # paid ahead, goods not yet here: money tied up with the manufacturer
            purchasing.record_prepayment(
                org=org, actor=boss, order=order, amount=requested, paid_on=_days(-4)
            )


def _bills(org: Organization, finance: Membership, rng: random.Random) -> None:
    """Customers with something open pay part of it by acceptance bill."""
    owing = list(
        Invoice.objects.filter(kind=InvoiceKind.INVOICE, status=InvoiceStatus.POSTED)
        .values("customer_id")
        .annotate(open=Sum(F("total") - F("amount_paid") - F("amount_credited")))
        .filter(open__gte=300)
        .order_by("-open", "customer_id")[:6]
    )
    # (received, matures, how it is cleared): maturing soon, discounted early, past maturity
    # and not cleared, paid at maturity, maturing later
    plan = [
        (-20, 25, ""),
        (-30, 75, ClearingKind.DISCOUNTED),
        (-100, -6, ""),
        (-95, -3, ClearingKind.MATURED),
        (-35, 55, ""),
        (-12, 80, ""),
    ]
    endorsable = None
    for number, (row, (received, matures, cleared)) in enumerate(
        zip(owing, plan, strict=False), start=1
    ):
        amount = (Decimal(str(row["open"])) * Decimal("0.6")).quantize(Decimal("1"))
        payment, _created = receive_payment(
            org=org,
            actor=finance,
            data=PaymentData(
                customer_id=row["customer_id"],
                date=_days(received),
                amount=_fen(amount),
                method="acceptance_bill",
                bill_number=f"DEMO-BA-{number:03d}",
                bill_maturity=_days(matures),
                reference=f"DEMO-BA-{number}",
            ),
            auto_allocate=True,
        )
        if not cleared and matures > 0:
            endorsable = payment
        if cleared == ClearingKind.MATURED:
            clear_bill(org=org, actor=finance, payment=payment, kind=cleared, date=_days(matures))
        elif cleared == ClearingKind.DISCOUNTED:
            clear_bill(
                org=org,
                actor=finance,
                payment=payment,
                kind=cleared,
                date=_days(-2),
                proceeds=_fen(payment.amount * Decimal("0.985")),
                bank_reference="DEMO-贴现-1",
            )

    if endorsable is not None:  # the last one still maturing goes to a manufacturer as payment
        purchasing.pay_supplier_with_bill(
            org=org,
            actor=finance,
            data=purchasing.BillEndorsementData(
                supplier_id=Party.objects.filter(kind=PartyKind.SUPPLIER)
                .order_by("code")
                .values_list("pk", flat=True)[0],
                bill_id=endorsable.pk,
                date=_days(-1),
                memo="背书转让给厂家，抵货款",
            ),
            auto_allocate=True,
        )


def _damaged_arrival(org: Organization, boss: Membership, keeper: Membership) -> None:
    """An order on terms from the first manufacturer arrives with four cartons crushed in
    transport: received as damaged, scrapped, and claimed from the carrier (open for finance)."""
    everyday = PriceListItem.objects.filter(
        price_list__kind=PriceKind.PURCHASE, product__is_serialized=False
    ).order_by("price_list__supplier__code", "product__code")
    first = everyday.first()  # the first manufacturer of everyday goods (not appliances)
    if first is None:
        return
    supplier = first.price_list.supplier
    product_ids = list(
        everyday.filter(price_list__supplier=supplier).values_list("product_id", flat=True)[:2]
    )
    warehouse = Warehouse.objects.order_by("pk").first()
    shelf = Location.objects.filter(warehouse=warehouse, kind=LocationKind.INTERNAL).first()
    if supplier is None or warehouse is None or shelf is None or len(product_ids) < 2:
        return
    damaged = damaged_location(org, keeper, warehouse.pk)
    order = purchasing.create_order(
        org=org,
        actor=boss,
        data=purchasing.OrderData(supplier_id=supplier.pk, warehouse_id=warehouse.pk),
    )
    for product_id in product_ids:
        purchasing.set_order_line(
            org=org, actor=boss, order=order, product_id=product_id, quantity=Decimal(24)
        )
    order = purchasing.confirm_order(org=org, actor=boss, order=order)
    receipt = purchasing.post_receipt(
        org=org,
        actor=keeper,
        order=order,
        location_id=shelf.pk,
        damaged_location_id=damaged.pk,
        received_on=_days(-2),
        delivery_reference="DEMO-运单-8812",
        lines=[
            purchasing.ReceiptLineData(product_ids[0], Decimal(20), damaged_quantity=Decimal(4)),
            purchasing.ReceiptLineData(product_ids[1], Decimal(24)),
        ],
    )
    crushed = receipt.lines.get(product_id=product_ids[0])
    purchasing.record_receipt_claim(
        org=org,
        actor=keeper,
        receipt=receipt,
        data=purchasing.ReceiptClaimData(
            bearer=ClaimBearer.CARRIER,
            disposition=ClaimDisposition.SCRAP,
            description="运输途中挤压破损 4 件，司机已签字确认",
            carrier="顺达物流",
            lines=[purchasing.ClaimLineData(receipt_line_id=crushed.pk, quantity=Decimal(4))],
        ),
    )


def build_cashflow(org: Organization, *, seed: int) -> None:
    """Supplier invoices, payments, prepayments and bills on both sides (see the module)."""
    rng = random.Random(seed + 11)
    with org_scope(org), transaction.atomic():
        people = {
            m.user.username: m for m in Membership.objects.filter(org=org).select_related("user")
        }
        _suppliers(org, people["demo-boss"], rng)
        _bills(org, people["demo-finance"], rng)
        _damaged_arrival(org, people["demo-boss"], people["demo-warehouse"])
        # the demo rep's target this month: the targets page shows its forecast, customer by
        # customer, from their payment habits
        set_collection_target(
            org=org,
            actor=people["demo-boss"],
            period_kind=PeriodKind.MONTH,
            day=timezone.localdate(),
            amount=_fen(20000),
            rep=people["demo-rep"],
        )
