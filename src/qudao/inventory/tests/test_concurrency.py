"""On PostgreSQL, with real threads and connections: two reservations that only fit one at a
time never both pass (eight racing here), and neither do two shipments."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from qudao.catalog.tests.factories import ProductFactory
from qudao.core.errors import BusinessRuleViolation
from qudao.inventory.models import StockLevel
from qudao.inventory.services import MoveLine, move_stock, reserve_stock
from qudao.inventory.tests.factories import LocationFactory
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(org, work, runners: int = 8) -> list[str]:
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(runners)

    def run(index: int) -> None:
        try:
            with org_scope(org):
                barrier.wait(timeout=10)
                try:
                    work(index)
                    result = "ok"
                except BusinessRuleViolation as refusal:
                    result = refusal.code
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def _stocked(quantity: str):
    org = OrganizationFactory()
    with org_scope(org):
        keeper = MembershipFactory(org=org, role=Role.WAREHOUSE)
        location = LocationFactory()
        product = ProductFactory()
        move_stock(
            org=org,
            actor=keeper,
            moves=[
                MoveLine(
                    product_id=product.pk,
                    quantity=Decimal(quantity),
                    to_location_id=location.pk,
                    unit_cost=Decimal("1"),
                )
            ],
            reason="receipt",
        )
    return org, keeper, product, location


def test_two_reservations_that_fit_only_one_at_a_time_exactly_one_succeeds():
    # given
    assert connection.vendor == "postgresql"
    org, _keeper, product, location = _stocked("10")

    # when
    outcomes = _race(
        org,
        lambda i: reserve_stock(
            org=org,
            product_id=product.pk,
            location_id=location.pk,
            quantity=Decimal("6"),
            reference=f"sales_order:{i}",
        ),
    )

    # then
    assert outcomes == ["insufficient_stock"] * 7 + ["ok"]
    with org_scope(org):
        assert StockLevel.objects.get(product=product, location=location).reserved == Decimal("6")


def test_two_shipments_that_fit_only_one_at_a_time_exactly_one_succeeds():
    # given
    org, keeper, product, location = _stocked("10")

    # when
    outcomes = _race(
        org,
        lambda i: move_stock(
            org=org,
            actor=keeper,
            moves=[
                MoveLine(product_id=product.pk, quantity=Decimal("6"), from_location_id=location.pk)
            ],
            reason="shipment",
        ),
    )

    # then
    assert outcomes == ["insufficient_stock"] * 7 + ["ok"]
    with org_scope(org):
        assert StockLevel.objects.get(product=product, location=location).on_hand == Decimal("4")
