"""The return's approval chain: 退货审核 → 财务审核 → 入库审核 → 发货确认 → 收货确认, each step
switchable, who may act at each, and the chain and timeline the return page shows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.inventory.models import StockLevel, StockMove
from qudao.sales import selectors
from qudao.sales.models import SalesOrder, SalesSettings
from qudao.sales.models_returns import ReturnStatus, SalesReturn
from qudao.sales.selectors_returns import events_of, return_chain
from qudao.sales.services import LineInput, OrderData, create_order, set_order_lines
from qudao.sales.services.returns import (
    ReturnLineInput,
    approve_return,
    create_return,
    receive_return,
    reject_return,
    ship_return,
)

from .conftest import Shop
from .helpers_returns import shipped, shipped_commitment

pytestmark = pytest.mark.django_db

FULL_CHAIN = {
    "return_review": True,
    "return_finance_review": True,
    "return_warehouse_acceptance": True,
    "return_shipment": True,
}


def _return(shop: Shop, quantity: str = "10") -> SalesReturn:
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    return create_return(
        org=shop.org,
        actor=shop.rep,
        delivery=delivery,
        reason="临期退货",
        lines=[ReturnLineInput(delivery.lines.get().pk, Decimal(quantity), shop.shelf.pk)],
    )


def _chain(sales_return: SalesReturn) -> dict[str, str]:
    sales_return.refresh_from_db()
    settings = SalesSettings.objects.get()
    steps = return_chain(sales_return, settings, events_of("sales.salesreturn", sales_return.pk))
    return {step.key: step.state for step in steps}


def test_a_return_passes_every_step_of_the_full_chain_each_by_its_own_people(shop: Shop):
    # given
    SalesSettings.objects.filter(org=shop.org).update(**FULL_CHAIN)
    sales_return = _return(shop)
    assert sales_return.status == ReturnStatus.REVIEW and sales_return.total == Decimal("56.50")

    # when / then: 退货审核 by the boss, not the warehouse
    with pytest.raises(PermissionDenied):
        approve_return(org=shop.org, actor=shop.keeper, sales_return=sales_return)
    approve_return(org=shop.org, actor=shop.boss, sales_return=sales_return)
    assert _chain(sales_return)["review"] == "done"
    assert sales_return.status == ReturnStatus.FINANCE_REVIEW
    # 财务审核 by finance, not the sales rep
    with pytest.raises(PermissionDenied):
        approve_return(org=shop.org, actor=shop.rep, sales_return=sales_return)
    approve_return(org=shop.org, actor=shop.finance, sales_return=sales_return)
    sales_return.refresh_from_db()
    assert sales_return.status == ReturnStatus.WAREHOUSE_ACCEPTANCE
    # 入库审核 by the warehouse, not finance
    with pytest.raises(PermissionDenied):
        approve_return(org=shop.org, actor=shop.finance, sales_return=sales_return)
    with pytest.raises(BusinessRuleViolation) as refused:
        receive_return(org=shop.org, actor=shop.keeper, sales_return=sales_return)
    assert refused.value.code == "not_reviewed"
    approve_return(org=shop.org, actor=shop.keeper, sales_return=sales_return)
    sales_return.refresh_from_db()
    assert sales_return.status == ReturnStatus.APPROVED
    # 发货确认 comes before receiving
    with pytest.raises(BusinessRuleViolation) as refused:
        receive_return(org=shop.org, actor=shop.keeper, sales_return=sales_return)
    assert refused.value.code == "not_on_the_way"
    with pytest.raises(BusinessRuleViolation) as refused:
        approve_return(org=shop.org, actor=shop.boss, sales_return=sales_return)
    assert refused.value.code == "not_in_review"
    assert StockMove.objects.filter(reference_type="sales_return").count() == 0
    ship_return(org=shop.org, actor=shop.rep, sales_return=sales_return, carrier="司机王师傅")
    sales_return.refresh_from_db()
    assert (sales_return.status, sales_return.carrier) == (ReturnStatus.IN_TRANSIT, "司机王师傅")
    # 收货确认: the stock move and the lower commitment happen here
    receive_return(org=shop.org, actor=shop.keeper, sales_return=sales_return)
    sales_return.refresh_from_db()
    assert sales_return.status == ReturnStatus.RECEIVED
    move = StockMove.objects.get(reference_type="sales_return", reference_id=sales_return.pk)
    assert (move.quantity, move.unit_cost) == (Decimal(10), Decimal(3))
    assert StockLevel.objects.get(product=shop.beer, location=shop.shelf).on_hand == Decimal(226)
    assert shipped_commitment(sales_return.delivery.order) == Decimal("79.10")
    assert _chain(sales_return) == {
        "created": "done",
        "review": "done",
        "finance_review": "done",
        "warehouse_acceptance": "done",
        "shipped": "done",
        "received": "done",
    }
    events = events_of("sales.salesreturn", sales_return.pk)
    assert [(e.verb, e.actor_id, (e.data or {}).get("step")) for e in reversed(events)] == [
        ("created", shop.rep.pk, None),
        ("approved", shop.boss.pk, "review"),
        ("approved", shop.finance.pk, "finance"),
        ("approved", shop.keeper.pk, "acceptance"),
        ("sent_back", shop.rep.pk, None),
        ("received", shop.keeper.pk, None),
    ]


def test_steps_switched_off_are_skipped_and_shown_off(shop: Shop):
    # given: only return review is on (the default)
    sales_return = _return(shop)
    assert _chain(sales_return) == {
        "created": "done",
        "review": "current",
        "finance_review": "off",
        "warehouse_acceptance": "off",
        "shipped": "off",
        "received": "waiting",
    }

    # when
    approve_return(org=shop.org, actor=shop.finance, sales_return=sales_return)

    # then: straight to receiving
    sales_return.refresh_from_db()
    assert sales_return.status == ReturnStatus.APPROVED
    assert _chain(sales_return)["received"] == "current"
    with pytest.raises(BusinessRuleViolation) as refused:
        ship_return(org=shop.org, actor=shop.rep, sales_return=sales_return)
    assert refused.value.code == "step_switched_off"
    # a step switched on after the return passed it stays off for this return
    SalesSettings.objects.filter(org=shop.org).update(return_finance_review=True)
    assert _chain(sales_return)["finance_review"] == "off"
    receive_return(org=shop.org, actor=shop.keeper, sales_return=sales_return)
    assert StockLevel.objects.get(product=shop.beer, location=shop.shelf).on_hand == Decimal(226)


def test_the_first_step_that_is_on_comes_first_and_the_warehouse_may_refuse_the_goods(shop: Shop):
    # given: no return review, but finance review and warehouse acceptance
    SalesSettings.objects.filter(org=shop.org).update(
        return_review=False, return_finance_review=True, return_warehouse_acceptance=True
    )
    sales_return = _return(shop)
    assert sales_return.status == ReturnStatus.FINANCE_REVIEW
    approve_return(org=shop.org, actor=shop.finance, sales_return=sales_return)

    # when: the warehouse refuses to take the goods back
    with pytest.raises(PermissionDenied):
        reject_return(org=shop.org, actor=shop.rep, sales_return=sales_return, reason="x")
    reject_return(org=shop.org, actor=shop.keeper, sales_return=sales_return, reason="库满")

    # then: nothing moved, and the chain stops there
    sales_return.refresh_from_db()
    assert sales_return.status == ReturnStatus.REJECTED
    assert StockMove.objects.filter(reference_type="sales_return").count() == 0
    assert _chain(sales_return) == {
        "created": "done",
        "review": "off",
        "finance_review": "done",
        "warehouse_acceptance": "waiting",
        "shipped": "off",
        "received": "waiting",
    }


def test_goods_on_their_way_can_no_longer_be_rejected(shop: Shop):
    SalesSettings.objects.filter(org=shop.org).update(return_review=False, return_shipment=True)
    sales_return = _return(shop)
    ship_return(org=shop.org, actor=shop.keeper, sales_return=sales_return)
    with pytest.raises(BusinessRuleViolation) as refused:
        reject_return(org=shop.org, actor=shop.boss, sales_return=sales_return, reason="晚了")
    assert refused.value.code == "invalid_transition"
    sales_return.refresh_from_db()
    assert sales_return.status == ReturnStatus.IN_TRANSIT


def test_a_draft_order_waits_on_nobody(shop: Shop):
    order = create_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
    )
    set_order_lines(
        org=shop.org, actor=shop.rep, order=order, lines=[LineInput(shop.beer.pk, Decimal(1))]
    )
    order = SalesOrder.objects.get(pk=order.pk)
    steps = selectors.chain(order, SalesSettings.objects.get(), selectors.order_events(order))
    assert [step.state for step in steps] == [
        "waiting",
        "off",
        "off",
        "off",
        "waiting",
        "waiting",
    ]


def test_the_return_page_shows_the_chain_and_each_member_only_their_step(shop: Shop, login):
    SalesSettings.objects.filter(org=shop.org).update(**FULL_CHAIN)
    sales_return = _return(shop)
    url = reverse("sales-return-detail", args=[sales_return.pk])
    approve = reverse("sales-return-approve", args=[sales_return.pk])
    assert approve not in login(shop.keeper).get(url).content.decode()
    page = login(shop.boss).get(url).content.decode()
    assert approve in page and 'data-step="finance_review" data-state="waiting"' in page
    login(shop.boss).post(approve)
    page = login(shop.finance).get(url).content.decode()
    assert approve in page and 'data-step="finance_review" data-state="current"' in page
    assert "Return review (退货审核)" in page and 'data-testid="timeline"' in page
