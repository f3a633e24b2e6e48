"""Slow movers (滞销品): stock that sold nothing or little lately, with what to do about it."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qudao.catalog.tests.factories import ProductFactory
from qudao.inventory.reports.slow_movers import advice, slow_movers
from qudao.inventory.services import reverse_move
from qudao.inventory.tests.conftest import TODAY
from qudao.tenancy.roles import Role


@pytest.fixture
def shop(org, keeper, shelf, receive, ship, clock):
    """Six products received long ago and sold at different paces (today is TODAY)."""
    products = {
        code: ProductFactory(code=code)
        for code in ("FAST", "SLOW", "DEAD", "OLD", "PUSH", "UNDONE")
    }
    clock(-300)
    receive(products["OLD"], shelf, "50", "2.00")
    clock(-200)
    ship(products["OLD"], shelf, "10")
    clock(-120)
    receive(products["FAST"], shelf, "100", "1.00")
    receive(products["SLOW"], shelf, "100", "1.50")
    receive(products["DEAD"], shelf, "10", "3.00")
    receive(products["PUSH"], shelf, "20", "1.00")
    receive(products["UNDONE"], shelf, "20", "1.00")
    clock(-100)
    ship(products["PUSH"], shelf, "2")
    clock(-20)
    ship(products["FAST"], shelf, "30")
    ship(products["SLOW"], shelf, "5")
    clock(-10)
    (shipment,) = ship(products["UNDONE"], shelf, "10")
    clock(-9)
    reverse_move(org=org, actor=keeper, move=shipment, note="送错了")
    clock(0)
    return products


def test_slow_movers_are_the_stock_that_sold_under_a_tenth_of_itself(
    shop, django_assert_num_queries
):
    # when
    with django_assert_num_queries(1):
        rows = list(
            slow_movers(days=90, share=10, now=TODAY).order_by("last_sale", "product__code")
        )

    # then: FAST sold 30 of 70 (not slow); SLOW sold 5 of 95; a reversed sale is no sale
    found = {row["product__code"]: row for row in rows}
    assert set(found) == {"SLOW", "DEAD", "OLD", "PUSH", "UNDONE"}
    assert (found["SLOW"]["on_hand"], found["SLOW"]["sold"]) == (Decimal("95"), Decimal("5"))
    assert found["UNDONE"]["sold"] == Decimal("0")
    assert found["UNDONE"]["last_sale"] is None
    assert found["DEAD"]["last_sale"] is None
    assert found["OLD"]["last_sale"] == TODAY - datetime.timedelta(days=200)
    assert found["SLOW"]["value"].quantize(Decimal("0.01")) == Decimal("142.50")


def test_nothing_sold_leaves_out_what_sold_a_little(shop):
    rows = slow_movers(days=90, share=0, now=TODAY)
    assert {row["product__code"] for row in rows} == {"DEAD", "OLD", "PUSH", "UNDONE"}


def test_the_advice_follows_how_long_the_product_has_not_sold(clock):
    clock(0)
    assert advice(last_sale=None, sold=Decimal(0), days=90).code == "never_sold"
    assert (
        advice(last_sale=TODAY - datetime.timedelta(days=200), sold=Decimal(0), days=90).code
        == "clear"
    )
    assert (
        advice(last_sale=TODAY - datetime.timedelta(days=100), sold=Decimal(0), days=90).code
        == "push"
    )
    assert (
        advice(last_sale=TODAY - datetime.timedelta(days=20), sold=Decimal(5), days=90).code
        == "slow"
    )


@pytest.mark.parametrize(
    ("role", "sees_values"),
    [(Role.BOSS, True), (Role.FINANCE, True), (Role.WAREHOUSE, False), (Role.SALES_REP, False)],
)
def test_the_page_lists_never_sold_first_and_values_only_for_cost_roles(
    shop, member, login, role, sees_values
):
    # when
    page = login(member(role)).get(reverse("inventory-slow-movers")).content.decode()

    # then
    order = [
        page.index(f'data-product="{code}"') for code in ("DEAD", "UNDONE", "OLD", "PUSH", "SLOW")
    ]
    assert order == sorted(order)
    assert 'data-product="FAST"' not in page
    assert 'data-advice="never_sold"' in page and 'data-advice="clear"' in page
    assert ("¥142.50" in page) == sees_values


def test_the_page_costs_the_same_number_of_queries_for_one_row_or_many(
    shop, boss, login, shelf, receive, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(boss)
    url = reverse("inventory-slow-movers")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(12):
        receive(ProductFactory(code=f"MORE-{n}"), shelf, "3")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_export_leaves_values_out_for_roles_that_do_not_see_costs(shop, member, login):
    for role, has_value in ((Role.FINANCE, True), (Role.SALES_REP, False)):
        response = login(member(role)).get(reverse("inventory-slow-mover-export") + "?share=0")
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert ("Value" in rows[0]) == has_value
        assert [row[0] for row in rows[1:]] == ["DEAD", "UNDONE", "OLD", "PUSH"]


def test_one_warehouse_counts_only_its_own_stock_and_sales(org, shop, shelf, receive, ship, clock):
    # given: FAST also sits in a second warehouse, where it never sold
    from qudao.inventory.tests.factories import LocationFactory

    far = LocationFactory(code="B1", warehouse__code="BJ")
    receive(shop["FAST"], far, "40")

    # when
    here = slow_movers(days=90, share=10, warehouse_id=shelf.warehouse_id, now=TODAY)
    there = list(slow_movers(days=90, share=10, warehouse_id=far.warehouse_id, now=TODAY))

    # then
    assert {row["product__code"] for row in here} == {"SLOW", "DEAD", "OLD", "PUSH", "UNDONE"}
    assert [(row["product__code"], row["on_hand"], row["sold"]) for row in there] == [
        ("FAST", Decimal("40"), Decimal("0"))
    ]
    assert there[0]["last_sale"] is None
