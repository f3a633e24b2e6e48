"""Payments: posting, idempotency, allocation (automatic and by hand) and its refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation
from qudao.finance.models import Allocation, Invoice, JournalEntry, Payment
from qudao.finance.selectors import party_balance, unallocated_amount
from qudao.finance.services import AllocationPart, PaymentData, allocate_payment, receive_payment
from qudao.finance.tests.factories import payment, posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory


def test_a_payment_credits_the_receivable_and_allocates_oldest_first(org, boss):
    # given
    customer = CustomerFactory(org=org)
    old = posted_invoice(org=org, actor=boss, customer=customer, date=datetime.date(2026, 1, 1))
    new = posted_invoice(org=org, actor=boss, customer=customer, date=datetime.date(2026, 1, 20))

    # when
    paid = payment(
        org=org, actor=boss, customer=customer, amount=Decimal("150.00"), auto_allocate=True
    )

    # then
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.open_amount, new.open_amount) == (Decimal("0.00"), Decimal("50.00"))
    assert paid.amount_allocated == Decimal("150.00")
    assert party_balance(customer) == Decimal("50.00")


def test_the_unallocated_remainder_is_the_customers_credit(org, boss):
    customer = CustomerFactory(org=org)
    posted_invoice(org=org, actor=boss, customer=customer)

    payment(org=org, actor=boss, customer=customer, amount=Decimal("130.00"), auto_allocate=True)

    assert unallocated_amount(customer) == Decimal("30.00")
    assert party_balance(customer) == Decimal("-30.00")


def test_a_bill_posts_to_bills_receivable(org, boss):
    customer = CustomerFactory(org=org)
    paid, created = receive_payment(
        org=org,
        actor=boss,
        data=PaymentData(
            customer_id=customer.pk,
            date=datetime.date(2026, 2, 1),
            amount=Decimal("500.00"),
            method="acceptance_bill",
            bill_number="BA-1",
            bill_maturity=datetime.date(2026, 8, 1),
        ),
    )
    assert created is True
    assert sorted(paid.journal_entry.lines.values_list("account__code", "debit", "credit")) == [
        ("1121", Decimal("500.00"), Decimal("0.00")),
        ("1122", Decimal("0.00"), Decimal("500.00")),
    ]


def test_a_repeated_idempotency_key_returns_the_first_payment_and_writes_nothing(org, boss):
    customer = CustomerFactory(org=org)
    first = payment(org=org, actor=boss, customer=customer, amount=Decimal("10.00"), key="k-1")

    again, created = receive_payment(
        org=org,
        actor=boss,
        data=PaymentData(
            customer_id=customer.pk,
            date=datetime.date(2026, 2, 1),
            amount=Decimal("10.00"),
            method="cash",
            idempotency_key="k-1",
        ),
    )

    assert (again.pk, created) == (first.pk, False)
    assert (Payment.objects.count(), JournalEntry.objects.count()) == (1, 1)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"amount": Decimal("0")}, "invalid_amount"),
        ({"amount": Decimal("-5.00")}, "invalid_amount"),
        ({"amount": Decimal("1.005")}, "invalid_amount"),
        ({"date": "tomorrow"}, "future_date"),
        ({"method": "acceptance_bill"}, "invalid_payment"),
        ({"method": "gold"}, "invalid_payment"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_written(org, boss, changes, code):
    customer = CustomerFactory(org=org)
    if changes.get("date") == "tomorrow":
        changes = {"date": timezone.localdate() + datetime.timedelta(days=1)}
    values = {
        "customer_id": customer.pk,
        "date": datetime.date(2026, 2, 1),
        "amount": Decimal("10.00"),
        "method": "bank_transfer",
    } | changes
    with pytest.raises(BusinessRuleViolation) as refused:
        receive_payment(org=org, actor=boss, data=PaymentData(**values))
    assert refused.value.code == code
    assert (Payment.objects.count(), JournalEntry.objects.count()) == (0, 0)


def _state():
    return (
        list(Allocation.objects.values_list("amount", flat=True)),
        list(Invoice.objects.order_by("pk").values_list("amount_paid", flat=True)),
        list(Payment.objects.order_by("pk").values_list("amount_allocated", flat=True)),
    )


def test_over_paying_an_invoice_is_refused(org, boss):
    customer = CustomerFactory(org=org)
    invoice = posted_invoice(org=org, actor=boss, customer=customer)
    paid = payment(org=org, actor=boss, customer=customer, amount=Decimal("200.00"))
    before = _state()

    with pytest.raises(BusinessRuleViolation) as refused:
        allocate_payment(
            org=org, actor=boss, payment=paid, parts=[AllocationPart(invoice.pk, Decimal("100.01"))]
        )

    assert refused.value.code == "invoice_overpaid"
    assert _state() == before


def test_allocating_more_than_the_payment_is_refused(org, boss):
    customer = CustomerFactory(org=org)
    a = posted_invoice(org=org, actor=boss, customer=customer)
    b = posted_invoice(org=org, actor=boss, customer=customer)
    paid = payment(org=org, actor=boss, customer=customer, amount=Decimal("150.00"))
    before = _state()

    with pytest.raises(BusinessRuleViolation) as refused:
        allocate_payment(
            org=org,
            actor=boss,
            payment=paid,
            parts=[AllocationPart(a.pk, Decimal("100.00")), AllocationPart(b.pk, Decimal("60.00"))],
        )

    assert refused.value.code == "payment_overallocated"
    assert _state() == before


def test_allocating_to_another_customers_invoice_is_refused(org, boss):
    invoice = posted_invoice(org=org, actor=boss, customer=CustomerFactory(org=org))
    paid = payment(org=org, actor=boss, customer=CustomerFactory(org=org), amount=Decimal("10.00"))
    before = _state()

    with pytest.raises(BusinessRuleViolation) as refused:
        allocate_payment(
            org=org, actor=boss, payment=paid, parts=[AllocationPart(invoice.pk, Decimal("10.00"))]
        )

    assert refused.value.code == "invoice_not_open"
    assert _state() == before


def test_allocating_to_another_organizations_invoice_is_refused(org, other_org, boss):
    with org_scope(other_org):
        foreign_boss = MembershipFactory(org=other_org)
        foreign = posted_invoice(
            org=other_org, actor=foreign_boss, customer=CustomerFactory(org=other_org)
        )
    paid = payment(org=org, actor=boss, customer=CustomerFactory(org=org), amount=Decimal("10.00"))

    with pytest.raises(BusinessRuleViolation) as refused:
        allocate_payment(
            org=org, actor=boss, payment=paid, parts=[AllocationPart(foreign.pk, Decimal("10.00"))]
        )

    assert refused.value.code == "invoice_not_open"
    assert Allocation.objects.count() == 0
    with org_scope(other_org):
        assert Invoice.objects.get(pk=foreign.pk).amount_paid == Decimal("0.00")


def test_a_payment_for_another_organizations_customer_is_refused(org, other_org, boss):
    with org_scope(other_org):
        foreign = CustomerFactory(org=other_org)
    with pytest.raises(BusinessRuleViolation) as refused:
        receive_payment(
            org=org,
            actor=boss,
            data=PaymentData(
                customer_id=foreign.pk,
                date=datetime.date(2026, 2, 1),
                amount=Decimal("1.00"),
                method="cash",
            ),
        )
    assert refused.value.code == "not_a_customer"
    assert Payment.objects.count() == 0
