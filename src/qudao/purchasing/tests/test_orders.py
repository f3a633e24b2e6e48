"""Purchase orders: drafts, price prefill, confirmation and numbering, cancel/close, prepayment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.purchasing import services
from qudao.purchasing.models import OrderStatus, PaymentCondition, Prepayment, PurchaseOrder
from qudao.tenancy.models import Event


def test_a_line_is_prefilled_from_the_suppliers_purchase_price_list(org, boss, draft, beer):
    # when
    line = services.set_order_line(
        org=org, actor=boss, order=draft, product_id=beer.pk, quantity=Decimal(2), unit="箱"
    )

    # then: 2 箱 = 24 瓶 at 2.5000 a bottle
    assert (line.unit, line.unit_quantity, line.quantity) == ("箱", Decimal(2), Decimal(24))
    assert (line.unit_price, line.amount) == (Decimal("2.5000"), Decimal("60.00"))
    assert "雪花进价" in line.price_rule
    draft.refresh_from_db()
    assert draft.total == Decimal("60.00")


def test_a_price_typed_by_hand_wins_and_zero_removes_the_line(org, boss, draft, beer):
    services.set_order_line(
        org=org,
        actor=boss,
        order=draft,
        product_id=beer.pk,
        quantity=Decimal(5),
        unit_price=Decimal("2.3333"),
    )
    draft.refresh_from_db()
    assert draft.total == Decimal("11.67")

    services.set_order_line(
        org=org, actor=boss, order=draft, product_id=beer.pk, quantity=Decimal(0)
    )

    draft.refresh_from_db()
    assert (draft.lines.count(), draft.total) == (0, Decimal("0.00"))


def test_a_product_without_a_purchase_price_needs_one_typed(org, boss, draft):
    from qudao.catalog.tests.factories import ProductFactory

    unpriced = ProductFactory(code="NOPRICE")
    with pytest.raises(BusinessRuleViolation) as refused:
        services.set_order_line(
            org=org, actor=boss, order=draft, product_id=unpriced.pk, quantity=Decimal(1)
        )
    assert refused.value.code == "no_price"
    assert draft.lines.count() == 0


def test_an_unknown_unit_is_refused(org, boss, draft, beer):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.set_order_line(
            org=org, actor=boss, order=draft, product_id=beer.pk, quantity=Decimal(1), unit="托"
        )
    assert refused.value.code == "unknown_unit"


def test_drafts_have_no_number_and_confirmation_numbers_and_copies_names(org, boss, draft, beer):
    services.set_order_line(
        org=org, actor=boss, order=draft, product_id=beer.pk, quantity=Decimal(1)
    )
    assert draft.number == ""
    beer.name = "雪花啤酒（新）"
    beer.save(update_fields=["name"])

    # when
    order = services.confirm_order(org=org, actor=boss, order=draft)

    # then
    year = timezone.localdate().year
    assert (order.status, order.number) == (OrderStatus.CONFIRMED, f"PO{year}-000001")
    assert order.supplier_name == "华润雪花"
    line = order.lines.get()
    assert (line.product_code, line.product_name, line.base_unit) == (
        "BEER-1",
        "雪花啤酒（新）",
        "瓶",
    )
    assert Event.objects.filter(subject_id=order.pk, verb="confirmed").count() == 1


def test_numbers_follow_each_other_in_confirmation_order(org, boss, supplier, beer):
    numbers = []
    for _ in range(2):
        order = services.create_order(
            org=org, actor=boss, data=services.OrderData(supplier_id=supplier.pk)
        )
        services.set_order_line(
            org=org, actor=boss, order=order, product_id=beer.pk, quantity=Decimal(1)
        )
        numbers.append(services.confirm_order(org=org, actor=boss, order=order).number)
    year = timezone.localdate().year
    assert numbers == [f"PO{year}-000001", f"PO{year}-000002"]


def test_an_empty_draft_is_not_confirmed_and_stays_unnumbered(org, boss, draft):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.confirm_order(org=org, actor=boss, order=draft)
    assert refused.value.code == "empty_order"
    draft.refresh_from_db()
    assert (draft.status, draft.number) == (OrderStatus.DRAFT, "")


def test_a_confirmed_order_cannot_be_changed(org, boss, confirmed, beer):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.set_order_line(
            org=org, actor=boss, order=confirmed, product_id=beer.pk, quantity=Decimal(1)
        )
    assert refused.value.code == "not_draft"
    assert confirmed.lines.get().quantity == Decimal(120)


def test_cancel_and_close_follow_the_transition_table(org, boss, confirmed, draft):
    cancelled = services.cancel_order(org=org, actor=boss, order=confirmed, reason="改单")
    assert cancelled.status == OrderStatus.CANCELLED

    with pytest.raises(BusinessRuleViolation) as refused:
        services.close_order(org=org, actor=boss, order=cancelled)
    assert refused.value.code == "invalid_transition"
    with pytest.raises(BusinessRuleViolation):
        services.close_order(org=org, actor=boss, order=draft)


def test_the_warehouse_cannot_create_orders(org, keeper, supplier):
    with pytest.raises(PermissionDenied):
        services.create_order(
            org=org, actor=keeper, data=services.OrderData(supplier_id=supplier.pk)
        )
    assert PurchaseOrder.objects.count() == 0


def test_finance_may_create_and_confirm(org, finance, supplier, beer):
    order = services.create_order(
        org=org, actor=finance, data=services.OrderData(supplier_id=supplier.pk)
    )
    services.set_order_line(
        org=org, actor=finance, order=order, product_id=beer.pk, quantity=Decimal(1)
    )
    assert services.confirm_order(org=org, actor=finance, order=order).status == "confirmed"


def test_the_payment_condition_defaults_to_the_suppliers_terms(org, boss, supplier):
    services.set_supplier_terms(
        org=org,
        actor=boss,
        supplier=supplier,
        payment_condition=PaymentCondition.PREPAYMENT,
        over_delivery_tolerance=Decimal("5"),
    )

    order = services.create_order(
        org=org, actor=boss, data=services.OrderData(supplier_id=supplier.pk)
    )
    other = services.create_order(
        org=org,
        actor=boss,
        data=services.OrderData(
            supplier_id=supplier.pk, payment_condition=PaymentCondition.CASH_ON_DELIVERY
        ),
    )

    assert (order.payment_condition, order.over_delivery_tolerance) == ("prepayment", Decimal("5"))
    assert other.payment_condition == "cod"


@pytest.fixture
def prepaid_order(org, boss, supplier, beer):
    order = services.create_order(
        org=org,
        actor=boss,
        data=services.OrderData(
            supplier_id=supplier.pk, payment_condition=PaymentCondition.PREPAYMENT
        ),
    )
    services.set_order_line(
        org=org, actor=boss, order=order, product_id=beer.pk, quantity=Decimal(40)
    )
    return services.confirm_order(org=org, actor=boss, order=order)  # total 100.00


def test_prepayment_required_blocks_shipment_until_paid_in_full(org, boss, prepaid_order):
    services.request_prepayment(org=org, actor=boss, order=prepaid_order, amount=Decimal("100.00"))
    services.record_prepayment(
        org=org,
        actor=boss,
        order=prepaid_order,
        amount=Decimal("60.00"),
        paid_on=date(2026, 3, 1),
        reference="BANK-1",
    )

    with pytest.raises(BusinessRuleViolation) as refused:
        services.mark_ready_to_ship(org=org, actor=boss, order=prepaid_order)
    assert refused.value.code == "prepayment_not_paid"
    prepaid_order.refresh_from_db()
    assert prepaid_order.ready_to_ship_at is None
    assert prepaid_order.prepayment_status == "Partially paid"

    services.record_prepayment(
        org=org, actor=boss, order=prepaid_order, amount=Decimal("40.00"), paid_on=date(2026, 3, 2)
    )
    order = services.mark_ready_to_ship(org=org, actor=boss, order=prepaid_order)
    assert order.ready_to_ship_at is not None and order.prepayment_status == "Paid in full"
    assert list(Prepayment.objects.values_list("amount", "reference")) == [
        (Decimal("60.00"), "BANK-1"),
        (Decimal("40.00"), ""),
    ]


def test_prepayments_never_add_up_to_more_than_the_order(org, boss, prepaid_order):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.record_prepayment(
            org=org,
            actor=boss,
            order=prepaid_order,
            amount=Decimal("100.01"),
            paid_on=date(2026, 3, 1),
        )
    assert refused.value.code == "prepayment_too_large"
    prepaid_order.refresh_from_db()
    assert (prepaid_order.prepayment_paid, Prepayment.objects.count()) == (Decimal("0.00"), 0)


def test_an_order_on_terms_is_released_without_prepayment(org, boss, confirmed):
    assert services.mark_ready_to_ship(org=org, actor=boss, order=confirmed).ready_to_ship_at


def test_an_order_with_a_prepayment_is_not_cancelled(org, boss, prepaid_order):
    services.record_prepayment(
        org=org, actor=boss, order=prepaid_order, amount=Decimal("10.00"), paid_on=date(2026, 3, 1)
    )
    with pytest.raises(BusinessRuleViolation) as refused:
        services.cancel_order(org=org, actor=boss, order=prepaid_order)
    assert refused.value.code == "prepayment_made"
    prepaid_order.refresh_from_db()
    assert prepaid_order.status == OrderStatus.CONFIRMED
