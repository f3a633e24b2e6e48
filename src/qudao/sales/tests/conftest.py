"""Sales test data through the real services: a warehouse with stock, a priced customer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest

from qudao.catalog.models import Product
from qudao.catalog.tests.factories import (
    CustomerFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
)
from qudao.finance.tests.credit_helpers import give_policy
from qudao.inventory.models import Location
from qudao.inventory.services import MoveLine, move_stock
from qudao.inventory.tests.factories import LocationFactory
from qudao.parties.models import Party
from qudao.sales.models import SalesSettings
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.roles import Role


@dataclass
class Shop:
    """One customer, two priced products in stock, and the people who work on its orders."""

    org: Organization
    boss: Membership
    rep: Membership
    finance: Membership
    keeper: Membership
    customer: Party
    beer: Product
    wine: Product
    shelf: Location

    @property
    def warehouse_id(self) -> int:
        return self.shelf.warehouse_id


@pytest.fixture
def shop(org: Organization, member: Callable[..., Membership]) -> Shop:
    boss, rep = member(Role.BOSS), member(Role.SALES_REP)
    finance, keeper = member(Role.FINANCE), member(Role.WAREHOUSE)
    customer = CustomerFactory(code="C-KM", name="昆明便利店", owner=rep, address="昆明市五华区")
    beer = ProductFactory(code="BEER", name="雪花啤酒", base_unit="瓶")
    wine = ProductFactory(code="WINE", name="干红葡萄酒", base_unit="瓶")
    beer.packaging_units.create(org=org, name="箱", factor=Decimal(12))
    price_list = PriceListFactory(name="批发价")
    PriceListItemFactory(price_list=price_list, product=beer, unit_price=Decimal("5.0000"))
    PriceListItemFactory(price_list=price_list, product=wine, unit_price=Decimal("50.0000"))
    shelf = LocationFactory(code="A1", name="A区", warehouse__code="KM", warehouse__name="昆明仓")
    move_stock(
        org=org,
        actor=keeper,
        moves=[
            MoveLine(
                product_id=beer.pk,
                quantity=Decimal(240),
                to_location_id=shelf.pk,
                unit_cost=Decimal("3"),
            ),
            MoveLine(
                product_id=wine.pk,
                quantity=Decimal(10),
                to_location_id=shelf.pk,
                unit_cost=Decimal("30"),
            ),
        ],
        reason="receipt",
    )
    give_policy(org=org, actor=boss, customer=customer, credit_limit="1000")
    SalesSettings.objects.create(org=org, finance_review=False, warehouse_release=False)
    return Shop(org, boss, rep, finance, keeper, customer, beer, wine, shelf)
