"""The ship form lists the serial numbers in stock at the delivery's warehouse, so the keeper
picks real ones; a serial shipped or elsewhere is not offered."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.catalog.tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory
from qudao.finance.tests.credit_helpers import give_policy
from qudao.inventory.services import MoveLine, move_stock
from qudao.inventory.tests.factories import LocationFactory
from qudao.sales.selectors import serials_in_stock
from qudao.sales.services import LineInput, OrderData, create_delivery, place_order

from .conftest import Shop

pytestmark = pytest.mark.django_db


def test_the_ship_form_offers_the_serials_in_this_warehouse(shop: Shop, login):
    # given an appliance with two serials on our shelf and one in another warehouse
    fridge = ProductFactory(code="BX01", name="冰箱", base_unit="台", is_serialized=True)
    PriceListItemFactory(
        price_list=PriceListFactory(name="家电"), product=fridge, unit_price=Decimal("900")
    )
    elsewhere = LocationFactory(code="B1", warehouse__code="HZ", warehouse__name="杭州仓")
    move_stock(
        org=shop.org,
        actor=shop.keeper,
        moves=[
            MoveLine(fridge.pk, Decimal(1), to_location_id=shop.shelf.pk, serial="SN-A"),
            MoveLine(fridge.pk, Decimal(1), to_location_id=shop.shelf.pk, serial="SN-B"),
            MoveLine(fridge.pk, Decimal(1), to_location_id=elsewhere.pk, serial="SN-Z"),
        ],
        reason="receipt",
    )
    give_policy(org=shop.org, actor=shop.boss, customer=shop.customer, credit_limit="100000")
    order = place_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=[LineInput(fridge.pk, Decimal(1))],
    )
    delivery = create_delivery(org=shop.org, actor=shop.keeper, order=order)

    # when the keeper opens the delivery note
    page = (
        login(shop.keeper)
        .get(reverse("sales-delivery-detail", args=[delivery.pk]))
        .content.decode()
    )

    # then the serials on this warehouse's shelf are offered, not the one in Hangzhou
    assert "In stock here: SN-A SN-B" in page
    assert "SN-Z" not in page
    assert serials_in_stock(elsewhere.warehouse_id, [fridge.pk]) == {fridge.pk: ["SN-Z"]}
