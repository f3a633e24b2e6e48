"""The sales API: placing an order in one call, refusals as structured errors, deliveries."""

from __future__ import annotations

import json

import pytest

from qudao.sales.models import SalesOrder
from qudao.tenancy.services import issue_api_token

from .conftest import Shop

pytestmark = pytest.mark.django_db


def _headers(shop: Shop, member) -> dict[str, str]:
    _token, raw = issue_api_token(org=shop.org, actor=member, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, path: str, body: object, headers: dict[str, str]):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_an_order_placed_through_the_api_is_confirmed_and_delivered(client, shop: Shop):
    rep = _headers(shop, shop.rep)
    response = _post(
        client,
        "/api/v1/sales-orders",
        {
            "customer_id": shop.customer.pk,
            "warehouse_id": shop.warehouse_id,
            "lines": [{"product_id": shop.beer.pk, "quantity": "2", "unit": "箱"}],
        },
        rep,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "confirmed" and body["total"] == "135.60"
    assert body["lines"][0]["quantity"] == "24.000"
    assert SalesOrder.objects.get().source == "api"
    keeper = _headers(shop, shop.keeper)
    delivery = _post(client, f"/api/v1/sales-orders/{body['id']}/deliveries", {}, keeper).json()
    shipped = _post(client, f"/api/v1/deliveries/{delivery['id']}/ship", {}, keeper)
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    listed = client.get("/api/v1/sales-orders", **rep).json()
    assert listed["results"][0]["status"] == "shipped"


def test_refusals_are_structured_and_write_nothing(client, shop: Shop):
    rep = _headers(shop, shop.rep)
    response = _post(
        client,
        "/api/v1/sales-orders",
        {
            "customer_id": shop.customer.pk,
            "warehouse_id": shop.warehouse_id,
            "lines": [{"product_id": shop.wine.pk, "quantity": "11"}],
        },
        rep,
    )
    assert response.status_code in (409, 422)
    assert response.json()["code"] == "insufficient_stock"
    assert not SalesOrder.objects.exists()
    negative = _post(
        client,
        "/api/v1/sales-orders",
        {
            "customer_id": shop.customer.pk,
            "warehouse_id": shop.warehouse_id,
            "lines": [{"product_id": shop.wine.pk, "quantity": "-1"}],
        },
        rep,
    )
    assert negative.status_code == 422 and not SalesOrder.objects.exists()
    keeper = _headers(shop, shop.keeper)
    refused = _post(
        client,
        "/api/v1/sales-orders",
        {"customer_id": shop.customer.pk, "warehouse_id": shop.warehouse_id, "lines": []},
        keeper,
    )
    assert refused.status_code == 403
