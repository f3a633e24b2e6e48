"""The share of an order the rebate may pay follows the customer's credit policy: its own cap,
else its group default's, else the organization's setting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import balances, services
from qudao.finance.models import Invoice, RebateReservation
from qudao.finance.services import PolicyData, follow_group_policy, set_group_policy
from qudao.finance.tests.accounts_helpers import granted
from qudao.finance.tests.credit_helpers import give_policy
from qudao.sales.models import SalesOrder
from qudao.sales.services import (
    LineInput,
    OrderData,
    create_delivery,
    invoice_delivery,
    place_order,
    set_order_lines,
    ship_delivery,
    submit_order,
)
from qudao.sales.services.rebates import fit_order_rebate, rebate_cap, set_order_rebate

from .conftest import Shop

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


def _rebate(shop: Shop, order, amount: str):
    return set_order_rebate(org=shop.org, actor=shop.rep, order=order, amount=D(amount))


def _in_group_with_cap(shop: Shop, share: str) -> None:
    """The customer drops its own policy and follows the default for everyone, capped."""
    set_group_policy(
        org=shop.org,
        actor=shop.boss,
        tier="",
        customer_type="",
        data=PolicyData(credit_limit=D("1000.00"), rebate_max_share=D(share)),
    )
    follow_group_policy(org=shop.org, actor=shop.boss, customer=shop.customer)


def test_the_groups_cap_replaces_the_organizations_share(shop: Shop):
    # given: the organization allows 10 %, the customer's group 20 %
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="200.00")
    _in_group_with_cap(shop, "0.2")
    order = _draft(shop)

    # when
    order = _rebate(shop, order, "113.00")

    # then
    assert order.rebate_amount == D("113.00")
    with pytest.raises(BusinessRuleViolation) as refused:
        _rebate(shop, order, "113.01")
    assert refused.value.code == "rebate_over_cap"
    assert "113.00" in refused.value.message and "20 %" in refused.value.message
    assert balances.reservation_of(order.reference) == D("113.00")


def test_the_customers_own_cap_wins_over_its_group(shop: Shop):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="200.00")
    _in_group_with_cap(shop, "0.2")
    give_policy(
        org=shop.org,
        actor=shop.boss,
        customer=shop.customer,
        credit_limit="1000",
        rebate_max_share=D("0.05"),
    )
    order = _draft(shop)

    with pytest.raises(BusinessRuleViolation) as refused:
        _rebate(shop, order, "28.26")

    assert refused.value.code == "rebate_over_cap" and "5 %" in refused.value.message
    assert RebateReservation.objects.count() == 0
    assert _rebate(shop, order, "28.25").rebate_amount == D("28.25")


def test_without_a_cap_in_the_policy_the_organizations_setting_applies(shop: Shop):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="200.00")
    services.set_account_settings(
        org=shop.org, actor=shop.boss, rebate_max_share=D("0.03"), settle_from_prepayments=True
    )

    order = SalesOrder.objects.get(pk=_draft(shop).pk)

    assert rebate_cap(shop.org, order) == D("16.95")


def test_a_lower_cap_brings_a_draft_down_to_it(shop: Shop):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="200.00")
    order = _rebate(shop, _draft(shop), "56.50")
    give_policy(
        org=shop.org,
        actor=shop.boss,
        customer=shop.customer,
        credit_limit="1000",
        rebate_max_share=D("0.04"),
    )
    set_order_lines(
        org=shop.org,
        actor=shop.rep,
        order=order,
        lines=[LineInput(shop.beer.pk, D(100))],
        replace=True,
    )

    order = fit_order_rebate(org=shop.org, order=order)

    assert order.rebate_amount == D("22.60")
    assert balances.reservation_of(order.reference) == D("22.60")


def test_invoicing_applies_the_rebate_within_the_groups_cap(shop: Shop):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="200.00")
    _in_group_with_cap(shop, "0.25")
    order = submit_order(org=shop.org, actor=shop.rep, order=_rebate(shop, _draft(shop), "141.25"))
    delivery = create_delivery(org=shop.org, actor=shop.keeper, order=order)
    ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)

    invoice = Invoice.objects.get(
        pk=invoice_delivery(org=shop.org, actor=shop.finance, delivery=delivery)
    )

    assert (invoice.total, invoice.amount_paid) == (D("565.00"), D("141.25"))
    assert RebateReservation.objects.count() == 0


def test_the_order_page_shows_the_customers_cap(shop: Shop, login):
    granted(org=shop.org, actor=shop.boss, customer=shop.customer, amount="200.00")
    _in_group_with_cap(shop, "0.2")
    draft = _draft(shop)

    page = login(shop.rep).get(reverse("sales-order-detail", args=[draft.pk]))

    assert page.status_code == 200
    assert page.context["rebate_cap"] == D("113.00")
    assert "¥113.00" in page.content.decode()
