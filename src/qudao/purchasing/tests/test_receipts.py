"""Goods receipts: stock moves at the order's price, partial/over/short, damage, serials,
push stock (压货), reversal, and refusals that change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.inventory.models import StockLevel, StockMove, WarehouseCost
from qudao.purchasing import services
from qudao.purchasing.models import GoodsReceipt, OrderStatus, ReceivedSerial
from qudao.purchasing.services import ReceiptLineData, SerialData


def on_hand(product, location) -> Decimal:
    level = StockLevel.objects.filter(product=product, location=location).first()
    return level.on_hand if level else Decimal("0.000")


def receive(org, actor, order, shelf, product, quantity, damaged="0", **kwargs):
    return services.post_receipt(
        org=org,
        actor=actor,
        order=order,
        location_id=shelf.pk,
        lines=[
            ReceiptLineData(
                product_id=product.pk, quantity=Decimal(quantity), damaged_quantity=Decimal(damaged)
            )
        ],
        **kwargs,
    )


def test_a_receipt_moves_stock_in_at_the_order_price_and_updates_the_average(
    org, keeper, confirmed, beer, shelf
):
    # when: 60 of the 120 bottles arrive
    receipt = receive(org, keeper, confirmed, shelf, beer, "60")

    # then
    move = StockMove.objects.get(reference_type="goods_receipt", reference_id=receipt.pk)
    assert (move.kind, move.quantity, move.unit_cost, move.to_location_id) == (
        "receipt",
        Decimal("60.000"),
        Decimal("2.5000"),
        shelf.pk,
    )
    assert on_hand(beer, shelf) == Decimal("60.000")
    cost = WarehouseCost.objects.get(product=beer, warehouse=shelf.warehouse)
    assert (cost.quantity, cost.average_cost) == (Decimal("60.000"), Decimal("2.5000"))
    assert receipt.number == f"GR{timezone.localdate().year}-000001"
    assert not receipt.is_push_stock


def test_partial_receipts_advance_the_order_until_received(org, keeper, confirmed, beer, shelf):
    receive(org, keeper, confirmed, shelf, beer, "50")
    confirmed.refresh_from_db()
    line = confirmed.lines.get()
    assert (confirmed.status, line.received_quantity, line.open_quantity) == (
        OrderStatus.PARTIALLY_RECEIVED,
        Decimal("50.000"),
        Decimal("70.000"),
    )

    second = receive(org, keeper, confirmed, shelf, beer, "70")

    confirmed.refresh_from_db()
    assert confirmed.status == OrderStatus.RECEIVED
    assert second.lines.get().expected_quantity == Decimal("70.000")


def test_short_delivery_is_recorded_and_closing_keeps_it(org, boss, keeper, confirmed, beer, shelf):
    receipt = receive(org, keeper, confirmed, shelf, beer, "100")
    line = receipt.lines.get()
    assert (line.expected_quantity, line.short_quantity, line.over_quantity) == (
        Decimal("120.000"),
        Decimal("20.000"),
        Decimal("0.000"),
    )

    order = services.close_order(org=org, actor=boss, order=confirmed, reason="厂家缺货")

    assert order.status == OrderStatus.CLOSED
    assert order.lines.get().open_quantity == Decimal("20.000")


def test_over_delivery_within_the_tolerance_is_not_push_stock(
    org, boss, keeper, supplier, beer, shelf
):
    services.set_supplier_terms(
        org=org,
        actor=boss,
        supplier=supplier,
        payment_condition="terms",
        over_delivery_tolerance=Decimal("10"),
    )
    order = services.create_order(
        org=org, actor=boss, data=services.OrderData(supplier_id=supplier.pk)
    )
    services.set_order_line(
        org=org, actor=boss, order=order, product_id=beer.pk, quantity=Decimal(100)
    )
    order = services.confirm_order(org=org, actor=boss, order=order)

    within = receive(org, keeper, order, shelf, beer, "110")

    line = within.lines.get()
    assert (line.over_quantity, line.push_quantity, within.is_push_stock) == (
        Decimal("10.000"),
        Decimal("0.000"),
        False,
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED

    beyond = receive(org, keeper, order, shelf, beer, "5")
    assert (beyond.lines.get().push_quantity, beyond.is_push_stock) == (Decimal("5.000"), True)


def test_over_delivery_beyond_a_zero_tolerance_is_flagged_as_push_stock(
    org, keeper, confirmed, beer, shelf
):
    receipt = receive(org, keeper, confirmed, shelf, beer, "144")

    line = receipt.lines.get()
    assert (line.over_quantity, line.push_quantity) == (Decimal("24.000"), Decimal("24.000"))
    assert receipt.is_push_stock
    assert confirmed.lines.get().over_quantity == Decimal("24.000")


def test_a_receipt_without_an_order_is_push_stock_at_the_price_list_cost(
    org, keeper, supplier, beer, shelf
):
    receipt = services.post_receipt(
        org=org,
        actor=keeper,
        supplier_id=supplier.pk,
        location_id=shelf.pk,
        lines=[ReceiptLineData(product_id=beer.pk, quantity=Decimal(48))],
    )

    assert receipt.is_push_stock and receipt.order_id is None
    line = receipt.lines.get()
    assert (line.push_quantity, line.unit_cost) == (Decimal("48.000"), Decimal("2.5000"))
    assert list(GoodsReceipt.objects.filter(is_push_stock=True)) == [receipt]
    assert on_hand(beer, shelf) == Decimal("48.000")


def test_damaged_goods_go_to_the_damaged_location_and_count_as_delivered(
    org, keeper, confirmed, beer, shelf, damaged
):
    receipt = receive(
        org, keeper, confirmed, shelf, beer, "108", damaged="12", damaged_location_id=damaged.pk
    )

    assert on_hand(beer, shelf) == Decimal("108.000")
    assert on_hand(beer, damaged) == Decimal("12.000")
    line = confirmed.lines.get()
    assert (line.received_quantity, line.damaged_quantity) == (
        Decimal("120.000"),
        Decimal("12.000"),
    )
    assert receipt.lines.get().damaged_quantity == Decimal("12.000")


def test_damaged_goods_without_a_damaged_location_are_refused_and_nothing_moves(
    org, keeper, confirmed, beer, shelf
):
    with pytest.raises(BusinessRuleViolation) as refused:
        receive(org, keeper, confirmed, shelf, beer, "100", damaged="20")

    assert refused.value.code == "invalid_location"
    assert (StockMove.objects.count(), GoodsReceipt.objects.count()) == (0, 0)
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.lines.get().received_quantity) == ("confirmed", Decimal(0))


@pytest.fixture
def fridge_order(org, boss, supplier, fridge):
    order = services.create_order(
        org=org, actor=boss, data=services.OrderData(supplier_id=supplier.pk)
    )
    services.set_order_line(
        org=org, actor=boss, order=order, product_id=fridge.pk, quantity=Decimal(3)
    )
    return services.confirm_order(org=org, actor=boss, order=order)


def test_every_serial_is_recorded_with_its_factory_and_receipt_dates(
    org, keeper, fridge_order, fridge, shelf, damaged
):
    serials = services.parse_serials(
        "SN-1, 2026-01-05\nSN-2, 2026-02-01\nSN-3, 2026-02-01, damaged"
    )
    received_on = timezone.localdate()

    receipt = services.post_receipt(
        org=org,
        actor=keeper,
        order=fridge_order,
        location_id=shelf.pk,
        damaged_location_id=damaged.pk,
        received_on=received_on,
        lines=[
            ReceiptLineData(
                product_id=fridge.pk,
                quantity=Decimal(2),
                damaged_quantity=Decimal(1),
                serials=serials,
            )
        ],
    )

    rows = list(
        ReceivedSerial.objects.filter(receipt=receipt)
        .order_by("serial")
        .values_list("serial", "factory_date", "received_on", "is_damaged")
    )
    assert rows == [
        ("SN-1", date(2026, 1, 5), received_on, False),
        ("SN-2", date(2026, 2, 1), received_on, False),
        ("SN-3", date(2026, 2, 1), received_on, True),
    ]
    moves = StockMove.objects.filter(reference_id=receipt.pk).order_by("serial")
    assert [(m.serial, m.quantity, m.to_location_id, m.unit_cost) for m in moves] == [
        ("SN-1", Decimal("1.000"), shelf.pk, Decimal("1200.0000")),
        ("SN-2", Decimal("1.000"), shelf.pk, Decimal("1200.0000")),
        ("SN-3", Decimal("1.000"), damaged.pk, Decimal("1200.0000")),
    ]


def test_a_serial_already_received_is_refused_and_nothing_changes(
    org, keeper, fridge_order, fridge, shelf
):
    first = SerialData(serial="SN-1", factory_date=date(2026, 1, 5))
    services.post_receipt(
        org=org,
        actor=keeper,
        order=fridge_order,
        location_id=shelf.pk,
        lines=[ReceiptLineData(product_id=fridge.pk, quantity=Decimal(1), serials=(first,))],
    )

    with pytest.raises(BusinessRuleViolation) as refused:
        services.post_receipt(
            org=org,
            actor=keeper,
            order=fridge_order,
            location_id=shelf.pk,
            lines=[ReceiptLineData(product_id=fridge.pk, quantity=Decimal(1), serials=(first,))],
        )

    assert refused.value.code == "serial_already_received"
    assert (ReceivedSerial.objects.count(), GoodsReceipt.objects.count()) == (1, 1)
    assert on_hand(fridge, shelf) == Decimal("1.000")


@pytest.mark.parametrize(
    ("serials", "code"),
    [
        ((), "serials_do_not_match"),
        (
            (SerialData("A", date(2026, 1, 1)), SerialData("A", date(2026, 1, 1))),
            "duplicate_serial",
        ),
        (
            (SerialData("A", date(2026, 1, 1)),) * 1 + (SerialData("B", date(2999, 1, 1)),),
            "factory_date_in_future",
        ),
    ],
)
def test_serials_must_match_the_quantity_be_unique_and_dated(
    org, keeper, fridge_order, fridge, shelf, serials, code
):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.post_receipt(
            org=org,
            actor=keeper,
            order=fridge_order,
            location_id=shelf.pk,
            lines=[ReceiptLineData(product_id=fridge.pk, quantity=Decimal(2), serials=serials)],
        )
    assert refused.value.code == code
    assert (StockMove.objects.count(), ReceivedSerial.objects.count()) == (0, 0)


def test_a_serial_line_without_a_factory_date_is_refused():
    with pytest.raises(BusinessRuleViolation) as refused:
        services.parse_serials("SN-1")
    assert refused.value.code == "invalid_serial_line"
    with pytest.raises(BusinessRuleViolation) as refused:
        services.parse_serials("SN-1, 01/10/2026")
    assert refused.value.code == "invalid_factory_date"


def test_the_warehouse_receives_but_sales_reps_do_not(org, rep, confirmed, beer, shelf):
    with pytest.raises(PermissionDenied):
        receive(org, rep, confirmed, shelf, beer, "1")
    assert StockMove.objects.count() == 0


def test_goods_are_not_received_on_a_draft(org, keeper, draft, beer, shelf):
    with pytest.raises(BusinessRuleViolation) as refused:
        receive(org, keeper, draft, shelf, beer, "1")
    assert refused.value.code == "order_not_receivable"


def test_goods_are_not_received_in_the_future(org, keeper, confirmed, beer, shelf):
    with pytest.raises(BusinessRuleViolation) as refused:
        receive(
            org,
            keeper,
            confirmed,
            shelf,
            beer,
            "1",
            received_on=timezone.localdate() + timedelta(days=1),
        )
    assert refused.value.code == "received_in_future"


def test_a_reversal_sends_the_goods_back_and_reopens_the_order(
    org, keeper, confirmed, fridge_order, beer, fridge, shelf
):
    receipt = receive(org, keeper, confirmed, shelf, beer, "120")
    serial = SerialData(serial="SN-9", factory_date=date(2026, 1, 5))
    fridge_receipt = services.post_receipt(
        org=org,
        actor=keeper,
        order=fridge_order,
        location_id=shelf.pk,
        lines=[ReceiptLineData(product_id=fridge.pk, quantity=Decimal(1), serials=(serial,))],
    )

    reversal = services.reverse_receipt(org=org, actor=keeper, receipt=receipt, note="质量问题退厂")
    services.reverse_receipt(org=org, actor=keeper, receipt=fridge_receipt, note="退厂")

    assert reversal.reverses_id == receipt.pk
    assert reversal.lines.get().quantity == Decimal("-120.000")
    assert on_hand(beer, shelf) == Decimal("0.000")
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.lines.get().received_quantity) == ("confirmed", Decimal(0))
    back = StockMove.objects.get(reference_id=reversal.pk, reference_type="goods_receipt")
    assert back.reverses_id == StockMove.objects.get(reference_id=receipt.pk).pk
    assert ReceivedSerial.objects.get(serial="SN-9").returned_at is not None
    # the same unit may come again later
    again = services.post_receipt(
        org=org,
        actor=keeper,
        order=fridge_order,
        location_id=shelf.pk,
        lines=[ReceiptLineData(product_id=fridge.pk, quantity=Decimal(1), serials=(serial,))],
    )
    assert again.serials.get().serial == "SN-9"


def test_a_receipt_is_reversed_once_only(org, keeper, confirmed, beer, shelf):
    receipt = receive(org, keeper, confirmed, shelf, beer, "10")
    reversal = services.reverse_receipt(org=org, actor=keeper, receipt=receipt, note="退")

    for target in (receipt, reversal):
        with pytest.raises(BusinessRuleViolation) as refused:
            services.reverse_receipt(org=org, actor=keeper, receipt=target, note="again")
        assert refused.value.code == "not_reversible"
    assert GoodsReceipt.objects.count() == 2


def test_a_reversal_is_refused_when_the_goods_are_gone(org, keeper, confirmed, beer, shelf):
    from qudao.inventory.services import MoveLine, adjust_stock

    receipt = receive(org, keeper, confirmed, shelf, beer, "10")
    adjust_stock(
        org=org,
        actor=keeper,
        note="sold",
        moves=[MoveLine(product_id=beer.pk, quantity=Decimal(5), from_location_id=shelf.pk)],
    )

    with pytest.raises(BusinessRuleViolation) as refused:
        services.reverse_receipt(org=org, actor=keeper, receipt=receipt, note="退")

    assert refused.value.code == "insufficient_stock"
    assert GoodsReceipt.objects.count() == 1
    confirmed.refresh_from_db()
    assert confirmed.lines.get().received_quantity == Decimal("10.000")
