from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.catalog.models import Product
from qudao.catalog.tests.factories import ProductFactory
from qudao.inventory.models import Location
from qudao.inventory.services import MoveLine, move_stock
from qudao.inventory.tests.factories import LocationFactory
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.roles import Role


@pytest.fixture
def keeper(member: Callable[..., Membership]) -> Membership:
    return member(Role.WAREHOUSE)


@pytest.fixture
def product(org: Organization) -> Product:
    return ProductFactory(code="BEER-1", name="雪花啤酒")


@pytest.fixture
def shelf(org: Organization) -> Location:
    return LocationFactory(code="A1", name="A区", warehouse__code="SH", warehouse__name="上海仓")


@pytest.fixture
def receive(org: Organization, keeper: Membership) -> Callable[..., object]:
    """receive(product, location, quantity, unit_cost) → goods in from a supplier."""

    def make(product: Product, location: Location, quantity: str, unit_cost: str = "1") -> object:
        return move_stock(
            org=org,
            actor=keeper,
            moves=[
                MoveLine(
                    product_id=product.pk,
                    quantity=Decimal(quantity),
                    to_location_id=location.pk,
                    unit_cost=Decimal(unit_cost),
                )
            ],
            reason="receipt",
        )

    return make


TODAY = datetime.datetime(2026, 6, 30, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], datetime.datetime]:
    """clock(-45) → from now on the ledger stamps moves 45 days before TODAY; clock(0): TODAY.

    The ledger posts every move at `timezone.now()`; the clock is the outside world here.
    """

    def set_to(days: int) -> datetime.datetime:
        moment = TODAY + datetime.timedelta(days=days)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to


@pytest.fixture
def ship(org: Organization, keeper: Membership) -> Callable[..., object]:
    """ship(product, location, quantity) → goods out to a customer (a shipment)."""

    def make(product: Product, location: Location, quantity: str) -> object:
        return move_stock(
            org=org,
            actor=keeper,
            moves=[
                MoveLine(
                    product_id=product.pk,
                    quantity=Decimal(quantity),
                    from_location_id=location.pk,
                )
            ],
            reason="shipment",
        )

    return make
