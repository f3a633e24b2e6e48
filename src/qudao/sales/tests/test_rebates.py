"""Paying part of an order from the rebate account, and invoices settled from the prepayment
balance: the cap, the reservation, the credit check net of the rebate, each invoice's share."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance import balances, services
from qudao.finance.credit import can_confirm
from qudao.finance.integrity import find_problems
from qudao.finance.models import Invoice, RebateReservation
from qudao.finance.tests.accounts_helpers import granted, topped_up
from qudao.sales.models import OrderStatus
from qudao.sales.services import (
    LineInput,
    OrderData,
    cancel_order,
    create_delivery,
    invoice_delivery,
    place_order,
    set_order_lines,
    ship_delivery,
    submit_order,
)
from qudao.sales.services.rebates import cancel_rest_of_order, fit_order_rebate, set_order_rebate
from qudao.tenancy.roles import Role

from .conftest import Shop
from .helpers_returns import make_consignment

pytestmark = pytest.mark.django_db
D = Decimal


def _draft(shop: Shop, bottles: int = 100):
    """A draft for `bottles` of beer at 5.00 + 13 % VAT (100: 565.00)."""
    return place_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=[LineInput(shop.beer.pk, D(bottles))],
        submit=False,
    )


def _rebate(shop: Shop, order, amount: str, actor=None):
    return set_order_rebate(org=shop.org, actor=actor or shop.rep, order=order, amount=D(amount))


def _invoice(shop: Shop, order, quantities=None) -> Invoice:
    delivery = create_delivery(org=shop.org, actor=shop.keeper, order=order, quantities=quantities)
    ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)
    return Invoice.objects.get(
        pk=invoice_delivery(org=shop.org, actor=shop.finance, delivery=delivery)
    )


def test_a_rebate_within_the_share_is_reserved_and_the_credit_check_nets_it(shop: Shop):
    # given
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="200.00")
    order = _draft(shop)

    # when
    order = _rebate(shop, order, "56.50")

    # then
    assert (order.rebate_amount, order.to_pay) == (D("56.50"), D("508.50"))
    assert balances.reservation_of(order.reference) == D("56.50")
    decision = can_confirm(customer=shop.customer, amount=order.total, reference=order.reference)
    assert decision.exposure_after == D("508.50")


def test_more_than_the_share_of_the_order_is_refused(shop: Shop):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="200.00")
    order = _draft(shop)

    with pytest.raises(BusinessRuleViolation) as refused:
        _rebate(shop, order, "56.51")

    assert refused.value.code == "rebate_over_cap" and "56.50" in refused.value.message
    order.refresh_from_db()
    assert order.rebate_amount == D("0.00") and RebateReservation.objects.count() == 0


def test_the_share_is_the_organization_setting(shop: Shop):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="200.00")
    services.set_account_settings(
        org=shop.org, actor=shop.boss, rebate_max_share=D("0.2"), settle_from_prepayments=True
    )
    order = _rebate(shop, _draft(shop), "113.00")
    assert order.rebate_amount == D("113.00")


def test_more_than_the_customer_has_available_is_refused(shop: Shop):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="60.00")
    first = _rebate(shop, _draft(shop), "50.00")

    with pytest.raises(BusinessRuleViolation) as refused:
        _rebate(shop, _draft(shop), "10.01")

    assert refused.value.code == "rebate_insufficient"
    assert balances.balances_of(shop.customer).rebate_available == D("10.00")
    assert first.rebate_amount == D("50.00")


def test_a_consignment_order_may_use_rebate_too(shop: Shop):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="60.00")
    make_consignment(shop)
    order = _rebate(shop, _draft(shop), "10.00")  # applied at settlement: test_consignment_accounts
    assert balances.reservation_of(order.reference) == D("10.00")


def test_after_confirmation_the_rebate_is_fixed_and_only_staff_who_may_set_it_do(
    shop: Shop, member
):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="60.00")
    other_rep = member(Role.SALES_REP)
    order = _draft(shop)

    with pytest.raises(BusinessRuleViolation) as not_his:
        _rebate(shop, order, "10.00", actor=other_rep)
    with pytest.raises(PermissionDenied):
        _rebate(shop, order, "10.00", actor=shop.keeper)
    order = submit_order(org=shop.org, actor=shop.rep, order=order)
    with pytest.raises(BusinessRuleViolation) as confirmed:
        _rebate(shop, order, "10.00", actor=shop.finance)

    assert not_his.value.code == "not_your_customer"
    assert order.status == OrderStatus.CONFIRMED and confirmed.value.code == "order_not_editable"


def test_invoicing_the_whole_order_pays_the_rebate_and_frees_the_reservation(shop: Shop):
    # given
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")
    order = _rebate(shop, _draft(shop), "56.50")
    order = submit_order(org=shop.org, actor=shop.rep, order=order)

    # when
    invoice = _invoice(shop, order)

    # then
    assert (invoice.total, invoice.amount_paid, invoice.open_amount) == (
        D("565.00"),
        D("56.50"),
        D("508.50"),
    )
    assert balances.rebate_balance(shop.customer) == D("43.50")
    assert RebateReservation.objects.count() == 0
    assert find_problems(shop.org) == []


def test_each_delivery_invoice_takes_its_share_and_together_they_take_the_rebate(shop: Shop):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")
    order = submit_order(
        org=shop.org, actor=shop.rep, order=_rebate(shop, _draft(shop, 99), "55.93")
    )
    line = order.lines.get()

    first = _invoice(shop, order, {line.pk: D(33)})
    second = _invoice(shop, order, {line.pk: D(66)})

    # 33 of 99 bottles: a third of the rebate, then the rest
    assert (first.total, first.amount_paid) == (D("186.45"), D("18.64"))
    assert (second.total, second.amount_paid) == (D("372.90"), D("37.29"))
    assert balances.rebate_used_by(order.reference) == D("55.93")
    assert RebateReservation.objects.count() == 0
    assert find_problems(shop.org) == []


def test_cancelling_the_rest_gives_back_the_rebate_kept_for_it(shop: Shop):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")
    order = submit_order(
        org=shop.org, actor=shop.rep, order=_rebate(shop, _draft(shop, 100), "56.50")
    )
    line = order.lines.get()
    first = _invoice(shop, order, {line.pk: D(40)})

    cancel_rest_of_order(org=shop.org, actor=shop.finance, order=order, reason="缺货不再补发")

    assert first.amount_paid == D("22.60")  # 40 % of the rebate
    assert RebateReservation.objects.count() == 0
    assert balances.balances_of(shop.customer).rebate_available == D("77.40")


def test_cancelling_the_order_gives_the_reserved_rebate_back(shop: Shop):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")
    order = _rebate(shop, _draft(shop), "50.00")

    cancel_order(org=shop.org, actor=shop.rep, order=order)

    assert balances.balances_of(shop.customer).rebate_available == D("100.00")


def test_smaller_lines_bring_the_rebate_down_to_the_share(shop: Shop):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="100.00")
    order = _rebate(shop, _draft(shop), "56.50")
    set_order_lines(
        org=shop.org,
        actor=shop.rep,
        order=order,
        lines=[LineInput(shop.beer.pk, D(50))],
        replace=True,
    )

    order = fit_order_rebate(org=shop.org, order=order)

    assert order.rebate_amount == D("28.25")
    assert balances.reservation_of(order.reference) == D("28.25")


def test_a_new_invoice_is_settled_from_the_prepayment_balance(shop: Shop):
    topped_up(org=shop.org, actor=shop.finance, customer=shop.customer, amount="200.00")
    order = submit_order(org=shop.org, actor=shop.rep, order=_draft(shop))

    invoice = _invoice(shop, order)

    assert (invoice.amount_paid, invoice.open_amount) == (D("200.00"), D("365.00"))
    assert balances.prepayment_balance(shop.customer) == D("0.00")


def test_the_organization_may_leave_the_balance_for_finance_to_allocate(shop: Shop):
    services.set_account_settings(
        org=shop.org, actor=shop.boss, rebate_max_share=D("0.1"), settle_from_prepayments=False
    )
    topped_up(
        org=shop.org,
        actor=shop.finance,
        customer=shop.customer,
        amount="200.00",
        date=timezone.localdate(),
    )
    order = submit_order(org=shop.org, actor=shop.rep, order=_draft(shop))

    invoice = _invoice(shop, order)

    assert invoice.amount_paid == D("0.00")
    assert balances.prepayment_balance(shop.customer) == D("200.00")
