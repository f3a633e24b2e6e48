"""PostgreSQL: the one-call confirmation (migration sales 0006) writes exactly what the Python
services write, and leaves to them every order that needs a judgement.

Each case confirms the same order twice from the same state — once as `submit_order` does it
(the database function first), once through the services alone — and compares every row the
confirmation wrote, or the refusal."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qudao.catalog.tests.factories import CustomerFactory
from qudao.core.errors import BusinessRuleViolation
from qudao.finance.models import CreditCommitment
from qudao.finance.services import (
    PolicyData,
    follow_group_policy,
    grant_temporary_raise,
    set_group_policy,
)
from qudao.finance.tests.credit_helpers import give_policy
from qudao.inventory.models import Reservation, StockLevel
from qudao.inventory.services import MoveLine, move_stock
from qudao.inventory.tests.factories import LocationFactory
from qudao.sales.models import OrderStatus, SalesOrder, SalesSettings
from qudao.sales.services import LineInput, OrderData, place_order, submit_order
from qudao.sales.services import orders as order_services
from qudao.sales.tests.conftest import Shop
from qudao.tenancy.models import Event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _written(order: SalesOrder, events_after: int) -> dict[str, Any]:
    """Everything a confirmation of `order` writes, without the ids and times it cannot share."""
    row = SalesOrder.objects.get(pk=order.pk)
    return {
        "order": (
            row.status,
            row.number,
            row.confirmed_by_id,
            row.submitted_at is not None,
            row.confirmed_at is not None,
        ),
        "commitments": sorted(
            CreditCommitment.objects.filter(reference=order.reference).values_list(
                "customer_id", "stage", "amount", "overridden_by_id"
            )
        ),
        "reservations": sorted(
            Reservation.objects.filter(reference=order.reference).values_list(
                "product_id", "location_id", "quantity", "actor_id", "released_at"
            )
        ),
        "levels": sorted(
            StockLevel.objects.values_list("product_id", "location_id", "on_hand", "reserved")
        ),
        "events": [
            (e.actor_id, e.subject_type, e.subject_id, e.verb, e.reason, e.data)
            for e in Event.objects.filter(pk__gt=events_after).order_by("pk")
        ],
    }


def _confirm(shop: Shop, order: SalesOrder, actor_name: str) -> tuple[object, dict[str, Any]]:
    """Submit `order` in a savepoint that is rolled back: (outcome, what it wrote)."""
    actor = getattr(shop, actor_name)
    events_after = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    savepoint = transaction.savepoint()
    try:
        try:
            confirmed = submit_order(org=shop.org, actor=actor, order=SalesOrder(pk=order.pk))
            outcome: object = confirmed.status
        except BusinessRuleViolation as refusal:
            outcome = (refusal.code, refusal.message)
        return outcome, _written(order, events_after)
    finally:
        transaction.savepoint_rollback(savepoint)


def _draft(shop: Shop, lines: dict[str, int]) -> SalesOrder:
    products = {"beer": shop.beer, "wine": shop.wine}
    return place_order(
        org=shop.org,
        actor=shop.boss,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=[LineInput(products[name].pk, Decimal(q)) for name, q in lines.items()],
        submit=False,
    )


def _limit(**fields: object) -> Callable[[Shop], None]:
    def set_policy(shop: Shop) -> None:
        give_policy(org=shop.org, actor=shop.boss, customer=shop.customer, **fields)

    return set_policy


def _raise(shop: Shop) -> None:
    give_policy(org=shop.org, actor=shop.boss, customer=shop.customer, credit_limit="0")
    today = timezone.localdate()
    grant_temporary_raise(
        org=shop.org,
        actor=shop.boss,
        customer=shop.customer,
        amount=Decimal("2000"),
        starts_on=today,
        expires_on=today + datetime.timedelta(days=7),
        reason="旺季备货",
    )


def _second_shelf(shop: Shop) -> None:
    shelf = LocationFactory(code="A2", name="A区二号", warehouse=shop.shelf.warehouse)
    move_stock(
        org=shop.org,
        actor=shop.keeper,
        moves=[MoveLine(shop.wine.pk, Decimal(6), to_location_id=shelf.pk, unit_cost=Decimal(30))],
        reason="receipt",
    )


def _order_review(shop: Shop) -> None:
    SalesSettings.objects.filter(org=shop.org).update(order_review=True)


def _group_policy(shop: Shop) -> None:
    follow_group_policy(org=shop.org, actor=shop.boss, customer=shop.customer)
    set_group_policy(
        org=shop.org,
        actor=shop.boss,
        tier="",
        customer_type="",
        data=PolicyData(credit_limit=Decimal("5000")),
    )


def _nothing(shop: Shop) -> None:
    del shop


def _someone_elses_customer(shop: Shop) -> None:
    shop.customer.owner = shop.boss
    shop.customer.save(update_fields=["owner"])


# (name, set-up, lines, who submits, whether the one call confirms it, expected outcome)
CASES = [
    ("fits the limit", _nothing, {"beer": 10}, "boss", True, OrderStatus.CONFIRMED),
    ("a rep's own customer", _nothing, {"beer": 10}, "rep", True, OrderStatus.CONFIRMED),
    ("over the limit: blocked", _nothing, {"beer": 200}, "boss", False, "credit_limit_exceeded"),
    (
        "over the limit: warned",
        _limit(credit_limit="100", on_exceeded="warn"),
        {"beer": 40},
        "boss",
        False,
        OrderStatus.CONFIRMED,
    ),
    (
        "over the limit: approval",
        _limit(credit_limit="100", on_exceeded="approve"),
        {"beer": 40},
        "boss",
        False,
        "approval_required",
    ),
    ("cash on delivery", _limit(mode="cod"), {"beer": 200}, "boss", True, OrderStatus.CONFIRMED),
    (
        "prepay only",
        _limit(mode="prepay", credit_limit="5000"),
        {"beer": 10},
        "boss",
        False,
        "prepay_only",
    ),
    ("grade C", _limit(credit_limit="5000", grade="C"), {"beer": 10}, "boss", False, "prepay_only"),
    ("a temporary raise", _raise, {"beer": 200}, "boss", True, OrderStatus.CONFIRMED),
    (
        "stock on two shelves",
        _second_shelf,
        {"wine": 14, "beer": 3},
        "boss",
        True,
        OrderStatus.CONFIRMED,
    ),
    ("short of stock", _nothing, {"wine": 11}, "boss", False, "insufficient_stock"),
    ("order review first", _order_review, {"beer": 10}, "boss", False, OrderStatus.ORDER_REVIEW),
    ("a group's policy", _group_policy, {"beer": 10}, "boss", False, OrderStatus.CONFIRMED),
    (
        "another rep's customer",
        _someone_elses_customer,
        {"beer": 10},
        "rep",
        False,
        "not_your_customer",
    ),
]


@pytest.mark.parametrize(
    ("setup", "lines", "actor", "at_once", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_one_call_writes_what_the_services_write(
    shop: Shop,
    monkeypatch: pytest.MonkeyPatch,
    setup: Callable[[Shop], None],
    lines: dict[str, int],
    actor: str,
    at_once: bool,
    expected: str,
) -> None:
    setup(shop)
    order = _draft(shop, lines)
    calls: list[bool] = []
    one_call = order_services._confirm_at_once

    def spied(*args: Any) -> SalesOrder | None:
        result = one_call(*args)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(order_services, "_confirm_at_once", spied)
    both_ways = _confirm(shop, order, actor)
    monkeypatch.setattr(order_services, "_confirm_at_once", lambda *args: None)
    services_only = _confirm(shop, order, actor)

    assert calls == [at_once]
    assert both_ways == services_only
    outcome = both_ways[0]
    assert (outcome if isinstance(outcome, str) else outcome[0]) == expected


def test_a_confirmation_that_needs_no_judgement_is_one_statement(shop: Shop) -> None:
    order = _draft(shop, {"beer": 10, "wine": 2})
    with CaptureQueriesContext(connection) as queries:
        confirmed = submit_order(org=shop.org, actor=shop.boss, order=SalesOrder(pk=order.pk))
    assert confirmed.status == OrderStatus.CONFIRMED
    assert confirmed.number.startswith(f"SO{timezone.localdate().year}-")
    assert len(queries.captured_queries) == 1
    assert Reservation.objects.filter(reference=order.reference).count() == 2


def test_an_order_for_the_customer_to_confirm_is_not_confirmed_at_once(shop: Shop) -> None:
    order = _draft(shop, {"beer": 10})
    sent = submit_order(
        org=shop.org, actor=shop.rep, order=SalesOrder(pk=order.pk), for_customer=True
    )
    assert sent.status == OrderStatus.AWAITING_CUSTOMER
    assert not CreditCommitment.objects.filter(reference=order.reference).exists()


def test_a_second_customer_in_the_org_is_untouched(shop: Shop) -> None:
    """The function reads only the order's own customer: another's figures stay as they were."""
    other = CustomerFactory(code="C-QJ", name="曲靖超市", owner=shop.rep)
    give_policy(org=shop.org, actor=shop.boss, customer=other, credit_limit="10")
    order = _draft(shop, {"beer": 10})
    submit_order(org=shop.org, actor=shop.boss, order=SalesOrder(pk=order.pk))
    assert not CreditCommitment.objects.filter(customer=other).exists()
    assert CreditCommitment.objects.get(reference=order.reference).customer_id == shop.customer.pk
