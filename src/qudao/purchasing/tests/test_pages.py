"""Purchasing pages: role checks, lists and filters, the order and receipt flows, other orgs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.inventory.models import StockLevel
from qudao.purchasing import services
from qudao.purchasing.models import GoodsReceipt, PurchaseOrder, ReceivedSerial
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope


@pytest.mark.parametrize(
    ("role", "list_status", "create_status", "receive_status"),
    [
        (Role.BOSS, 200, 200, 200),
        (Role.FINANCE, 200, 200, 403),
        (Role.WAREHOUSE, 200, 403, 200),
        (Role.SALES_REP, 200, 403, 403),
        (Role.READONLY, 200, 403, 403),
        (Role.RETAILER, 403, 403, 403),
        (Role.MANUFACTURER, 403, 403, 403),
    ],
)
def test_each_role_opens_what_its_permissions_allow(
    member, login, confirmed, role, list_status, create_status, receive_status
):
    client = login(member(role))
    assert client.get(reverse("purchasing-order-list")).status_code == list_status
    assert client.get(reverse("purchasing-receipt-list")).status_code == list_status
    assert client.get(reverse("purchasing-order-create")).status_code == create_status
    assert (
        client.get(reverse("purchasing-order-receive", args=[confirmed.pk])).status_code
        == receive_status
    )


def test_prices_show_only_to_roles_that_see_costs(login, boss, keeper, confirmed):
    url = reverse("purchasing-order-detail", args=[confirmed.pk])
    assert "¥300.00" in login(boss).get(url).content.decode()
    page = login(keeper).get(url).content.decode()
    assert "¥300.00" not in page and "2.5000" not in page


def test_an_order_is_drafted_lined_and_confirmed_on_the_pages(login, boss, supplier, beer):
    client = login(boss)
    response = client.post(
        reverse("purchasing-order-create"), {"supplier": supplier.pk, "payment_condition": ""}
    )
    order = PurchaseOrder.objects.get()
    assert response.url == reverse("purchasing-order-detail", args=[order.pk])

    client.post(
        reverse("purchasing-order-detail", args=[order.pk]),
        {"product": "BEER-1", "quantity": "3", "unit": "箱", "unit_price": ""},
    )
    client.post(reverse("purchasing-order-confirm", args=[order.pk]))

    order.refresh_from_db()
    assert (order.status, order.total, order.number[:2]) == ("confirmed", Decimal("90.00"), "PO")


def test_the_list_filters_by_status_and_searches_by_number(login, boss, confirmed, draft):
    client = login(boss)
    page = client.get(reverse("purchasing-order-list"), {"status": "confirmed"}).content.decode()
    assert confirmed.number in page and "Draft purchase order" not in page
    found = client.get(reverse("purchasing-order-list"), {"q": confirmed.number}).content.decode()
    assert confirmed.number in found


def test_a_receipt_is_posted_from_the_order_with_prefilled_open_quantities(
    login, keeper, confirmed, beer, shelf
):
    client = login(keeper)
    url = reverse("purchasing-order-receive", args=[confirmed.pk])
    line = confirmed.lines.get()
    assert f'name="quantity-{line.pk}" value="120"' in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "location": shelf.pk,
            "damaged_location": "",
            "received_on": "2026-01-10",
            f"quantity-{line.pk}": "100",
            f"damaged-{line.pk}": "0",
        },
    )

    receipt = GoodsReceipt.objects.get()
    assert response.url == reverse("purchasing-receipt-detail", args=[receipt.pk])
    assert StockLevel.objects.get(product=beer, location=shelf).on_hand == Decimal("100.000")


def test_a_refused_receipt_page_shows_why_and_changes_nothing(
    login, keeper, fridge, supplier, shelf
):
    response = login(keeper).post(
        reverse("purchasing-receipt-create"),
        {
            "supplier": supplier.pk,
            "location": shelf.pk,
            "received_on": "2026-01-10",
            "lines": "FRIDGE-1, 2",
            "serials": "FRIDGE-1, SN-1, 2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "one serial number per unit" in response.content.decode()
    assert GoodsReceipt.objects.count() == 0


def test_push_stock_is_received_without_an_order_and_filtered(
    login, keeper, boss, fridge, beer, supplier, shelf
):
    login(keeper).post(
        reverse("purchasing-receipt-create"),
        {
            "supplier": supplier.pk,
            "location": shelf.pk,
            "received_on": "2026-01-10",
            "lines": "FRIDGE-1, 1\nBEER-1, 24",
            "serials": "FRIDGE-1, SN-7, 2025-12-01",
        },
    )

    receipt = GoodsReceipt.objects.get()
    assert receipt.is_push_stock
    assert ReceivedSerial.objects.get().serial == "SN-7"
    page = login(boss).get(reverse("purchasing-receipt-list"), {"push": "1"}).content.decode()
    assert receipt.number in page
    assert (
        receipt.number
        not in login(boss).get(reverse("purchasing-receipt-list"), {"push": "0"}).content.decode()
    )


def test_another_organizations_order_is_a_404(login, boss, other_org):
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
    client = login(boss)
    assert client.get(reverse("purchasing-order-detail", args=[order.pk])).status_code == 404
    assert client.post(reverse("purchasing-order-confirm", args=[order.pk])).status_code == 404
    assert client.get(reverse("purchasing-order-receive", args=[order.pk])).status_code == 404
    with org_scope(other_org):
        order.refresh_from_db()
        assert order.status == "draft"


def test_a_receipt_is_reversed_on_its_page(login, keeper, confirmed, beer, shelf, org):
    receipt = services.post_receipt(
        org=org,
        actor=keeper,
        order=confirmed,
        location_id=shelf.pk,
        lines=[services.ReceiptLineData(product_id=beer.pk, quantity=Decimal(12))],
    )
    response = login(keeper).post(
        reverse("purchasing-receipt-reverse", args=[receipt.pk]), {"note": "退厂"}
    )
    reversal = GoodsReceipt.objects.get(reverses=receipt)
    assert response.url == reverse("purchasing-receipt-detail", args=[reversal.pk])
    assert StockLevel.objects.get(product=beer, location=shelf).on_hand == Decimal("0.000")


def test_the_pages_read_in_chinese(login, boss, confirmed):
    from django.conf import settings

    client = login(boss)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("purchasing-order-detail", args=[confirmed.pk])).content.decode()
    assert "收货入库" in page and "账期付款" in page
