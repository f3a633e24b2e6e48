"""Sales pages: entry by code, pinyin or a carton's barcode, the chain's buttons, printing,
the customer's link, and a rep seeing only his own customers' orders."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from qudao.catalog.models import PackagingUnit
from qudao.sales.models import DeliveryNote, OrderStatus, SalesOrder, SalesSettings
from qudao.sales.services import (
    LineInput,
    OrderData,
    create_delivery,
    place_order,
    ship_delivery,
    submit_order,
)

from .conftest import Shop

pytestmark = pytest.mark.django_db


def _draft(shop: Shop) -> SalesOrder:
    return place_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=[LineInput(shop.beer.pk, Decimal(1), "箱")],
        submit=False,
    )


def test_a_rep_enters_an_order_by_scanning_a_cartons_barcode(shop: Shop, login):
    PackagingUnit.objects.filter(product=shop.beer).update(barcode="6901234567892")
    client = login(shop.rep)
    response = client.post(
        reverse("sales-order-create"),
        {"customer": shop.customer.pk, "warehouse": shop.warehouse_id},
    )
    order = SalesOrder.objects.get()
    assert response.url == reverse("sales-order-detail", args=[order.pk])
    response = client.post(
        reverse("sales-order-detail", args=[order.pk]),
        {"product": "6901234567892", "quantity": "2"},
    )
    assert response.status_code == 302
    line = order.lines.get()
    assert (line.unit, line.quantity, line.amount) == ("箱", Decimal(24), Decimal("120.00"))
    page = client.get(reverse("sales-order-detail", args=[order.pk])).content.decode()
    assert "¥135.60" in page and "壹佰叁拾伍元陆角整" in page


def test_the_live_search_finds_by_pinyin_initials_with_price_and_stock(shop: Shop, login):
    order = _draft(shop)
    shop.beer.pinyin = "XHPJ"
    shop.beer.save(update_fields=["pinyin"])
    client = login(shop.rep)
    page = client.get(
        reverse("sales-order-products", args=[order.pk]), {"product": "xhp"}
    ).content.decode()
    assert "BEER" in page and "¥5.00" in page and "箱=12瓶" in page and "240" in page
    assert "WINE" not in page


def test_an_unknown_code_is_refused_on_the_form(shop: Shop, login):
    order = _draft(shop)
    response = login(shop.rep).post(
        reverse("sales-order-detail", args=[order.pk]), {"product": "NOPE", "quantity": "1"}
    )
    assert response.status_code == 200
    assert "No product has this code or barcode." in response.content.decode()
    assert order.lines.count() == 1


def test_a_blocked_order_shows_why_and_the_override_to_finance(shop: Shop, login):
    SalesSettings.objects.filter(org=shop.org).update(finance_review=True)
    order = place_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=[LineInput(shop.beer.pk, Decimal(240))],
    )
    assert order.status == OrderStatus.FINANCE_REVIEW
    page = login(shop.finance).get(reverse("sales-order-detail", args=[order.pk])).content
    page = page.decode()
    assert "The credit limit of 昆明便利店 would be exceeded" in page
    assert "Override and approve" in page and "Who may act:" in page
    rep_page = login(shop.rep).get(reverse("sales-order-detail", args=[order.pk])).content
    assert b"Override and approve" not in rep_page
    client = login(shop.finance)
    client.post(
        reverse("sales-order-approve", args=[order.pk]), {"override": "1", "reason": "老客户"}
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.credit_override_reason == "老客户"


def test_the_customer_confirms_through_its_link_without_logging_in(shop: Shop):
    order = submit_order(org=shop.org, actor=shop.rep, order=_draft(shop), for_customer=True)
    url = reverse("sales-customer-confirm", args=[order.customer_token])
    client = Client()
    page = client.get(url).content.decode()
    assert "雪花啤酒" in page and "我确认这张订单" in page  # no cookie yet: Chinese
    client.post(url)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert client.get(url.replace(order.customer_token[-6:], "xxxxxx")).status_code == 404
    assert client.get(reverse("sales-customer-confirm", args=["abc"])).status_code == 404


def test_a_delivery_note_prints_on_241mm_forms_in_four_parts_with_the_amount_in_words(
    shop: Shop, login
):
    order = submit_order(org=shop.org, actor=shop.rep, order=_draft(shop))
    delivery = create_delivery(org=shop.org, actor=shop.keeper, order=order)
    ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)
    client = login(shop.keeper)
    page = client.get(
        reverse("sales-delivery-print", args=[delivery.pk]), {"paper": "241"}
    ).content.decode()
    assert "size: 241mm 140mm" in page
    for part in ("存根", "客户", "记账", "仓库"):
        assert part in page
    assert page.count("送货单</h1>") == 4 and "陆拾柒元捌角整" in page
    a4 = client.get(reverse("sales-delivery-print", args=[delivery.pk])).content.decode()
    assert "size: A4" in a4 and a4.count("送货单</h1>") == 1


def test_the_warehouse_ships_and_the_rep_records_the_signature_from_the_pages(shop: Shop, login):
    order = submit_order(org=shop.org, actor=shop.rep, order=_draft(shop))
    keeper = login(shop.keeper)
    line = order.lines.get()
    keeper.post(
        reverse("sales-order-deliver", args=[order.pk]), {f"line_{line.pk}": "12", "carrier": "李"}
    )
    delivery = DeliveryNote.objects.get()
    keeper.post(reverse("sales-delivery-ship", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == "shipped"
    login(shop.rep).post(
        reverse("sales-delivery-receipt", args=[delivery.pk]), {"signed_by": "王老板"}
    )
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.signed_by == "王老板"


def test_a_rep_sees_only_his_customers_orders(shop: Shop, member, login):
    order = submit_order(org=shop.org, actor=shop.rep, order=_draft(shop))
    client = login(member("sales_rep"))
    assert order.number not in client.get(reverse("sales-order-list")).content.decode()
    assert order.number in login(shop.rep).get(reverse("sales-order-list")).content.decode()
    assert client.get(reverse("sales-order-detail", args=[order.pk])).status_code == 404
    assert login(shop.rep).get(reverse("sales-order-detail", args=[order.pk])).status_code == 200


def test_the_settings_switch_steps_on_and_off(shop: Shop, login):
    client = login(shop.boss)
    client.post(
        reverse("sales-settings"),
        {"order_review": "on", "finance_review": "on", "credit_control": "both"},
    )
    settings = SalesSettings.objects.get(org=shop.org)
    assert settings.order_review and settings.finance_review and not settings.warehouse_release
    assert settings.credit_control == "both"
    assert login(shop.rep).get(reverse("sales-settings")).status_code == 403
