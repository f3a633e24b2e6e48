"""Finance test data built through the real services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from qudao.finance import services
from qudao.finance.models import Invoice, Payment
from qudao.parties.models import Party
from qudao.tenancy.models import Membership, Organization


def posted_invoice(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    amount: Decimal = Decimal("100.00"),
    tax_rate: Decimal = Decimal("0"),
    date: datetime.date | None = None,
) -> Invoice:
    """A posted one-line invoice of `amount` before tax."""
    invoice = services.create_invoice(
        org=org,
        actor=actor,
        customer=customer,
        date=date or datetime.date(2026, 1, 10),
        lines=[services.LineData("货品", Decimal("1"), amount, tax_rate)],
    )
    return services.post_invoice(org=org, actor=actor, invoice=invoice)


def payment(
    *,
    org: Organization,
    actor: Membership,
    customer: Party,
    amount: Decimal,
    key: str = "",
    auto_allocate: bool = False,
) -> Payment:
    paid, _created = services.receive_payment(
        org=org,
        actor=actor,
        data=services.PaymentData(
            customer_id=customer.pk,
            date=datetime.date(2026, 2, 1),
            amount=amount,
            method="bank_transfer",
            idempotency_key=key,
        ),
        auto_allocate=auto_allocate,
    )
    return paid
