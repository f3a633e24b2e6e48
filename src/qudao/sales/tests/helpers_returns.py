"""Shipped deliveries for the return, damage and consignment tests, through the services."""

from __future__ import annotations

from decimal import Decimal

from qudao.finance.models import CommitmentStage, CreditCommitment, CreditMode
from qudao.finance.services import PolicyData, set_credit_policy
from qudao.inventory.models import LocationKind
from qudao.inventory.tests.factories import LocationFactory
from qudao.sales.models import DeliveryNote, SalesOrder
from qudao.sales.services import LineInput, OrderData, create_delivery, place_order, ship_delivery

from .conftest import Shop


def shipped(shop: Shop, *lines: LineInput) -> DeliveryNote:
    """An order for `lines`, all of it delivered and shipped."""
    order = place_order(
        org=shop.org,
        actor=shop.rep,
        data=OrderData(customer_id=shop.customer.pk, warehouse_id=shop.warehouse_id),
        lines=lines,
    )
    delivery = create_delivery(org=shop.org, actor=shop.keeper, order=order)
    return ship_delivery(org=shop.org, actor=shop.keeper, delivery=delivery)


def make_consignment(shop: Shop) -> None:
    set_credit_policy(
        org=shop.org,
        actor=shop.boss,
        customer=shop.customer,
        data=PolicyData(mode=CreditMode.CONSIGNMENT, credit_limit=Decimal("5000")),
    )


def damaged_location(shop: Shop):
    return LocationFactory(
        code="DMG", name="破损区", kind=LocationKind.DAMAGED, warehouse=shop.shelf.warehouse
    )


def shipped_commitment(order: SalesOrder) -> Decimal:
    row = CreditCommitment.objects.filter(
        reference=order.reference, stage=CommitmentStage.SHIPPED
    ).first()
    return row.amount if row else Decimal("0.00")
