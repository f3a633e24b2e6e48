"""On PostgreSQL, with real threads: two allocations that only fit one at a time."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from qudao.core.errors import BusinessRuleViolation
from qudao.finance.models import Allocation, Invoice
from qudao.finance.services import AllocationPart, allocate_payment
from qudao.finance.tests.factories import payment, posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_payments_cannot_both_settle_one_invoice():
    # given an invoice of 100 and two payments of 80 aimed at it at once
    assert connection.vendor == "postgresql"
    org = OrganizationFactory()
    with org_scope(org):
        boss = MembershipFactory(org=org, role=Role.BOSS)
        customer = CustomerFactory(org=org)
        invoice = posted_invoice(org=org, actor=boss, customer=customer)
        payments = [
            payment(org=org, actor=boss, customer=customer, amount=Decimal("80.00"))
            for _ in range(2)
        ]
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def allocate(paid) -> None:
        try:
            with org_scope(org):
                barrier.wait(timeout=10)
                try:
                    allocate_payment(
                        org=org,
                        actor=boss,
                        payment=paid,
                        parts=[AllocationPart(invoice.pk, Decimal("80.00"))],
                    )
                    result = "allocated"
                except BusinessRuleViolation as refusal:
                    result = refusal.code
                with lock:
                    outcomes.append(result)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=allocate, args=(p,)) for p in payments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then
    assert sorted(outcomes) == ["allocated", "invoice_overpaid"]
    with org_scope(org):
        assert Invoice.objects.get(pk=invoice.pk).amount_paid == Decimal("80.00")
        assert Allocation.objects.count() == 1
