"""The move ledger: on hand follows the moves, refusals change nothing, moves never change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.inventory.models import StockLevel, StockMove
from qudao.inventory.selectors import level_mismatches, stock_card
from qudao.inventory.services import (
    MoveLine,
    Reference,
    adjust_stock,
    move_stock,
    reverse_move,
)
from qudao.inventory.tests.factories import LocationFactory
from qudao.tenancy.roles import Role


def on_hand(product, location) -> Decimal:
    return StockLevel.objects.get(product=product, location=location).on_hand


def test_a_receipt_puts_goods_on_hand(org, keeper, product, shelf, receive):
    # when
    (move,) = receive(product, shelf, "24", "3.5")

    # then
    assert on_hand(product, shelf) == Decimal("24.000")
    assert (move.kind, move.unit_cost, move.from_location_id) == ("receipt", Decimal("3.5"), None)


def test_shipping_more_than_on_hand_is_refused_and_changes_nothing(
    org, keeper, product, shelf, receive
):
    # given
    receive(product, shelf, "5")
    moves_before = StockMove.objects.count()

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        move_stock(
            org=org,
            actor=keeper,
            moves=[
                MoveLine(product_id=product.pk, quantity=Decimal("6"), from_location_id=shelf.pk)
            ],
            reason="shipment",
            reference=Reference("delivery_note", 7),
        )

    # then
    assert refused.value.code == "insufficient_stock"
    assert "雪花啤酒" in refused.value.message and "A区" in refused.value.message
    assert on_hand(product, shelf) == Decimal("5.000")
    assert StockMove.objects.count() == moves_before


def test_one_bad_line_refuses_the_whole_batch(org, keeper, product, shelf, receive):
    # given
    other = LocationFactory(warehouse=shelf.warehouse, code="B1")
    receive(product, shelf, "5")

    # when
    with pytest.raises(BusinessRuleViolation):
        move_stock(
            org=org,
            actor=keeper,
            moves=[
                MoveLine(
                    product_id=product.pk,
                    quantity=Decimal("2"),
                    from_location_id=shelf.pk,
                    to_location_id=other.pk,
                ),
                MoveLine(product_id=product.pk, quantity=Decimal("4"), from_location_id=shelf.pk),
            ],
            reason="transfer",
        )

    # then
    assert on_hand(product, shelf) == Decimal("5.000")
    assert not StockLevel.objects.filter(location=other, on_hand__gt=0).exists()


@pytest.mark.parametrize("quantity", ["0", "-1", "1.0001"])
def test_quantities_must_be_positive_with_three_places(org, keeper, product, shelf, quantity):
    with pytest.raises(BusinessRuleViolation) as refused:
        move_stock(
            org=org,
            actor=keeper,
            moves=[
                MoveLine(product_id=product.pk, quantity=Decimal(quantity), to_location_id=shelf.pk)
            ],
            reason="receipt",
        )
    assert refused.value.code == "invalid_quantity"
    assert StockMove.objects.count() == 0


def test_the_database_refuses_to_update_or_delete_a_move(org, product, shelf, receive):
    # given
    (move,) = receive(product, shelf, "5")

    # when / then
    for sql in (
        "UPDATE inventory_stockmove SET quantity = 1 WHERE id = %s",
        "DELETE FROM inventory_stockmove WHERE id = %s",
    ):
        with pytest.raises(IntegrityError if connection.vendor == "sqlite" else Exception):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [move.pk])
    assert StockMove.objects.get(pk=move.pk).quantity == Decimal("5.000")


def test_a_reversal_cancels_a_move_and_points_back(org, boss, product, shelf, receive):
    # given
    (move,) = receive(product, shelf, "5")

    # when
    reversal = reverse_move(org=org, actor=boss, move=move, note="wrong supplier")

    # then
    assert on_hand(product, shelf) == Decimal("0.000")
    assert (reversal.reverses_id, reversal.from_location_id, reversal.to_location_id) == (
        move.pk,
        shelf.pk,
        None,
    )
    with pytest.raises(BusinessRuleViolation) as refused:
        reverse_move(org=org, actor=boss, move=move, note="again")
    assert refused.value.code == "not_reversible"


def test_adjustments_need_move_stock_and_a_note(org, member, product, shelf):
    line = MoveLine(product_id=product.pk, quantity=Decimal("1"), to_location_id=shelf.pk)
    with pytest.raises(PermissionDenied):
        adjust_stock(org=org, actor=member(Role.FINANCE), moves=[line], note="found")
    with pytest.raises(BusinessRuleViolation) as refused:
        adjust_stock(org=org, actor=member(Role.WAREHOUSE), moves=[line], note=" ")
    assert refused.value.code == "reason_required"
    assert StockMove.objects.count() == 0


def test_the_stock_card_runs_a_balance(org, keeper, product, shelf, receive):
    # given
    receive(product, shelf, "10")
    other = LocationFactory(warehouse=shelf.warehouse)
    move_stock(
        org=org,
        actor=keeper,
        moves=[
            MoveLine(
                product_id=product.pk,
                quantity=Decimal("4"),
                from_location_id=shelf.pk,
                to_location_id=other.pk,
            )
        ],
        reason="transfer",
    )
    move_stock(
        org=org,
        actor=keeper,
        moves=[MoveLine(product_id=product.pk, quantity=Decimal("3"), from_location_id=other.pk)],
        reason="shipment",
    )

    # when
    card = list(stock_card(product_id=product.pk))

    # then
    assert [(row.change, row.balance) for row in card] == [
        (Decimal("10"), Decimal("10")),
        (Decimal("0"), Decimal("10")),
        (Decimal("-3"), Decimal("7")),
    ]
    assert level_mismatches() == []
