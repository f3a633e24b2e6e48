from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

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
