"""On PostgreSQL, with real threads: allocations that only fit one at a time."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from qudao.catalog.tests.factories import SupplierFactory
from qudao.core.errors import BusinessRuleViolation
from qudao.purchasing.payables.models import SupplierAllocation, SupplierInvoice, SupplierPayment
from qudao.purchasing.services import SupplierAllocationPart, allocate_supplier_payment
from qudao.purchasing.tests.payables_factories import hand_invoice, supplier_payment
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(org, boss, jobs) -> list[str]:
    """Run each (payment, invoice, amount) allocation in its own thread, all at once."""
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(jobs))

    def allocate(payment, invoice, amount) -> None:
        try:
            with org_scope(org):
                barrier.wait(timeout=10)
                try:
                    allocate_supplier_payment(
                        org=org,
                        actor=boss,
                        payment=payment,
                        parts=[SupplierAllocationPart(invoice.pk, amount)],
                    )
                    result = "allocated"
                except BusinessRuleViolation as refusal:
                    result = refusal.code
                with lock:
                    outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def _setup():
    org = OrganizationFactory()
    with org_scope(org):
        boss = MembershipFactory(org=org, role=Role.BOSS)
        supplier = SupplierFactory(org=org)
    return org, boss, supplier


def test_one_payment_cannot_be_spent_twice_on_two_invoices():
    # given a payment of 100 and two invoices of 80, each allocated 80 at once
    assert connection.vendor == "postgresql"
    org, boss, supplier = _setup()
    with org_scope(org):
        invoices = [
            hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("80.00"))
            for _ in range(2)
        ]
        payment = supplier_payment(org=org, actor=boss, supplier=supplier, amount=Decimal("100.00"))

    # when
    outcomes = _race(org, boss, [(payment, invoice, Decimal("80.00")) for invoice in invoices])

    # then
    assert outcomes == ["allocated", "payment_overallocated"]
    with org_scope(org):
        assert SupplierPayment.objects.get(pk=payment.pk).amount_allocated == Decimal("80.00")
        assert SupplierAllocation.objects.count() == 1


def test_two_payments_cannot_both_settle_one_invoice():
    # given an invoice of 100 and two payments of 80 aimed at it at once
    org, boss, supplier = _setup()
    with org_scope(org):
        invoice = hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("100.00"))
        payments = [
            supplier_payment(org=org, actor=boss, supplier=supplier, amount=Decimal("80.00"))
            for _ in range(2)
        ]

    # when
    outcomes = _race(org, boss, [(payment, invoice, Decimal("80.00")) for payment in payments])

    # then
    assert outcomes == ["allocated", "invoice_overpaid"]
    with org_scope(org):
        assert SupplierInvoice.objects.get(pk=invoice.pk).amount_paid == Decimal("80.00")
        assert SupplierAllocation.objects.count() == 1
