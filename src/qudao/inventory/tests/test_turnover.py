"""Days of inventory per product over a period, from the ledger in one query."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from qudao.catalog.tests.factories import ProductFactory
from qudao.inventory.selectors import turnover
from qudao.inventory.services import MoveLine, move_stock
from qudao.tenancy.roles import Role


def test_days_of_inventory_are_average_stock_over_daily_shipments(
    org, keeper, product, shelf, receive, django_assert_num_queries
):
    # given: 100 in, 20 shipped, in a 10-day period that started with nothing
    receive(product, shelf, "100")
    move_stock(
        org=org,
        actor=keeper,
        moves=[MoveLine(product_id=product.pk, quantity=Decimal("20"), from_location_id=shelf.pk)],
        reason="shipment",
    )
    sleeper = ProductFactory(code="SLOW-1")
    receive(sleeper, shelf, "5")
    end = timezone.now() + timedelta(seconds=1)

    # when
    with django_assert_num_queries(1):
        rows = {
            row["product__code"]: row for row in turnover(start=end - timedelta(days=10), end=end)
        }

    # then: average (0 + 80) / 2 = 40; 20 shipped in 10 days = 2 a day → 20 days
    beer = rows["BEER-1"]
    assert (beer["opening"], beer["closing"], beer["shipped"]) == (
        Decimal("0"),
        Decimal("80"),
        Decimal("20"),
    )
    assert beer["days"] == Decimal("20")
    assert rows["SLOW-1"]["days"] is None
    assert list(rows) == ["SLOW-1", "BEER-1"]  # never shipped comes first: slowest


def test_the_turnover_page_opens_for_staff(org, member, login, product, shelf, receive):
    receive(product, shelf, "3")
    response = login(member(Role.WAREHOUSE)).get(reverse("inventory-turnover") + "?days=30")
    assert response.status_code == 200
    assert 'data-product="BEER-1"' in response.content.decode()
