"""Purchasing fixtures: a supplier with a purchase price list, a shelf and a damaged corner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.catalog.models import PackagingUnit, PriceKind, Product
from qudao.catalog.tests.factories import (
    BrandFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    SupplierFactory,
)
from qudao.inventory.models import Location, LocationKind
from qudao.inventory.tests.factories import LocationFactory, WarehouseFactory
from qudao.parties.models import Party
from qudao.purchasing import services
from qudao.purchasing.models import PaymentCondition, PurchaseOrder
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.roles import Role


@pytest.fixture
def finance(member: Callable[..., Membership]) -> Membership:
    return member(Role.FINANCE)


@pytest.fixture
def keeper(member: Callable[..., Membership]) -> Membership:
    return member(Role.WAREHOUSE)


@pytest.fixture
def supplier(org: Organization) -> Party:
    return SupplierFactory(code="S-SNOW", name="华润雪花")


@pytest.fixture
def price_list(supplier: Party) -> object:
    return PriceListFactory(
        kind=PriceKind.PURCHASE, supplier=supplier, name="雪花进价", valid_from=date(2020, 1, 1)
    )


@pytest.fixture
def beer(supplier: Party, price_list: object) -> Product:
    """A bottle of beer bought at 2.5000 a bottle; 1 箱 = 12 瓶."""
    product = ProductFactory(code="BEER-1", name="雪花啤酒", brand=BrandFactory(supplier=supplier))
    PackagingUnit.objects.create(org=product.org, product=product, name="箱", factor=Decimal(12))
    PriceListItemFactory(price_list=price_list, product=product, unit_price=Decimal("2.5000"))
    return product


@pytest.fixture
def fridge(supplier: Party, price_list: object) -> Product:
    """A serialized product bought at 1200.0000 a unit."""
    product = ProductFactory(
        code="FRIDGE-1",
        name="冰柜",
        base_unit="台",
        is_serialized=True,
        brand=BrandFactory(supplier=supplier),
    )
    PriceListItemFactory(price_list=price_list, product=product, unit_price=Decimal("1200.0000"))
    return product


@pytest.fixture
def warehouse(org: Organization) -> object:
    return WarehouseFactory(code="SH", name="上海仓")


@pytest.fixture
def shelf(warehouse: object) -> Location:
    return LocationFactory(warehouse=warehouse, code="A1", name="A区")


@pytest.fixture
def damaged(warehouse: object) -> Location:
    return LocationFactory(
        warehouse=warehouse, code="BAD", name="破损区", kind=LocationKind.DAMAGED
    )


@pytest.fixture
def draft(org: Organization, boss: Membership, supplier: Party) -> PurchaseOrder:
    return services.create_order(
        org=org,
        actor=boss,
        data=services.OrderData(
            supplier_id=supplier.pk, payment_condition=PaymentCondition.ON_TERMS
        ),
    )


@pytest.fixture
def confirmed(
    org: Organization, boss: Membership, draft: PurchaseOrder, beer: Product
) -> PurchaseOrder:
    """A confirmed order for 10 箱 (120 瓶) of beer at 2.5000 a bottle."""
    services.set_order_line(
        org=org, actor=boss, order=draft, product_id=beer.pk, quantity=Decimal(10), unit="箱"
    )
    return services.confirm_order(org=org, actor=boss, order=draft)


@pytest.fixture
def received(
    org: Organization, boss: Membership, confirmed: PurchaseOrder, beer: Product, shelf: Location
) -> object:
    """All 120 bottles of the confirmed order received on the shelf (¥300.00 at the order price)."""
    return services.post_receipt(
        org=org,
        actor=boss,
        order=confirmed,
        lines=[services.ReceiptLineData(product_id=beer.pk, quantity=Decimal(120))],
        location_id=shelf.pk,
    )


@pytest.fixture
def draft_invoice(org: Organization, boss: Membership, supplier: Party, received: object) -> object:
    """A draft supplier invoice billing the receipt: 120 × 2.5000 + 13% VAT = ¥339.00."""
    return services.create_supplier_invoice(
        org=org,
        actor=boss,
        data=services.InvoiceData(
            supplier_id=supplier.pk, date=timezone.localdate(), supplier_reference="XH-001"
        ),
        lines=services.lines_from_receipts([received]),  # type: ignore[list-item]
    )
