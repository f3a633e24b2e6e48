"""Payables test data made through the real services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from qudao.parties.models import Party
from qudao.purchasing import services
from qudao.purchasing.payables.models import SupplierInvoice, SupplierPayment
from qudao.tenancy.models import Membership, Organization


def hand_invoice(
    *,
    org: Organization,
    actor: Membership,
    supplier: Party,
    amount: Decimal = Decimal("100.00"),
    date: datetime.date = datetime.date(2026, 1, 10),
    post: bool = True,
) -> SupplierInvoice:
    """A one-line invoice of `amount` (no tax) entered by hand, posted unless `post` is False."""
    invoice = services.create_supplier_invoice(
        org=org,
        actor=actor,
        data=services.InvoiceData(supplier_id=supplier.pk, date=date),
        lines=[
            services.InvoiceLineData(
                description="运费", quantity=Decimal(1), unit_price=amount, tax_rate=Decimal(0)
            )
        ],
    )
    if not post:
        return invoice
    return services.post_supplier_invoice(org=org, actor=actor, invoice=invoice)


def supplier_payment(
    *,
    org: Organization,
    actor: Membership,
    supplier: Party,
    amount: Decimal,
    key: str = "",
    auto_allocate: bool = False,
    date: datetime.date = datetime.date(2026, 2, 1),
) -> SupplierPayment:
    paid, _created = services.pay_supplier(
        org=org,
        actor=actor,
        data=services.SupplierPaymentData(
            supplier_id=supplier.pk,
            date=date,
            amount=amount,
            method="bank_transfer",
            idempotency_key=key,
        ),
        auto_allocate=auto_allocate,
    )
    return paid
