"""On PostgreSQL, with real threads: two supplier payments endorsing the same customer's bill at
once. Exactly one endorses it; the other is refused plainly and writes nothing."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from qudao.catalog.tests.factories import SupplierFactory
from qudao.core.errors import BusinessRuleViolation
from qudao.finance.models import BillClearing, JournalEntry
from qudao.finance.services import PaymentData, receive_payment
from qudao.parties.tests.factories import CustomerFactory
from qudao.purchasing.payables.models import SupplierPayment
from qudao.purchasing.services.supplier_payments import BillEndorsementData, pay_supplier_with_bill
from qudao.tenancy.models import Event, Sequence
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


def _race(org, jobs) -> list[tuple[str, str]]:
    """Run each job in its own thread and connection, all released at once: (code, message)."""
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(jobs))

    def run(job) -> None:
        try:
            # a thread starts in the default language: assertions read the English strings
            with org_scope(org), translation.override("en"):
                barrier.wait(timeout=10)
                try:
                    job()
                    result = ("endorsed", "")
                except BusinessRuleViolation as refusal:
                    result = (refusal.code, refusal.message)
                except Exception as failure:  # noqa: BLE001 - any other failure fails the test
                    result = (type(failure).__name__, str(failure))
                with lock:
                    outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_two_payments_cannot_both_endorse_one_bill():
    # given: a customer's bill of 5000 and two suppliers it could pay
    assert connection.vendor == "postgresql"
    org = OrganizationFactory()
    with org_scope(org):
        boss = MembershipFactory(org=org, role=Role.BOSS)
        suppliers = [SupplierFactory(org=org, code="S-A"), SupplierFactory(org=org, code="S-B")]
        bill, _created = receive_payment(
            org=org,
            actor=boss,
            data=PaymentData(
                customer_id=CustomerFactory(org=org).pk,
                date=TODAY - datetime.timedelta(days=3),
                amount=Decimal("5000.00"),
                method="acceptance_bill",
                bill_number="BA-RACE",
                bill_maturity=TODAY + datetime.timedelta(days=90),
            ),
        )
        entries_before = JournalEntry.objects.count()

    def endorse_to(supplier):
        return lambda: pay_supplier_with_bill(
            org=org,
            actor=boss,
            data=BillEndorsementData(supplier_id=supplier.pk, bill_id=bill.pk, date=TODAY),
        )

    # when
    outcomes = _race(org, [endorse_to(supplier) for supplier in suppliers])

    # then: one endorsement, one plain refusal
    assert outcomes == [
        ("bill_endorsed", "This bill has already been endorsed to a supplier."),
        ("endorsed", ""),
    ]
    with org_scope(org):
        [payment] = SupplierPayment.objects.all()
        [clearing] = BillClearing.objects.all()
        assert (payment.endorsed_bill_id, clearing.payment_id) == (bill.pk, bill.pk)
        assert clearing.endorsee_id == payment.supplier_id
        assert clearing.journal_entry_id == payment.journal_entry_id
        # nothing half-written: one entry, one number taken, one event
        assert JournalEntry.objects.count() == entries_before + 1
        assert Sequence.objects.get(key=f"SP{TODAY.year}").last == 1
        assert Event.objects.filter(verb="bill_endorsed").count() == 1
