"""On PostgreSQL, with real threads: two reservations that only fit the limit one at a time."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from qudao.core.errors import BusinessRuleViolation
from qudao.finance.models import CreditCommitment
from qudao.finance.services import reserve_credit
from qudao.finance.tests.credit_helpers import give_policy
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_orders_that_only_fit_one_at_a_time_cannot_both_reserve():
    # given a limit of 100 and two orders of 80 at once
    assert connection.vendor == "postgresql"
    org = OrganizationFactory()
    with org_scope(org):
        boss = MembershipFactory(org=org, role=Role.BOSS)
        customer = CustomerFactory(org=org)
        give_policy(org=org, actor=boss, customer=customer, credit_limit="100.00")
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def reserve(reference: str) -> None:
        try:
            with org_scope(org):
                barrier.wait(timeout=10)
                try:
                    reserve_credit(
                        org=org, customer=customer, amount=Decimal("80.00"), reference=reference
                    )
                    result = "reserved"
                except BusinessRuleViolation as refusal:
                    result = refusal.code
                with lock:
                    outcomes.append(result)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=reserve, args=(f"so:{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then
    assert sorted(outcomes) == ["credit_limit_exceeded", "reserved"]
    with org_scope(org):
        assert list(CreditCommitment.objects.values_list("amount", flat=True)) == [Decimal("80.00")]
