"""The order entry's product search: pinyin initials anywhere in the name, exact codes and
barcodes first, then prefixes, then matches inside; the hit list is a keyboard listbox."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.catalog.models import PackagingUnit
from qudao.catalog.tests.factories import ProductFactory
from qudao.sales.models import SalesOrder
from qudao.sales.selectors import search_products
from qudao.sales.services import LineInput, OrderData, place_order

from .conftest import Shop

pytestmark = pytest.mark.django_db


def _codes(shop: Shop, text: str) -> list[str]:
    hits = search_products(
        org=shop.org, text=text, customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id
    )
    return [hit.product.code for hit in hits]


def _draft(shop: Shop) -> SalesOrder:
    return place_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=[LineInput(shop.beer.pk, Decimal(1))],
        submit=False,
    )


def test_pinyin_initials_match_anywhere_in_the_name(shop: Shop):
    # given an air conditioner whose name starts with its brand, and a filter element
    ProductFactory(code="AC01", name="凌风 变频挂式空调 KFR-26GW/LX4 1匹")
    ProductFactory(code="FL01", name="净源 净水器滤芯")

    # when / then: 空调 is "kt", 滤芯 is "lx" although neither starts the name
    assert _codes(shop, "kt") == ["AC01"]
    assert "FL01" in _codes(shop, "lx")
    assert _codes(shop, "KT") == ["AC01"]


def test_an_exact_code_comes_first_then_prefixes_then_matches_inside(shop: Shop):
    # given products whose code, initials or name contain "JY07" in different places
    ProductFactory(code="JY0701", name="第一件")
    ProductFactory(code="AAA", name="货号JY07的替代品")
    ProductFactory(code="JY07", name="原装件")
    ProductFactory(code="ZZZ", name="JY07 原装配套件")

    # when
    codes = _codes(shop, "jy07")

    # then the exact code, then codes and names starting with it (by code), then the rest
    assert codes == ["JY07", "JY0701", "ZZZ", "AAA"]


def test_a_barcode_and_a_cartons_barcode_are_exact_matches(shop: Shop):
    # given
    shop.wine.barcode = "6900000000017"
    shop.wine.save(update_fields=["barcode"])
    PackagingUnit.objects.filter(product=shop.beer).update(barcode="6900000000024")
    ProductFactory(code="6900000000017-X", name="赠品")

    # when / then
    assert _codes(shop, "6900000000017") == ["WINE", "6900000000017-X"]
    assert _codes(shop, "6900000000024") == ["BEER"]


def test_the_search_is_four_queries_however_many_hits(shop: Shop, django_assert_num_queries):
    for n in range(8):
        product = ProductFactory(code=f"KT{n}", name=f"空调{n}")
        product.packaging_units.create(org=shop.org, name="箱", factor=Decimal(2))

    with django_assert_num_queries(4):  # products, their units, tier, prices
        hits = search_products(
            org=shop.org, text="kt", customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id
        )

    assert len(hits) == 8


def test_the_hits_are_a_listbox_whose_first_option_is_selected(shop: Shop, login):
    # given
    order = _draft(shop)

    # when
    page = (
        login(shop.rep)
        .get(reverse("sales-order-products", args=[order.pk]), {"product": "BEER"})
        .content.decode()
    )

    # then
    assert 'role="listbox"' in page
    assert 'id="product-hit-0" aria-selected="true"' in page
    assert "<button" not in page  # Tab goes from the box to the quantity, not into the list


def test_nothing_found_says_so(shop: Shop, login):
    order = _draft(shop)
    page = (
        login(shop.rep)
        .get(reverse("sales-order-products", args=[order.pk]), {"product": "nothing-like-it"})
        .content.decode()
    )
    assert 'data-testid="product-no-hits"' in page and 'role="option"' not in page


def test_the_entry_box_is_a_combobox_over_the_hits(shop: Shop, login):
    order = _draft(shop)
    page = login(shop.rep).get(reverse("sales-order-detail", args=[order.pk])).content.decode()
    assert 'role="combobox"' in page and 'aria-controls="product-hits"' in page
