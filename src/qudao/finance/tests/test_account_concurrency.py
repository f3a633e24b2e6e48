"""On PostgreSQL, with real threads: the customer row guards both of its accounts, so two
orders cannot reserve the last of its rebate and two refunds cannot pay out its balance twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import balances, services
from qudao.finance.models import CustomerRefund, RebateReservation
from qudao.finance.tests.accounts_helpers import granted, topped_up
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.models import Organization
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(org: Organization, act: Callable[[int], object]) -> list[str]:
    """Run `act(1)` and `act(2)` at once; each outcome is "done" or the refusal's code."""
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def run(n: int) -> None:
        try:
            with org_scope(org):
                barrier.wait(timeout=10)
                try:
                    act(n)
                    result = "done"
                except BusinessRuleViolation as refusal:
                    result = refusal.code
                with lock:
                    outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_two_orders_cannot_both_reserve_the_last_of_the_rebate():
    assert connection.vendor == "postgresql"
    org = OrganizationFactory()
    with org_scope(org):
        boss = MembershipFactory(org=org, role=Role.BOSS)
        customer = CustomerFactory(org=org)
        granted(org=org, actor=boss, customer=customer, amount="100.00")

    outcomes = _race(
        org,
        lambda n: services.reserve_rebate(
            org=org, customer=customer, reference=f"sales_order:{n}", amount=Decimal("80.00")
        ),
    )

    assert outcomes == ["done", "rebate_insufficient"]
    with org_scope(org):
        assert list(RebateReservation.objects.values_list("amount", flat=True)) == [
            Decimal("80.00")
        ]


def test_two_refunds_cannot_pay_out_the_balance_twice():
    assert connection.vendor == "postgresql"
    org = OrganizationFactory()
    with org_scope(org):
        finance = MembershipFactory(org=org, role=Role.FINANCE)
        customer = CustomerFactory(org=org)
        topped_up(org=org, actor=finance, customer=customer, amount="100.00")

    outcomes = _race(
        org,
        lambda n: services.refund_prepayment(
            org=org,
            actor=finance,
            data=services.RefundData(
                customer_id=customer.pk,
                amount=Decimal("70.00"),
                date=timezone.localdate(),
                method="bank_transfer",
                reason=f"退款 {n}",
            ),
        ),
    )

    assert outcomes == ["done", "refund_exceeds_balance"]
    with org_scope(org):
        assert CustomerRefund.objects.count() == 1
        assert balances.prepayment_balance(customer) == Decimal("30.00")
