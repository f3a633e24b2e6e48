"""The API: shapes, decimal strings, permissions, cost visibility, refusals as {code, message}."""

from __future__ import annotations

import json

import pytest

from qudao.inventory.models import StockMove
from qudao.tenancy.roles import Role
from qudao.tenancy.services import issue_api_token


@pytest.fixture
def call(client, org):
    def make(membership):
        _token, raw = issue_api_token(org=org, actor=membership, name="test")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

        def request(method, path, body=None):
            return client.generic(
                method,
                f"/api/v1{path}",
                "" if body is None else json.dumps(body),
                content_type="application/json",
                **headers,
            )

        return request

    return make


def test_stock_levels_are_listed_with_decimal_strings(org, member, call, product, shelf, receive):
    # given
    receive(product, shelf, "12.5", "3.2571")

    # when
    boss = call(member(Role.BOSS))("GET", "/stock-levels?q=BEER")
    keeper = call(member(Role.WAREHOUSE))("GET", "/stock-levels")

    # then
    assert boss.status_code == 200
    (row,) = boss.json()["results"]
    assert row == {
        "product_id": product.pk,
        "product_code": "BEER-1",
        "location_id": shelf.pk,
        "warehouse_id": shelf.warehouse_id,
        "on_hand": "12.500",
        "reserved": "0.000",
        "available": "12.500",
        "average_cost": "3.2571",
    }
    assert keeper.json()["results"][0]["average_cost"] is None


def test_moves_hide_unit_costs_from_warehouse_and_reps(org, member, call, product, shelf, receive):
    receive(product, shelf, "1", "9.8765")
    for role, expected in [
        (Role.FINANCE, "9.8765"),
        (Role.WAREHOUSE, None),
        (Role.SALES_REP, None),
    ]:
        body = call(member(role))("GET", "/stock-moves").json()
        assert body["results"][0]["unit_cost"] == expected


def test_an_adjustment_is_posted_by_a_keeper_and_refused_to_others(
    org, member, call, product, shelf
):
    payload = {
        "note": "盘盈",
        "lines": [{"product_id": product.pk, "quantity": "2", "to_location_id": shelf.pk}],
    }
    refused = call(member(Role.SALES_REP))("POST", "/stock-moves", payload)
    posted = call(member(Role.WAREHOUSE))("POST", "/stock-moves", payload)
    assert refused.status_code == 403
    assert posted.status_code == 201
    assert posted.json()[0]["quantity"] == "2.000"
    assert StockMove.objects.count() == 1


def test_going_below_zero_answers_409_with_the_code(org, keeper, call, product, shelf):
    response = call(keeper)(
        "POST",
        "/stock-moves",
        {
            "note": "报废",
            "kind": "scrap",
            "lines": [{"product_id": product.pk, "quantity": "1", "from_location_id": shelf.pk}],
        },
    )
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert StockMove.objects.count() == 0


def test_reserve_and_release_through_the_api(org, keeper, call, product, shelf, receive):
    receive(product, shelf, "10")
    request = call(keeper)
    reserved = request(
        "POST",
        "/reservations",
        {
            "product_id": product.pk,
            "quantity": "4",
            "reference": "sales_order:5",
            "location_id": shelf.pk,
        },
    )
    too_much = request(
        "POST",
        "/reservations",
        {
            "product_id": product.pk,
            "quantity": "7",
            "reference": "sales_order:6",
            "location_id": shelf.pk,
        },
    )
    released = request("POST", "/reservations/release", {"reference": "sales_order:5"})
    assert (reserved.status_code, too_much.status_code) == (201, 409)
    assert released.json() == {"reference": "sales_order:5", "released": "4.000"}


def test_a_transfer_through_the_api(org, keeper, call, product, shelf, receive):
    receive(product, shelf, "10")
    request = call(keeper)
    warehouse = request("POST", "/warehouses", {"code": "BJ", "name": "北京仓"}).json()
    target = request("GET", f"/locations?warehouse_id={warehouse['id']}").json()["results"][0]
    transfer = request(
        "POST",
        "/transfers",
        {
            "from_location_id": shelf.pk,
            "to_location_id": target["id"],
            "lines": [{"product_id": product.pk, "quantity": "3"}],
        },
    ).json()
    shipped = request("POST", f"/transfers/{transfer['id']}/ship")
    received = request("POST", f"/transfers/{transfer['id']}/receive")
    assert shipped.json()["status"] == "shipped"
    assert received.json()["status"] == "received"
    assert received.json()["lines"] == [{"product_id": product.pk, "quantity": "3.000"}]


def test_a_count_through_the_api_posts_once(org, keeper, call, product, shelf, receive):
    receive(product, shelf, "10")
    request = call(keeper)
    count = request("POST", "/stock-counts", {"location_id": shelf.pk, "reason": "月末"}).json()
    request(
        "POST", f"/stock-counts/{count['id']}/lines", {"product_id": product.pk, "counted": "9"}
    )
    first = request("POST", f"/stock-counts/{count['id']}/post")
    second = request("POST", f"/stock-counts/{count['id']}/post")
    assert first.status_code == 200 and first.json()["lines"][0]["expected"] == "10.000"
    assert (second.status_code, second.json()["code"]) == (409, "already_posted")
