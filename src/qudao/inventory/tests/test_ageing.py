"""Stock ageing (库龄): on hand split into age buckets by first in, first out, in one query."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.catalog.tests.factories import ProductFactory
from qudao.inventory.reports.ageing import AgeingGroup, bucket_labels, parse_edges, stock_ageing
from qudao.inventory.services import (
    MoveLine,
    QuantityLine,
    adjust_stock,
    create_transfer,
    move_stock,
    receive_transfer,
    ship_transfer,
)
from qudao.inventory.tests.conftest import TODAY
from qudao.inventory.tests.factories import LocationFactory
from qudao.tenancy.roles import Role

EDGES = (30, 60, 90, 180)


def buckets(row):
    return [row[f"age_{i}"].quantize(Decimal("0.001")) for i in range(len(EDGES) + 1)]


def values(row):
    return [row[f"value_{i}"].quantize(Decimal("0.01")) for i in range(len(EDGES) + 1)]


@pytest.fixture
def history(org, keeper, product, shelf, receive, ship, clock):
    """Four receipts at different ages and costs, then 50 shipped: 50 left, avg cost 2.0000."""
    clock(-200)
    receive(product, shelf, "40", "1.00")
    clock(-100)
    receive(product, shelf, "30", "2.00")
    clock(-45)
    receive(product, shelf, "20", "3.00")
    clock(-10)
    receive(product, shelf, "10", "4.00")
    clock(-5)
    ship(product, shelf, "50")
    clock(-1)  # a move inside the warehouse does not make goods younger
    back_room = LocationFactory(warehouse=shelf.warehouse, code="A2")
    move_stock(
        org=org,
        actor=keeper,
        moves=[
            MoveLine(
                product_id=product.pk,
                quantity=Decimal("5"),
                from_location_id=shelf.pk,
                to_location_id=back_room.pk,
            )
        ],
        reason="transfer",
    )
    clock(0)


def test_on_hand_is_attributed_to_the_most_recent_receipts(
    history, product, django_assert_num_queries
):
    # when
    with django_assert_num_queries(1):
        (row,) = list(stock_ageing(edges=EDGES, today=TODAY.date()))

    # then: 50 on hand = 10 from 10 days ago, 20 from 45 days ago, 20 of the 30 from 100 days ago
    assert row["product__code"] == "BEER-1"
    assert buckets(row) == [Decimal(n) for n in ("10", "20", "0", "20", "0")]
    assert row["on_hand"] == Decimal("50")
    # at the moving-average cost of 2.0000
    assert values(row) == [Decimal(v) for v in ("20.00", "40.00", "0.00", "40.00", "0.00")]
    assert row["value"].quantize(Decimal("0.01")) == Decimal("100.00")


def test_stock_no_arrival_covers_is_counted_in_the_oldest_bucket(
    org, keeper, shelf, clock, history
):
    # given: goods that only ever came in by an adjustment (found in a count)
    found = ProductFactory(code="FOUND-1")
    clock(-3)
    adjust_stock(
        org=org,
        actor=keeper,
        moves=[MoveLine(product_id=found.pk, quantity=Decimal("7"), to_location_id=shelf.pk)],
        note="盘盈",
    )
    clock(0)

    # when
    rows = {row["product__code"]: row for row in stock_ageing(edges=EDGES, today=TODAY.date())}

    # then
    assert buckets(rows["FOUND-1"]) == [Decimal(n) for n in ("0", "0", "0", "0", "7")]


def test_a_transfer_from_another_warehouse_is_an_arrival_there(
    org, keeper, product, shelf, clock, history
):
    # given: 5 sent from 上海仓 to another warehouse two days ago
    far = LocationFactory(code="B1", warehouse__code="BJ", warehouse__name="北京仓")
    clock(-2)
    transfer = create_transfer(
        org=org,
        actor=keeper,
        from_location_id=shelf.pk,
        to_location_id=far.pk,
        lines=[QuantityLine(product_id=product.pk, quantity=Decimal("5"))],
    )
    receive_transfer(
        org=org, actor=keeper, transfer=ship_transfer(org=org, actor=keeper, transfer=transfer)
    )
    clock(0)

    # when
    rows = {
        row["warehouse__code"]: row
        for row in stock_ageing(edges=EDGES, group_by=AgeingGroup.WAREHOUSE, today=TODAY.date())
    }

    # then: 北京仓 holds 5 two days old; 上海仓's 45 are 10 + 20 + 15 of the older receipts
    assert buckets(rows["BJ"]) == [Decimal(n) for n in ("5", "0", "0", "0", "0")]
    assert buckets(rows["SH"]) == [Decimal(n) for n in ("10", "20", "0", "15", "0")]


def test_bucket_edges_come_from_the_query_string_and_bad_ones_are_refused():
    assert parse_edges("15, 45") == (15, 45)
    assert parse_edges("") == (30, 60, 90, 180)
    for bad in ("30,x", "60,30", "0,30", "1,2,3,4,5,6,7", "99999"):
        with pytest.raises(ValueError):
            parse_edges(bad)
    assert bucket_labels((30, 60)) == ["0–30 days", "31–60 days", "Over 60 days"]


@pytest.mark.parametrize(
    ("role", "sees_values"),
    [(Role.BOSS, True), (Role.FINANCE, True), (Role.WAREHOUSE, False), (Role.SALES_REP, False)],
)
def test_the_page_shows_values_only_to_roles_that_see_costs(
    member, login, history, role, sees_values
):
    # when
    page = login(member(role)).get(reverse("inventory-ageing") + "?buckets=30,90").content.decode()

    # then: the 0–30, 31–90 and over-90 buckets hold 10, 20 and 20
    assert "0–30 days" in page and "Over 90 days" in page
    assert page.count('data-testid="bucket"') == 3
    assert ('data-testid="value"' in page) == sees_values
    assert ("¥100.00" in page) == sees_values


def test_bad_bucket_edges_show_why_and_the_standard_buckets(login, boss, history):
    response = login(boss).get(reverse("inventory-ageing") + "?buckets=90,30")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Bucket edges must increase" in page
    assert "Over 180 days" in page


@pytest.mark.parametrize("group", ["product", "brand", "warehouse"])
def test_the_page_costs_the_same_number_of_queries_for_one_row_or_many(
    login, boss, history, receive, shelf, group, django_assert_max_num_queries
):
    client = login(boss)
    url = reverse("inventory-ageing") + f"?group={group}"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(12):
        receive(ProductFactory(code=f"MORE-{n}"), LocationFactory(code=f"M{n}"), "3")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_export_has_values_only_for_roles_that_see_costs(login, member, history):
    import io

    from openpyxl import load_workbook

    for role, width in ((Role.BOSS, 2 + 5 + 1 + 5 + 1), (Role.WAREHOUSE, 2 + 5 + 1)):
        response = login(member(role)).get(reverse("inventory-ageing-export"))
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows[0]) == width
        assert rows[1][:8] == ("BEER-1", "雪花啤酒", 10, 20, 0, 20, 0, 50)
