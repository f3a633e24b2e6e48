"""On PostgreSQL, with real threads: order confirmations that only fit one at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from qudao.catalog.tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory
from qudao.core.errors import BusinessRuleViolation
from qudao.finance.models import CreditCommitment
from qudao.finance.tests.credit_helpers import give_policy
from qudao.inventory.models import StockLevel
from qudao.inventory.services import MoveLine, move_stock
from qudao.inventory.tests.factories import LocationFactory
from qudao.parties.tests.factories import CustomerFactory
from qudao.sales.models import OrderStatus, SalesOrder, SalesSettings
from qudao.sales.services import LineInput, OrderData, place_order, submit_order
from qudao.tenancy.models import Event, Sequence
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(org, jobs: list[Callable[[], None]]) -> list[str]:
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[], None]) -> None:
        try:
            with org_scope(org):
                barrier.wait(timeout=10)
                try:
                    job()
                    result = "confirmed"
                except BusinessRuleViolation as refusal:
                    result = refusal.code
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


@pytest.fixture
def world():
    assert connection.vendor == "postgresql"
    org = OrganizationFactory()
    with org_scope(org):
        boss = MembershipFactory(org=org, role=Role.BOSS)
        product = ProductFactory(org=org)
        PriceListItemFactory(
            price_list=PriceListFactory(org=org), product=product, unit_price=Decimal("10")
        )
        shelf = LocationFactory(org=org)
        move_stock(
            org=org,
            actor=boss,
            moves=[MoveLine(product.pk, Decimal(10), to_location_id=shelf.pk)],
            reason="receipt",
        )
        SalesSettings.objects.create(org=org, finance_review=False)
    return org, boss, product, shelf


def _drafts(org, boss, customers, product, shelf, quantity):
    with org_scope(org):
        return [
            place_order(
                org=org,
                actor=boss,
                data=OrderData(customer_id=c.pk, warehouse_id=shelf.warehouse_id),
                lines=[LineInput(product.pk, Decimal(quantity))],
                submit=False,
            )
            for c in customers
        ]


def test_two_orders_for_the_last_stock_cannot_both_be_confirmed(world):
    org, boss, product, shelf = world
    with org_scope(org):
        customers = [CustomerFactory(org=org), CustomerFactory(org=org)]
        for customer in customers:
            give_policy(org=org, actor=boss, customer=customer, credit_limit="100000")
    drafts = _drafts(org, boss, customers, product, shelf, 7)
    outcomes = _race(org, [lambda d=d: submit_order(org=org, actor=boss, order=d) for d in drafts])
    assert outcomes == ["confirmed", "insufficient_stock"]
    with org_scope(org):
        level = StockLevel.objects.get(product=product, location=shelf)
        assert (level.on_hand, level.reserved) == (Decimal(10), Decimal(7))
        statuses = sorted(SalesOrder.objects.values_list("status", flat=True))
        assert statuses == [OrderStatus.CONFIRMED, OrderStatus.DRAFT]
        assert CreditCommitment.objects.count() == 1


def test_two_orders_that_only_fit_the_credit_limit_one_at_a_time(world):
    org, boss, product, shelf = world
    with org_scope(org):
        customer = CustomerFactory(org=org)
        give_policy(org=org, actor=boss, customer=customer, credit_limit="60")
    drafts = _drafts(org, boss, [customer, customer], product, shelf, 4)  # 45.20 each
    outcomes = _race(org, [lambda d=d: submit_order(org=org, actor=boss, order=d) for d in drafts])
    assert outcomes == ["confirmed", "credit_limit_exceeded"]
    with org_scope(org):
        assert StockLevel.objects.get(product=product, location=shelf).reserved == Decimal(4)
        assert list(CreditCommitment.objects.values_list("amount", flat=True)) == [Decimal("45.20")]


def test_concurrent_confirmations_take_gapless_numbers_in_one_statement(world):
    org, boss, product, shelf = world
    with org_scope(org):
        customers = [CustomerFactory(org=org) for _ in range(6)]
        for customer in customers:
            give_policy(org=org, actor=boss, customer=customer, credit_limit="100000")
        Sequence.objects.create(org=org, key=f"SO{timezone.localdate().year}", last=999_998)
    drafts = _drafts(org, boss, customers, product, shelf, 1)
    outcomes = _race(org, [lambda d=d: submit_order(org=org, actor=boss, order=d) for d in drafts])
    assert outcomes == ["confirmed"] * 6
    with org_scope(org):
        numbers = sorted(SalesOrder.objects.values_list("number", flat=True))
        year = timezone.localdate().year
        # one after another from the sequence, and wider than 6 digits when they must be
        assert numbers == sorted(f"SO{year}-{n:06d}" for n in range(999_999, 1_000_005))
        assert Event.objects.filter(verb="confirmed", subject_type="sales.salesorder").count() == 6
