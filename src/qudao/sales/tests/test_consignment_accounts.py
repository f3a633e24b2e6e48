"""Consignment orders and the customer's accounts: a consignment order may use the rebate, each
settlement invoice takes the orders' rebate in proportion to what is settled of them, then the
prepayment balance pays what it can (when the organization wants that); an order with nothing
left at the customer frees the rebate it did not use."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import balances, services
from qudao.finance.integrity import find_problems
from qudao.finance.models import CreditMode, Invoice, RebateEntry, RebateReservation
from qudao.finance.tests.accounts_helpers import granted, topped_up
from qudao.sales.models import SalesOrder
from qudao.sales.services import (
    LineInput,
    OrderData,
    create_delivery,
    place_order,
    ship_delivery,
    submit_order,
)
from qudao.sales.services.consignment import (
    ReportData,
    recall_consignment,
    report_sell_through,
    settle_consignment,
)
from qudao.sales.services.rebates import cancel_rest_of_order, set_order_rebate

from .conftest import Shop
from .helpers_returns import make_consignment

pytestmark = pytest.mark.django_db
D = Decimal


def _consigned(shop: Shop, rebate: str = "0", bottles: int = 100, ship: int | None = None):
    """A consignment order for `bottles` of beer at 5.00 + 13 % VAT (100: 565.00) paying
    `rebate` from the rebate account, confirmed, and `ship` bottles of it (all by default)
    shipped to the customer's consignment location."""
    order = place_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=[LineInput(shop.beer.pk, D(bottles))],
        submit=False,
    )
    assert order.payment_mode == CreditMode.CONSIGNMENT
    if D(rebate):
        order = set_order_rebate(org=shop.org, actor=shop.rep, order=order, amount=D(rebate))
    order = submit_order(org=shop.org, actor=shop.rep, order=order)
    line = order.lines.get()
    quantities = None if ship is None else {line.pk: D(ship)}
    delivery = create_delivery(org=shop.org, actor=shop.keeper, order=order, quantities=quantities)
    ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)
    return SalesOrder.objects.get(pk=order.pk)


def _sold(shop: Shop, bottles: int) -> None:
    today = timezone.localdate()
    report_sell_through(
        org=shop.org,
        actor=shop.rep,
        customer=shop.customer,
        data=ReportData(
            period_start=today - datetime.timedelta(days=6),
            period_end=today,
            quantities={shop.beer.pk: D(bottles)},
        ),
    )


def _settle(shop: Shop) -> Invoice:
    settlement = settle_consignment(org=shop.org, actor=shop.finance, customer=shop.customer)
    return Invoice.objects.get(pk=settlement.invoice_id)


def test_a_consignment_order_reserves_the_rebate_within_the_cap(shop: Shop):
    # given
    make_consignment(shop)
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")

    # when
    order = _consigned(shop, rebate="56.50")

    # then
    assert (order.rebate_amount, order.to_pay) == (D("56.50"), D("508.50"))
    assert balances.reservation_of(order.reference) == D("56.50")
    assert balances.balances_of(shop.customer).rebate_available == D("43.50")


def test_a_consignment_order_is_held_to_the_cap_like_any_other(shop: Shop):
    make_consignment(shop)
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")
    draft = place_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=[LineInput(shop.beer.pk, D(100))],
        submit=False,
    )

    with pytest.raises(BusinessRuleViolation) as refused:
        set_order_rebate(org=shop.org, actor=shop.rep, order=draft, amount=D("56.51"))

    assert refused.value.code == "rebate_over_cap"
    assert RebateReservation.objects.count() == 0


def test_each_settlement_takes_the_rebate_in_proportion_then_the_prepayment_pays(shop: Shop):
    # given: 56.50 of rebate on a 565.00 consignment order, 100.00 on the prepayment balance
    make_consignment(shop)
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")
    topped_up(org=shop.org, actor=shop.finance, customer=shop.customer, amount="100.00")
    order = _consigned(shop, rebate="56.50")

    # when: 40 of the 100 bottles sold and settled
    _sold(shop, 40)
    first = _settle(shop)

    # then: 40 % of the rebate, then the balance, pay the 226.00 invoice
    assert first.total == D("226.00")
    assert balances.rebate_used_by(order.reference) == D("22.60")
    assert (first.amount_paid, first.open_amount) == (D("122.60"), D("103.40"))
    assert balances.prepayment_balance(shop.customer) == D("0.00")
    assert balances.reservation_of(order.reference) == D("33.90")
    use = RebateEntry.objects.get(invoice=first)
    assert (use.kind, use.amount, use.order_reference) == ("use", D("-22.60"), order.reference)

    # when: the other 60 sold and settled
    _sold(shop, 60)
    second = _settle(shop)

    # then: the rest of the rebate; the order is settled in full and nothing stays reserved
    assert (second.total, second.amount_paid) == (D("339.00"), D("33.90"))
    assert balances.rebate_used_by(order.reference) == D("56.50")
    assert RebateReservation.objects.count() == 0
    assert balances.rebate_balance(shop.customer) == D("43.50")
    assert find_problems(shop.org) == []


def test_the_organization_may_leave_the_balance_for_finance_to_allocate(shop: Shop):
    make_consignment(shop)
    services.set_account_settings(
        org=shop.org, actor=shop.boss, rebate_max_share=D("0.1"), settle_from_prepayments=False
    )
    topped_up(org=shop.org, actor=shop.finance, customer=shop.customer, amount="100.00")
    _consigned(shop)
    _sold(shop, 10)

    invoice = _settle(shop)

    assert (invoice.total, invoice.amount_paid) == (D("56.50"), D("0.00"))
    assert balances.prepayment_balance(shop.customer) == D("100.00")


def test_a_settlement_without_rebate_is_settled_from_the_prepayment_balance(shop: Shop):
    make_consignment(shop)
    topped_up(org=shop.org, actor=shop.finance, customer=shop.customer, amount="500.00")
    _consigned(shop)
    _sold(shop, 20)

    invoice = _settle(shop)

    assert (invoice.total, invoice.amount_paid, invoice.open_amount) == (
        D("113.00"),
        D("113.00"),
        D("0.00"),
    )
    assert balances.prepayment_balance(shop.customer) == D("387.00")
    assert find_problems(shop.org) == []


def test_one_settlement_takes_each_orders_own_share(shop: Shop):
    # given: two consignment orders, only the first pays part from the rebate
    make_consignment(shop)
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")
    first = _consigned(shop, rebate="28.25", bottles=50)  # 282.50: 10 %
    second = _consigned(shop, bottles=50)

    # when: 60 bottles sold: the first order's 50 (oldest first), then 10 of the second's
    _sold(shop, 60)
    invoice = _settle(shop)

    # then: the first order is settled in full, so all its rebate; the second has none
    assert invoice.total == D("339.00")
    assert balances.rebate_used_by(first.reference) == D("28.25")
    assert balances.rebate_used_by(second.reference) == D("0.00")
    assert invoice.amount_paid == D("28.25")
    assert RebateReservation.objects.count() == 0


def test_recalling_the_rest_frees_the_rebate_the_order_did_not_use(shop: Shop):
    # given: 40 of 100 bottles settled (22.60 of the 56.50 used)
    make_consignment(shop)
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")
    order = _consigned(shop, rebate="56.50")
    _sold(shop, 40)
    _settle(shop)
    assert balances.balances_of(shop.customer).rebate_available == D("43.50")

    # when: 50 come back, then the last 10
    recall = {"org": shop.org, "actor": shop.keeper, "customer": shop.customer}
    recall_consignment(**recall, location=shop.shelf, quantities={shop.beer.pk: D(50)})
    still_out = balances.reservation_of(order.reference)
    recall_consignment(**recall, location=shop.shelf, quantities={shop.beer.pk: D(10)})

    # then: kept while goods were still at the customer, freed once none are
    assert still_out == D("33.90")
    assert RebateReservation.objects.count() == 0
    assert balances.balances_of(shop.customer).rebate_available == D("77.40")
    assert find_problems(shop.org) == []


def test_cancelling_the_rest_of_a_settled_consignment_order_frees_its_rebate(shop: Shop):
    # given: 40 of 100 bottles shipped, all sold and settled (22.60 of the rebate used)
    make_consignment(shop)
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")
    order = _consigned(shop, rebate="56.50", ship=40)
    _sold(shop, 40)
    _settle(shop)
    assert balances.reservation_of(order.reference) == D("33.90")

    # when: the 60 not shipped will not ship
    cancel_rest_of_order(org=shop.org, actor=shop.finance, order=order, reason="厂家断货")

    # then
    assert RebateReservation.objects.count() == 0
    assert balances.balances_of(shop.customer).rebate_available == D("77.40")


def test_cancelling_the_rest_keeps_the_rebate_for_goods_still_at_the_customer(shop: Shop):
    make_consignment(shop)
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")
    order = _consigned(shop, rebate="56.50", ship=40)

    cancel_rest_of_order(org=shop.org, actor=shop.finance, order=order, reason="厂家断货")

    assert balances.reservation_of(order.reference) == D("56.50")


def test_the_order_page_offers_the_rebate_on_a_consignment_draft(shop: Shop, login):
    make_consignment(shop)
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")
    draft = place_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=[LineInput(shop.beer.pk, D(100))],
        submit=False,
    )
    client = login(shop.rep)

    page = client.get(reverse("sales-order-detail", args=[draft.pk]))
    posted = client.post(reverse("sales-order-rebate", args=[draft.pk]), {"amount": "30.00"})

    assert page.status_code == 200
    assert page.context["may_set_rebate"] is True
    assert page.context["rebate_cap"] == D("56.50")
    assert posted.status_code == 302
    draft.refresh_from_db()
    assert draft.rebate_amount == D("30.00")
