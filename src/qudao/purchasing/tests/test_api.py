"""The purchasing API: shapes with decimal strings, cost visibility, refusals, permissions."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from qudao.inventory.models import StockMove
from qudao.purchasing.models import GoodsReceipt, PurchaseOrder
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
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


def test_an_order_is_drafted_priced_and_confirmed_through_the_api(call, boss, supplier, beer):
    api = call(boss)

    created = api(
        "POST", "/purchase-orders", {"supplier_id": supplier.pk, "payment_condition": "cod"}
    )
    assert created.status_code == 201
    order_id = created.json()["id"]
    line = api(
        "POST",
        f"/purchase-orders/{order_id}/lines",
        {"product_id": beer.pk, "quantity": "2", "unit": "箱"},
    )
    confirmed = api("POST", f"/purchase-orders/{order_id}/confirm")

    assert line.status_code == 200
    body = confirmed.json()
    assert confirmed.status_code == 200
    assert (body["status"], body["number"][:2], body["total"], body["payment_condition"]) == (
        "confirmed",
        "PO",
        "60.00",
        "cod",
    )
    assert body["lines"] == [
        {
            "id": body["lines"][0]["id"],
            "product_id": beer.pk,
            "product_code": "BEER-1",
            "product_name": "雪花啤酒",
            "unit": "箱",
            "unit_factor": "12.000",
            "unit_quantity": "2.000",
            "quantity": "24.000",
            "received_quantity": "0.000",
            "damaged_quantity": "0.000",
            "open_quantity": "24.000",
            "unit_price": "2.5000",
            "amount": "60.00",
            "price_rule": body["lines"][0]["price_rule"],
        }
    ]


def test_prices_are_null_for_the_warehouse(call, keeper, confirmed):
    body = call(keeper)("GET", f"/purchase-orders/{confirmed.pk}").json()
    assert (body["total"], body["lines"][0]["unit_price"], body["lines"][0]["amount"]) == (
        None,
        None,
        None,
    )


def test_a_refusal_is_a_409_with_a_code_and_nothing_changes(call, boss, draft):
    response = call(boss)("POST", f"/purchase-orders/{draft.pk}/confirm")
    assert response.status_code == 409
    assert response.json()["code"] == "empty_order"
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_warehouse_may_not_order_and_a_rep_may_not_receive(
    call, keeper, rep, supplier, confirmed, beer, shelf
):
    assert call(keeper)("POST", "/purchase-orders", {"supplier_id": supplier.pk}).status_code == 403
    response = call(rep)(
        "POST",
        "/goods-receipts",
        {
            "order_id": confirmed.pk,
            "location_id": shelf.pk,
            "lines": [{"product_id": beer.pk, "quantity": "1"}],
        },
    )
    assert response.status_code == 403
    assert StockMove.objects.count() == 0


def test_a_receipt_with_serials_is_posted_and_listed(call, keeper, boss, supplier, fridge, shelf):
    response = call(keeper)(
        "POST",
        "/goods-receipts",
        {
            "supplier_id": supplier.pk,
            "location_id": shelf.pk,
            "lines": [
                {
                    "product_id": fridge.pk,
                    "quantity": "1",
                    "serials": [{"serial": "SN-1", "factory_date": "2026-01-05"}],
                }
            ],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["is_push_stock"], body["order_id"], body["lines"][0]["push_quantity"]) == (
        True,
        None,
        "1.000",
    )
    assert body["lines"][0]["unit_cost"] is None  # the warehouse does not see costs
    pushed = call(boss)("GET", "/goods-receipts?push_stock=true").json()
    assert [r["id"] for r in pushed["results"]] == [body["id"]]
    assert (
        call(boss)("GET", f"/goods-receipts/{body['id']}").json()["lines"][0]["unit_cost"]
        == "1200.0000"
    )
    serials = call(boss)("GET", "/received-serials?serial=SN-1").json()["results"]
    assert [(s["serial"], s["factory_date"], s["receipt_id"]) for s in serials] == [
        ("SN-1", "2026-01-05", body["id"])
    ]


def test_a_receipt_is_reversed_through_the_api(call, keeper, confirmed, beer, shelf):
    api = call(keeper)
    posted = api(
        "POST",
        "/goods-receipts",
        {
            "order_id": confirmed.pk,
            "location_id": shelf.pk,
            "lines": [{"product_id": beer.pk, "quantity": "12"}],
        },
    ).json()

    reversal = api("POST", f"/goods-receipts/{posted['id']}/reverse", {"note": "退厂"})

    assert reversal.status_code == 201
    assert (reversal.json()["reverses_id"], reversal.json()["lines"][0]["quantity"]) == (
        posted["id"],
        "-12.000",
    )


def test_prepayments_through_the_api(call, boss, supplier, beer):
    api = call(boss)
    order_id = api(
        "POST", "/purchase-orders", {"supplier_id": supplier.pk, "payment_condition": "prepayment"}
    ).json()["id"]
    api("POST", f"/purchase-orders/{order_id}/lines", {"product_id": beer.pk, "quantity": "4"})
    api("POST", f"/purchase-orders/{order_id}/confirm")

    early = api("POST", f"/purchase-orders/{order_id}/ready-to-ship")
    paid = api(
        "POST",
        f"/purchase-orders/{order_id}/prepayments",
        {"amount": "10.00", "paid_on": "2026-03-01", "reference": "B1"},
    )
    ready = api("POST", f"/purchase-orders/{order_id}/ready-to-ship")

    assert (early.status_code, early.json()["code"]) == (409, "prepayment_not_paid")
    assert paid.status_code == 201 and paid.json()["amount"] == "10.00"
    assert ready.status_code == 200
    assert ready.json()["prepayment_state"] == "paid"


def test_another_organizations_order_is_a_404(call, boss, other_org):
    from qudao.catalog.tests.factories import SupplierFactory
    from qudao.tenancy.tests.factories import MembershipFactory

    with org_scope(other_org):
        stranger = MembershipFactory(org=other_org, role=Role.BOSS)
        order = PurchaseOrder.objects.create(
            org=other_org,
            supplier=SupplierFactory(org=other_org),
            payment_condition="terms",
            created_by=stranger,
        )
    api = call(boss)
    assert api("GET", f"/purchase-orders/{order.pk}").status_code == 404
    assert api("POST", f"/purchase-orders/{order.pk}/confirm").status_code == 404
    assert api("GET", "/purchase-orders").json()["count"] == 0
    assert GoodsReceipt.objects.count() == 0
    assert Decimal(0) == 0
