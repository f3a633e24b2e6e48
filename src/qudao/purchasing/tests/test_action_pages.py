"""The buttons on the order and receipt pages: each calls one service, then says how it went."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.urls import reverse

from qudao.purchasing import services
from qudao.purchasing.models import GoodsReceipt, OrderStatus, Prepayment


def _messages(response: HttpResponse) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def test_a_prepayment_request_is_recorded_on_the_order_page(login, boss, confirmed):
    # when
    response = login(boss).post(
        reverse("purchasing-order-prepayment-request", args=[confirmed.pk]),
        {"amount": "100.00", "due_on": "2026-11-29"},
    )

    # then
    assert response.url == reverse("purchasing-order-detail", args=[confirmed.pk])
    assert _messages(response) == [("success", "The prepayment request was recorded.")]
    confirmed.refresh_from_db()
    assert (confirmed.prepayment_requested, str(confirmed.prepayment_due_on)) == (
        Decimal("100.00"),
        "2026-11-29",
    )


def test_a_prepayment_request_above_the_total_is_refused_and_nothing_changes(
    login, boss, confirmed
):
    # when: the order's total is 300.00
    response = login(boss).post(
        reverse("purchasing-order-prepayment-request", args=[confirmed.pk]), {"amount": "300.01"}
    )

    # then
    assert response.url == reverse("purchasing-order-detail", args=[confirmed.pk])
    assert _messages(response) == [("error", "A prepayment cannot be more than the order's total.")]
    confirmed.refresh_from_db()
    assert (confirmed.prepayment_requested, confirmed.prepayment_due_on) == (Decimal(0), None)


def test_a_prepayment_request_without_an_amount_asks_for_it(login, boss, confirmed):
    response = login(boss).post(
        reverse("purchasing-order-prepayment-request", args=[confirmed.pk]), {"amount": ""}
    )

    assert response.url == reverse("purchasing-order-detail", args=[confirmed.pk])
    assert _messages(response) == [("error", "Enter the amount requested.")]
    confirmed.refresh_from_db()
    assert confirmed.prepayment_requested == Decimal(0)


def test_a_prepayment_is_recorded_on_the_order_page(login, boss, confirmed):
    # when
    response = login(boss).post(
        reverse("purchasing-order-prepayment-record", args=[confirmed.pk]),
        {
            "amount": "120.00",
            "paid_on": "2026-11-29",
            "method": "bank_transfer",
            "reference": "BANK-7",
        },
    )

    # then
    assert response.url == reverse("purchasing-order-detail", args=[confirmed.pk])
    assert _messages(response) == [("success", "The prepayment was recorded.")]
    assert list(Prepayment.objects.values_list("amount", "paid_on", "reference")) == [
        (Decimal("120.00"), date(2026, 11, 29), "BANK-7")
    ]


def test_a_cancelled_orders_confirm_button_is_refused_with_a_message(login, boss, draft):
    # given
    services.cancel_order(org=draft.org, actor=boss, order=draft)

    # when
    response = login(boss).post(reverse("purchasing-order-confirm", args=[draft.pk]))

    # then
    assert response.url == reverse("purchasing-order-detail", args=[draft.pk])
    [(level, _text)] = _messages(response)
    assert level == "error"
    draft.refresh_from_db()
    assert draft.status == OrderStatus.CANCELLED


def test_a_receipt_reversed_twice_stays_on_its_page_with_the_refusal(
    login, keeper, org, confirmed, beer, shelf
):
    # given
    receipt = services.post_receipt(
        org=org,
        actor=keeper,
        order=confirmed,
        location_id=shelf.pk,
        lines=[services.ReceiptLineData(product_id=beer.pk, quantity=Decimal(12))],
    )
    services.reverse_receipt(org=org, actor=keeper, receipt=receipt, note="退厂")

    # when
    response = login(keeper).post(
        reverse("purchasing-receipt-reverse", args=[receipt.pk]), {"note": "again"}
    )

    # then
    assert response.url == reverse("purchasing-receipt-detail", args=[receipt.pk])
    [(level, _text)] = _messages(response)
    assert level == "error"
    assert GoodsReceipt.objects.filter(reverses=receipt).count() == 1
