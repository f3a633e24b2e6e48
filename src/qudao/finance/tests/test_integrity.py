"""The finance checks in the nightly integrity run."""

from __future__ import annotations

from decimal import Decimal

from qudao.finance.integrity import find_problems
from qudao.finance.tests.factories import payment, posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.integrity import find_problems as all_problems


def test_a_consistent_ledger_has_no_problems_and_the_check_is_registered(org, boss):
    customer = CustomerFactory(org=org)
    posted_invoice(org=org, actor=boss, customer=customer)
    payment(org=org, actor=boss, customer=customer, amount=Decimal("60.00"), auto_allocate=True)

    assert find_problems(org) == []
    _checks, problems = all_problems(org)
    assert problems == []


def test_a_tampered_counter_is_found(org, boss):
    from qudao.finance.models import Invoice

    customer = CustomerFactory(org=org)
    invoice = posted_invoice(org=org, actor=boss, customer=customer)
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=Decimal("5.00"))

    assert [p.check for p in find_problems(org)] == ["finance.invoice_paid_equals_allocations"]


def test_an_allocation_whose_aging_facts_disagree_with_its_documents_is_found(org, boss):
    import datetime

    from qudao.finance.models import Allocation

    customer = CustomerFactory(org=org)
    posted_invoice(org=org, actor=boss, customer=customer)
    payment(org=org, actor=boss, customer=customer, amount=Decimal("60.00"), auto_allocate=True)
    allocation = Allocation.objects.get(customer=customer)
    assert allocation.effective_date == allocation.payment.date
    assert allocation.invoice_date == allocation.invoice.date
    assert allocation.invoice_due_date == (allocation.invoice.due_date or allocation.invoice.date)
    assert find_problems(org) == []

    Allocation.objects.filter(pk=allocation.pk).update(
        effective_date=allocation.effective_date + datetime.timedelta(days=1)
    )
    assert [p.check for p in find_problems(org)] == ["finance.allocation_aging_facts"]
