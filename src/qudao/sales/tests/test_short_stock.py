"""Short stock on an order: the confirmation's refusal names every short line, and an order
waiting in a review step warns the rep about lines the warehouse cannot cover yet."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.core.errors import BusinessRuleViolation
from qudao.finance.tests.credit_helpers import give_policy
from qudao.inventory.models import Reservation
from qudao.sales.models import OrderStatus, SalesOrder, SalesSettings
from qudao.sales.services import LineInput, OrderData, place_order

from .conftest import Shop

pytestmark = pytest.mark.django_db


def _order(shop: Shop, *, submit: bool = True) -> SalesOrder:
    return place_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=[LineInput(shop.beer.pk, Decimal(300)), LineInput(shop.wine.pk, Decimal(12))],
        submit=submit,
    )


def test_confirming_names_every_short_line_and_reserves_nothing(shop: Shop):
    # given 240 beer and 10 wine in stock, and credit enough for the order
    give_policy(org=shop.org, actor=shop.boss, customer=shop.customer, credit_limit="100000")
    draft = _order(shop, submit=False)

    # when the rep submits an order wanting 300 beer and 12 wine
    with pytest.raises(BusinessRuleViolation) as refused:
        _order(shop)

    # then both lines are named, and nothing is set aside
    assert refused.value.code == "insufficient_stock"
    assert refused.value.message == (
        "Only 240 of BEER 雪花啤酒 available at 昆明仓, 300 asked. "
        "Only 10 of WINE 干红葡萄酒 available at 昆明仓, 12 asked."
    )
    assert not Reservation.objects.exists()
    assert list(SalesOrder.objects.values_list("pk", "status")) == [(draft.pk, OrderStatus.DRAFT)]


def test_an_order_in_review_warns_of_lines_short_of_free_stock(shop: Shop, login):
    # given an order waiting for finance, which reserves nothing yet
    give_policy(org=shop.org, actor=shop.boss, customer=shop.customer, credit_limit="100000")
    SalesSettings.objects.filter(org=shop.org).update(finance_review=True)
    order = _order(shop)
    assert order.status == OrderStatus.FINANCE_REVIEW

    # when the rep opens it
    page = login(shop.rep).get(reverse("sales-order-detail", args=[order.pk])).content.decode()

    # then each short line is named with what is free and what was ordered
    assert 'data-testid="short-stock"' in page
    assert "BEER 雪花啤酒: 240 瓶 free, 300 瓶 ordered." in page
    assert "WINE 干红葡萄酒: 10 瓶 free, 12 瓶 ordered." in page


def test_an_order_in_review_with_enough_stock_has_no_warning(shop: Shop, login):
    give_policy(org=shop.org, actor=shop.boss, customer=shop.customer, credit_limit="100000")
    SalesSettings.objects.filter(org=shop.org).update(finance_review=True)
    order = place_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=[LineInput(shop.wine.pk, Decimal(10))],
    )
    assert order.status == OrderStatus.FINANCE_REVIEW

    page = login(shop.rep).get(reverse("sales-order-detail", args=[order.pk])).content.decode()

    assert 'data-testid="short-stock"' not in page
