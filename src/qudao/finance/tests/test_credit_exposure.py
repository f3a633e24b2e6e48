"""Credit exposure part by part, and available = limit − exposure for random documents."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from qudao.finance.credit import can_confirm, credit_exposure
from qudao.finance.services import (
    AllocationPart,
    LineData,
    PaymentData,
    allocate_payment,
    credit_invoice,
    receive_payment,
    record_open_order,
)
from qudao.finance.tests.credit_helpers import give_policy
from qudao.finance.tests.factories import payment, posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

D = Decimal


def test_invoiced_unpaid_counts_what_is_open_after_payments_and_credit_notes(org, boss):
    # given an invoice of 500, 120 paid on it and 80 credited
    customer = CustomerFactory(org=org)
    invoice = posted_invoice(org=org, actor=boss, customer=customer, amount=D("500.00"))
    paid = payment(org=org, actor=boss, customer=customer, amount=D("120.00"))
    allocate_payment(
        org=org, actor=boss, payment=paid, parts=[AllocationPart(invoice.pk, D("120.00"))]
    )
    credit_invoice(
        org=org,
        actor=boss,
        invoice=invoice,
        reason="破损",
        lines=[LineData("破损", D("1"), D("80.00"), D("0"))],
    )

    # when
    exposure = credit_exposure(customer)

    # then
    assert (exposure.invoiced_unpaid, exposure.unallocated_prepayments, exposure.total) == (
        D("300.00"),
        D("0.00"),
        D("300.00"),
    )


def test_unallocated_prepayments_reduce_exposure(org, boss):
    customer = CustomerFactory(org=org)
    posted_invoice(org=org, actor=boss, customer=customer, amount=D("100.00"))
    payment(org=org, actor=boss, customer=customer, amount=D("250.00"))

    exposure = credit_exposure(customer)

    assert (exposure.invoiced_unpaid, exposure.unallocated_prepayments, exposure.total) == (
        D("100.00"),
        D("250.00"),
        D("-150.00"),
    )


def test_an_acceptance_bill_counts_until_it_is_cleared(org, boss):
    # given a bill of 100 settling an invoice of 100, maturing in 30 days
    today = timezone.localdate()
    customer = CustomerFactory(org=org)
    posted_invoice(org=org, actor=boss, customer=customer, amount=D("100.00"))
    receive_payment(
        org=org,
        actor=boss,
        data=PaymentData(
            customer_id=customer.pk,
            date=today,
            amount=D("100.00"),
            method="acceptance_bill",
            bill_number="BA-1",
            bill_maturity=today + datetime.timedelta(days=30),
        ),
        auto_allocate=True,
    )

    # then: the invoice is paid, but the bill still carries the risk until maturity
    before = credit_exposure(customer, today=today)
    assert (before.invoiced_unpaid, before.bills_not_cleared, before.total) == (
        D("0.00"),
        D("100.00"),
        D("100.00"),
    )
    # past maturity and not recorded as paid by the bank: still a risk (test_bills.py clears it)
    after = credit_exposure(customer, today=today + datetime.timedelta(days=31))
    assert (after.bills_not_cleared, after.total) == (D("100.00"), D("100.00"))


def test_commitments_count_by_stage(org, boss):
    customer = CustomerFactory(org=org)
    record_open_order(
        org=org, customer=customer, reference="so:1", stage="confirmed", amount=D("70.00")
    )
    record_open_order(
        org=org, customer=customer, reference="so:2", stage="shipped", amount=D("30.00")
    )
    record_open_order(
        org=org, customer=customer, reference="so:2", stage="confirmed", amount=D("5.00")
    )

    exposure = credit_exposure(customer)

    assert (exposure.confirmed_orders, exposure.shipped_not_invoiced, exposure.total) == (
        D("75.00"),
        D("30.00"),
        D("105.00"),
    )


def test_all_parts_together(org, boss):
    # given every part at once
    today = timezone.localdate()
    customer = CustomerFactory(org=org)
    give_policy(
        org=org, actor=boss, customer=customer, credit_limit="1000.00", payment_term_days=365
    )
    posted_invoice(org=org, actor=boss, customer=customer, amount=D("200.00"), date=today)
    receive_payment(
        org=org,
        actor=boss,
        data=PaymentData(
            customer_id=customer.pk,
            date=today,
            amount=D("50.00"),
            method="acceptance_bill",
            bill_number="BA-2",
            bill_maturity=today + datetime.timedelta(days=90),
        ),
        auto_allocate=True,
    )
    payment(org=org, actor=boss, customer=customer, amount=D("40.00"))
    record_open_order(
        org=org, customer=customer, reference="so:1", stage="confirmed", amount=D("300.00")
    )
    record_open_order(
        org=org, customer=customer, reference="so:2", stage="shipped", amount=D("100.00")
    )

    # when
    decision = can_confirm(customer=customer, amount=D("390.00"), today=today)

    # then 300 + 100 + (200 − 50) + 50 − 40 = 560; 1000 − 560 = 440 available
    e = decision.exposure
    assert (
        e.confirmed_orders,
        e.shipped_not_invoiced,
        e.invoiced_unpaid,
        e.bills_not_cleared,
        e.unallocated_prepayments,
    ) == (D("300.00"), D("100.00"), D("150.00"), D("50.00"), D("40.00"))
    assert (e.total, decision.available, decision.allowed) == (D("560.00"), D("440.00"), True)
    assert can_confirm(customer=customer, amount=D("440.01"), today=today).code == (
        "credit_limit_exceeded"
    )


def test_exposure_reads_are_a_fixed_number_of_queries(org, boss, django_assert_num_queries):
    customer = CustomerFactory(org=org)
    for _ in range(3):
        posted_invoice(org=org, actor=boss, customer=customer)

    with django_assert_num_queries(1):
        credit_exposure(customer)
    with django_assert_num_queries(3):  # own terms, group policies, then every figure at once
        can_confirm(customer=customer, amount=D("100.00"))


amounts = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)


class AvailableIsLimitMinusExposure(TestCase):
    @settings(max_examples=20, deadline=None)
    @given(
        limit=st.decimals(min_value=D("0"), max_value=D("999999.99"), places=2),
        invoices=st.lists(amounts, max_size=3),
        payments=st.lists(amounts, max_size=3),
        orders=st.lists(st.tuples(amounts, st.sampled_from(["confirmed", "shipped"])), max_size=3),
        order=amounts,
    )
    def test_available_is_limit_minus_the_sum_of_the_parts(
        self, limit, invoices, payments, orders, order
    ):
        org = OrganizationFactory()
        with org_scope(org):
            boss = MembershipFactory(org=org, role=Role.BOSS)
            customer = CustomerFactory(org=org)
            give_policy(
                org=org,
                actor=boss,
                customer=customer,
                credit_limit=limit,
                overdue_tolerance_amount=D("99999999.99"),
            )
            for amount in invoices:
                posted_invoice(org=org, actor=boss, customer=customer, amount=amount)
            for amount in payments:
                payment(org=org, actor=boss, customer=customer, amount=amount, auto_allocate=True)
            for n, (amount, stage) in enumerate(orders):
                record_open_order(
                    org=org, customer=customer, reference=f"so:{n}", stage=stage, amount=amount
                )

            decision = can_confirm(customer=customer, amount=order)

        expected = sum(invoices, D(0)) - sum(payments, D(0)) + sum((a for a, _ in orders), D(0))
        assert decision.exposure.total == expected
        assert decision.available == limit - expected
        assert decision.allowed == (expected + order <= limit)
