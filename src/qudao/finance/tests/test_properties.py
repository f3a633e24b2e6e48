"""Invariants under random input: entries balance, balances equal what was not reversed,
allocations never exceed the payment nor over-pay an invoice."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from qudao.core.errors import BusinessRuleViolation
from qudao.finance.models import RECEIVABLE, REVENUE, Allocation, Invoice, JournalLine, Payment
from qudao.finance.selectors import party_balance, unbalanced_entries
from qudao.finance.services import (
    AllocationPart,
    Posting,
    allocate_payment,
    post_entry,
    reverse_entry,
)
from qudao.finance.tests.factories import payment, posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


class LedgerProperties(TestCase):
    @settings(max_examples=25, deadline=None)
    @given(
        entries=st.lists(st.tuples(amounts, st.booleans()), min_size=1, max_size=8),
    )
    def test_balances_equal_what_was_not_reversed(self, entries):
        org = OrganizationFactory()
        with org_scope(org):
            boss = MembershipFactory(org=org, role=Role.BOSS)
            customer = CustomerFactory(org=org)
            expected = Decimal("0.00")
            for amount, reverse in entries:
                entry = post_entry(
                    org=org,
                    actor=boss,
                    date=datetime.date(2026, 1, 1),
                    memo="p",
                    postings=[
                        Posting(RECEIVABLE, debit=amount, party=customer),
                        Posting(REVENUE, credit=amount),
                    ],
                )
                if reverse:
                    reverse_entry(org=org, actor=boss, entry=entry, reason="r")
                else:
                    expected += amount
            assert party_balance(customer) == expected
            assert unbalanced_entries().count() == 0
            assert JournalLine.objects.count() == sum(4 if r else 2 for _a, r in entries)

    @settings(max_examples=25, deadline=None)
    @given(
        invoice_amounts=st.lists(amounts, min_size=1, max_size=5),
        payment_amount=amounts,
        asks=st.lists(amounts, min_size=1, max_size=5),
    )
    def test_allocations_never_exceed_the_payment_or_an_invoice(
        self, invoice_amounts, payment_amount, asks
    ):
        org = OrganizationFactory()
        with org_scope(org):
            boss = MembershipFactory(org=org, role=Role.BOSS)
            customer = CustomerFactory(org=org)
            invoices = [
                posted_invoice(org=org, actor=boss, customer=customer, amount=a)
                for a in invoice_amounts
            ]
            paid = payment(org=org, actor=boss, customer=customer, amount=payment_amount)
            for invoice, ask in zip(invoices, asks, strict=False):
                try:
                    allocate_payment(
                        org=org, actor=boss, payment=paid, parts=[AllocationPart(invoice.pk, ask)]
                    )
                except BusinessRuleViolation:
                    pass
            allocate_payment(org=org, actor=boss, payment=paid)  # the rest, oldest first

            paid = Payment.objects.get(pk=paid.pk)
            spent = sum(Allocation.objects.values_list("amount", flat=True), Decimal("0"))
            assert spent == paid.amount_allocated <= paid.amount
            for invoice in Invoice.objects.all():
                settled = sum(invoice.allocations.values_list("amount", flat=True), Decimal("0"))
                assert settled == invoice.amount_paid <= invoice.total
            assert spent == min(payment_amount, sum(invoice_amounts, Decimal("0")))
            assert party_balance(customer) == sum(invoice_amounts, Decimal("0")) - payment_amount
