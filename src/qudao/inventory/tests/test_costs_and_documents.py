"""Weighted-average costing, reservations, transfers between warehouses and stock counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qudao.core.errors import BusinessRuleViolation
from qudao.inventory.models import (
    CountStatus,
    LocationKind,
    Reservation,
    StockLevel,
    StockMove,
    TransferStatus,
    WarehouseCost,
)
from qudao.inventory.services import (
    LocationData,
    MoveLine,
    QuantityLine,
    create_count,
    create_location,
    create_transfer,
    create_warehouse,
    move_stock,
    post_count,
    receive_transfer,
    release_reservation,
    reserve_stock,
    set_count_line,
    ship_transfer,
    weighted_average,
)
from qudao.inventory.tests.factories import LocationFactory
from qudao.parties.tests.factories import CustomerFactory


def level(product, location) -> StockLevel:
    return StockLevel.objects.get(product=product, location=location)


def average(product, warehouse) -> Decimal:
    return WarehouseCost.objects.get(product=product, warehouse=warehouse).average_cost


def test_weighted_average_is_rounded_half_up_to_four_places():
    # 3 at 1.00 and 4 at 2.00: 11 / 7 = 1.571428… → 1.5714
    assert weighted_average(
        quantity=Decimal("3"),
        average=Decimal("1"),
        incoming=Decimal("4"),
        incoming_cost=Decimal("2"),
    ) == Decimal("1.5714")
    # 1 at 0.00005 and 1 at 0.0001 → 0.000075 → 0.0001 (half up)
    assert weighted_average(
        quantity=Decimal("1"),
        average=Decimal("0.00005"),
        incoming=Decimal("1"),
        incoming_cost=Decimal("0.0001"),
    ) == Decimal("0.0001")
    assert weighted_average(
        quantity=Decimal("0"),
        average=Decimal("9"),
        incoming=Decimal("2"),
        incoming_cost=Decimal("3.33335"),
    ) == Decimal("3.3334")


def test_receipts_average_and_shipments_go_out_at_the_average(org, keeper, product, shelf, receive):
    # given
    receive(product, shelf, "10", "2.00")
    receive(product, shelf, "30", "3.00")

    # when
    (shipment,) = move_stock(
        org=org,
        actor=keeper,
        moves=[MoveLine(product_id=product.pk, quantity=Decimal("5"), from_location_id=shelf.pk)],
        reason="shipment",
    )

    # then: (10×2 + 30×3) / 40 = 2.75
    assert shipment.unit_cost == Decimal("2.7500")
    assert average(product, shelf.warehouse) == Decimal("2.7500")
    assert WarehouseCost.objects.get(product=product).quantity == Decimal("35.000")


def test_moving_inside_a_warehouse_keeps_the_average(org, keeper, product, shelf, receive):
    receive(product, shelf, "10", "2.00")
    damaged = LocationFactory(warehouse=shelf.warehouse, kind=LocationKind.DAMAGED)
    (move,) = move_stock(
        org=org,
        actor=keeper,
        moves=[
            MoveLine(
                product_id=product.pk,
                quantity=Decimal("4"),
                from_location_id=shelf.pk,
                to_location_id=damaged.pk,
            )
        ],
        reason="transfer",
    )
    assert move.unit_cost == Decimal("2.0000")
    assert WarehouseCost.objects.get(product=product).quantity == Decimal("10.000")


def test_a_transfer_ships_into_transit_and_receives_at_the_source_average(
    org, keeper, product, shelf, receive
):
    # given
    receive(product, shelf, "10", "2.00")
    beijing = create_warehouse(org=org, actor=keeper, code="BJ", name="北京仓")
    target = beijing.locations.get()
    receive(product, target, "10", "4.00")
    transfer = create_transfer(
        org=org,
        actor=keeper,
        from_location_id=shelf.pk,
        to_location_id=target.pk,
        lines=[QuantityLine(product_id=product.pk, quantity=Decimal("6"))],
    )

    # when
    transfer = ship_transfer(org=org, actor=keeper, transfer=transfer)

    # then
    assert transfer.status == TransferStatus.SHIPPED and transfer.number.startswith("TR")
    assert level(product, shelf).on_hand == Decimal("4.000")
    assert level(product, transfer.transit_location).on_hand == Decimal("6.000")

    # when
    transfer = receive_transfer(org=org, actor=keeper, transfer=transfer)

    # then: (10×4 + 6×2) / 16 = 3.25
    assert level(product, target).on_hand == Decimal("16.000")
    assert level(product, transfer.transit_location).on_hand == Decimal("0.000")
    assert average(product, beijing) == Decimal("3.2500")
    with pytest.raises(BusinessRuleViolation) as refused:
        receive_transfer(org=org, actor=keeper, transfer=transfer)
    assert refused.value.code == "invalid_transition"


def test_shipping_a_transfer_without_the_stock_is_refused_and_it_stays_draft(
    org, keeper, product, shelf
):
    target = create_warehouse(org=org, actor=keeper, code="BJ", name="北京仓").locations.get()
    transfer = create_transfer(
        org=org,
        actor=keeper,
        from_location_id=shelf.pk,
        to_location_id=target.pk,
        lines=[QuantityLine(product_id=product.pk, quantity=Decimal("1"))],
    )
    with pytest.raises(BusinessRuleViolation) as refused:
        ship_transfer(org=org, actor=keeper, transfer=transfer)
    assert refused.value.code == "insufficient_stock"
    transfer.refresh_from_db()
    assert (transfer.status, transfer.number) == (TransferStatus.DRAFT, "")


def test_a_count_posts_its_differences_once(org, keeper, product, shelf, receive):
    # given
    receive(product, shelf, "10", "2.00")
    count = create_count(org=org, actor=keeper, location_id=shelf.pk, reason="月末盘点")
    set_count_line(org=org, actor=keeper, count=count, product_id=product.pk, counted=Decimal("7"))

    # when
    count = post_count(org=org, actor=keeper, count=count)

    # then
    assert count.status == CountStatus.POSTED
    assert level(product, shelf).on_hand == Decimal("7.000")
    move = StockMove.objects.get(kind="count")
    assert (move.quantity, move.from_location_id, move.reason) == (
        Decimal("3.000"),
        shelf.pk,
        "月末盘点",
    )
    assert count.lines.get().difference == Decimal("-3.000")
    with pytest.raises(BusinessRuleViolation) as refused:
        post_count(org=org, actor=keeper, count=count)
    assert refused.value.code == "already_posted"
    assert StockMove.objects.filter(kind="count").count() == 1


def test_a_count_with_differences_needs_a_reason(org, keeper, product, shelf):
    count = create_count(org=org, actor=keeper, location_id=shelf.pk)
    set_count_line(org=org, actor=keeper, count=count, product_id=product.pk, counted=Decimal("2"))
    with pytest.raises(BusinessRuleViolation) as refused:
        post_count(org=org, actor=keeper, count=count)
    assert refused.value.code == "reason_required"
    count.refresh_from_db()
    assert count.status == CountStatus.DRAFT
    assert StockMove.objects.count() == 0


def test_a_reservation_never_exceeds_what_is_available(org, product, shelf, receive):
    # given
    receive(product, shelf, "10")
    reserve_stock(
        org=org,
        product_id=product.pk,
        location_id=shelf.pk,
        quantity=Decimal("6"),
        reference="sales_order:1",
    )

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        reserve_stock(
            org=org,
            product_id=product.pk,
            location_id=shelf.pk,
            quantity=Decimal("5"),
            reference="sales_order:2",
        )

    # then
    assert refused.value.code == "insufficient_stock"
    row = level(product, shelf)
    assert (row.reserved, row.on_hand) == (Decimal("6.000"), Decimal("10.000"))


def test_a_warehouse_reservation_spreads_over_locations_and_releases_once(
    org, product, shelf, receive
):
    # given
    second = LocationFactory(warehouse=shelf.warehouse)
    receive(product, shelf, "4")
    receive(product, second, "4")

    # when
    taken = reserve_stock(
        org=org,
        product_id=product.pk,
        warehouse_id=shelf.warehouse_id,
        quantity=Decimal("6"),
        reference="sales_order:9",
    )

    # then
    assert sorted((r.location_id, r.quantity) for r in taken) == sorted(
        [(shelf.pk, Decimal("4")), (second.pk, Decimal("2"))]
    )
    assert release_reservation(org=org, reference="sales_order:9") == Decimal("6")
    assert release_reservation(org=org, reference="sales_order:9") == Decimal("0")
    assert level(product, shelf).reserved == Decimal("0.000")
    assert not Reservation.objects.filter(released_at__isnull=True).exists()


def test_a_consignment_location_belongs_to_a_customer(org, keeper, shelf):
    with pytest.raises(BusinessRuleViolation) as refused:
        create_location(
            org=org,
            actor=keeper,
            warehouse=shelf.warehouse,
            data=LocationData(code="C1", name="代销", kind="consignment"),
        )
    assert refused.value.code == "customer_required"
    customer = CustomerFactory(org=org)
    location = create_location(
        org=org,
        actor=keeper,
        warehouse=shelf.warehouse,
        data=LocationData(code="C1", name="代销", kind="consignment", customer_id=customer.pk),
    )
    assert location.customer_id == customer.pk
