"""Sales orders: entry, pricing, the approval chain, confirmation with credit and stock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.credit import credit_exposure
from qudao.finance.models import CreditCommitment
from qudao.inventory.models import StockLevel
from qudao.sales.models import OrderStatus, SalesOrder, SalesSettings
from qudao.sales.services import (
    LineInput,
    OrderData,
    approve_order,
    cancel_order,
    confirm_by_customer,
    create_order,
    place_order,
    reject_order,
    set_order_lines,
    submit_order,
)
from qudao.tenancy.models import Event

from .conftest import Shop

pytestmark = pytest.mark.django_db


def _level(shop: Shop, product) -> StockLevel:
    return StockLevel.objects.get(product=product, location=shop.shelf)


def _order(shop: Shop, *lines: LineInput, submit: bool = True, actor=None) -> SalesOrder:
    return place_order(
        org=shop.org,
        actor=actor or shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=lines or (LineInput(shop.beer.pk, Decimal(2), "箱"),),
        submit=submit,
    )


def test_a_draft_is_priced_from_the_list_in_large_and_small_units(shop: Shop):
    order = _order(
        shop,
        LineInput(shop.beer.pk, Decimal(2), "箱"),
        LineInput(shop.wine.pk, Decimal(3)),
        submit=False,
    )
    beer, wine = order.lines.order_by("position")
    assert (beer.unit, beer.unit_quantity, beer.quantity) == ("箱", Decimal(2), Decimal(24))
    assert (beer.unit_price, beer.amount, beer.tax) == (
        Decimal("5.0000"),
        Decimal("120.00"),
        Decimal("15.60"),
    )
    assert wine.amount == Decimal("150.00")
    order.refresh_from_db()
    assert (order.subtotal, order.tax_total, order.total) == (
        Decimal("270.00"),
        Decimal("35.10"),
        Decimal("305.10"),
    )
    assert order.ship_to == "昆明市五华区" and order.status == OrderStatus.DRAFT


def test_a_rep_cannot_price_by_hand_or_sell_to_another_reps_customer(shop: Shop, member):
    order = _order(shop, submit=False)
    with pytest.raises(BusinessRuleViolation) as refused:
        set_order_lines(
            org=shop.org,
            actor=shop.rep,
            order=order,
            lines=[LineInput(shop.wine.pk, Decimal(1), unit_price=Decimal("1"))],
        )
    assert refused.value.code == "price_by_hand_not_allowed"
    other_rep = member("sales_rep")
    with pytest.raises(BusinessRuleViolation) as refused:
        create_order(
            org=shop.org,
            actor=other_rep,
            data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        )
    assert refused.value.code == "customer_not_found"
    with pytest.raises(PermissionDenied):
        _order(shop, actor=shop.keeper)


def test_submitting_with_no_review_steps_confirms_and_reserves_both(shop: Shop):
    order = _order(shop)
    assert order.status == OrderStatus.CONFIRMED and order.number.startswith("SO")
    assert _level(shop, shop.beer).reserved == Decimal(24)
    assert CreditCommitment.objects.get(reference=order.reference).amount == Decimal("135.60")
    assert credit_exposure(shop.customer, today=order.created_at.date()).total == Decimal("135.60")


def test_a_credit_refusal_says_why_and_who_may_override_and_writes_nothing(shop: Shop):
    with pytest.raises(BusinessRuleViolation) as refused:
        _order(shop, LineInput(shop.beer.pk, Decimal(240)), LineInput(shop.wine.pk, Decimal(10)))
    assert refused.value.code == "credit_limit_exceeded"
    assert "Finance or the boss may override it" in refused.value.message
    assert not SalesOrder.objects.exists()
    assert _level(shop, shop.beer).reserved == 0
    assert not CreditCommitment.objects.exists()


def test_a_stock_refusal_undoes_the_credit_reservation(shop: Shop):
    order = _order(shop, LineInput(shop.wine.pk, Decimal(11)), submit=False)
    with pytest.raises(BusinessRuleViolation) as refused:
        submit_order(org=shop.org, actor=shop.rep, order=order)
    assert refused.value.code == "insufficient_stock"
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT and not CreditCommitment.objects.exists()


def test_the_chain_runs_order_review_then_finance_review_with_an_override(shop: Shop):
    SalesSettings.objects.filter(org=shop.org).update(order_review=True, finance_review=True)
    order = _order(
        shop, LineInput(shop.beer.pk, Decimal(240)), LineInput(shop.wine.pk, Decimal(10))
    )
    assert order.status == OrderStatus.ORDER_REVIEW and _level(shop, shop.beer).reserved == 0
    with pytest.raises(PermissionDenied):
        approve_order(org=shop.org, actor=shop.finance, order=order)
    order = approve_order(org=shop.org, actor=shop.boss, order=order)
    assert order.status == OrderStatus.FINANCE_REVIEW
    with pytest.raises(BusinessRuleViolation) as refused:
        approve_order(org=shop.org, actor=shop.finance, order=order)
    assert refused.value.code == "credit_limit_exceeded"
    with pytest.raises(BusinessRuleViolation) as refused:  # an override needs a reason
        approve_order(org=shop.org, actor=shop.finance, order=order, override=True, reason=" ")
    assert refused.value.code == "reason_required"
    order = approve_order(
        org=shop.org, actor=shop.finance, order=order, override=True, reason="老客户，月底回款"
    )
    assert order.status == OrderStatus.CONFIRMED
    assert order.credit_overridden_by == shop.finance
    assert _level(shop, shop.beer).reserved == Decimal(240)
    verbs = list(Event.objects.filter(subject_id=order.pk).values_list("verb", flat=True))
    assert {"submitted", "approved", "credit_override", "confirmed"} <= set(verbs)


def test_a_reviewer_sends_an_order_back_with_a_reason(shop: Shop):
    SalesSettings.objects.filter(org=shop.org).update(order_review=True)
    order = _order(shop)
    with pytest.raises(BusinessRuleViolation):
        reject_order(org=shop.org, actor=shop.boss, order=order, reason=" ")
    order = reject_order(org=shop.org, actor=shop.boss, order=order, reason="价格不对")
    assert order.status == OrderStatus.DRAFT and order.number  # keeps its number
    order = submit_order(org=shop.org, actor=shop.rep, order=order)
    assert order.status == OrderStatus.ORDER_REVIEW


def test_an_order_entered_for_the_customer_waits_for_its_confirmation(shop: Shop):
    order = _order(shop, submit=False)
    order = submit_order(org=shop.org, actor=shop.rep, order=order, for_customer=True)
    assert order.status == OrderStatus.AWAITING_CUSTOMER
    assert order.customer_token.startswith(f"{shop.org.pk}-") and len(order.customer_token) > 30
    assert _level(shop, shop.beer).reserved == 0
    order = confirm_by_customer(org=shop.org, order=order)
    assert order.status == OrderStatus.CONFIRMED and order.customer_confirmed_at
    with pytest.raises(BusinessRuleViolation):
        confirm_by_customer(org=shop.org, order=order)


def test_cancelling_a_confirmed_order_frees_stock_and_credit(shop: Shop):
    order = _order(shop)
    with pytest.raises(PermissionDenied):
        cancel_order(org=shop.org, actor=shop.rep, order=order)
    cancel_order(org=shop.org, actor=shop.finance, order=order, reason="客户不要了")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert _level(shop, shop.beer).reserved == 0 and not CreditCommitment.objects.exists()


@pytest.mark.parametrize(
    "line, code",
    [
        (LineInput(0, Decimal(1)), "unknown_product"),
        (LineInput(-1, Decimal(1)), "unknown_product"),
        ("beer", "invalid_quantity"),
        ("unit", "unknown_unit"),
    ],
)
def test_bad_lines_are_refused_and_change_nothing(shop: Shop, line, code):
    order = _order(shop, submit=False)
    before = list(order.lines.values_list("product_id", "quantity"))
    if line == "beer":
        line = LineInput(shop.beer.pk, Decimal("-1"))
    elif line == "unit":
        line = LineInput(shop.beer.pk, Decimal(1), "桶")
    with pytest.raises(BusinessRuleViolation) as refused:
        set_order_lines(org=shop.org, actor=shop.rep, order=order, lines=[line])
    assert refused.value.code == code
    assert list(order.lines.values_list("product_id", "quantity")) == before
